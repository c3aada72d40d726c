import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { rubygems } from './rubygems.ts';
import { osvVersions } from './testdata/corpus.ts';

const cmp = (a: string, b: string): number => rubygems.compare(a, b);

/** Expectations of RubyGems' test/rubygems/test_gem_version.rb and the Gem::Version documentation. */
describe('rubygems (Gem::Version)', () => {
  const spaceship: [string, string, number][] = [
    ['1.0', '1.0.0', 0],
    ['1.0', '1.0.a', 1],
    ['1.8.2', '0.0.0', 1],
    ['1.8.2', '1.8.2.a', 1],
    ['1.8.2.b', '1.8.2.a', 1],
    ['1.8.2.a', '1.8.2', -1],
    ['1.8.2.a10', '1.8.2.a9', 1],
    ['0.beta.1', '0.0.beta.1', 0],
    ['0.0.beta', '0.0.beta.1', -1],
    ['0.0.beta', '0.beta.1', -1],
    ['5.a', '5.0.0.rc2', -1],
    ['5.x', '5.0.0.rc2', 1],
    ['1.0.0.a.1.0', '1.0.0.a.1', 0],
    ['1.0.a.2', '1.0.b1', -1],
    ['1.0.b1', '1.0', -1],
    ['1.2.d.42', '1.2.d', 1],
    ['2.1.4.3', '2.1.4.4', -1],
    ['2.2.8', '2.2.8.1', -1],
    ['3.0.9.1', '3.0.9', 1],
    ['7.0.3.1', '7.0.3', 1],
    ['1.0.0.pre', '1.0.0', -1],
    ['1.A', '1.a', -1], // letters compare byte-wise, case-sensitively
    [' 1.0 ', '1.0', 0],
  ];
  for (const [a, b, want] of spaceship) {
    it(`${JSON.stringify(a)} <=> ${JSON.stringify(b)} = ${want}`, () => {
      assert.equal(cmp(a, b), want);
      assert.equal(cmp(b, a), -want || 0);
    });
  }

  it('orders SemVer-style pre-releases (test_semver): "-" reads as ".pre."', () => {
    const list = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0-1',
      '1.0.0',
    ];
    for (let i = 0; i + 1 < list.length; i++)
      assert.equal(cmp(list[i]!, list[i + 1]!), -1, `${list[i]} < ${list[i + 1]}`);
    assert.equal(cmp('1-1', '1.pre.1'), 0);
  });

  it('accepts every RubyGems version of the shared data', () => {
    for (const v of osvVersions('RubyGems')) assert.equal(rubygems.valid(v), true, v);
  });

  for (const bad of ['', 'junk', '1.0\n2.0', '1..2', '1.2 3.4', '1.0.0-', 'v1.0', '1.0.', '.1']) {
    it(`rejects ${JSON.stringify(bad)} naming it`, () => {
      assert.equal(rubygems.valid(bad), false);
      assert.throws(
        () => cmp(bad, '1.0'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});
