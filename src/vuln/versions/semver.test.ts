import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { go, goTagToSemver } from './go.ts';
import { semver } from './semver.ts';
import { osvVersions } from './testdata/corpus.ts';

/** Every adjacent pair must be strictly increasing, every pair consistent with the list order. */
function assertAscending(scheme: { compare(a: string, b: string): number }, list: string[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      const want = i < j ? -1 : i > j ? 1 : 0;
      assert.equal(scheme.compare(list[i]!, list[j]!), want, `${list[i]} vs ${list[j]}`);
    }
  }
}

describe('semver', () => {
  it('follows the precedence example of SemVer 2.0 §11', () => {
    assertAscending(semver, [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
    ]);
  });

  it('compares numbers without precision loss and identifiers in ASCII order', () => {
    assertAscending(semver, ['1.0.0-0', '1.0.0-9', '1.0.0-10', '1.0.0-A', '1.0.0-Z', '1.0.0-a', '1.0.0-a-b']);
    assert.equal(semver.compare('9007199254740993.0.0', '9007199254740992.0.0'), 1);
  });

  it('ignores build metadata and tolerates a leading v', () => {
    assert.equal(semver.compare('1.0.0+20130313144700', '1.0.0'), 0);
    assert.equal(semver.compare('1.0.0-beta+exp.sha.5114f85', '1.0.0-beta'), 0);
    assert.equal(semver.compare('v1.2.3', '1.2.3'), 0);
  });

  it('accepts every SEMVER and npm/crates.io event version of the shared data', () => {
    for (const folder of ['npm', 'crates.io', 'Go']) {
      for (const v of osvVersions(folder))
        if (v !== '0') assert.equal(semver.valid(v), true, `${folder} ${v}`);
    }
  });

  for (const bad of [
    '1',
    '1.2',
    '01.2.3',
    '1.2.3-01',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-a..b',
    'V1.2.3',
    ' 1.2.3',
    '1.2.3.4',
    '',
  ]) {
    it(`rejects ${JSON.stringify(bad)} naming it`, () => {
      assert.equal(semver.valid(bad), false);
      assert.throws(
        () => semver.compare(bad, '1.0.0'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});

describe('go', () => {
  it('orders like golang.org/x/mod/semver (its Compare test list)', () => {
    const groups = [
      ['v0.0.0-20191109021931-daa7c04131f5'],
      ['v1.0.0-alpha'],
      ['v1.0.0-alpha.1'],
      ['v1.0.0-alpha.beta'],
      ['v1.0.0-beta'],
      ['v1.0.0-beta.2'],
      ['v1.0.0-beta.11'],
      ['v1.0.0-rc.1'],
      ['v1', 'v1.0', 'v1.0.0'],
      ['v1.2', 'v1.2.0'],
      ['v1.2.3-456', 'v1.2.3-456+meta'],
      ['v1.2.3-456.789'],
      ['v1.2.3-456-789'],
      ['v1.2.3-456a'],
      ['v1.2.3-pre', 'v1.2.3-pre+meta'],
      ['v1.2.3-pre.1'],
      ['v1.2.3-zzz'],
      ['v1.2.3', 'v1.2.3+meta', 'v1.2.3+meta-pre'],
      ['v1.2.4-0.20191109021931-daa7c04131f5'],
      ['v1.2.4'],
      ['v2.0.0+incompatible', 'v2.0.0'],
      ['v2.1.0+incompatible'],
    ];
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        for (const a of groups[i]!) {
          for (const b of groups[j]!)
            assert.equal(go.compare(a, b), i < j ? -1 : i > j ? 1 : 0, `${a} vs ${b}`);
        }
      }
    }
  });

  it('reads versions without v as OSV stores them, and toolchain tags like x/vuln', () => {
    assert.equal(go.compare('0.0.0-20220906165146-f3363e06e74c', 'v0.0.0-20220906165146-f3363e06e74c'), 0);
    assert.equal(go.compare('3.0.0-20210107192922-496545a6307b', '3.0.0-20220521103104-8f96da9f5d5e'), -1);
    assert.equal(goTagToSemver('go1.21'), '1.21.0');
    assert.equal(goTagToSemver('go1.21.3'), '1.21.3');
    assert.equal(goTagToSemver('go1.22rc2'), '1.22.0-rc.2');
    assert.equal(goTagToSemver('go1.19beta1'), '1.19.0-beta.1');
    assert.equal(goTagToSemver('go1'), '1.0.0');
    assert.equal(go.compare('go1.24rc2', '1.24.0-rc.2'), 0);
    assert.equal(go.compare('go1.24.0', '1.24.0-0'), 1);
    assert.equal(go.compare('go1.21.0', '1.21.0-0'), 1);
  });

  for (const bad of ['', 'v01.2.3', 'v1.2.3-01', 'v1.2-pre', 'go1.21.x', 'latest', 'v1.2.3.4']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(go.valid(bad), false));
  }
});
