import type { VersionScheme } from '../types.ts';
import { compareDigits, compareStrings, invalidVersion, memoize } from './util.ts';

/**
 * RubyGems versions, ordered like `Gem::Version#<=>` (rubygems/version.rb): the version is split
 * into numeric and alphabetic segments (`-` reads as `.pre.`), trailing zeros are dropped from the
 * numeric part and from the part after the first letter segment (`canonical_segments`), then
 * segments compare pairwise with missing ones as 0; a letter segment sorts before a number, so any
 * version with a letter is a pre-release of the version before it (`1.0.a < 1.0`).
 */
type Segment = string | { n: string };

/** Gem::Version::ANCHORED_VERSION_PATTERN, minus the empty string (deprecated to mean "0"). */
const PATTERN = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$/;

function isZero(s: Segment): boolean {
  return typeof s !== 'string' && /^0+$/.test(s.n);
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

const segmentsOf = memoize((version: string): Segment[] | undefined => {
  const m = PATTERN.exec(version);
  if (!m) return undefined;
  const normalized = m[1]!.replaceAll('-', '.pre.');
  const segments: Segment[] = (normalized.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
    /^\d/.test(s) ? { n: s } : s,
  );
  const firstString = segments.findIndex((s) => typeof s === 'string');
  const numeric = firstString === -1 ? segments : segments.slice(0, firstString);
  const rest = firstString === -1 ? [] : segments.slice(firstString);
  return [...dropTrailingZeros(numeric), ...dropTrailingZeros(rest)];
});

/** Gem::Version#canonical_segments. Memoized (util.ts `memoize`): the result is shared, never mutate it. */
export function canonicalSegments(version: string): Segment[] {
  const segments = segmentsOf(version);
  if (!segments) throw invalidVersion('rubygems', version, 'not a Gem::Version (digits, dots, letters)');
  return segments;
}

export function compareGemVersions(a: string, b: string): number {
  const l = canonicalSegments(a);
  const r = canonicalSegments(b);
  for (let i = 0; i < Math.max(l.length, r.length); i++) {
    const x = l[i] ?? { n: '0' };
    const y = r[i] ?? { n: '0' };
    if (typeof x === 'string' && typeof y === 'string') {
      const c = compareStrings(x, y);
      if (c !== 0) return c;
    } else if (typeof x === 'string') {
      return -1;
    } else if (typeof y === 'string') {
      return 1;
    } else {
      const c = compareDigits(x.n, y.n);
      if (c !== 0) return c;
    }
  }
  return 0;
}

export const rubygems: VersionScheme = {
  id: 'rubygems',
  valid: (version) => PATTERN.test(version),
  compare: compareGemVersions,
};
