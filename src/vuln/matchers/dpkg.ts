/**
 * Debian and Ubuntu packages. Advisories name source packages, so a binary is looked up by its
 * source package (`upstreams[0]`, with the source version when the SBOM has it: a binNMU `+bN`
 * binary keeps its source's version; an indirect match) and by its own name only when that is
 * the source's name or no source is known (a direct match).
 */
import type { Matcher } from './types.ts';
import { matchByDistro } from './shared/distro.ts';

export const dpkgMatcher: Matcher = {
  id: 'dpkg-matcher',
  packageTypes: ['deb'],
  match: (pkg, ctx) =>
    matchByDistro(pkg, ctx, {
      binaryLookupWithSource: false,
      matcher: 'dpkg-matcher',
      binaryVersion: (p) => p.version,
      sourceVersion: (p) => p.upstreams?.[0]?.version ?? p.version,
    }),
};
