import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { deb, parseDeb } from './deb.ts';
import {
  commandExists,
  neighbours,
  pick,
  prng,
  realDebianVersions,
  runScript,
  shQuote,
  trickyDebVersion,
} from './testdata/corpus.ts';

const cmp = (a: string, b: string): number => deb.compare(a, b);

describe('deb (dpkg) versions', () => {
  // Orderings from dpkg's own test suite (lib/dpkg/t/t-version.c) and deb-version(7).
  const ordered: [string, string][] = [
    ['1.0~rc1', '1.0'],
    ['1.0~~', '1.0~~a'],
    ['1.0~~a', '1.0~'],
    ['1.0~', '1.0'],
    ['1.0', '1.0a'],
    ['1.0a', '1.0+'],
    ['1.0+', '1.0.1'],
    ['1.0', '1.0-1'],
    ['1.0-1', '1.0-1+b1'],
    ['1.0-1~bpo1', '1.0-1'],
    ['1.0-1', '1:0.9'],
    ['0:1.1', '1:1.0'],
    ['1.2.3', '1.2.10'],
    ['1.0-0', '1.0-a'],
    ['252.38-1~deb12u1', '252.38-1'],
    ['252.38-1~deb12u1', '252.39-1~deb12u2'],
    ['2.36-9+deb12u13', '2.36-9+deb12u14'],
    ['1:4.13+dfsg1-1+deb12u1', '1:4.13+dfsg1-1+deb12u2'],
    ['5.2.15-2', '5.2.15-2+b13'],
    ['2026b-0+deb12u1', '2026f-0+deb12u1'],
    ['1.1.0l-1~deb9u6', '1.1.0l-1'],
  ];
  for (const [a, b] of ordered) {
    it(`${a} < ${b}`, () => {
      assert.equal(cmp(a, b), -1);
      assert.equal(cmp(b, a), 1);
    });
  }

  const equal: [string, string][] = [
    ['1.0', '0:1.0'],
    ['1.0', '1.0-0'],
    ['1.01', '1.1'],
    ['1.0-001', '1.0-1'],
    ['00:1.0', '1.0'],
    [' 1.0 ', '1.0'],
  ];
  for (const [a, b] of equal)
    it(`${JSON.stringify(a)} == ${JSON.stringify(b)}`, () => assert.equal(cmp(a, b), 0));

  it('parses epoch, upstream (with hyphens and colons) and revision like dpkg', () => {
    assert.deepEqual(parseDeb('2:1.0-a-b-3'), { epoch: 2, upstream: '1.0-a-b', revision: '3' });
    assert.deepEqual(parseDeb('1:2:3-4'), { epoch: 1, upstream: '2:3', revision: '4' });
    assert.deepEqual(parseDeb('1.0'), { epoch: 0, upstream: '1.0', revision: '' });
  });

  const invalid = [
    '',
    ' ',
    '1.0 1',
    'a1.0',
    ':1.0',
    '1:',
    'x:1.0',
    '-1:1.0',
    '1.0-',
    '-1',
    '1.0_1',
    '1.0-1_2',
    '1.0-1:2',
    '99999999999:1',
  ];
  for (const bad of invalid) {
    it(`rejects ${JSON.stringify(bad)} naming it`, () => {
      assert.equal(deb.valid(bad), false);
      assert.throws(
        () => cmp(bad, '1.0'),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});

describe(
  'deb agrees with dpkg --compare-versions',
  { skip: !commandExists('dpkg') && 'dpkg is not installed' },
  () => {
    const rng = prng(0x64706b67);
    const real = realDebianVersions();
    const tricky = Array.from({ length: 1200 }, () => trickyDebVersion(rng));
    const pairs: [string, string][] = [];
    for (let i = 0; i < 1200; i++) pairs.push([pick(rng, real), pick(rng, real)]);
    for (let i = 0; i < 250; i++) {
      const v = pick(rng, real);
      for (const n of neighbours(v, rng)) pairs.push(rng() < 0.5 ? [v, n] : [n, v]);
    }
    for (let i = 0; i < 900; i++) pairs.push([pick(rng, tricky), pick(rng, tricky)]);
    for (let i = 0; i < 150; i++) {
      const v = pick(rng, tricky);
      for (const n of neighbours(v, rng)) pairs.push([v, n]);
    }
    for (let i = 0; i < 300; i++) pairs.push([pick(rng, real), pick(rng, tricky)]);
    const checked = pairs.filter(([a, b]) => deb.valid(a) && deb.valid(b));

    it(`orders ${checked.length} pairs (${real.length} real versions, generated tricky ones) like dpkg`, async () => {
      assert.ok(checked.length >= 4000, `only ${checked.length} pairs`);
      // Two shells in parallel, one dpkg process per question: "lt", then "eq" when not lower.
      const half = Math.ceil(checked.length / 2);
      const script = (chunk: [string, string][]): string =>
        chunk
          .map(([a, b]) => {
            const qa = shQuote(a);
            const qb = shQuote(b);
            return `if dpkg --compare-versions -- ${qa} lt ${qb}; then echo -1; elif dpkg --compare-versions -- ${qa} eq ${qb}; then echo 0; else echo 1; fi`;
          })
          .join('\n');
      const results = await Promise.all([
        runScript(script(checked.slice(0, half))),
        runScript(script(checked.slice(half))),
      ]);
      // dpkg warns on stderr about any version it finds questionable; valid() must have excluded those.
      for (const r of results) assert.equal(r.stderr, '');
      const oracle = results.flatMap((r) => r.lines.map(Number));
      assert.equal(oracle.length, checked.length);
      const mismatches = checked
        .map(([a, b], i) => ({ a, b, dpkg: oracle[i], ours: cmp(a, b) }))
        .filter((m) => m.dpkg !== m.ours);
      assert.deepEqual(mismatches.slice(0, 10), []);
    });

    it('rejects exactly what dpkg errors or warns about', async () => {
      // dpkg --compare-versions takes "" as "no version" without complaint, so it is not compared here.
      const candidates = [
        ...[
          '1.0 1',
          'a1.0',
          ':1.0',
          '1:',
          'x:1.0',
          '-1:1.0',
          '1.0-',
          '1.0_1',
          '1.0-1_2',
          '1.0-1:2',
          '99999999999:1',
        ],
        ...['+1:1.0', '-0:1.0', '01:1.0', '1.0', '1:1.0-1', '1.0~-1', '1.0+-~1'],
      ];
      const script = candidates
        .map((v) => `echo "@@"; dpkg --compare-versions -- ${shQuote(v)} eq ${shQuote(v)} 2>&1; echo "rc=$?"`)
        .join('\n');
      const { lines } = await runScript(script);
      const blocks = lines.join('\n').split('@@').slice(1);
      assert.equal(blocks.length, candidates.length);
      candidates.forEach((v, i) => {
        const complained = /warning|error/i.test(blocks[i]!) || !blocks[i]!.includes('rc=0');
        assert.equal(
          deb.valid(v),
          !complained,
          `${JSON.stringify(v)}: dpkg said ${JSON.stringify(blocks[i])}`,
        );
      });
    });
  },
);
