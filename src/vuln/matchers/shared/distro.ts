/**
 * Distribution packages (grype's MatchPackageByDistro): the OSV ecosystem of the image's release,
 * queried by the package's own name (direct match) and by its source package (indirect match).
 */
import type { Distro, Package } from '../../../sbom/index.ts';
import { distroOfPurl, tryParsePurl } from '../../sbom-input/index.ts';
import type { Match } from '../../report/types.ts';
import type { MatchContext, MatcherId } from '../types.ts';
import { searchAndMatch, type SearchQuery } from './search.ts';

const major = (v: string): string => /^\d+/.exec(v)?.[0] ?? v;
/** `3.18.4` -> `3.18`; pre-release suffixes (`3.22_alpha20250108`) dropped. */
const majorMinor = (v: string): string => /^\d+(?:\.\d+)?/.exec(v)?.[0] ?? v;

/**
 * OSV ecosystems for a release, by os-release ID (an unknown ID falls back to ID_LIKE):
 * Debian `Debian:<major>`; Ubuntu `Ubuntu:<version>` plus the `:LTS` variant osv.dev uses for LTS
 * releases; Alpine `Alpine:v<major.minor>`; rpm distributions by their OSV names.
 */
export function distroEcosystems(distro: Distro): string[] {
  const v = distro.versionId;
  for (const id of [distro.id, ...(distro.idLike ?? [])]) {
    switch (id.toLowerCase()) {
      case 'debian':
        return v ? [`Debian:${major(v)}`] : [];
      case 'ubuntu':
        return v ? [`Ubuntu:${v}`, `Ubuntu:${v}:LTS`, `Ubuntu:Pro:${v}:LTS`] : [];
      case 'alpine':
        return v ? [`Alpine:v${majorMinor(v)}`] : [];
      case 'wolfi':
        return ['Wolfi'];
      case 'chainguard':
        return ['Chainguard'];
      case 'rocky':
        return v ? [`Rocky Linux:${major(v)}`] : [];
      case 'almalinux':
        return v ? [`AlmaLinux:${major(v)}`] : [];
      case 'rhel':
      case 'centos':
        // osv.dev's Red Hat ecosystems name the product stream and repository.
        return v
          ? [
              `Red Hat:enterprise_linux:${major(v)}::baseos`,
              `Red Hat:enterprise_linux:${major(v)}::appstream`,
            ]
          : [];
      case 'mageia':
        return v ? [`Mageia:${major(v)}`] : [];
      case 'opensuse-leap':
        return v ? [`openSUSE:Leap ${v}`] : [];
      case 'sles':
        return v ? [`SUSE:Linux Enterprise Server ${v.replace(/\.(\d+)$/, ' SP$1')}`] : [];
      case 'openeuler':
        return v ? [`openEuler:${v}`] : [];
      case 'photon':
        return v ? [`Photon OS:${majorMinor(v)}`] : [];
      case 'azurelinux':
        return v ? [`Azure Linux:${majorMinor(v)}`] : [];
      default:
        break;
    }
  }
  return [];
}

/** The image's distro, else the one the package's purl names (`distro=debian-12`). */
export function distroFor(pkg: Package, ctx: MatchContext): Distro | undefined {
  if (ctx.distro) return ctx.distro;
  const purl = tryParsePurl(pkg.purl);
  return purl ? distroOfPurl(purl) : undefined;
}

export interface DistroPolicy {
  matcher: MatcherId;
  /**
   * Whether a package whose source package is known and named differently is also looked up by
   * its own name. Debian, Ubuntu and Alpine advisories name source packages only, so there that
   * lookup can only find another source package that happens to share the binary's name.
   */
  binaryLookupWithSource: boolean;
  /** Version compared for a lookup by the package's own name. */
  binaryVersion(pkg: Package): string;
  /** Version compared for a lookup by the source package (dpkg: the source version when known). */
  sourceVersion(pkg: Package): string;
}

export function matchByDistro(pkg: Package, ctx: MatchContext, policy: DistroPolicy): Match[] {
  const distro = distroFor(pkg, ctx);
  const ecosystems = distro ? distroEcosystems(distro) : [];
  if (!distro || ecosystems.length === 0) {
    ctx.stats.unsearchable += 1;
    ctx.warn({
      code: 'unsupported-distro',
      message: distro
        ? `${pkg.type} package ${pkg.name}@${pkg.version}: no advisory ecosystem for distro ${distro.id} ${distro.versionId}; not matched`
        : `${pkg.type} package ${pkg.name}@${pkg.version}: the SBOM names no distro; not matched`,
      package: `${pkg.name}@${pkg.version}`,
    });
    return [];
  }
  const searched = { type: distro.id, version: distro.versionId };
  const release = distro.versionId;
  // One string for all of the package's findings.
  const ns = `${distro.id}:distro:${distro.id}:${release}`;
  const namespace = (): string => ns;
  const source = pkg.upstreams?.[0]?.name;
  const queries: SearchQuery[] = [];
  const byBinary = !source || source === pkg.name || policy.binaryLookupWithSource;
  for (const ecosystem of ecosystems) {
    if (byBinary)
      queries.push({
        ecosystem,
        name: pkg.name,
        version: policy.binaryVersion(pkg),
        type: 'exact-direct-match',
        distro: searched,
        namespace,
      });
    // Also when the names agree but the versions do not (binNMU `5.2.15-2+b13` of source `5.2.15-2`).
    if (source && (source !== pkg.name || policy.sourceVersion(pkg) !== policy.binaryVersion(pkg))) {
      queries.push({
        ecosystem,
        name: source,
        version: policy.sourceVersion(pkg),
        type: 'exact-indirect-match',
        distro: searched,
        namespace,
      });
    }
  }
  return searchAndMatch(pkg, ctx, queries, policy.matcher);
}
