/**
 * What a purl says about a package in SbomModel terms: type, name as the ecosystem writes it,
 * source package (deb/apk `upstream`, rpm source RPM), rpm epoch and the `distro` qualifier.
 */
import type { Distro, PackageType } from '../../sbom/index.ts';
import type { Purl } from './purl.ts';

const TYPE_BY_PURL: Record<string, PackageType> = {
  deb: 'deb',
  rpm: 'rpm',
  apk: 'apk',
  npm: 'npm',
  pypi: 'python',
  golang: 'go-module',
  maven: 'java-archive',
  gem: 'gem',
  cargo: 'rust-crate',
  nuget: 'dotnet',
  composer: 'php-composer',
  hex: 'hex',
  pub: 'dart-pub',
  generic: 'binary',
};

const LANGUAGE_BY_TYPE: Partial<Record<PackageType, string>> = {
  npm: 'javascript',
  python: 'python',
  'go-module': 'go',
  'java-archive': 'java',
  gem: 'ruby',
  'rust-crate': 'rust',
  dotnet: 'dotnet',
  'php-composer': 'php',
  hex: 'elixir',
  'dart-pub': 'dart',
};

export function packageTypeOfPurl(purl: Purl): PackageType {
  return TYPE_BY_PURL[purl.type] ?? 'unknown';
}

/** The package's language as grype reports it (`""` for OS packages). */
export function languageOfType(type: PackageType): string {
  return LANGUAGE_BY_TYPE[type] ?? '';
}

/** The name the ecosystem uses: npm `@scope/name`, Go module path, Composer `vendor/name`. */
export function packageNameOfPurl(purl: Purl): string {
  if (purl.namespace && (purl.type === 'npm' || purl.type === 'golang' || purl.type === 'composer')) {
    return `${purl.namespace}/${purl.name}`;
  }
  return purl.name;
}

/** `glibc-2.36-9.el9.src.rpm` -> name `glibc`, version `2.36-9.el9`. */
export function parseSourceRpm(sourceRpm: string): { name: string; version?: string } | undefined {
  const base = sourceRpm.replace(/\.(src|nosrc)\.rpm$/, '');
  const parts = base.split('-');
  if (parts.length < 3) return base ? { name: base } : undefined;
  const release = parts.pop() as string;
  const version = parts.pop() as string;
  return { name: parts.join('-'), version: `${version}-${release}` };
}

/** Source package from the purl: deb `upstream=src` or `src@version`, rpm source RPM, apk origin. */
export function upstreamOfPurl(purl: Purl): { name: string; version?: string } | undefined {
  const upstream = purl.qualifiers.upstream;
  if (!upstream) return undefined;
  if (purl.type === 'rpm') return parseSourceRpm(upstream);
  const at = upstream.indexOf('@');
  if (at > 0) return { name: upstream.slice(0, at), version: upstream.slice(at + 1) || undefined };
  return { name: upstream };
}

export function epochOfPurl(purl: Purl): number | undefined {
  const epoch = purl.qualifiers.epoch;
  if (epoch === undefined || !/^\d+$/.test(epoch)) return undefined;
  return Number(epoch);
}

/** `distro=debian-12`, `alpine-3.18.4`, `opensuse-leap-15.5` -> {id, versionId}. */
export function distroOfPurl(purl: Purl): Distro | undefined {
  const q = purl.qualifiers.distro;
  if (!q) return undefined;
  const m = /^(.*?)-(\d[^-]*)$/.exec(q);
  if (!m) return { id: q.toLowerCase(), versionId: '' };
  return { id: (m[1] as string).toLowerCase(), versionId: m[2] as string };
}
