/**
 * getOrCreateSBOM (storage-api.md §5.3): the stored SBOM of this image slug while its tool version
 * matches; else a copy of the SBOM of another tag of the same digest; else a registry pull. The
 * objects to write are returned, not written: the caller writes SBOM → manifest → summary.
 */
import type { KubeObject, SBOMSPDXv2p3, SBOMSyft, SpdxDocument, SyftDocument } from '../../api/index.ts';
import { MetadataKeys } from '../../api/index.ts';
import { ErrorCodes, isKubeguardError, messageOf } from '../../common/index.ts';
import type { GeneratedSbom, SbomModel } from '../../sbom/index.ts';
import { RegistryError, stripForStorage, toSpdxJson, toSyftJson } from '../../sbom/index.ts';
import { parseSbom } from '../../vuln/index.ts';
import type { PipelineContext } from './context.ts';
import { ScanFailure, sameImage, sbomIsFresh } from './context.ts';
import type { JobContext } from './jobs.ts';
import type { EngineVersions, ImageIdentity } from './objects.ts';
import { buildSbomSyft, buildSpdx, buildStatusSbom, copyForImage } from './objects.ts';
import type { ObjectStore, StoragePlural } from './object-store.ts';
import type { RegistryAccess } from './puller.ts';

export interface PendingWrite {
  plural: StoragePlural;
  object: KubeObject;
  /** A failed optional write (the legacy SPDX SBOM) is logged, not fatal. */
  optional?: boolean;
  /**
   * Delete the stored object first: it is a status-only marker whose reason annotations a merge
   * would otherwise carry over to the real SBOM.
   */
  replace?: boolean;
}

export interface SbomResult {
  /** The stored (stripped) syft document: what relevancy filters. */
  syft: SyftDocument;
  /** What the matcher reads: parsed back from `syft`, so a stored SBOM and a fresh one match alike. */
  model: SbomModel;
  writes: PendingWrite[];
  platform?: string;
  origin: 'stored' | 'copied' | 'pulled';
}

/** The matcher's input from a stored syft document. */
export function modelOf(syft: SyftDocument): SbomModel {
  return parseSbom(JSON.stringify(syft), 'stored SBOM').sbom;
}

function platformOf(doc: GeneratedSbom): string | undefined {
  const d = doc.sourceDetails;
  if (!d?.os || !d.architecture) return undefined;
  return [d.os, d.architecture, d.variant].filter(Boolean).join('/');
}

/** Candidates of another tag with the same digest: listed by metadata, then read whole. */
export async function sameDigestObjects<T extends KubeObject>(
  store: ObjectStore,
  plural: StoragePlural,
  namespace: string,
  id: ImageIdentity,
  labelSelector?: string,
): Promise<T[]> {
  // Without a digest the image ID is the tag itself, which says nothing about the content.
  if (!id.digest) return [];
  const listed = await store.list<KubeObject>(plural, namespace, labelSelector ? { labelSelector } : {});
  const found: T[] = [];
  for (const o of listed) {
    if (o.metadata.name === id.slug || !sameImage(o, id)) continue;
    const full = await store.get<T>(plural, namespace, o.metadata.name ?? '');
    if (full) found.push(full);
  }
  return found;
}

/** The stored SBOM (same slug) or a copy of one of the same digest; undefined when neither is usable. */
export async function reuseSbom(
  ctx: PipelineContext,
  id: ImageIdentity,
  versions: EngineVersions,
  stored: SBOMSyft | undefined,
): Promise<SbomResult | undefined> {
  const platform = (o: KubeObject) => o.metadata.annotations?.[MetadataKeys.resolvedPlatform];
  if (stored && sbomIsFresh(stored, id, versions)) {
    ctx.counters.sbomsFromCache++;
    const p = platform(stored);
    return {
      syft: stored.spec.syft,
      model: modelOf(stored.spec.syft),
      writes: [],
      origin: 'stored',
      ...(p ? { platform: p } : {}),
    };
  }
  for (const other of await sameDigestObjects<SBOMSyft>(ctx.store, 'sbomsyfts', ctx.namespace, id)) {
    if (!sbomIsFresh(other, id, versions)) continue;
    ctx.counters.sbomsFromCache++;
    const writes: PendingWrite[] = [{ plural: 'sbomsyfts', object: copyForImage(other, id, ctx.namespace) }];
    const spdx = await ctx.store.get<SBOMSPDXv2p3>('sbomspdxv2p3s', ctx.namespace, other.metadata.name ?? '');
    if (spdx && spdx.metadata.annotations?.[MetadataKeys.toolVersion] === versions.sbom)
      writes.push({ plural: 'sbomspdxv2p3s', object: copyForImage(spdx, id, ctx.namespace), optional: true });
    const p = platform(other);
    return {
      syft: other.spec.syft,
      model: modelOf(other.spec.syft),
      writes,
      origin: 'copied',
      ...(p ? { platform: p } : {}),
    };
  }
  return undefined;
}

/** Status and reason of a failed pull; a 429 also starts the image's cooldown. */
function classify(ctx: PipelineContext, err: unknown, id: ImageIdentity): ScanFailure {
  if (err instanceof ScanFailure) return err;
  if (err instanceof RegistryError && err.status === 429) {
    ctx.cooldown.mark(id.tag);
    return new ScanFailure(`too-many-requests: ${messageOf(err)}`);
  }
  if (isKubeguardError(err, ErrorCodes.unauthorized)) return new ScanFailure(messageOf(err), 'unauthorize');
  return new ScanFailure(messageOf(err), 'incomplete');
}

/** Pulls and catalogues; a digest that the registry does not know falls back to the tag. */
async function pull(ctx: PipelineContext, id: ImageIdentity, access: RegistryAccess, job: JobContext) {
  const byDigest = id.digest && !id.tag.includes('@') ? `${id.tag}@${id.digest}` : id.tag;
  ctx.counters.imagesPulled++;
  try {
    return await ctx.puller.pull(byDigest, access, ctx.limits, job.signal);
  } catch (err) {
    if (byDigest === id.tag || !isKubeguardError(err, ErrorCodes.notFound)) throw err;
    ctx.logger.warn('the image digest is unknown to the registry; pulling the tag', {
      image: id.tag,
      digest: id.digest,
    });
    return ctx.puller.pull(id.tag, access, ctx.limits, job.signal);
  }
}

/**
 * getOrCreateSBOM. A failure writes (unless a good SBOM is stored) a status-only SBOMSyft saying
 * why, then throws ScanFailure.
 */
export async function getOrCreateSbom(
  ctx: PipelineContext,
  id: ImageIdentity,
  versions: EngineVersions,
  access: RegistryAccess,
  job: JobContext,
): Promise<SbomResult> {
  const stored = await ctx.store.get<SBOMSyft>('sbomsyfts', ctx.namespace, id.slug);
  const reused = await reuseSbom(ctx, id, versions, stored);
  if (reused) return reused;
  const ann = stored?.metadata.annotations ?? {};
  if (
    ann[MetadataKeys.status] === 'too-large' &&
    ann[MetadataKeys.toolVersion] === versions.sbom &&
    ann[MetadataKeys.maxImageSize] === String(ctx.limits.maxImageSize) &&
    ann[MetadataKeys.maxSbomSize] === String(ctx.limits.maxSbomSize) &&
    sameImage(stored!, id)
  ) {
    throw new ScanFailure(
      `the image is too large (${ann[MetadataKeys.statusReason] ?? 'too-large'}), as found before`,
      'too-large',
    );
  }
  if (ctx.cooldown.coolingDown(id.tag))
    throw new ScanFailure(
      `too-many-requests: ${id.tag} was rate-limited by its registry in the last minutes`,
    );

  job.setPhase('pulling');
  let doc: GeneratedSbom;
  try {
    doc = await pull(ctx, id, access, job);
  } catch (err) {
    throw await failPull(ctx, id, versions, err, stored);
  }
  if (doc.status !== 'ready') {
    const reason = doc.statusReason ?? doc.issues.at(-1)?.reason ?? doc.status;
    const failure = new ScanFailure(`the SBOM is ${doc.status} (${reason})`, doc.status);
    await markFailure(ctx, id, versions, failure, stored, doc.statusReason);
    throw failure;
  }
  const created = ctx.now();
  const tool = { name: versions.tool, version: versions.sbom };
  // The engine's types are structurally the storage types (checked by the vuln-document test).
  const syft = stripForStorage(toSyftJson(doc, { tool, created })) as unknown as SyftDocument;
  const spdx = toSpdxJson(doc, { tool, created }) as unknown as SpdxDocument;
  const platform = platformOf(doc);
  const replace = stored !== undefined && stored.metadata.annotations?.[MetadataKeys.status] !== 'ready';
  return {
    syft,
    model: modelOf(syft),
    origin: 'pulled',
    ...(platform ? { platform } : {}),
    writes: [
      {
        plural: 'sbomsyfts',
        object: buildSbomSyft(id, ctx.namespace, syft, versions, {
          created,
          ...(platform ? { platform } : {}),
        }),
        replace,
      },
      {
        plural: 'sbomspdxv2p3s',
        object: buildSpdx(id, ctx.namespace, spdx, versions, created),
        optional: true,
      },
    ],
  };
}

/** Classifies a failed registry access, records it (status-only SBOM) and returns the failure to throw. */
export async function failPull(
  ctx: PipelineContext,
  id: ImageIdentity,
  versions: EngineVersions,
  err: unknown,
  stored?: SBOMSyft,
): Promise<ScanFailure> {
  const failure = classify(ctx, err, id);
  await markFailure(ctx, id, versions, failure, stored);
  return failure;
}

/** Writes the status-only SBOM, unless a ready SBOM of this image is stored (it is not clobbered). */
async function markFailure(
  ctx: PipelineContext,
  id: ImageIdentity,
  versions: EngineVersions,
  failure: ScanFailure,
  stored: SBOMSyft | undefined,
  reason?: string,
): Promise<void> {
  ctx.counters.pullFailures[failure.status ?? 'too-many-requests'] =
    (ctx.counters.pullFailures[failure.status ?? 'too-many-requests'] ?? 0) + 1;
  if (!failure.status) return;
  if (stored?.metadata.annotations?.[MetadataKeys.status] === 'ready' && sameImage(stored, id)) return;
  const marker = buildStatusSbom(id, ctx.namespace, versions, failure.status, {
    ...(reason ? { reason } : {}),
    maxImageSize: ctx.limits.maxImageSize,
    maxSbomSize: ctx.limits.maxSbomSize,
    created: ctx.now(),
  });
  try {
    await ctx.store.upsert('sbomsyfts', marker);
  } catch (err) {
    ctx.logger.warn('cannot store the SBOM status', {
      image: id.tag,
      status: failure.status,
      error: messageOf(err),
    });
  }
}
