/**
 * Alpine (and Wolfi/Chainguard) packages: by origin package, whose records the secdb-derived
 * advisories carry (a subpackage `musl-utils` has origin `musl` and its version), and by the
 * package's own name when it is its own origin or no origin is known.
 */
import type { Matcher } from './types.ts';
import { matchByDistro } from './shared/distro.ts';

export const apkMatcher: Matcher = {
  id: 'apk-matcher',
  packageTypes: ['apk'],
  match: (pkg, ctx) =>
    matchByDistro(pkg, ctx, {
      binaryLookupWithSource: false,
      matcher: 'apk-matcher',
      binaryVersion: (p) => p.version,
      sourceVersion: (p) => p.version,
    }),
};
