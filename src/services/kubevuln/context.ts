/**
 * What every pipeline step shares: storage, the registry, limits, engine versions and counters;
 * plus the freshness rules that decide whether a stored object can stand in for a new scan.
 */
import type { KubeObject, SBOMSyft, VulnerabilityManifest } from '../../api/index.ts';
import { MetadataKeys } from '../../api/index.ts';
import type { Logger } from '../../common/index.ts';
import { DEFAULT_TOOL, selectCataloguers, wantsKeyOf } from '../../sbom/index.ts';
import { createHash } from 'node:crypto';
import type { DbView } from './advisory-db.ts';
import type { EngineVersions, ImageIdentity, ObjectStatus } from './objects.ts';
import type { ObjectStore } from './object-store.ts';
import type { ImagePuller, PullLimits } from './puller.ts';
import type { RateLimitCooldown } from './sync.ts';

/** Diagnostics counters; `imagesPulled` is what the benchmark reads as "number of image pulls". */
export interface Counters {
  /** Images read from a registry (layers downloaded and catalogued). */
  imagesPulled: number;
  /** Tags resolved to a digest (one manifest request, no layers). */
  digestResolutions: number;
  /** Scans answered by the stored manifest of the same image slug. */
  scansFromCache: number;
  /** Scans answered by copying the manifest of another tag of the same digest. */
  scansCopied: number;
  /** SBOMs reused (same slug) or copied (same digest) instead of pulling. */
  sbomsFromCache: number;
  /** Matcher runs. */
  scansMatched: number;
  /** Pulls that failed, by status (unauthorize, incomplete, too-large, too-many-requests). */
  pullFailures: Record<string, number>;
}

export const emptyCounters = (): Counters => ({
  imagesPulled: 0,
  digestResolutions: 0,
  scansFromCache: 0,
  scansCopied: 0,
  sbomsFromCache: 0,
  scansMatched: 0,
  pullFailures: {},
});

export interface PipelineContext {
  store: ObjectStore;
  puller: ImagePuller;
  db: DbView;
  /** Where SBOMs and manifests live (`kubescape`). */
  namespace: string;
  limits: PullLimits;
  cooldown: RateLimitCooldown;
  counters: Counters;
  logger: Logger;
  /** CA for registries with a private certificate authority. */
  registryCa?: Buffer;
  storeFilteredSbom: boolean;
  partialRelevancy: boolean;
  now: () => Date;
}

/** A scan ended without a usable result; `status` is what the stored marker says, if any. */
export class ScanFailure extends Error {
  constructor(
    message: string,
    readonly status?: Exclude<ObjectStatus, 'ready'>,
  ) {
    super(message);
    this.name = 'ScanFailure';
  }
}

const MATCHING_MODE = 'off';

/**
 * Versions that key reuse: the SBOM version changes with any cataloguer's version (so a better
 * cataloguer invalidates stored SBOMs), the CVE version with the engine. The matcher never uses
 * CPEs, which is grype's `off` mode for language packages.
 */
export function engineVersions(dbVersion: string): EngineVersions {
  const cataloguers = wantsKeyOf(selectCataloguers(undefined, 'image'));
  const hash = createHash('sha256').update(cataloguers).digest('hex').slice(0, 8);
  return {
    tool: DEFAULT_TOOL.name,
    sbom: `v${DEFAULT_TOOL.version}-${hash}`,
    cve: `v${DEFAULT_TOOL.version}-matching-${MATCHING_MODE}`,
    db: dbVersion,
    matchingMode: MATCHING_MODE,
  };
}

const annotation = (o: KubeObject, key: string): string | undefined => o.metadata.annotations?.[key];

/**
 * The stored object is of this image: the same `image-id` (repository + digest). Another
 * repository's copy of the digest does not count: reusing it would hand results of a private
 * registry's image to a request that could not pull it.
 */
export function sameImage(o: KubeObject, id: ImageIdentity): boolean {
  return annotation(o, MetadataKeys.imageId) === id.imageId;
}

export function sbomIsFresh(o: SBOMSyft, id: ImageIdentity, versions: EngineVersions): boolean {
  return (
    annotation(o, MetadataKeys.status) === 'ready' &&
    annotation(o, MetadataKeys.toolVersion) === versions.sbom &&
    o.spec?.metadata?.tool?.version === versions.sbom &&
    Array.isArray(o.spec?.syft?.artifacts) &&
    sameImage(o, id)
  );
}

/** kubevuln's cache rule: SBOM tool version, CVE tool version and database version all match. */
export function manifestIsFresh(
  o: VulnerabilityManifest,
  id: ImageIdentity,
  versions: EngineVersions,
): boolean {
  const tool = o.spec?.metadata?.tool;
  return (
    annotation(o, MetadataKeys.status) === 'ready' &&
    annotation(o, MetadataKeys.toolVersion) === versions.sbom &&
    tool?.version === versions.cve &&
    tool.databaseVersion === versions.db &&
    o.spec.metadata.withRelevancy === false &&
    sameImage(o, id)
  );
}
