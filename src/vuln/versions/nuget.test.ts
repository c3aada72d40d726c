import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { nuget } from './nuget.ts';

const cmp = (a: string, b: string): number => nuget.compare(a, b);

/** Rules and examples of https://learn.microsoft.com/nuget/concepts/package-versioning and NuGet.Versioning's comparer. */
describe('nuget', () => {
  it('orders the pre-release example of the NuGet docs', () => {
    // The docs list it newest first.
    const newestFirst = [
      '1.0.1',
      '1.0.1-zzz',
      '1.0.1-rc',
      '1.0.1-open',
      '1.0.1-beta',
      '1.0.1-alpha2',
      '1.0.1-alpha10',
      '1.0.1-aaa',
    ];
    for (let i = 0; i < newestFirst.length; i++) {
      for (let j = i + 1; j < newestFirst.length; j++)
        assert.equal(cmp(newestFirst[i]!, newestFirst[j]!), 1, `${newestFirst[i]} > ${newestFirst[j]}`);
    }
  });

  it('follows SemVer 2.0 for dotted labels, numerically where numeric', () => {
    const ascending = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    for (let i = 0; i + 1 < ascending.length; i++)
      assert.equal(cmp(ascending[i]!, ascending[i + 1]!), -1, `${ascending[i]} < ${ascending[i + 1]}`);
    assert.equal(cmp('1.0.0-beta.9', '1.0.0-beta.x'), -1);
  });

  const equal: [string, string][] = [
    ['1.0', '1.0.0'],
    ['1.0.0.0', '1.0.0'],
    ['1', '1.0.0'],
    ['1.00', '1.0'],
    ['1.01.1', '1.1.1'],
    ['1.00.0.1', '1.0.0.1'],
    ['1.0.0-Beta', '1.0.0-beta'],
    ['1.0.0-RC.1', '1.0.0-rc.1'],
    ['1.0.0+build.5', '1.0.0'],
    ['1.0.0-beta+abc', '1.0.0-beta+def'],
    [' 1.0.0 ', '1.0.0'],
  ];
  for (const [a, b] of equal) it(`${JSON.stringify(a)} == ${b}`, () => assert.equal(cmp(a, b), 0));

  it('compares the fourth (revision) part', () => {
    assert.equal(cmp('1.0.0.1', '1.0.0'), 1);
    assert.equal(cmp('4.1.100', '4.1.99.9'), 1);
    assert.equal(cmp('2147483647.0.0', '2147483646.9.9'), 1);
  });

  for (const bad of [
    '',
    '1.0.0-',
    '1.0.0+',
    '1.0.0.0.0',
    'a.b',
    '1.0.0-beta.01',
    '1.0.0-beta..1',
    '2147483648.0.0',
    'v1.0.0',
  ]) {
    it(`rejects ${JSON.stringify(bad)} naming it`, () => {
      assert.equal(nuget.valid(bad), false);
      assert.throws(
        () => cmp(bad, '1.0'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});
