/** The one place a dpkg package, its purl and CPEs are built (syft's debian/package.go). */
import type { Distro, PackageLocation } from '../../model.ts';
import { generateCpes } from '../cpe.ts';
import { compact } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { distroQualifier, formatPurl } from '../purl.ts';
import type { DpkgEntry } from './parse-status.ts';

/**
 * `pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=debian-12`. The
 * namespace is the distro ID (Debian when unknown); `upstream` is the Source field, with its
 * version when it has one (`bash@5.2.15-2`).
 */
export function dpkgPurl(entry: DpkgEntry, distro: Distro | undefined): string {
  const upstream = entry.source
    ? entry.sourceVersion
      ? `${entry.source}@${entry.sourceVersion}`
      : entry.source
    : undefined;
  return formatPurl({
    type: 'deb',
    namespace: distro?.id || 'debian',
    name: entry.package,
    version: entry.version,
    qualifiers: [
      ['arch', entry.architecture],
      ['upstream', upstream],
      ['distro', distroQualifier(distro)],
    ],
  });
}

export function newDpkgPackage(
  entry: DpkgEntry,
  locations: PackageLocation[],
  distro: Distro | undefined,
  extra: { licenses?: string[]; files?: string[] } = {},
): NewPackage {
  const pkg: NewPackage = {
    name: entry.package,
    version: entry.version,
    type: 'deb',
    purl: dpkgPurl(entry, distro),
    cpes: generateCpes({ name: entry.package, version: entry.version }),
    licenses: extra.licenses ?? [],
    locations,
    metadataType: 'dpkg-db-entry',
    metadata: {
      package: entry.package,
      source: entry.source,
      version: entry.version,
      sourceVersion: entry.sourceVersion,
      ...compact({
        architecture: entry.architecture,
        maintainer: entry.maintainer,
        installedSize: entry.installedSize,
        provides: entry.provides,
        depends: entry.depends,
        preDepends: entry.preDepends,
      }),
    },
  };
  if (entry.source) {
    pkg.upstreams = [
      entry.sourceVersion ? { name: entry.source, version: entry.sourceVersion } : { name: entry.source },
    ];
  }
  if (extra.files?.length) pkg.files = extra.files;
  return pkg;
}
