/**
 * RPM distributions (Red Hat, Rocky, Alma, SUSE, ...): by package name and by source RPM name
 * (their advisories list binary RPMs, some list source names). RPM
 * versions compare with their epoch, which SBOMs often keep apart (`epoch` field or purl qualifier).
 */
import type { Package } from '../../sbom/index.ts';
import type { Matcher } from './types.ts';
import { matchByDistro } from './shared/distro.ts';

function withEpoch(pkg: Package, version: string): string {
  return pkg.epoch !== undefined && !/^\d+:/.test(version) ? `${pkg.epoch}:${version}` : version;
}

export const rpmMatcher: Matcher = {
  id: 'rpm-matcher',
  packageTypes: ['rpm'],
  match: (pkg, ctx) =>
    matchByDistro(pkg, ctx, {
      binaryLookupWithSource: true,
      matcher: 'rpm-matcher',
      binaryVersion: (p) => withEpoch(p, p.version),
      sourceVersion: (p) => withEpoch(p, p.upstreams?.[0]?.version ?? p.version),
    }),
};
