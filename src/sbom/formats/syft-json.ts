/**
 * The syft JSON document (schema 16) as Kubescape stores it in SBOMSyft `spec.syft`, and
 * kubevuln's stripping before it stores one (shared/spec/storage-api.md §2.1).
 */
import type { Package } from '../model.ts';
import type { FormatOptions, RenderableSbom, SbomFileRef } from './common.ts';
import {
  catalogerNameOf,
  compareStrings,
  fileIndex,
  languageOf,
  printedFileId,
  sha256Hex,
  sortedPackages,
  toolOf,
} from './common.ts';
import { spdxExpressionOf } from './licenses.ts';

/**
 * The syft JSON schema we emit. [U] kubevuln pins a syft 1.32 fork, which writes a 16.0.x schema;
 * the exact patch level was not verified. Every field we write exists in 16.0.
 */
export const SYFT_SCHEMA_VERSION = '16.0.37';
export const SYFT_SCHEMA_URL = `https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-${SYFT_SCHEMA_VERSION}.json`;

export interface SyftLocation {
  path: string;
  layerID?: string;
  /** No omitempty in Kubescape's type: always present, "" once stripped. */
  accessPath: string;
  annotations?: Record<string, string>;
}

export interface SyftLicense {
  value: string;
  spdxExpression: string;
  type: 'declared' | 'concluded';
  urls: string[];
  locations: SyftLocation[];
}

export interface SyftArtifact {
  id: string;
  name: string;
  version: string;
  type: string;
  foundBy: string;
  locations: SyftLocation[];
  licenses: SyftLicense[];
  language: string;
  cpes: { cpe: string; source?: string }[];
  purl: string;
  metadataType?: string;
  metadata?: Record<string, unknown>;
}

export interface SyftRelationship {
  parent: string;
  child: string;
  type: string;
  metadata?: unknown;
}

export interface SyftFile {
  id: string;
  location: { path: string; layerID?: string };
  metadata?: Record<string, unknown>;
  contents?: string;
  digests?: { algorithm: string; value: string }[];
  licenses?: unknown[];
  executable?: unknown;
}

/** os-release fields, camelCased as syft's LinuxRelease; all optional. */
export interface SyftDistro {
  prettyName?: string;
  name?: string;
  id?: string;
  idLike?: string[];
  version?: string;
  versionID?: string;
  versionCodename?: string;
  buildID?: string;
  imageID?: string;
  imageVersion?: string;
  variant?: string;
  variantID?: string;
  homeURL?: string;
  supportURL?: string;
  bugReportURL?: string;
  privacyPolicyURL?: string;
  cpeName?: string;
  supportEnd?: string;
}

export interface SyftDocument {
  artifacts: SyftArtifact[];
  artifactRelationships: SyftRelationship[];
  files?: SyftFile[];
  source: { id: string; name: string; version: string; type: string; metadata: Record<string, unknown> };
  distro: SyftDistro;
  descriptor: { name: string; version: string; configuration?: unknown };
  schema: { version: string; url: string };
}

/** os-release KEY -> syft's JSON name, in syft's field order. */
const OS_RELEASE_FIELDS: [string, keyof SyftDistro][] = [
  ['PRETTY_NAME', 'prettyName'],
  ['NAME', 'name'],
  ['ID', 'id'],
  ['ID_LIKE', 'idLike'],
  ['VERSION', 'version'],
  ['VERSION_ID', 'versionID'],
  ['VERSION_CODENAME', 'versionCodename'],
  ['BUILD_ID', 'buildID'],
  ['IMAGE_ID', 'imageID'],
  ['IMAGE_VERSION', 'imageVersion'],
  ['VARIANT', 'variant'],
  ['VARIANT_ID', 'variantID'],
  ['HOME_URL', 'homeURL'],
  ['SUPPORT_URL', 'supportURL'],
  ['BUG_REPORT_URL', 'bugReportURL'],
  ['PRIVACY_POLICY_URL', 'privacyPolicyURL'],
  ['CPE_NAME', 'cpeName'],
  ['SUPPORT_END', 'supportEnd'],
];

export function syftDistroOf(doc: RenderableSbom): SyftDistro {
  const out: Record<string, unknown> = {};
  if (doc.osRelease) {
    for (const [key, field] of OS_RELEASE_FIELDS) {
      const value = doc.osRelease[key];
      if (!value) continue;
      out[field] = field === 'idLike' ? value.split(/\s+/).filter(Boolean) : value;
    }
    return out as SyftDistro;
  }
  const d = doc.distro;
  if (!d) return {};
  if (d.prettyName) out.prettyName = d.prettyName;
  out.id = d.id;
  if (d.idLike?.length) out.idLike = d.idLike;
  if (d.versionId) out.versionID = d.versionId;
  if (d.versionCodename) out.versionCodename = d.versionCodename;
  return out as SyftDistro;
}

function toLocation(path: string, layerID: string | undefined, evidence?: string): SyftLocation {
  return {
    path,
    ...(layerID ? { layerID } : {}),
    accessPath: path,
    ...(evidence ? { annotations: { evidence } } : {}),
  };
}

function toArtifact(p: Package): SyftArtifact {
  const artifact: SyftArtifact = {
    id: p.id,
    name: p.name,
    version: p.version,
    type: p.type,
    foundBy: catalogerNameOf(p.foundBy),
    // The package database entry is the primary evidence; later locations (copyright files…) support it.
    locations: p.locations.map((l, i) => toLocation(l.path, l.layerID, i === 0 ? 'primary' : 'supporting')),
    licenses: (p.licenses ?? []).map((value) => ({
      value,
      spdxExpression: spdxExpressionOf(value),
      type: 'declared',
      urls: [],
      locations: [],
    })),
    language: languageOf(p),
    cpes: (p.cpes ?? []).map((cpe) => ({ cpe, source: 'kubeguard-generated' })),
    purl: p.purl ?? '',
  };
  if (p.metadataType) artifact.metadataType = p.metadataType;
  if (p.metadata && p.metadataType) artifact.metadata = p.metadata;
  return artifact;
}

function sourceOf(doc: RenderableSbom): SyftDocument['source'] {
  const { source } = doc;
  const d = doc.sourceDetails ?? {};
  let metadata: Record<string, unknown>;
  if (source.type === 'image') {
    metadata = {
      userInput: d.userInput ?? source.name,
      imageID: d.imageID ?? '',
      manifestDigest: d.manifestDigest ?? source.digest ?? '',
      mediaType: d.mediaType ?? '',
      tags: d.tags ?? [],
      imageSize: d.imageSize ?? (doc.layers ?? []).reduce((n, l) => n + (l.size ?? 0), 0),
      layers: (doc.layers ?? []).map((l) => ({
        mediaType: l.mediaType ?? '',
        digest: l.diffID,
        size: l.size ?? 0,
      })),
      manifest: d.manifest ? d.manifest.toString('base64') : '',
      config: d.config ? d.config.toString('base64') : '',
      repoDigests: d.repoDigests ?? [],
      architecture: d.architecture ?? '',
      ...(d.variant ? { variant: d.variant } : {}),
      os: d.os ?? '',
      ...(d.labels && Object.keys(d.labels).length > 0 ? { labels: d.labels } : {}),
    };
  } else {
    metadata = { path: d.path ?? source.name };
  }
  return {
    id: sourceIdOf(doc),
    name: source.name,
    version: source.version ?? source.digest ?? '',
    type: source.type,
    metadata,
  };
}

/** syft: the digest of the raw manifest, else the layers' chain ID, else a digest of the input. */
function sourceIdOf(doc: RenderableSbom): string {
  const digest = doc.sourceDetails?.manifestDigest ?? doc.source.digest;
  if (digest?.startsWith('sha256:')) return digest.slice('sha256:'.length);
  const layers = doc.layers ?? [];
  if (layers.length > 0) {
    let chain = layers[0]?.diffID ?? '';
    for (const l of layers.slice(1)) chain = `sha256:${sha256Hex(`${chain} ${l.diffID}`)}`;
    return chain.replace(/^sha256:/, '');
  }
  return sha256Hex(doc.sourceDetails?.userInput ?? doc.source.name);
}

export function toSyftJson(doc: RenderableSbom, options: FormatOptions = {}): SyftDocument {
  const tool = toolOf(options);
  const packages = sortedPackages(doc);
  const packageIds = new Set(packages.map((p) => p.id));
  const files = fileIndex(doc);
  const usedFiles = new Map<string, SbomFileRef>();
  const relationships: SyftRelationship[] = [];
  for (const r of doc.relationships) {
    let child = r.child;
    if (!packageIds.has(child)) {
      const file = files.get(child);
      if (!file) continue;
      child = printedFileId(file);
      usedFiles.set(child, file);
    }
    if (!packageIds.has(r.parent)) continue;
    relationships.push({ parent: r.parent, child, type: r.type });
  }
  relationships.sort(
    (a, b) =>
      compareStrings(a.parent, b.parent) ||
      compareStrings(a.child, b.child) ||
      compareStrings(a.type, b.type),
  );
  const artifactRelationships = relationships.filter(
    (r, i) =>
      i === 0 ||
      r.parent !== relationships[i - 1]?.parent ||
      r.child !== relationships[i - 1]?.child ||
      r.type !== relationships[i - 1]?.type,
  );
  const syftFiles: SyftFile[] = [...usedFiles]
    .map(([id, f]) => ({ id, location: { path: f.path, ...(f.layerID ? { layerID: f.layerID } : {}) } }))
    .sort(
      (a, b) =>
        compareStrings(a.location.path, b.location.path) ||
        compareStrings(a.location.layerID ?? '', b.location.layerID ?? '') ||
        compareStrings(a.id, b.id),
    );
  const out: SyftDocument = {
    artifacts: packages.map(toArtifact),
    artifactRelationships,
    source: sourceOf(doc),
    distro: syftDistroOf(doc),
    descriptor: { name: tool.name, version: tool.version },
    schema: { version: SYFT_SCHEMA_VERSION, url: SYFT_SCHEMA_URL },
  };
  if (syftFiles.length === 0) return out;
  // `files` sits between the relationships and the source in syft's field order.
  const { source, distro, descriptor, schema } = out;
  return {
    artifacts: out.artifacts,
    artifactRelationships,
    files: syftFiles,
    source,
    distro,
    descriptor,
    schema,
  };
}

/**
 * kubevuln's StripSBOM, as the stored JSON shows it: the metadata structs it rebuilds keep only the
 * fields grype reads, and Go's encoder still writes the other fields of those structs with their
 * zero values (no omitempty), so those appear here too.
 */
function strippedMetadata(type: string, m: Record<string, unknown>): Record<string, unknown> | undefined {
  const str = (key: string) => (typeof m[key] === 'string' ? (m[key] as string) : '');
  switch (type) {
    case 'apk-db-entry':
      return {
        package: '',
        originPackage: str('originPackage'),
        maintainer: '',
        version: '',
        architecture: '',
        url: '',
        description: '',
        size: 0,
        installedSize: 0,
        pullDependencies: null,
        provides: null,
        pullChecksum: '',
        gitCommitOfApkPort: '',
        files: null,
      };
    case 'dpkg-db-entry':
    case 'dpkg-archive-entry':
      return {
        package: '',
        source: str('source'),
        version: '',
        sourceVersion: str('sourceVersion'),
        architecture: '',
        maintainer: '',
        installedSize: 0,
        files: null,
      };
    case 'rpm-db-entry':
    case 'rpm-archive':
      return {
        name: '',
        version: '',
        epoch: typeof m.epoch === 'number' ? m.epoch : null,
        architecture: '',
        release: '',
        sourceRpm: str('sourceRpm'),
        size: 0,
        vendor: '',
        ...(typeof m.modularityLabel === 'string' ? { modularityLabel: m.modularityLabel } : {}),
        files: null,
      };
    case 'go-module-buildinfo-entry':
      return {
        goCompiledVersion: '',
        architecture: '',
        ...(str('mainModule') ? { mainModule: str('mainModule') } : {}),
      };
    case 'java-archive': {
      const manifest = m.manifest as { main?: unknown } | undefined;
      const main = manifest?.main;
      const hasMain = Array.isArray(main) ? main.length > 0 : !!main && Object.keys(main).length > 0;
      return {
        virtualPath: str('virtualPath'),
        ...(manifest ? { manifest: hasMain ? { main } : {} } : {}),
        ...(m.pomProperties ? { pomProperties: m.pomProperties } : {}),
        ...(Array.isArray(m.digest) && m.digest.length > 0 ? { digest: m.digest } : {}),
      };
    }
    case 'java-jvm-installation': {
      const release = (m.release ?? {}) as Record<string, unknown>;
      const kept: Record<string, unknown> = {};
      for (const key of ['javaRuntimeVersion', 'javaVersion', 'fullVersion', 'semanticVersion'])
        if (typeof release[key] === 'string' && release[key]) kept[key] = release[key];
      return { release: kept };
    }
    default:
      return undefined;
  }
}

/** kubevuln's rules (§2.1) applied to a syft document before it is stored in SBOMSyft; pure. */
export function stripForStorage(doc: SyftDocument): SyftDocument {
  const { configuration: _configuration, ...descriptor } = doc.descriptor;
  const artifacts = doc.artifacts.map((a): SyftArtifact => {
    const { metadataType, metadata, ...rest } = a;
    const out: SyftArtifact = {
      ...rest,
      foundBy: '',
      locations: a.locations.map((l) => ({
        path: l.path,
        ...(l.layerID ? { layerID: l.layerID } : {}),
        accessPath: '',
      })),
      licenses: a.licenses.map((l) => ({ ...l, locations: [] })),
    };
    const kept = metadataType && metadata ? strippedMetadata(metadataType, metadata) : undefined;
    if (metadataType && kept) {
      out.metadataType = metadataType;
      out.metadata = kept;
    }
    return out;
  });
  const out: SyftDocument = { ...doc, artifacts, descriptor };
  if (doc.files) {
    out.files = doc.files.map((f) => {
      const { licenses: _licenses, executable: _executable, ...kept } = f;
      return kept;
    });
  }
  return out;
}
