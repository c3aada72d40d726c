import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { apk } from './apk.ts';
import { composer } from './composer.ts';
import { deb } from './deb.ts';
import { ecosystemBase, schemeById, schemeForEcosystem, SCHEMES } from './ecosystem.ts';
import { generic } from './generic.ts';
import { go } from './go.ts';
import { maven } from './maven.ts';
import { nuget } from './nuget.ts';
import { pep440 } from './pep440.ts';
import { rpm } from './rpm.ts';
import { rubygems } from './rubygems.ts';
import { semver } from './semver.ts';

describe('generic (fuzzy fallback)', () => {
  const ascending = [
    '0.9',
    '1.0-alpha',
    '1.0-rc1',
    '1.0',
    '1.0.1',
    '1.2',
    '1.10',
    'v2.0.0',
    '2.0.1.5',
    '10.0',
  ];
  it('gives a sensible order to common shapes', () => {
    for (let i = 0; i < ascending.length; i++) {
      for (let j = i + 1; j < ascending.length; j++) {
        assert.equal(generic.compare(ascending[i]!, ascending[j]!), -1, `${ascending[i]} < ${ascending[j]}`);
        assert.equal(generic.compare(ascending[j]!, ascending[i]!), 1, `${ascending[j]} > ${ascending[i]}`);
      }
    }
  });

  it('treats trailing zeros, case and separators as equal and letters as pre or post releases', () => {
    assert.equal(generic.compare('1.0.0', '1'), 0);
    assert.equal(generic.compare('1.0_RC1', '1.0-rc1'), 0);
    assert.equal(generic.compare('1.0.0.0', '1.0'), 0);
    assert.equal(generic.compare('2024a', '2024'), 1); // letter suffix: a later release
    assert.equal(generic.compare('1.0.0.beta1', '1.0.0'), -1); // pre-release word
    assert.equal(generic.compare('1.1.1w', '1.1.1v'), 1);
    assert.equal(generic.compare('9.4.51.v20230217', '9.4.51.v20221201'), 1);
  });

  for (const bad of ['', ' ', 'latest', '1 0']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.equal(generic.valid(bad), false);
      assert.throws(
        () => generic.compare(bad, '1'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});

describe('schemeForEcosystem', () => {
  const cases: [string, unknown][] = [
    ['Debian', deb],
    ['Debian:12', deb],
    ['Debian:sid', deb],
    ['Ubuntu:22.04:LTS', deb],
    ['Ubuntu:Pro:18.04:LTS', deb],
    ['Alpine:v3.20', apk],
    ['Red Hat:rhel_aus:8.4::appstream', rpm],
    ['Rocky Linux:9', rpm],
    ['AlmaLinux:9', rpm],
    ['openSUSE:Tumbleweed', rpm],
    ['SUSE:Linux Enterprise Server 15 SP5', rpm],
    ['npm', semver],
    ['crates.io', semver],
    ['Hex', semver],
    ['Pub', semver],
    ['PyPI', pep440],
    ['Go', go],
    ['Maven', maven],
    ['Maven:https://maven.google.com', maven],
    ['RubyGems', rubygems],
    ['NuGet', nuget],
    ['Packagist', composer],
    ['Packagist:https://packages.drupal.org/8', composer],
    ['pypi', pep440],
    ['Hackage', generic],
    ['GHC', generic],
    ['', generic],
  ];
  for (const [ecosystem, want] of cases) {
    it(`${JSON.stringify(ecosystem)} -> ${(want as { id: string }).id}`, () =>
      assert.equal(schemeForEcosystem(ecosystem), want));
  }

  it('strips the release suffix and looks schemes up by id', () => {
    assert.equal(ecosystemBase('Ubuntu:Pro:18.04:LTS'), 'Ubuntu');
    assert.equal(ecosystemBase('npm'), 'npm');
    for (const [id, scheme] of Object.entries(SCHEMES)) assert.equal(scheme.id, id);
    assert.equal(schemeById('deb'), deb);
    assert.equal(schemeById('toString'), undefined);
  });
});
