/** Helpers shared by the SBOM readers: turning loosely typed JSON into SbomModel packages. */
import type { Package, PackageLocation, PackageType } from '../../sbom/index.ts';
import {
  epochOfPurl,
  languageOfType,
  packageNameOfPurl,
  packageTypeOfPurl,
  upstreamOfPurl,
} from './package-info.ts';
import { tryParsePurl } from './purl.ts';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

export interface PackageFields {
  id: string;
  name?: string;
  version?: string;
  /** Type stated by the SBOM (syft type names); the purl's type is used when absent or unknown. */
  type?: string;
  purl?: string;
  cpes?: string[];
  licenses?: string[];
  locations?: PackageLocation[];
  upstreams?: { name: string; version?: string }[];
  epoch?: number;
  language?: string;
  metadataType?: string;
  metadata?: Record<string, unknown>;
}

const KNOWN_TYPES = new Set<PackageType>([
  'deb',
  'rpm',
  'apk',
  'npm',
  'python',
  'go-module',
  'java-archive',
  'gem',
  'rust-crate',
  'dotnet',
  'php-composer',
  'hex',
  'dart-pub',
  'binary',
  'unknown',
]);

/** Syft types that grype matches like one of ours (e.g. jenkins plugins are Java archives). */
const TYPE_ALIASES: Record<string, PackageType> = {
  'jenkins-plugin': 'java-archive',
  'graalvm-native-image': 'java-archive',
  'php-pecl': 'php-composer',
  pub: 'dart-pub',
};

/** Builds a Package; purl data fills what the format left out (type, name, upstream, epoch). */
export function buildPackage(f: PackageFields): Package | undefined {
  const purl = tryParsePurl(f.purl);
  let type: PackageType = 'unknown';
  if (f.type && KNOWN_TYPES.has(f.type as PackageType)) type = f.type as PackageType;
  else if (f.type && TYPE_ALIASES[f.type]) type = TYPE_ALIASES[f.type] as PackageType;
  if ((type === 'unknown' || type === 'binary') && purl) {
    const fromPurl = packageTypeOfPurl(purl);
    if (fromPurl !== 'unknown') type = fromPurl;
  }
  // npm scopes, Go paths and Composer vendors: some formats keep them apart (CycloneDX `group`).
  const fromPurl = purl ? packageNameOfPurl(purl) : undefined;
  const name = f.name && !(fromPurl?.endsWith(`/${f.name}`) ?? false) ? f.name : (fromPurl ?? f.name);
  if (!name) return undefined;
  const version = f.version ?? purl?.version ?? '';
  const upstreams = f.upstreams?.length ? f.upstreams : purl ? optional(upstreamOfPurl(purl)) : undefined;
  const epoch = f.epoch ?? (purl ? epochOfPurl(purl) : undefined);
  const pkg: Package = { id: f.id, name, version, type, locations: f.locations ?? [] };
  if (f.purl) pkg.purl = f.purl;
  if (f.cpes?.length) pkg.cpes = f.cpes;
  if (f.licenses?.length) pkg.licenses = f.licenses;
  if (upstreams?.length) pkg.upstreams = upstreams;
  if (epoch !== undefined) pkg.epoch = epoch;
  const language = f.language || languageOfType(type);
  if (language) pkg.language = language;
  if (f.metadataType) pkg.metadataType = f.metadataType;
  if (f.metadata && Object.keys(f.metadata).length > 0) pkg.metadata = f.metadata;
  return pkg;
}

function optional<T>(v: T | undefined): T[] | undefined {
  return v === undefined ? undefined : [v];
}

/** dpkg `Source:` may carry the source version in parentheses: `glibc (2.36-9)`. */
export function splitDpkgSource(source: string, sourceVersion?: string): { name: string; version?: string } {
  const m = /^(\S+)\s*\(([^)]+)\)\s*$/.exec(source.trim());
  if (m) return { name: m[1] as string, version: sourceVersion || (m[2] as string) };
  return sourceVersion ? { name: source.trim(), version: sourceVersion } : { name: source.trim() };
}
