/**
 * The objects kubevuln writes, built whole in memory (storage-api.md §2.1, §2.4, §2.5, §3.5):
 * names, labels and annotations follow "who sets what". Pure functions: the pipeline decides when
 * to write them (SBOM → manifest → summary, so a summary means the scan is complete).
 */
import type {
  GrypeDocument,
  KubeObject,
  SBOMSPDXv2p3,
  SBOMSyft,
  SeveritySummary,
  SpdxDocument,
  SyftDocument,
  VulnerabilityManifest,
  VulnerabilityManifestSummary,
} from '../../api/index.ts';
import {
  API_VERSION,
  ContextValues,
  MetadataKeys,
  SbomTypeValues,
  isValidSlug,
  parseWlid,
  stringToSlug,
} from '../../api/index.ts';
import { SYFT_SCHEMA_URL, SYFT_SCHEMA_VERSION } from '../../sbom/index.ts';
import { labelValue, repositoryOf } from './image-ref.ts';

/** One image as kubevuln names it. */
export interface ImageIdentity {
  /** Docker-normalised tag, e.g. `docker.io/library/nginx:1.25`. */
  tag: string;
  /** The image ID as given (or the digest resolved from the registry). */
  rawHash: string;
  /** `repo@sha256:<hex>` (annotation `image-id`). */
  imageId: string;
  /** Manifest digest when known: the key of "one scan per digest". */
  digest?: string;
  /** Object name of the image's SBOMs and manifest. */
  slug: string;
}

/** What makes a stored result reusable: the engines and the database that produced it. */
export interface EngineVersions {
  tool: string;
  /** SBOM engine version (annotation `tool-version`, SBOM `spec.metadata.tool.version`). */
  sbom: string;
  /** Matcher version + `-matching-<mode>` (manifest `spec.metadata.tool.version`). */
  cve: string;
  /** Database checksum (manifest `spec.metadata.tool.databaseVersion`). */
  db: string;
  matchingMode: string;
}

export type ObjectStatus = 'ready' | 'incomplete' | 'too-large' | 'unauthorize';

const cleanMap = (m: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => e[1] !== undefined));

/** `sbom-type=image`, `image-id`, `image-name`, `image-tag`, sanitised (invalid ones left out). */
export function imageLabels(id: ImageIdentity): Record<string, string> {
  return cleanMap({
    [MetadataKeys.sbomType]: SbomTypeValues.image,
    [MetadataKeys.imageId]: labelValue(id.imageId),
    [MetadataKeys.imageName]: labelValue(repositoryOf(id.tag)),
    [MetadataKeys.imageTag]: labelValue(id.tag),
  });
}

export function imageAnnotations(
  id: ImageIdentity,
  versions: EngineVersions,
  status: ObjectStatus,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  return cleanMap({
    [MetadataKeys.imageId]: id.imageId,
    [MetadataKeys.imageTag]: id.tag,
    [MetadataKeys.toolVersion]: versions.sbom,
    [MetadataKeys.status]: status,
    ...extra,
  });
}

const emptySyft = (versions: EngineVersions): SyftDocument => ({
  artifacts: [],
  artifactRelationships: [],
  source: { id: '', name: '', version: '', type: '', metadata: null },
  distro: {},
  descriptor: { name: versions.tool, version: versions.sbom },
  schema: { version: SYFT_SCHEMA_VERSION, url: SYFT_SCHEMA_URL },
});

export interface SbomExtras {
  /** `os/arch[/variant]` of the image read. */
  platform?: string;
  created: Date;
}

export function buildSbomSyft(
  id: ImageIdentity,
  namespace: string,
  syft: SyftDocument,
  versions: EngineVersions,
  extras: SbomExtras,
): SBOMSyft {
  return {
    apiVersion: API_VERSION,
    kind: 'SBOMSyft',
    metadata: {
      name: id.slug,
      namespace,
      labels: imageLabels(id),
      annotations: imageAnnotations(id, versions, 'ready', {
        [MetadataKeys.resourceSize]: String(Buffer.byteLength(JSON.stringify(syft))),
        [MetadataKeys.resolvedPlatform]: extras.platform,
      }),
    },
    spec: {
      metadata: {
        tool: { name: versions.tool, version: versions.sbom },
        report: { createdAt: extras.created.toISOString() },
      },
      syft,
    },
  };
}

/**
 * An SBOMSyft that only says why there is no SBOM (too-large, unauthorize, incomplete): users see
 * the reason with `kubectl get sbomsyfts`. Never reused as an SBOM; a too-large one records the
 * limits, so raising them makes the next scan try again.
 */
export function buildStatusSbom(
  id: ImageIdentity,
  namespace: string,
  versions: EngineVersions,
  status: Exclude<ObjectStatus, 'ready'>,
  extra: { reason?: string; maxImageSize?: number; maxSbomSize?: number; created: Date },
): SBOMSyft {
  const tooLarge = status === 'too-large';
  return {
    apiVersion: API_VERSION,
    kind: 'SBOMSyft',
    metadata: {
      name: id.slug,
      namespace,
      labels: imageLabels(id),
      annotations: imageAnnotations(id, versions, status, {
        [MetadataKeys.statusReason]: extra.reason,
        [MetadataKeys.maxImageSize]: tooLarge ? String(extra.maxImageSize) : undefined,
        [MetadataKeys.maxSbomSize]: tooLarge ? String(extra.maxSbomSize) : undefined,
      }),
    },
    spec: {
      metadata: {
        tool: { name: versions.tool, version: versions.sbom },
        report: { createdAt: extra.created.toISOString() },
      },
      syft: emptySyft(versions),
    },
  };
}

/**
 * The SPDX document as stored: packages and their relationships, without the per-file section.
 * Files make an image's SPDX document megabytes (7,000 files of a Debian base image: 4.5 MB), far
 * over the 400 kB object limit of this legacy kind; syft's SBOMSyft keeps the file detail.
 */
export function spdxForStorage(spdx: SpdxDocument): SpdxDocument {
  const fileIds = new Set((spdx.files ?? []).map((f) => f.SPDXID));
  const { files: _files, ...rest } = spdx;
  return {
    ...rest,
    ...(spdx.packages
      ? {
          packages: spdx.packages.map((p) => {
            const { hasFiles: _hasFiles, ...kept } = p;
            return kept;
          }),
        }
      : {}),
    ...(spdx.relationships
      ? {
          relationships: spdx.relationships.filter(
            (r) => !fileIds.has(r.spdxElementId) && !fileIds.has(r.relatedSpdxElement),
          ),
        }
      : {}),
  };
}

export function buildSpdx(
  id: ImageIdentity,
  namespace: string,
  spdx: SpdxDocument,
  versions: EngineVersions,
  created: Date,
): SBOMSPDXv2p3 {
  return {
    apiVersion: API_VERSION,
    kind: 'SBOMSPDXv2p3',
    metadata: {
      name: id.slug,
      namespace,
      labels: imageLabels(id),
      annotations: imageAnnotations(id, versions, 'ready'),
    },
    spec: {
      metadata: {
        tool: { name: versions.tool, version: versions.sbom },
        report: { createdAt: created.toISOString() },
      },
      spdx: spdxForStorage(spdx),
    },
  };
}

export function buildManifest(
  id: ImageIdentity,
  namespace: string,
  payload: GrypeDocument,
  versions: EngineVersions,
  scanId: string,
  platform?: string,
): VulnerabilityManifest {
  return {
    apiVersion: API_VERSION,
    kind: 'VulnerabilityManifest',
    metadata: {
      name: id.slug,
      namespace,
      labels: { ...imageLabels(id), [MetadataKeys.context]: ContextValues.nonFiltered },
      annotations: imageAnnotations(id, versions, 'ready', {
        [MetadataKeys.scanId]: scanId,
        [MetadataKeys.cveMatchingMode]: versions.matchingMode,
        [MetadataKeys.resolvedPlatform]: platform,
      }),
    },
    spec: {
      metadata: {
        withRelevancy: false,
        tool: { name: versions.tool, version: versions.cve, databaseVersion: versions.db },
        report: { createdAt: null },
      },
      payload,
    },
  };
}

/**
 * A stored object of the same image digest, renamed for this tag: the spec is kept, the metadata
 * is this image's (name, tag annotations and labels), plus the given annotations.
 */
export function copyForImage<T extends KubeObject>(
  source: T,
  id: ImageIdentity,
  namespace: string,
  annotations: Record<string, string> = {},
): T {
  const labels = { ...(source.metadata.labels ?? {}), ...imageLabels(id) };
  return {
    ...source,
    metadata: {
      name: id.slug,
      namespace,
      labels,
      annotations: {
        ...(source.metadata.annotations ?? {}),
        [MetadataKeys.imageId]: id.imageId,
        [MetadataKeys.imageTag]: id.tag,
        ...annotations,
      },
    },
  };
}

const SEVERITY_KEYS = {
  Critical: 'critical',
  High: 'high',
  Medium: 'medium',
  Low: 'low',
  Negligible: 'negligible',
  Unknown: 'unknown',
} as const;

/** Counts per severity: exact-case grype severities only (other strings are not counted). */
export function severityCounts(full: GrypeDocument, relevant?: GrypeDocument): SeveritySummary {
  const summary: SeveritySummary = {
    critical: { all: 0 },
    high: { all: 0 },
    medium: { all: 0 },
    low: { all: 0 },
    negligible: { all: 0 },
    unknown: { all: 0 },
  };
  const bucket = (severity: string | undefined) =>
    severity && severity in SEVERITY_KEYS
      ? summary[SEVERITY_KEYS[severity as keyof typeof SEVERITY_KEYS]]
      : undefined;
  for (const m of full.matches ?? []) {
    const b = bucket(m.vulnerability.severity);
    if (b) b.all += 1;
  }
  if (relevant) {
    for (const b of Object.values(summary)) b.relevant = 0;
    for (const m of relevant.matches ?? []) {
      const b = bucket(m.vulnerability.severity);
      if (b) b.relevant = (b.relevant ?? 0) + 1;
    }
  }
  return summary;
}

/** API group and version of a workload kind (labels `workload-api-group`/`-version`). */
export function apiOfKind(kind: string): { group: string; version: string } {
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].includes(kind))
    return { group: 'apps', version: 'v1' };
  if (kind === 'Job' || kind === 'CronJob') return { group: 'batch', version: 'v1' };
  return { group: '', version: 'v1' };
}

/** `<kind>-<name>-<container>` lowercased from the WLID; a slug of it when that is no valid name. */
export function summaryName(wlid: string, container: string): string {
  const w = parseWlid(wlid);
  const name = `${w.kind}-${w.name}-${container}`.toLowerCase();
  return isValidSlug(name) ? name : stringToSlug(name);
}

export function buildSummary(
  manifest: VulnerabilityManifest,
  wlid: string,
  container: string,
  now: Date,
  relevant?: VulnerabilityManifest,
): VulnerabilityManifestSummary {
  const w = parseWlid(wlid);
  const api = apiOfKind(w.kind);
  const ref = (m: VulnerabilityManifest) => ({
    namespace: w.namespace,
    name: m.metadata.name ?? '',
    kind: 'vulnerabilitymanifests',
  });
  const labels = cleanMap({
    ...(manifest.metadata.labels ?? {}),
    ...(relevant?.metadata.labels ?? {}),
    [MetadataKeys.context]: relevant ? ContextValues.filtered : ContextValues.nonFiltered,
    [MetadataKeys.workloadApiGroup]: labelValue(api.group),
    [MetadataKeys.workloadApiVersion]: api.version,
    [MetadataKeys.workloadKind]: labelValue(w.kind),
    [MetadataKeys.workloadName]: labelValue(w.name),
    [MetadataKeys.workloadNamespace]: labelValue(w.namespace),
    [MetadataKeys.workloadContainerName]: labelValue(container),
  });
  return {
    apiVersion: API_VERSION,
    kind: 'VulnerabilityManifestSummary',
    metadata: {
      name: summaryName(wlid, container),
      namespace: w.namespace,
      labels,
      annotations: {
        ...(manifest.metadata.annotations ?? {}),
        ...(relevant?.metadata.annotations ?? {}),
        [MetadataKeys.timestamp]: String(Math.floor(now.getTime() / 1000)),
        [MetadataKeys.wlid]: wlid,
        [MetadataKeys.workloadContainerName]: container,
      },
    },
    spec: {
      severities: severityCounts(manifest.spec.payload, relevant?.spec.payload),
      vulnerabilitiesRef: { all: ref(manifest), ...(relevant ? { relevant: ref(relevant) } : {}) },
    },
  };
}
