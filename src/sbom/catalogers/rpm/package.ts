/** The one place an rpm package, its purl and CPEs are built (syft's redhat/package.go). */
import type { Distro, PackageLocation } from '../../model.ts';
import { generateCpes } from '../cpe.ts';
import { compact } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { distroQualifier, formatPurl } from '../purl.ts';
import { TAG } from './header.ts';
import type { RpmHeader } from './header.ts';

export interface RpmEntry {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  architecture: string;
  sourceRpm: string;
  license: string;
  vendor: string;
  size?: number;
  modularityLabel?: string;
  provides: string[];
  requires: string[];
  /** Files and links the package owns (directories left out: they are shared). */
  files: string[];
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

export function toRpmEntry(h: RpmHeader): RpmEntry {
  const basenames = h.strings(TAG.BASENAMES);
  const dirnames = h.strings(TAG.DIRNAMES);
  const dirindexes = h.numbers(TAG.DIRINDEXES);
  const modes = h.numbers(TAG.FILEMODES);
  let paths: string[];
  if (basenames.length > 0) {
    paths = basenames.map((b, i) => `${dirnames[dirindexes[i] ?? -1] ?? ''}${b}`);
  } else paths = h.strings(TAG.OLDFILENAMES);
  const files = paths.filter((p, i) => p.startsWith('/') && ((modes[i] ?? 0) & S_IFMT) !== S_IFDIR);
  const entry: RpmEntry = {
    name: h.string(TAG.NAME) ?? '',
    version: h.string(TAG.VERSION) ?? '',
    release: h.string(TAG.RELEASE) ?? '',
    architecture: h.string(TAG.ARCH) ?? '',
    sourceRpm: h.string(TAG.SOURCERPM) ?? '',
    license: h.string(TAG.LICENSE) ?? '',
    vendor: h.string(TAG.VENDOR) ?? '',
    provides: h.strings(TAG.PROVIDENAME),
    requires: h.strings(TAG.REQUIRENAME),
    files,
  };
  const epoch = h.number(TAG.EPOCH);
  if (epoch !== undefined) entry.epoch = epoch;
  const size = h.number(TAG.LONGSIZE) ?? h.number(TAG.SIZE);
  if (size !== undefined) entry.size = size;
  const label = h.string(TAG.MODULARITYLABEL);
  if (label) entry.modularityLabel = label;
  return entry;
}

/** `openssl-3.0.7-24.el9.src.rpm` -> openssl, 3.0.7-24.el9 (name may contain dashes). */
export function parseSourceRpm(sourceRpm: string): { name: string; version?: string } | undefined {
  const base = sourceRpm.replace(/\.(?:no)?src\.rpm$/, '');
  const parts = base.split('-');
  if (parts.length < 3) return base ? { name: base } : undefined;
  return { name: parts.slice(0, -2).join('-'), version: parts.slice(-2).join('-') };
}

/** syft's version string: `[epoch:]version-release`. */
export function rpmVersion(e: RpmEntry): string {
  const vr = e.release ? `${e.version}-${e.release}` : e.version;
  return e.epoch !== undefined ? `${e.epoch}:${vr}` : vr;
}

export function rpmPurl(e: RpmEntry, distro: Distro | undefined): string {
  return formatPurl({
    type: 'rpm',
    namespace: distro?.id,
    name: e.name,
    version: e.release ? `${e.version}-${e.release}` : e.version,
    qualifiers: [
      ['arch', e.architecture],
      ['epoch', e.epoch !== undefined ? String(e.epoch) : undefined],
      ['upstream', e.sourceRpm],
      ['distro', distroQualifier(distro)],
    ],
  });
}

export function newRpmPackage(
  e: RpmEntry,
  location: PackageLocation,
  distro: Distro | undefined,
): NewPackage {
  const version = rpmVersion(e);
  const pkg: NewPackage = {
    name: e.name,
    version,
    type: 'rpm',
    purl: rpmPurl(e, distro),
    cpes: generateCpes({ name: e.name, version }),
    licenses: e.license ? [e.license] : [],
    locations: [location],
    metadataType: 'rpm-db-entry',
    metadata: {
      name: e.name,
      version: e.version,
      epoch: e.epoch ?? null,
      architecture: e.architecture,
      release: e.release,
      sourceRpm: e.sourceRpm,
      ...compact({
        size: e.size,
        vendor: e.vendor,
        modularityLabel: e.modularityLabel,
        provides: e.provides,
        requires: e.requires,
      }),
    },
  };
  if (e.epoch !== undefined) pkg.epoch = e.epoch;
  const upstream = e.sourceRpm ? parseSourceRpm(e.sourceRpm) : undefined;
  if (upstream) pkg.upstreams = [upstream];
  if (e.files.length) pkg.files = e.files;
  return pkg;
}
