/**
 * Test inputs shared by the comparator tests: a seeded PRNG, real version strings (Debian archive
 * sample in this folder, the shared vulnerability data read in place) and generators of tricky
 * versions, plus a runner for batched oracle commands.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/vulndata next to the repository (see issue 6); tests read it in place. */
export const VULNDATA = fileURLToPath(new URL('../../../../../shared/vulndata/', import.meta.url));

/** mulberry32: small, seeded, reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

export function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Real Debian versions: the bookworm archive sample here plus every version in the shared Debian data. */
export function realDebianVersions(): string[] {
  const out = new Set<string>();
  const sample = readFileSync(new URL('./debian-bookworm-versions.txt', import.meta.url), 'utf8');
  for (const line of sample.split('\n')) if (line && !line.startsWith('#')) out.add(line);

  const tracker = `${VULNDATA}debian-tracker-source/`;
  if (existsSync(tracker)) {
    const minbase = JSON.parse(
      readFileSync(`${tracker}minbase_packages_bookworm_12.15.json`, 'utf8'),
    ) as Record<string, unknown>[];
    for (const p of minbase) {
      for (const key of [
        'version',
        'source_version',
        'security_max',
        'security_source_version',
        'updates_max',
      ]) {
        const v = p[key];
        if (typeof v === 'string') out.add(v);
      }
    }
    const src = JSON.parse(readFileSync(`${tracker}bookworm_src_versions.json`, 'utf8')) as Record<
      string,
      string
    >;
    for (const v of Object.values(src)) out.add(v);
  }
  for (const v of osvVersions('Debian')) out.add(v);
  return [...out].sort();
}

/** Every event and listed version in osv/<folder>/*.json (shared data, read in place). */
export function osvVersions(folder: string): string[] {
  const dir = `${VULNDATA}osv/${folder}/`;
  if (!existsSync(dir)) return [];
  const out = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(dir + file, 'utf8')) as {
      affected?: { ranges?: { type: string; events: Record<string, string>[] }[]; versions?: string[] }[];
    };
    for (const a of record.affected ?? []) {
      for (const r of a.ranges ?? []) {
        if (r.type === 'GIT') continue;
        for (const e of r.events) for (const v of Object.values(e)) out.add(v);
      }
      for (const v of a.versions ?? []) out.add(v);
    }
  }
  return [...out];
}

const LETTERS = ['a', 'b', 'z', 'A', 'Z', 'rc', 'beta', 'dfsg', 'git', 'deb', 'ubuntu', 'p', 'pre'];

function number(rng: () => number): string {
  const r = rng();
  if (r < 0.1) return '0';
  if (r < 0.2) return `0${Math.floor(rng() * 10)}`; // leading zero
  if (r < 0.25) return `00${Math.floor(rng() * 100)}`;
  if (r < 0.3) return String(20000000 + Math.floor(rng() * 9999999)); // date-like
  if (r < 0.32) return '123456789012345678901234567890'; // beyond 2^64
  return String(Math.floor(rng() * (rng() < 0.7 ? 12 : 1000)));
}

/** A Debian upstream or revision part: alternating numbers, letters and `.`, `+`, `~` (and `-` in upstream). */
function debPart(rng: () => number, allowHyphen: boolean, mustStartWithDigit: boolean): string {
  let s = mustStartWithDigit ? number(rng) : '';
  const pieces = 1 + Math.floor(rng() * 5);
  for (let i = 0; i < pieces; i++) {
    const r = rng();
    if (r < 0.35) s += `.${number(rng)}`;
    else if (r < 0.5) s += pick(rng, LETTERS) + (rng() < 0.5 ? number(rng) : '');
    else if (r < 0.65) s += `~${rng() < 0.5 ? pick(rng, LETTERS) : ''}${number(rng)}`;
    else if (r < 0.78) s += `+${pick(rng, LETTERS)}${number(rng)}`;
    else if (r < 0.83 && allowHyphen) s += `-${number(rng)}`;
    else if (r < 0.88) s += '~';
    else s += number(rng);
  }
  return s === '' ? number(rng) : s;
}

/** A valid dpkg version built to exercise epochs, `~`, `+`, letters, leading zeros and hyphenated upstreams. */
export function trickyDebVersion(rng: () => number): string {
  const epoch = rng() < 0.25 ? `${pick(rng, ['0', '1', '2', '10', '00', '01'])}:` : '';
  const hasRevision = rng() < 0.7;
  const upstream = debPart(rng, hasRevision, true);
  const revision = hasRevision ? `-${debPart(rng, false, rng() < 0.8)}` : '';
  return epoch + upstream + revision;
}

/** Small edits of a version that land close to it in the order (the cases where comparators go wrong). */
export function neighbours(v: string, rng: () => number): string[] {
  const out = [`${v}~`, `${v}~rc1`, `${v}+b1`, `${v}.0`, `${v}a`, `${v}0`, `${v}.1`];
  if (!v.includes(':')) out.push(`1:${v}`, `0:${v}`);
  const digit = /\d(?=\D*$)/.exec(v);
  if (digit) {
    const i = digit.index;
    out.push(v.slice(0, i) + String((Number(v[i]) + 1) % 10) + v.slice(i + 1));
    out.push(`${v.slice(0, i)}0${v.slice(i)}`);
  }
  const tilde = v.indexOf('~');
  if (tilde >= 0) out.push(v.slice(0, tilde) + v.slice(tilde + 1), v.slice(0, tilde));
  return out.filter(() => rng() < 0.6);
}

/** Runs a POSIX shell script and returns its stdout lines. */
export function runScript(script: string): Promise<{ lines: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`oracle script exited ${code}: ${err.slice(0, 500)}`));
      else resolve({ lines: out.split('\n').filter((l) => l !== ''), stderr: err });
    });
    child.stdin.end(script);
  });
}

/** Single-quotes a string for sh. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
