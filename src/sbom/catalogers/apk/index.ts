/**
 * apk database cataloguer (syft's apk-db-cataloger): `/lib/apk/db/installed`, blank-line
 * separated records of `X:value` lines (apk-tools' "installed database" format): P name, V version,
 * A arch, o origin (the source package), L licence, F directory, R file in the last F directory.
 */
import type { Distro, PackageLocation } from '../../model.ts';
import { generateCpes } from '../cpe.ts';
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import { compact, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { distroQualifier, formatPurl } from '../purl.ts';

export interface ApkEntry {
  package: string;
  version: string;
  architecture: string;
  originPackage: string;
  license: string;
  maintainer: string;
  url: string;
  description: string;
  size?: number;
  installedSize?: number;
  pullDependencies: string[];
  provides: string[];
  pullChecksum: string;
  gitCommitOfApkPort: string;
  files: string[];
}

function emptyEntry(): ApkEntry {
  return {
    package: '',
    version: '',
    architecture: '',
    originPackage: '',
    license: '',
    maintainer: '',
    url: '',
    description: '',
    pullDependencies: [],
    provides: [],
    pullChecksum: '',
    gitCommitOfApkPort: '',
    files: [],
  };
}

export function parseApkInstalled(content: string, issue: (reason: string) => void = () => {}): ApkEntry[] {
  const entries: ApkEntry[] = [];
  let e: ApkEntry | undefined;
  let dir = '';
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line === '') {
      if (e) entries.push(e);
      e = undefined;
      dir = '';
      continue;
    }
    if (line.length < 2 || line[1] !== ':') {
      issue(`line ${i + 1}: not a "X:value" line`);
      continue;
    }
    e ??= emptyEntry();
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        e.package = value;
        break;
      case 'V':
        e.version = value;
        break;
      case 'A':
        e.architecture = value;
        break;
      case 'o':
        e.originPackage = value;
        break;
      case 'L':
        e.license = value;
        break;
      case 'm':
        e.maintainer = value;
        break;
      case 'U':
        e.url = value;
        break;
      case 'T':
        e.description = value;
        break;
      case 'S':
        e.size = Number(value) || undefined;
        break;
      case 'I':
        e.installedSize = Number(value) || undefined;
        break;
      case 'D':
        e.pullDependencies = value.split(/\s+/).filter(Boolean);
        break;
      case 'p':
        e.provides = value.split(/\s+/).filter(Boolean);
        break;
      case 'C':
        e.pullChecksum = value;
        break;
      case 'c':
        e.gitCommitOfApkPort = value;
        break;
      case 'F':
        dir = value.replace(/^\/+|\/+$/g, '');
        break;
      case 'R':
        e.files.push(dir ? `/${dir}/${value}` : `/${value}`);
        break;
      default:
        break;
    }
  }
  if (e) entries.push(e);
  return entries;
}

/** An SPDX expression stays whole; older space-separated lists (`MIT BSD GPL2+`) split. */
export function apkLicenses(license: string): string[] {
  const l = license.trim();
  if (!l) return [];
  if (/\s(AND|OR|WITH)\s|[()]/.test(l)) return [l];
  return l.split(/\s+/);
}

/** `py3-requests` is the `requests` product: the prefix names the packaging, not the project. */
function apkProducts(name: string): string[] {
  const m = /^(?:py3?|perl|ruby|lua\d(?:\.\d)?|php\d*)-(.+)$/.exec(name);
  return m ? [m[1] as string] : [];
}

export function apkPurl(entry: ApkEntry, distro: Distro | undefined): string {
  return formatPurl({
    type: 'apk',
    namespace: distro?.id || 'alpine',
    name: entry.package,
    version: entry.version,
    qualifiers: [
      ['arch', entry.architecture],
      ['upstream', entry.originPackage],
      ['distro', distroQualifier(distro)],
    ],
  });
}

export function newApkPackage(
  entry: ApkEntry,
  location: PackageLocation,
  distro: Distro | undefined,
): NewPackage {
  const extra = apkProducts(entry.package);
  const pkg: NewPackage = {
    name: entry.package,
    version: entry.version,
    type: 'apk',
    purl: apkPurl(entry, distro),
    cpes: generateCpes({ name: entry.package, version: entry.version, vendors: extra, products: extra }),
    licenses: apkLicenses(entry.license),
    locations: [location],
    metadataType: 'apk-db-entry',
    metadata: {
      package: entry.package,
      originPackage: entry.originPackage,
      ...compact({
        maintainer: entry.maintainer,
        version: entry.version,
        architecture: entry.architecture,
        url: entry.url,
        description: entry.description,
        size: entry.size,
        installedSize: entry.installedSize,
        pullDependencies: entry.pullDependencies,
        provides: entry.provides,
        pullChecksum: entry.pullChecksum,
        gitCommitOfApkPort: entry.gitCommitOfApkPort,
      }),
    },
  };
  if (entry.originPackage) pkg.upstreams = [{ name: entry.originPackage }];
  if (entry.files.length) pkg.files = entry.files;
  return pkg;
}

function parse(data: Buffer, ctx: ParseContext): NewPackage[] {
  const out: NewPackage[] = [];
  for (const entry of parseApkInstalled(text(data), (r) => ctx.issue(r))) {
    if (!entry.package || !entry.version) {
      ctx.issue(
        `record without ${entry.package ? 'V (version)' : 'P (name)'}${entry.package ? `: ${entry.package}` : ''}`,
      );
      continue;
    }
    out.push(newApkPackage(entry, ctx.location, ctx.distro));
  }
  return out;
}

export const apkCataloguer = defineCataloguer({
  id: 'apk-db-cataloger',
  version: 1,
  parsers: [{ globs: ['/lib/apk/db/installed', '/usr/lib/apk/db/installed'], parse }],
});
