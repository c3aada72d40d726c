import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { maven } from './maven.ts';
import { osvVersions } from './testdata/corpus.ts';

const cmp = (a: string, b: string): number => maven.compare(a, b);

function assertAscending(list: string[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      assert.equal(cmp(list[i]!, list[j]!), -1, `expected ${list[i]} < ${list[j]}`);
      assert.equal(cmp(list[j]!, list[i]!), 1, `expected ${list[j]} > ${list[i]}`);
    }
  }
}

function assertEqual(a: string, b: string): void {
  assert.equal(cmp(a, b), 0, `expected ${a} == ${b}`);
  assert.equal(cmp(b, a), 0, `expected ${b} == ${a}`);
}

/** Cases of maven-artifact's ComparableVersionTest (Maven 3.9 / 4). */
describe('maven (ComparableVersion)', () => {
  it('orders VERSIONS_QUALIFIER', () =>
    assertAscending([
      '1-alpha2snapshot',
      '1-alpha2',
      '1-alpha-123',
      '1-beta-2',
      '1-beta123',
      '1-m2',
      '1-m11',
      '1-rc',
      '1-cr2',
      '1-rc123',
      '1-SNAPSHOT',
      '1',
      '1-sp',
      '1-sp2',
      '1-sp123',
      '1-abc',
      '1-def',
      '1-pom-1',
      '1-1-snapshot',
      '1-1',
      '1-2',
      '1-123',
    ]));

  it('orders VERSIONS_NUMBER', () =>
    assertAscending([
      '2.0',
      '2.0.a',
      '2-1',
      '2.0.2',
      '2.0.123',
      '2.1.0',
      '2.1-a',
      '2.1b',
      '2.1-c',
      '2.1-1',
      '2.1.0.1',
      '2.2',
      '2.123',
      '11.a2',
      '11.a11',
      '11.b2',
      '11.b11',
      '11.m2',
      '11.m11',
      '11',
      '11.a',
      '11b',
      '11c',
      '11m',
    ]));

  it('versionsEqual', () => {
    const pairs: [string, string][] = [
      ['1', '1'],
      ['1', '1.0'],
      ['1', '1.0.0'],
      ['1.0', '1.0.0'],
      ['1', '1-0'],
      ['1', '1.0-0'],
      ['1.0', '1.0-0'],
      ['1a', '1-a'],
      ['1a', '1.0-a'],
      ['1a', '1.0.0-a'],
      ['1.0a', '1-a'],
      ['1.0.0a', '1-a'],
      ['1x', '1-x'],
      ['1x', '1.0-x'],
      ['1x', '1.0.0-x'],
      ['1.0x', '1-x'],
      ['1.0.0x', '1-x'],
      ['1cr', '1rc'],
      ['1a1', '1-alpha-1'],
      ['1b2', '1-beta-2'],
      ['1m3', '1-milestone-3'],
      ['1X', '1x'],
      ['1A', '1a'],
      ['1B', '1b'],
      ['1M', '1m'],
      ['1Cr', '1Rc'],
      ['1cR', '1rC'],
      ['1m3', '1Milestone3'],
      ['1m3', '1MileStone3'],
      ['1m3', '1MILESTONE3'],
      // versionsHaveSameOrderButAreNotEqual
      ['1ga', '1'],
      ['1release', '1'],
      ['1final', '1'],
      ['1GA', '1'],
      ['1RELeaSE', '1'],
      ['1FinaL', '1'],
      // lexicographicASCIISortOrder, compareLowerCaseToUpperCase*
      ['1.0.0-alpha1', '1.0.0-ALPHA1'],
      ['1.a', '1.A'],
      ['1.é', '1.É'],
      ['1-abcdefghijklmnopqrstuvwxyz', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
    ];
    for (const [a, b] of pairs) assertEqual(a, b);
  });

  it('versionComparing', () => {
    const ordered: [string, string][] = [
      ['1', '2'],
      ['1.5', '2'],
      ['1', '2.5'],
      ['1.0', '1.1'],
      ['1.1', '1.2'],
      ['1.0.0', '1.1'],
      ['1.0.1', '1.1'],
      ['1.1', '1.2.0'],
      ['1.0-alpha-1', '1.0'],
      ['1.0-alpha-1', '1.0-alpha-2'],
      ['1.0-alpha-1', '1.0-beta-1'],
      ['1.0-beta-1', '1.0-SNAPSHOT'],
      ['1.0-SNAPSHOT', '1.0'],
      ['1.0-alpha-1-SNAPSHOT', '1.0-alpha-1'],
      ['1.0', '1.0-1'],
      ['1.0-1', '1.0-2'],
      ['1.0.0', '1.0-1'],
      ['2.0-1', '2.0.1'],
      ['2.0.1-klm', '2.0.1-lmn'],
      ['2.0.1', '2.0.1-xyz'],
      ['2.0.1', '2.0.1-123'],
      ['2.0.1-xyz', '2.0.1-123'],
      // leadingZeroes, compareDigitToLetter, lexicographicOrder
      ['0.7', '2'],
      ['0.2', '1.0.7'],
      ['J', '7'],
      ['c', '7'],
      ['aardvark', 'zebra'],
      ['zebra', 'ζέβρα'],
      ['\u0668', '1'], // non-ASCII digits are not numbers
      ['é', '1'],
      // MNG-5568, MNG-6572
      ['6.1.0rc3', '6.1.0'],
      ['6.1.0rc3', '6.1H.5-beta'],
      ['6.1.0', '6.1H.5-beta'],
      ['20190126.230843', '1234567890.12345'],
      ['1234567890.12345', '123456789012345.1H.5-beta'],
      ['123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta'],
      // MNG-6964
      ['1-0.alpha', '1'],
      ['1-0.beta', '1'],
      ['1-0.alpha', '1-0.beta'],
      // MNG-7714
      ['1.0.final-redhat', '1.0-sp1-redhat'],
      ['1.0.final-redhat', '1.0-sp-1-redhat'],
      ['1.0.final-redhat', '1.0-sp.1-redhat'],
    ];
    for (const [a, b] of ordered) {
      assert.equal(cmp(a, b), -1, `expected ${a} < ${b}`);
      assert.equal(cmp(b, a), 1, `expected ${b} > ${a}`);
    }
  });

  it('versionEqualWithLeadingZeroes', () => {
    for (let n = 1; n <= 19; n++) {
      assertEqual(`${'0'.repeat(n - 1)}1`, '1');
      assertEqual('0'.repeat(n), '0');
    }
  });

  it('MNG-7644: 1.0.0.X1 < 1.0.0-X2 and 2-X == 2.0.X == 2.0.0.X', () => {
    for (const x of ['abc', 'alpha', 'a', 'beta', 'b', 'def', 'milestone', 'm', 'RC']) {
      assert.equal(cmp(`1.0.0.${x}1`, `1.0.0-${x}2`), -1, x);
      assertEqual(`2-${x}`, `2.0.${x}`);
      assertEqual(`2-${x}`, `2.0.0.${x}`);
      assertEqual(`2.0.${x}`, `2.0.0.${x}`);
    }
  });

  it('orders the spec examples of the POM reference (version order specification)', () => {
    assertAscending(['1', '1.1']);
    assertAscending(['1-snapshot', '1', '1-sp']);
    assertAscending(['1-foo2', '1-foo10']);
    assertAscending(['1.foo', '1-1', '1.1']);
    assertEqual('1.foo', '1-foo');
    for (const v of ['1.ga', '1-ga', '1-0', '1.0']) assertEqual(v, '1');
    assert.equal(cmp('1-sp', '1-ga'), 1);
    assert.equal(cmp('1-sp.1', '1-ga.1'), 1);
    assertEqual('1-a1', '1-alpha-1');
  });

  it('reads X-1 as X1 (Maven 3.9+), which overrides the older spec examples 1-sp-1 < 1-ga-1 = 1-1', () => {
    assertEqual('1-sp-1', '1-sp1');
    assertEqual('1-ga-1', '1-ga1');
    assert.equal(cmp('1-sp-1', '1-ga-1'), 1);
    assert.equal(cmp('1-ga-1', '1-1'), -1);
  });

  it('orders the real-world Maven versions of the shared data', () => {
    const versions = osvVersions('Maven').filter((v) => v !== '0');
    for (const v of versions) assert.equal(maven.valid(v), true, v);
    assertAscending([
      '2.4.0-rc1',
      '2.4.0',
      '2.12.6',
      '2.12.6.1',
      '2.12.7.1',
      '2.13.0',
      '2.13.2',
      '2.13.2.1',
      '2.13.4',
      '2.13.4.1',
    ]);
    assertAscending(['5.2.19.RELEASE', '5.2.20.RELEASE', '5.3.0', '5.3.17', '5.3.18']);
    assertAscending(['31.1-android', '31.1-jre', '32.0.0', '32.0.1-jre']);
    assertEqual('5.2.20.RELEASE', '5.2.20');
  });

  for (const bad of ['', ' ', '1.0 beta']) {
    it(`rejects ${JSON.stringify(bad)} naming it`, () => {
      assert.equal(maven.valid(bad), false);
      assert.throws(
        () => cmp(bad, '1.0'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});
