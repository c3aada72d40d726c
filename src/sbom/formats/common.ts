/**
 * What every SBOM format shares: the document the engine hands over (the shared model plus the
 * details only the engine knows), one package order, and ids derived from content so that the same
 * image always gives the same bytes.
 */
import { createHash, hash } from 'node:crypto';
import type { Package, PackageType, SbomDocument } from '../model.ts';

/** A file that a relationship points at (a package owns it or is evident by it). */
export interface SbomFileRef {
  id: string;
  /** Absolute path in the image. */
  path: string;
  /** diffID of the layer the file comes from. */
  layerID?: string;
}

/** What the image reader knows about the source beyond the shared model (syft's ImageMetadata). */
export interface SourceDetails {
  /** What the user typed, e.g. "registry:5000/app:1". */
  userInput?: string;
  /** Config digest (Docker's image ID). */
  imageID?: string;
  manifestDigest?: string;
  mediaType?: string;
  tags?: string[];
  repoDigests?: string[];
  /** Sum of the uncompressed layer sizes. */
  imageSize?: number;
  architecture?: string;
  variant?: string;
  os?: string;
  labels?: Record<string, string>;
  /** Raw manifest and config bytes; syft keeps them base64-encoded in the source metadata. */
  manifest?: Buffer;
  config?: Buffer;
  /** Directory sources: the scanned path. */
  path?: string;
}

/** The engine's result as the formats read it: the shared document plus optional extras. */
export interface RenderableSbom extends SbomDocument {
  /**
   * Files referenced by relationships. When absent, a relationship child that is not a package id
   * and starts with "/" is taken as a file path.
   */
  files?: SbomFileRef[];
  /** Every field of the image's os-release (KEY -> value), for syft's full distro block. */
  osRelease?: Record<string, string>;
  sourceDetails?: SourceDetails;
}

export interface FormatOptions {
  /** The producing tool; defaults to kubeguard and its version. */
  tool?: { name: string; version: string };
  /** Creation time written into the document; defaults to now. */
  created?: Date;
}

export const DEFAULT_TOOL = { name: 'kubeguard', version: '0.1.0' } as const;

export function toolOf(options: FormatOptions): { name: string; version: string } {
  return options.tool ?? DEFAULT_TOOL;
}

/** RFC 3339 without fractional seconds, as syft and SPDX tools print it. */
export function timestampOf(options: FormatOptions): string {
  return (options.created ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Code-unit order: locale-independent, so output does not depend on the machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePackages(a: Package, b: Package): number {
  return (
    compareStrings(a.type, b.type) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.version, b.version) ||
    compareStrings(a.id, b.id)
  );
}

/** The one package order of every format: type, name, version, id. */
export function sortedPackages(doc: SbomDocument): Package[] {
  return [...doc.packages].sort(comparePackages);
}

export function sha256Hex(...parts: string[]): string {
  const hash = createHash('sha256');
  parts.forEach((part, i) => {
    if (i > 0) hash.update('\0');
    hash.update(part);
  });
  return hash.digest('hex');
}

/** 16 hex digits like syft's artifact ids: short, and unique enough within one SBOM. */
export function shortId(...parts: string[]): string {
  // One-shot hash: thousands of file ids per image, no Hash object each.
  return hash('sha256', parts.join('\0')).slice(0, 16);
}

/** Stable package id: type, name, version and where the package was found. */
export function packageIdOf(p: Pick<Package, 'type' | 'name' | 'version' | 'locations'>): string {
  const first = p.locations[0];
  return shortId('package', p.type, p.name, p.version, first?.path ?? '', first?.layerID ?? '');
}

export function fileIdOf(path: string, layerID?: string): string {
  return shortId('file', path, layerID ?? '');
}

/** A UUID (version-5 bit layout) from a content hash, so validators accept it and it is reproducible. */
export function uuidFromHex(hex: string): string {
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** Files by id: the document's list, plus path-like relationship children it does not name. */
export function fileIndex(doc: RenderableSbom): Map<string, SbomFileRef> {
  const files = new Map<string, SbomFileRef>();
  for (const f of doc.files ?? []) files.set(f.id, f);
  const packageIds = new Set(doc.packages.map((p) => p.id));
  for (const r of doc.relationships) {
    if (packageIds.has(r.child) || files.has(r.child) || !r.child.startsWith('/')) continue;
    files.set(r.child, { id: r.child, path: r.child });
  }
  return files;
}

/** A file's id as the formats print it (a path-like id becomes a content hash). */
export function printedFileId(f: SbomFileRef): string {
  return f.id.startsWith('/') ? fileIdOf(f.path, f.layerID) : f.id;
}

const LANGUAGES: Partial<Record<PackageType, string>> = {
  npm: 'javascript',
  python: 'python',
  'go-module': 'go',
  'java-archive': 'java',
  gem: 'ruby',
  'rust-crate': 'rust',
  dotnet: 'dotnet',
  'php-composer': 'php',
  hex: 'erlang',
  'dart-pub': 'dart',
};

/** syft's language for a package type ("" for OS packages and binaries). */
export function languageOf(p: Package): string {
  return p.language ?? LANGUAGES[p.type] ?? '';
}

/** syft names its cataloguers "<id>-cataloger"; ours carry the bare id. */
export function catalogerNameOf(foundBy: string | undefined): string {
  if (!foundBy) return '';
  return foundBy.endsWith('-cataloger') ? foundBy : `${foundBy}-cataloger`;
}

export function stringField(meta: Record<string, unknown> | undefined, key: string): string {
  const v = meta?.[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** "Name (email)" as syft writes people and organisations; "" when neither is known. */
export function formatPersonOrOrg(name: string, email: string): string {
  const n = name.trim();
  const e = email.trim();
  if (n && e) return `${n} (${e})`;
  return n || e;
}

/** Splits "Name <email>" (Debian Maintainer, npm author) into name and email. */
export function parseNameEmail(value: string): { name: string; email: string } {
  const m = /^([^<>()]*?)\s*(?:<([^<>@\s]+@[^<>\s]+)>)?\s*(?:\(([^()]*)\))?$/.exec(value.trim());
  if (!m) return { name: value.trim(), email: '' };
  let name = (m[1] ?? '').trim();
  let email = (m[2] ?? '').trim();
  const url = (m[3] ?? '').trim();
  if (!email && url.includes('@')) email = url;
  else if (!email && name.includes('@') && !name.includes(' ')) {
    email = name;
    name = '';
  }
  return { name, email };
}

/**
 * Who supplied the package, syft-style: `["Person" | "Organization", "Name (email)"]`, or undefined.
 * rpm vendors are organisations; Debian/Alpine maintainers and npm/python authors are people.
 */
export function supplierOf(p: Package): [string, string] | undefined {
  const meta = p.metadata;
  if (!meta) return undefined;
  let type = 'Person';
  let who = '';
  if (p.type === 'rpm') {
    type = 'Organization';
    who = stringField(meta, 'vendor');
  } else if (p.type === 'python') {
    who = formatPersonOrOrg(stringField(meta, 'author'), stringField(meta, 'authorEmail'));
  } else if (p.type === 'java-archive') {
    const main = (meta.manifest as { main?: unknown } | undefined)?.main;
    who = manifestValue(main, 'Specification-Vendor') || manifestValue(main, 'Implementation-Vendor');
    type = 'Organization';
  } else {
    const raw = stringField(meta, 'maintainer') || stringField(meta, 'author');
    const { name, email } = parseNameEmail(raw);
    who = formatPersonOrOrg(name, email);
  }
  return who ? [type, who] : undefined;
}

/** A MANIFEST.MF main-section value, whether kept as a map or as syft's [{key, value}] list. */
function manifestValue(main: unknown, key: string): string {
  if (Array.isArray(main)) {
    const kv = main.find((e) => (e as { key?: unknown })?.key === key) as { value?: unknown } | undefined;
    return typeof kv?.value === 'string' ? kv.value : '';
  }
  if (main && typeof main === 'object') {
    const v = (main as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : '';
  }
  return '';
}
