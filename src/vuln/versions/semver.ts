import type { VersionScheme } from '../types.ts';
import { compareDigits, compareStrings, invalidVersion, memoize } from './util.ts';

/**
 * Semantic Versioning 2.0.0 (https://semver.org), precedence per §11: major.minor.patch numerically,
 * a pre-release sorts before its release, pre-release identifiers compare numerically when numeric,
 * numeric < alphanumeric, ASCII order otherwise, more identifiers win when all others are equal.
 * Build metadata is ignored. A leading `v` (as in git tags and Go modules) is tolerated.
 */
export interface SemverVersion {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = `${NUM}|\\d*[a-zA-Z-][0-9a-zA-Z-]*`;
const SEMVER = new RegExp(
  `^v?(${NUM})\\.(${NUM})\\.(${NUM})` +
    `(?:-((?:${PRE_ID})(?:\\.(?:${PRE_ID}))*))?` +
    `(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`,
);

function parse(version: string): SemverVersion | undefined {
  const m = SEMVER.exec(version);
  if (!m) return undefined;
  return {
    major: m[1]!,
    minor: m[2]!,
    patch: m[3]!,
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ? m[5].split('.') : [],
  };
}

/** Memoized (util.ts `memoize`): the result is shared, never mutate it. */
export const tryParseSemver: (version: string) => SemverVersion | undefined = memoize(parse);

export function parseSemver(version: string): SemverVersion {
  const parsed = tryParseSemver(version);
  if (!parsed)
    throw invalidVersion('semver', version, 'not a SemVer 2.0 version (MAJOR.MINOR.PATCH[-pre][+build])');
  return parsed;
}

const NUMERIC = /^\d+$/;

/** SemVer §11.4 for two pre-release identifier lists (an empty list is a release). */
export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = NUMERIC.test(x);
    const yn = NUMERIC.test(y);
    let r: number;
    if (xn && yn) r = compareDigits(x, y);
    else if (xn !== yn) r = xn ? -1 : 1;
    else r = compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareSemverVersions(a: SemverVersion, b: SemverVersion): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

export const semver: VersionScheme = {
  id: 'semver',
  valid: (version) => tryParseSemver(version) !== undefined,
  compare: (a, b) => compareSemverVersions(parseSemver(a), parseSemver(b)),
};
