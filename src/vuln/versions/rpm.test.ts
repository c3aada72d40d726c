import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { parseRpm, rpm, rpmvercmp } from './rpm.ts';
import {
  commandExists,
  neighbours,
  pick,
  prng,
  realDebianVersions,
  runScript,
  shQuote,
} from './testdata/corpus.ts';

const cmp = (a: string, b: string): number => rpm.compare(a, b);

describe('rpm versions', () => {
  // rpmvercmp cases from rpm's test suite (tests/rpmvercmp.at).
  const vercmp: [string, string, number][] = [
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0.1', 0],
    ['2.0', '2.0.1', -1],
    ['2.0.1a', '2.0.1a', 0],
    ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p1', 0],
    ['5.5p1', '5.5p2', -1],
    ['5.5p10', '5.5p1', 1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10', 0],
    ['xyz10', 'xyz10.1', -1],
    ['xyz.4', 'xyz.4', 0],
    ['xyz.4', '8', -1],
    ['xyz.4', '2', -1],
    ['5.5p2', '5.6p1', -1],
    ['5.6p1', '6.5p1', -1],
    ['6.0.rc1', '6.0', 1],
    ['10b2', '10a1', 1],
    ['1.0aa', '1.0a', 1],
    ['10.0001', '10.1', 0],
    ['10.0001', '10.0039', -1],
    ['4.999.9', '5.0', -1],
    ['20101121', '20101122', -1],
    ['2_0', '2_0', 0],
    ['2.0', '2_0', 0],
    ['a', 'a', 0],
    ['a+', 'a_', 0],
    ['+a', '_a', 0],
    ['+_', '_+', 0],
    ['1.0~rc1', '1.0~rc1', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~rc1~git123', '1.0~rc1', -1],
    ['1.0^', '1.0^', 0],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0^git1', 0],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.01', -1],
    ['1.0^20160101', '1.0^20160102', -1],
    ['1.0^20160101^git1', '1.0^20160101', 1],
    ['1.0~rc1^git1', '1.0~rc1', 1],
    ['1.0^git1~pre', '1.0^git1', -1],
  ];
  for (const [a, b, want] of vercmp) {
    it(`rpmvercmp(${a}, ${b}) = ${want}`, () => {
      assert.equal(rpmvercmp(a, b), want);
      assert.equal(rpmvercmp(b, a), -want || 0);
    });
  }

  it('compares epoch, then version, then release; a missing release sorts first', () => {
    assert.equal(cmp('1:1.0-1', '2.0-1'), 1);
    assert.equal(cmp('0:1.0-1', '1.0-1'), 0);
    assert.equal(cmp(':1.0', '0:1.0'), 0);
    assert.equal(cmp('1.0-1.el9', '1.0-1.el9_2'), -1);
    assert.equal(cmp('1.0', '1.0-1'), -1);
    assert.deepEqual(parseRpm('2:4.18.0-1.fc39'), { epoch: '2', version: '4.18.0', release: '1.fc39' });
    assert.deepEqual(parseRpm('a:1-2-3'), { epoch: undefined, version: 'a:1-2', release: '3' });
  });

  for (const bad of ['', ' ', '1.0 -1', '1.0\t', '1:', '-1', '...-1']) {
    it(`rejects ${JSON.stringify(bad)} naming it`, () => {
      assert.equal(rpm.valid(bad), false);
      assert.throws(
        () => cmp('1.0', bad),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(JSON.stringify(bad)),
      );
    });
  }
});

/** Fedora/RHEL/SUSE-shaped EVRs plus generated ones with `~`, `^`, `_`, letters, leading zeros and odd separators. */
function trickyRpmVersion(rng: () => number): string {
  const num = (): string =>
    pick(rng, ['0', '1', '2', '9', '10', '01', '001', '20230101', '99999999999999999999']);
  const word = (): string =>
    pick(rng, ['a', 'b', 'rc', 'git', 'el', 'fc', 'Z', 'alpha', 'beta', 'p', 'svn', 'post']);
  const seps = ['.', '.', '.', '_', '+', '~', '^', '-', '', '%', '..'];
  let v = rng() < 0.8 ? num() : word();
  for (let n = Math.floor(rng() * 6); n > 0; n--) v += pick(rng, seps) + (rng() < 0.6 ? num() : word());
  if (rng() < 0.3) v += pick(rng, ['~', '^', '.', '~rc1', '^git2']);
  if (rng() < 0.25) v = `${pick(rng, ['0', '1', '2', '00', '10', ''])}:${v}`;
  if (rng() < 0.5)
    v += `-${num()}${pick(rng, ['', '.el9', '.el9_2', '.fc39', '.1', '~bootstrap', '^1', '.git3'])}`;
  return v;
}

const realRpm = [
  '2.28-225.el8',
  '2.28-225.el8_8.6',
  '1:1.1.1k-9.el8_7',
  '1:3.0.7-25.el9_3',
  '3.0.7-27.el9',
  '4.16.1.3-25.el9',
  '4.18.0-1.fc39',
  '4.18.2-1.fc39',
  '2:8.2.2637-20.el9_1',
  '2:9.0.1592-1.fc38',
  '5.14.0-362.8.1.el9_3',
  '1.21.1^20230524git123abc-1.fc39',
  '0.9.4~rc1-2.fc38',
  '15.1-150500.5.3',
  '2.37.4-150500.9.3.1',
  '7.61.1-30.el8_8.3',
  '1.2.11-40.el9',
  '1.2.13-1.fc38',
  '252-18.el9',
  '252.17-1.fc38',
];

describe(
  'rpm agrees with rpm.vercmp()',
  { skip: !commandExists('rpm') && 'rpm is not installed (apt-get install rpm); oracle comparison not run' },
  () => {
    const rng = prng(0x72706d21);
    const real = [...realDebianVersions(), ...realRpm];
    const tricky = Array.from({ length: 2000 }, () => trickyRpmVersion(rng));
    const pairs: [string, string][] = [];
    for (let i = 0; i < 3000; i++) pairs.push([pick(rng, real), pick(rng, real)]);
    for (let i = 0; i < 500; i++) {
      const v = pick(rng, real);
      for (const n of neighbours(v, rng)) pairs.push([v, n]);
    }
    for (let i = 0; i < 4000; i++) pairs.push([pick(rng, tricky), pick(rng, tricky)]);
    for (let i = 0; i < 500; i++) {
      const v = pick(rng, tricky);
      for (const n of [...neighbours(v, rng), `${v}^`, `${v}~`, `${v}^1`, `${v}-1`]) pairs.push([n, v]);
    }
    for (let i = 0; i < 1000; i++) pairs.push([pick(rng, real), pick(rng, tricky)]);
    const checked = pairs.filter(([a, b]) => rpm.valid(a) && rpm.valid(b));

    it(`orders ${checked.length} pairs (${real.length} real versions, generated tricky ones) like rpm 4.18`, async () => {
      assert.ok(checked.length >= 10000, `only ${checked.length} pairs`);
      const dir = mkdtempSync(join(tmpdir(), 'kubeguard-rpm-'));
      try {
        const file = join(dir, 'pairs.tsv');
        writeFileSync(file, checked.map(([a, b]) => `${a}\t${b}\n`).join(''));
        // One rpm process: a Lua loop over the file (no macro expansion of the versions themselves).
        const lua = `local t = {} for line in io.lines(${JSON.stringify(file)}) do local a, b = line:match("^(.-)\\t(.*)$") t[#t+1] = rpm.vercmp(a, b) end print(table.concat(t, "\\n"))`;
        const { lines } = await runScript(`rpm --eval ${shQuote(`%{lua: ${lua}}`)}`);
        assert.equal(lines.length, checked.length);
        const mismatches = checked
          .map(([a, b], i) => ({ a, b, rpm: Number(lines[i]), ours: cmp(a, b) }))
          .filter((m) => m.rpm !== m.ours);
        assert.deepEqual(mismatches.slice(0, 10), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
