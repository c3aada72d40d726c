import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { composer, normalizeComposer, phpVersionCompare } from './composer.ts';

describe('composer', () => {
  // composer/semver tests/VersionParserTest.php, successfulNormalizedVersions.
  const normalized: [string, string][] = [
    ['1.0.0', '1.0.0.0'],
    ['1.2.3.4', '1.2.3.4'],
    ['1.0.0RC1dev', '1.0.0.0-RC1-dev'],
    ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
    ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'],
    ['1.0.0-rc1', '1.0.0.0-RC1'],
    ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
    ['1.0-dev', '1.0.0.0-dev'],
    ['0', '0.0.0.0'],
    ['10.4.13-beta', '10.4.13.0-beta'],
    ['10.4.13beta2', '10.4.13.0-beta2'],
    ['10.4.13beta.2', '10.4.13.0-beta2'],
    ['10.4.13-b', '10.4.13.0-beta'],
    ['10.4.13-b5', '10.4.13.0-beta5'],
    ['v1.0.0', '1.0.0.0'],
    ['1.0', '1.0.0.0'],
    ['1', '1.0.0.0'],
    ['2010.01', '2010.01.0.0'],
    ['2010.01.02', '2010.01.02.0'],
    ['2010.1.555', '2010.1.555.0'],
    ['2010.10.200', '2010.10.200.0'],
    ['v20100102', '20100102'],
    ['2010-01-02', '2010.01.02'],
    ['2010-01-02.5', '2010.01.02.5'],
    ['20100102-203040', '20100102.203040'],
    ['20100102203040-10', '20100102203040.10'],
    ['20100102-203040-p1', '20100102.203040-patch1'],
    ['201903.0', '201903.0'],
    ['201903.0-p2', '201903.0-patch2'],
    ['dev-master', 'dev-master'],
    ['master', 'dev-master'],
    ['dev-trunk', 'dev-trunk'],
    ['1.x-dev', '1.9999999.9999999.9999999-dev'],
    ['dev-feature-foo', 'dev-feature-foo'],
    ['DEV-FOOBAR', 'dev-FOOBAR'],
    ['dev-feature/foo', 'dev-feature/foo'],
    ['dev-master as 1.0.0', 'dev-master'],
    ['1.0.0+foo', '1.0.0.0'],
    ['1.0.0-beta.5+foo', '1.0.0.0-beta5'],
    ['1.0.0@dev', '1.0.0.0'],
    ['1.0.0-stable', '1.0.0.0'],
    ['  1.0.0', '1.0.0.0'],
  ];
  for (const [input, want] of normalized) {
    it(`normalizes ${JSON.stringify(input)} to ${want}`, () => assert.equal(normalizeComposer(input), want));
  }
  for (const bad of ['', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0 .2']) {
    it(`cannot normalize ${JSON.stringify(bad)}`, () => assert.equal(normalizeComposer(bad), undefined));
  }

  it("implements PHP's version_compare", () => {
    // Examples of the PHP manual and php-src tests (ext/standard/tests/versioning).
    const cases: [string, string, number][] = [
      ['5.2', '5.2.0', -1],
      ['1.0', '1.0.0', -1],
      ['1.0rc1', '1.0', -1],
      ['1.0', '1.0pl1', -1],
      ['1.0-dev', '1.0a1', -1],
      ['1.0a1', '1.0b1', -1],
      ['1.0b1', '1.0RC1', -1],
      ['1.0RC1', '1.0', -1],
      ['1.0', '1.0.1', -1],
      ['1.0.1', '1.0.1-patch1', -1],
      ['1.0.0.0-beta2', '1.0.0.0-beta10', -1],
      ['1.0.0.0-alpha1', '1.0.0.0-alpha1', 0],
      ['1.0.0.0-foo', '1.0.0.0-dev', -1],
      ['1-2', '1.2', 0],
      ['1_2', '1+2', 0],
    ];
    for (const [a, b, want] of cases) {
      assert.equal(phpVersionCompare(a, b), want, `${a} vs ${b}`);
      assert.equal(phpVersionCompare(b, a), -want || 0, `${b} vs ${a}`);
    }
  });

  it('orders stabilities dev < alpha < beta < RC < stable < patch', () => {
    const ascending = [
      '1.0.0-dev',
      '1.0.0-alpha1',
      '1.0.0-alpha2',
      '1.0.0-beta',
      '1.0.0-b2',
      '1.0.0-RC1',
      '1.0.0-rc2',
      '1.0.0',
      '1.0.0-p1',
      '1.0.1',
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = i + 1; j < ascending.length; j++) {
        assert.equal(composer.compare(ascending[i]!, ascending[j]!), -1, `${ascending[i]} < ${ascending[j]}`);
        assert.equal(composer.compare(ascending[j]!, ascending[i]!), 1, `${ascending[j]} > ${ascending[i]}`);
      }
    }
    assert.equal(composer.compare('v1.25.0', '1.24.0'), 1);
    assert.equal(composer.compare('1.2', '1.2.0.0'), 0);
    assert.equal(composer.compare('1.0.0-alpha1-dev', '1.0.0-alpha1'), -1);
    assert.equal(composer.compare('1.x-dev', '1.99.0'), 1);
  });

  for (const bad of ['dev-main', 'master', 'feature-foo', '']) {
    it(`has no order for ${JSON.stringify(bad)}`, () => {
      assert.equal(composer.valid(bad), false);
      assert.throws(
        () => composer.compare(bad, '1.0'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});
