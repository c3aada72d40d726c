import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { pep440 } from './pep440.ts';
import { osvVersions, pick, prng } from './testdata/corpus.ts';

describe('pep440', () => {
  // The ordering list of packaging's test suite (tests/test_version.py, VERSIONS), which walks
  // every clause of PEP 440's "Summary of permitted suffixes and relative ordering".
  const ascending = [
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0b2-346',
    '1.0c1.dev456',
    '1.0c1',
    '1.0rc2',
    '1.0c3',
    '1.0',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.1.dev1',
    '1.2+123abc',
    '1.2+123abc456',
    '1.2+abc',
    '1.2+abc123',
    '1.2+abc123def',
    '1.2+1234.abc',
    '1.2+123456',
    '1.2.r32+123456',
    '1.2.rev33+123456',
    '1!1.0.dev456',
    '1!1.0a1',
    '1!1.0a2.dev456',
    '1!1.0a12.dev456',
    '1!1.0a12',
    '1!1.0b1.dev456',
    '1!1.0b2',
    '1!1.0b2.post345.dev456',
    '1!1.0b2.post345',
    '1!1.0b2-346',
    '1!1.0c1.dev456',
    '1!1.0c1',
    '1!1.0rc2',
    '1!1.0c3',
    '1!1.0',
    '1!1.0.post456.dev34',
    '1!1.0.post456',
    '1!1.1.dev1',
    '1!1.2+123abc',
    '1!1.2+123abc456',
    '1!1.2+abc',
    '1!1.2+abc123',
    '1!1.2+abc123def',
    '1!1.2+1234.abc',
    '1!1.2+123456',
    '1!1.2.r32+123456',
    '1!1.2.rev33+123456',
  ];
  it(`orders packaging's ${ascending.length} reference versions`, () => {
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        const want = i < j ? -1 : i > j ? 1 : 0;
        assert.equal(
          pep440.compare(ascending[i]!, ascending[j]!),
          want,
          `${ascending[i]} vs ${ascending[j]}`,
        );
      }
    }
  });

  // PEP 440 "Normalization": each spelling equals its normal form.
  const normal: [string, string][] = [
    ['1.0ALPHA1', '1.0a1'],
    ['1.1.a1', '1.1a1'],
    ['1.1-a1', '1.1a1'],
    ['1.0a.1', '1.0a1'],
    ['1.1a', '1.1a0'],
    ['1.0alpha1', '1.0a1'],
    ['1.0beta2', '1.0b2'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0preview1', '1.0rc1'],
    ['1.2-post2', '1.2.post2'],
    ['1.2post2', '1.2.post2'],
    ['1.2.post-2', '1.2.post2'],
    ['1.0-r4', '1.0.post4'],
    ['1.0-rev4', '1.0.post4'],
    ['1.2.post', '1.2.post0'],
    ['1.0-1', '1.0.post1'],
    ['1.2-dev2', '1.2.dev2'],
    ['1.2dev2', '1.2.dev2'],
    ['1.2.dev', '1.2.dev0'],
    ['1.0+ubuntu-1', '1.0+ubuntu.1'],
    ['1.0+ubuntu_1', '1.0+ubuntu.1'],
    ['1.0+UBUNTU.1', '1.0+ubuntu.1'],
    ['v1.0', '1.0'],
    ['  1.0\n', '1.0'],
    ['1.0.0', '1.0'],
    ['1.0.0.0', '1'],
    ['0!1.0', '1.0'],
    ['01.02', '1.2'],
    ['1.0+abc.007', '1.0+abc.7'],
  ];
  for (const [a, b] of normal)
    it(`${JSON.stringify(a)} == ${b}`, () => assert.equal(pep440.compare(a, b), 0));

  it('orders epochs before everything else, and local versions after their public version', () => {
    assert.equal(pep440.compare('1!0.1', '2.0'), 1);
    assert.equal(pep440.compare('1.0+local', '1.0'), 1);
    assert.equal(pep440.compare('1.0+local', '1.0.post1'), -1);
    assert.equal(pep440.compare('1.0.dev1', '1.0a1'), -1);
    assert.equal(pep440.compare('1.0a1.post1.dev1', '1.0a1.post1'), -1);
  });

  it('parses every PyPI version of the shared data', () => {
    const versions = osvVersions('PyPI');
    assert.ok(versions.length > 100, `only ${versions.length} PyPI versions`);
    for (const v of versions) if (v !== '0') assert.equal(pep440.valid(v), true, v);
  });

  for (const bad of [
    '',
    'french toast',
    '1.0+',
    '1.0+_foo',
    '1.0.0-',
    '1.0-dev-1-2',
    '1.0 1',
    '1.0a1a1',
    '1!',
  ]) {
    it(`rejects ${JSON.stringify(bad)} naming it`, () => {
      assert.equal(pep440.valid(bad), false);
      assert.throws(
        () => pep440.compare(bad, '1.0'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});

/** Spellings the normalisation rules allow, so the reference implementation sees them all. */
function trickyPep440(rng: () => number): string {
  const n = (): string => pick(rng, ['0', '1', '2', '9', '10', '01', '00', '2024', '123456789012345678901']);
  const sep = (): string => pick(rng, ['', '', '.', '-', '_']);
  let v = rng() < 0.15 ? `${n()}!` : '';
  v += rng() < 0.1 ? 'v' : '';
  v += n();
  for (let k = Math.floor(rng() * 4); k > 0; k--) v += `.${n()}`;
  if (rng() < 0.4)
    v +=
      sep() +
      pick(rng, ['a', 'b', 'c', 'rc', 'alpha', 'beta', 'pre', 'preview', 'RC', 'Alpha']) +
      sep() +
      (rng() < 0.7 ? n() : '');
  if (rng() < 0.3)
    v +=
      rng() < 0.3
        ? `-${n()}`
        : sep() + pick(rng, ['post', 'rev', 'r', 'POST']) + sep() + (rng() < 0.7 ? n() : '');
  if (rng() < 0.3) v += sep() + pick(rng, ['dev', 'DEV']) + sep() + (rng() < 0.7 ? n() : '');
  if (rng() < 0.2)
    v += `+${pick(rng, ['ubuntu', 'abc', 'local', '1', '007', 'Abc'])}${pick(rng, ['', '.1', '-2', '_x', '.abc.5'])}`;
  return v;
}

const python = spawnSync('python3', ['-c', 'import packaging.version'], { stdio: 'ignore' }).status === 0;

describe(
  'pep440 agrees with packaging.version (the PyPA reference)',
  { skip: !python && 'python3 with packaging is not installed' },
  () => {
    it('orders 4000 pairs of real and generated versions like packaging', () => {
      const rng = prng(0x70657034);
      const real = osvVersions('PyPI').filter((v) => v !== '0');
      const pool = [...real, ...Array.from({ length: 1500 }, () => trickyPep440(rng))].filter((v) =>
        pep440.valid(v),
      );
      const pairs = Array.from({ length: 4000 }, (): [string, string] => [pick(rng, pool), pick(rng, pool)]);
      const script = [
        'import json, sys',
        'from packaging.version import Version',
        'pairs = json.load(sys.stdin)',
        'print(json.dumps([(Version(a) > Version(b)) - (Version(a) < Version(b)) for a, b in pairs]))',
      ].join('\n');
      const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(pairs), encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const oracle = JSON.parse(run.stdout) as number[];
      const mismatches = pairs
        .map(([a, b], i) => ({ a, b, packaging: oracle[i], ours: pep440.compare(a, b) }))
        .filter((m) => m.packaging !== m.ours);
      assert.deepEqual(mismatches.slice(0, 10), []);
    });

    it('accepts exactly what packaging accepts', () => {
      const rng = prng(0x76616c64);
      const candidates = [
        ...Array.from({ length: 500 }, () => trickyPep440(rng)),
        ...[
          '1.0+',
          '1.0.',
          '1..0',
          'v',
          '1.0-',
          '1.0a.b',
          '1.0post-',
          '1!',
          '!1',
          '1.0+a..b',
          '1.0 ',
          ' 1.0',
          '1.0\t',
          'a1.0',
        ],
      ];
      const script = [
        'import json, sys',
        'from packaging.version import Version, InvalidVersion',
        'def ok(v):',
        '    try:',
        '        Version(v)',
        '        return True',
        '    except InvalidVersion:',
        '        return False',
        'print(json.dumps([ok(v) for v in json.load(sys.stdin)]))',
      ].join('\n');
      const run = spawnSync('python3', ['-c', script], {
        input: JSON.stringify(candidates),
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const oracle = JSON.parse(run.stdout) as boolean[];
      const mismatches = candidates.filter((v, i) => pep440.valid(v) !== oracle[i]);
      assert.deepEqual(mismatches, []);
    });
  },
);
