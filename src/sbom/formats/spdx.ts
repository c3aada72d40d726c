/**
 * SPDX 2.3 JSON shaped like syft's output (spdx/tools-golang field names and order): one package
 * per catalogued package with id `SPDXRef-Package-<type>-<name>-<id>`, a document-root package for
 * the image, the files packages own, CONTAINS relationships and the DOCUMENT DESCRIBES root edge.
 */
import path from 'node:path';
import type { Package, PackageType, Relationship } from '../model.ts';
import type { FormatOptions, RenderableSbom, SbomFileRef } from './common.ts';
import {
  compareStrings,
  fileIndex,
  printedFileId,
  sha256Hex,
  sortedPackages,
  stringField,
  supplierOf,
  timestampOf,
  toolOf,
  uuidFromHex,
} from './common.ts';
import { licenseRefOf, spdxExpressionOf } from './licenses.ts';

const NOASSERTION = 'NOASSERTION';

export interface SpdxRelationship {
  spdxElementId: string;
  relatedSpdxElement: string;
  relationshipType: string;
  comment?: string;
}

export interface SpdxPackage {
  name: string;
  SPDXID: string;
  versionInfo?: string;
  supplier?: string;
  originator?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  checksums?: { algorithm: string; checksumValue: string }[];
  homepage?: string;
  sourceInfo?: string;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  description?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose?: string;
}

export interface SpdxFile {
  fileName: string;
  SPDXID: string;
  checksums: { algorithm: string; checksumValue: string }[];
  licenseConcluded: string;
  licenseInfoInFiles: string[];
  copyrightText: string;
  comment?: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { creators: string[]; created: string };
  packages: SpdxPackage[];
  files?: SpdxFile[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name: string }[];
  relationships: SpdxRelationship[];
}

/** SPDX ids allow letters, digits, "." and "-" only (syft replaces the rest with "-"). */
export function sanitizeSpdxId(id: string): string {
  return id.replace(/[^a-zA-Z0-9.-]/g, '-');
}

export function spdxPackageId(p: Pick<Package, 'id' | 'type' | 'name'>): string {
  const parts = ['Package', p.type, p.name, p.id].filter((s) => s !== '');
  return `SPDXRef-${sanitizeSpdxId(parts.join('-'))}`;
}

/** syft's file ids: the last path segments (at most ~40 characters) and the content id. */
export function spdxFileId(f: SbomFileRef): string {
  const parts = f.path.split('/').filter(Boolean);
  let suffix = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as string;
    if (i < parts.length - 1 && suffix.length + part.length + 3 > 40) {
      suffix = `...${suffix}`;
      break;
    }
    suffix = suffix ? `${part}/${suffix}` : part;
  }
  return `SPDXRef-${sanitizeSpdxId(`File-${suffix}-${printedFileId(f)}`)}`;
}

const SOURCE_INFO: Partial<Record<PackageType, string>> = {
  deb: 'acquired package info from DPKG DB',
  rpm: 'acquired package info from RPM DB',
  apk: 'acquired package info from APK DB',
  npm: 'acquired package info from installed node module manifest file',
  python: 'acquired package info from installed python package manifest file',
  'java-archive': 'acquired package info from installed java archive',
  gem: 'acquired package info from installed gem metadata file',
  'go-module': 'acquired package info from go module information',
  'rust-crate': 'acquired package info from rust cargo manifest',
  dotnet: 'acquired package info from dotnet project assets file',
  'php-composer': 'acquired package info from PHP composer manifest',
  'dart-pub': 'acquired package info from pubspec manifest',
  hex: 'acquired package info from rebar3 or mix manifest file',
};

function sourceInfoOf(p: Package): string {
  const what = SOURCE_INFO[p.type] ?? 'acquired package info from the following paths';
  return `${what}: ${p.locations.map((l) => l.path).join(', ')}`;
}

/** Declared licences joined with AND (compound ones in parentheses), unknown ones as LicenseRefs. */
function declaredLicense(p: Package, refs: Map<string, string>): string {
  const ids: string[] = [];
  for (const value of p.licenses ?? []) {
    if (!value.trim()) continue;
    let id = spdxExpressionOf(value);
    if (!id) {
      id = licenseRefOf(value);
      refs.set(id, value);
    }
    if (/ (AND|OR|WITH) /.test(id) && !(id.startsWith('(') && id.endsWith(')'))) id = `(${id})`;
    if (!ids.includes(id)) ids.push(id);
  }
  return ids.length > 0 ? ids.join(' AND ') : NOASSERTION;
}

function externalRefsOf(p: Package): SpdxPackage['externalRefs'] {
  const refs: NonNullable<SpdxPackage['externalRefs']> = (p.cpes ?? []).map((cpe) => ({
    referenceCategory: 'SECURITY',
    referenceType: cpe.startsWith('cpe:2.3:') ? 'cpe23Type' : 'cpe22Type',
    referenceLocator: cpe,
  }));
  if (p.purl)
    refs.push({ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl });
  return refs.length > 0 ? refs : undefined;
}

function toSpdxPackage(p: Package, licenseRefs: Map<string, string>): SpdxPackage {
  const supplier = supplierOf(p);
  const who = supplier ? `${supplier[0]}: ${supplier[1]}` : undefined;
  const homepage = stringField(p.metadata, 'homepage');
  const description = stringField(p.metadata, 'description');
  const refs = externalRefsOf(p);
  return {
    name: p.name,
    SPDXID: spdxPackageId(p),
    versionInfo: p.version,
    supplier: who ?? NOASSERTION,
    ...(who ? { originator: who } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    ...(homepage ? { homepage } : {}),
    sourceInfo: sourceInfoOf(p),
    licenseConcluded: NOASSERTION,
    licenseDeclared: declaredLicense(p, licenseRefs),
    copyrightText: NOASSERTION,
    ...(description ? { description } : {}),
    ...(refs ? { externalRefs: refs } : {}),
  };
}

function rootPackage(doc: RenderableSbom): SpdxPackage {
  const { source } = doc;
  const details = doc.sourceDetails;
  const prefix = source.type === 'image' ? 'Image' : source.type === 'directory' ? 'Directory' : 'File';
  const version = source.version ?? source.digest;
  const digest = details?.manifestDigest ?? source.digest;
  const image = source.type === 'image' && digest?.includes(':') ? digest : undefined;
  let purl: string | undefined;
  if (image) {
    // syft: pkg:oci/<name>@<manifest digest>?arch=<arch>&tag=<tag>
    const qualifiers = [`arch=${details?.architecture ?? 'amd64'}`];
    const tag = source.version;
    if (tag && !tag.includes(':')) qualifiers.push(`tag=${encodeURIComponent(tag)}`);
    const shortName = source.name.split('/').pop() ?? source.name;
    purl = `pkg:oci/${encodeURIComponent(shortName)}@${encodeURIComponent(image)}?${qualifiers.join('&')}`;
  }
  const [algorithm, value] = image ? (image.split(':') as [string, string]) : ['', ''];
  return {
    name: source.name,
    SPDXID: `SPDXRef-${sanitizeSpdxId(`DocumentRoot-${prefix}-${source.name}`)}`,
    ...(version ? { versionInfo: version } : {}),
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    ...(image ? { checksums: [{ algorithm: algorithm.toUpperCase(), checksumValue: value }] } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(purl
      ? {
          externalRefs: [
            { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl },
          ],
        }
      : {}),
    primaryPackagePurpose: source.type === 'image' ? 'CONTAINER' : 'FILE',
  };
}

function toSpdxFile(f: SbomFileRef): SpdxFile {
  const out: SpdxFile = {
    fileName: f.path.replace(/^\/+/, ''),
    SPDXID: spdxFileId(f),
    // No digests are computed (kubevuln turns the digest cataloguer off): syft writes a zero SHA1.
    checksums: [{ algorithm: 'SHA1', checksumValue: '0'.repeat(40) }],
    licenseConcluded: NOASSERTION,
    licenseInfoInFiles: [NOASSERTION],
    copyrightText: NOASSERTION,
  };
  if (f.layerID) out.comment = `layerID: ${f.layerID}`;
  return out;
}

const RELATIONSHIP_TYPES: Record<Relationship['type'], [string, string | undefined]> = {
  contains: ['CONTAINS', undefined],
  'dependency-of': ['DEPENDENCY_OF', undefined],
  'ownership-by-file-overlap': [
    'OTHER',
    'ownership-by-file-overlap: indicates that the parent package claims ownership of a child package since the parent metadata indicates overlap with a location that a cataloger found the child package by',
  ],
  'evident-by': ['OTHER', "evident-by: indicates the package's existence is evident by the given file"],
};

export function toSpdxJson(doc: RenderableSbom, options: FormatOptions = {}): SpdxDocument {
  const tool = toolOf(options);
  const licenseRefs = new Map<string, string>();
  const packages = sortedPackages(doc);
  const spdxPackages = packages.map((p) => toSpdxPackage(p, licenseRefs));
  const idOfPackage = new Map(packages.map((p, i) => [p.id, (spdxPackages[i] as SpdxPackage).SPDXID]));
  const files = fileIndex(doc);
  const referencedFiles = new Map<string, SbomFileRef>();

  const relationships: SpdxRelationship[] = [];
  for (const r of doc.relationships) {
    // Like syft, only relationships from a package are written.
    const from = idOfPackage.get(r.parent);
    if (!from) continue;
    let to = idOfPackage.get(r.child);
    const file = to ? undefined : files.get(r.child);
    if (file) {
      to = spdxFileId(file);
      referencedFiles.set(to, file);
    }
    if (!to) continue;
    const [relationshipType, comment] = RELATIONSHIP_TYPES[r.type];
    relationships.push({
      spdxElementId: from,
      relatedSpdxElement: to,
      relationshipType,
      ...(comment ? { comment } : {}),
    });
  }
  relationships.sort(
    (a, b) =>
      compareStrings(a.spdxElementId, b.spdxElementId) ||
      compareStrings(a.relatedSpdxElement, b.relatedSpdxElement) ||
      compareStrings(a.relationshipType, b.relationshipType),
  );
  const unique = relationships.filter(
    (r, i) =>
      i === 0 ||
      r.spdxElementId !== relationships[i - 1]?.spdxElementId ||
      r.relatedSpdxElement !== relationships[i - 1]?.relatedSpdxElement ||
      r.relationshipType !== relationships[i - 1]?.relationshipType,
  );

  const root = rootPackage(doc);
  for (const p of spdxPackages)
    unique.push({ spdxElementId: root.SPDXID, relatedSpdxElement: p.SPDXID, relationshipType: 'CONTAINS' });
  unique.push({
    spdxElementId: 'SPDXRef-DOCUMENT',
    relatedSpdxElement: root.SPDXID,
    relationshipType: 'DESCRIBES',
  });

  const spdxFiles = [...referencedFiles.values()]
    .map(toSpdxFile)
    .sort((a, b) => compareStrings(a.fileName, b.fileName) || compareStrings(a.SPDXID, b.SPDXID));

  // The namespace must be unique per document content (syft's deterministic-UUID mode).
  const identity = sha256Hex(
    doc.source.digest ?? doc.source.name,
    ...packages.map((p) => `${p.id} ${p.type} ${p.name} ${p.version} ${p.purl ?? ''}`),
    ...spdxFiles.map((f) => f.SPDXID),
    ...unique.map((r) => `${r.spdxElementId} ${r.relatedSpdxElement} ${r.relationshipType}`),
  );
  const kind = doc.source.type === 'image' ? 'image' : doc.source.type === 'directory' ? 'dir' : 'file';
  // syft: no "#" (it separates element ids) or ":"; a clean relative path inside the URI.
  const cleanName = path.posix.normalize(doc.source.name.replace(/[#:]/g, '-')).replace(/^\/+|\/+$/g, '');

  const out: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: doc.source.name,
    documentNamespace: `https://kubeguard.invalid/${tool.name}/${kind}/${cleanName && cleanName !== '.' ? `${encodeURI(cleanName)}-` : ''}${uuidFromHex(identity)}`,
    creationInfo: {
      creators: ['Organization: Kubeguard', `Tool: ${tool.name}-${tool.version}`],
      created: timestampOf(options),
    },
    packages: [...spdxPackages, root],
    relationships: unique,
  };
  if (spdxFiles.length > 0) out.files = spdxFiles;
  if (licenseRefs.size > 0) {
    out.hasExtractedLicensingInfos = [...licenseRefs]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([licenseId, name]) => ({ licenseId, extractedText: 'UNKNOWN', name }));
  }
  // Keep the documented key order: files and extracted licences sit before relationships.
  const { relationships: rels, ...head } = out;
  return { ...head, relationships: rels };
}
