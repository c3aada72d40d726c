import type { VersionScheme } from '../types.ts';
import { compareDigits, compareStrings, invalidVersion, memoize } from './util.ts';

/**
 * Python package versions per PEP 440 (https://peps.python.org/pep-0440/), parsed with the
 * grammar of `packaging.version.VERSION_PATTERN` (which accepts the spec's normalisation rules:
 * case, `v` prefix, `-`/`_`/`.` separators, `alpha`/`beta`/`c`/`pre`/`preview`/`rev`/`r`
 * spellings, implicit numbers, `1.0-1` post-releases, `+local` segments) and ordered with
 * packaging's `_cmpkey`.
 */
export interface Pep440Version {
  epoch: string;
  /** Release numbers with trailing zeros removed (`1.0.0` == `1`). */
  release: string[];
  pre: { label: 'a' | 'b' | 'rc'; n: string } | undefined;
  post: string | undefined;
  dev: string | undefined;
  local: string[] | undefined;
}

const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

function preLabel(label: string): 'a' | 'b' | 'rc' {
  const l = label.toLowerCase();
  if (l === 'a' || l === 'alpha') return 'a';
  if (l === 'b' || l === 'beta') return 'b';
  return 'rc'; // c, rc, pre, preview
}

function parse(version: string): Pep440Version | undefined {
  const g = PATTERN.exec(version)?.groups;
  if (!g) return undefined;
  const release = g.release!.split('.');
  while (release.length > 1 && /^0+$/.test(release[release.length - 1]!)) release.pop();
  if (release.length === 1 && /^0+$/.test(release[0]!)) release.pop();
  return {
    epoch: g.epoch ?? '0',
    release,
    pre: g.pre_l ? { label: preLabel(g.pre_l), n: g.pre_n ?? '0' } : undefined,
    post: g.post ? (g.post_n1 ?? g.post_n2 ?? '0') : undefined,
    dev: g.dev ? (g.dev_n ?? '0') : undefined,
    local: g.local ? g.local.toLowerCase().split(/[-_.]/) : undefined,
  };
}

/** Memoized (util.ts `memoize`): the result is shared, never mutate it. */
export const tryParsePep440: (version: string) => Pep440Version | undefined = memoize(parse);

export function parsePep440(version: string): Pep440Version {
  const parsed = tryParsePep440(version);
  if (!parsed) throw invalidVersion('pep440', version, 'not a PEP 440 version');
  return parsed;
}

/** Python tuple ordering of two digit lists (a missing element sorts first). */
function compareRelease(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareDigits(a[i]!, b[i]!);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * The pre-release slot of `_cmpkey`: a dev-only release (`1.0.dev1`) sorts before every
 * pre-release of that version, a final release after all of them.
 */
function preRank(v: Pep440Version): number {
  if (v.pre) return 0;
  if (v.post === undefined && v.dev !== undefined) return -1;
  return 1;
}

function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    // Numeric segments sort after alphanumeric ones, and compare as integers.
    const r = xn && yn ? compareDigits(x, y) : xn !== yn ? (xn ? 1 : -1) : compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareOptional(a: string | undefined, b: string | undefined, missing: -1 | 1): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? missing : -missing;
  return compareDigits(a, b);
}

export function comparePep440Versions(a: Pep440Version, b: Pep440Version): number {
  let r = compareDigits(a.epoch, b.epoch) || compareRelease(a.release, b.release);
  if (r) return r;
  const ra = preRank(a);
  const rb = preRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a.pre && b.pre) {
    r = compareStrings(a.pre.label, b.pre.label) || compareDigits(a.pre.n, b.pre.n);
    if (r) return r;
  }
  return (
    compareOptional(a.post, b.post, -1) || compareOptional(a.dev, b.dev, 1) || compareLocal(a.local, b.local)
  );
}

export const pep440: VersionScheme = {
  id: 'pep440',
  valid: (version) => tryParsePep440(version) !== undefined,
  compare: (a, b) => comparePep440Versions(parsePep440(a), parsePep440(b)),
};
