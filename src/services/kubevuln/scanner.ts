/**
 * kubevuln's flows (storage-api.md §5.5): GenerateSBOM, ScanCVE (`/v1/scanImage`), ScanRegistry and
 * ScanCP (relevancy from a ContainerProfile). One scan per image digest: requests for a digest run
 * one after another (KeyedMutex), and each first looks for a stored result of the same slug or,
 * for another tag, of the same digest, which it copies instead of pulling the image again.
 */
import type {
  ContainerProfile,
  GrypeDocument,
  SBOMSyft,
  SBOMSyftFiltered,
  VulnerabilityManifest,
} from '../../api/index.ts';
import {
  API_VERSION,
  ContextValues,
  InstanceId,
  MetadataKeys,
  SbomTypeValues,
  instanceIdSlug,
} from '../../api/index.ts';
import { messageOf } from '../../common/index.ts';
import { scanSbom } from '../../vuln/index.ts';
import type { ScanCommand } from './commands.ts';
import type { PipelineContext } from './context.ts';
import { ScanFailure, engineVersions, manifestIsFresh } from './context.ts';
import { digestOf, imageSlug, normaliseImageId, normaliseTag, scanIdOf } from './image-ref.ts';
import type { JobContext } from './jobs.ts';
import type { EngineVersions, ImageIdentity } from './objects.ts';
import { buildManifest, buildSummary, copyForImage } from './objects.ts';
import type { RegistryAccess } from './puller.ts';
import { registryAccess } from './puller.ts';
import { filterSbom, relevantPaths } from './relevancy.ts';
import type { PendingWrite, SbomResult } from './sbom-step.ts';
import { failPull, getOrCreateSbom, modelOf, reuseSbom, sameDigestObjects } from './sbom-step.ts';
import { KeyedMutex } from './sync.ts';

export interface JobResult {
  outcome: string;
}

const NOHASH = 'nohash';

export class Scanner {
  private readonly digestLock = new KeyedMutex();

  constructor(private readonly ctx: PipelineContext) {}

  /** `/v1/generateSBOM`: the SBOMs only. */
  async generateSbom(cmd: ScanCommand, job: JobContext): Promise<JobResult> {
    const access = this.access(cmd);
    const id = await this.identify(cmd.imageTag, cmd.imageHash, access, job, false);
    return this.digestLock.run(id.digest ?? id.slug, async () => {
      const versions = engineVersions(this.ctx.db.version);
      const sbom = await getOrCreateSbom(this.ctx, id, versions, access, job);
      await this.write(sbom.writes, job);
      return { outcome: sbom.origin };
    });
  }

  /** `/v1/scanImage`: manifest of the image, summary of the workload container. */
  async scanImage(cmd: ScanCommand, job: JobContext): Promise<JobResult> {
    const access = this.access(cmd);
    const id = await this.identify(cmd.imageTag, cmd.imageHash, access, job, false);
    const { manifest, outcome } = await this.ensureManifest(id, access, job, cmd.instanceID);
    if (cmd.wlid)
      await this.write(
        [
          {
            plural: 'vulnerabilitymanifestsummaries',
            object: buildSummary(manifest, cmd.wlid, cmd.containerName, this.ctx.now()),
          },
        ],
        job,
      );
    return { outcome };
  }

  /** `/v1/scanRegistryImage`: as scanImage without a workload; the slug carries `nohash`. */
  async scanRegistryImage(cmd: ScanCommand, job: JobContext): Promise<JobResult> {
    const access = this.access(cmd);
    const id = await this.identify(cmd.imageTag, '', access, job, true);
    return { outcome: (await this.ensureManifest(id, access, job, '')).outcome };
  }

  /** `/v1/scanApplicationProfile`: relevancy from the ContainerProfile `args.namespace/args.name`. */
  async scanContainerProfile(cmd: ScanCommand, job: JobContext): Promise<JobResult> {
    const ns = cmd.args.namespace ?? '';
    const name = cmd.args.name ?? '';
    job.setPhase('profile');
    const profile = await this.ctx.store.get<ContainerProfile>('containerprofiles', ns, name);
    if (!profile)
      throw new ScanFailure(
        `ContainerProfile ${ns}/${name} does not exist: relevancy needs the node-agent's profile`,
      );
    const ann = profile.metadata.annotations ?? {};
    const completion = ann[MetadataKeys.completion];
    const status = ann[MetadataKeys.status];
    if (completion !== 'complete' && !(this.ctx.partialRelevancy && completion === 'partial'))
      throw new ScanFailure(
        `ContainerProfile ${ns}/${name} is not complete (completion "${completion ?? ''}")`,
      );
    if (status !== 'completed' && status !== 'ready')
      throw new ScanFailure(
        `ContainerProfile ${ns}/${name} has status "${status ?? ''}", not completed or ready`,
      );
    const instance = ann[MetadataKeys.instanceId];
    const wlid = ann[MetadataKeys.wlid];
    if (!instance || !wlid)
      throw new ScanFailure(`ContainerProfile ${ns}/${name} lacks the instance-id or wlid annotation`);
    const instanceId = InstanceId.parse(instance);
    const container =
      profile.metadata.labels?.[MetadataKeys.workloadContainerName] ?? instanceId.containerName;
    if (!profile.spec.imageTag)
      throw new ScanFailure(`ContainerProfile ${ns}/${name} names no image (spec.imageTag)`);

    const access = this.access(cmd);
    const id = await this.identify(profile.spec.imageTag, profile.spec.imageID ?? '', access, job, false);
    const { manifest } = await this.ensureManifest(id, access, job, instance);
    const versions = engineVersions(this.ctx.db.version);
    const sbom = await this.digestLock.run(id.digest ?? id.slug, () =>
      this.sbomFor(id, versions, access, job),
    );

    job.setPhase('matching');
    const filtered = filterSbom(sbom.syft, relevantPaths(profile));
    const relevantDoc = this.match(modelOf(filtered), versions);
    const slug = instanceIdSlug(instanceId);
    const meta = {
      labels: {
        ...(profile.metadata.labels ?? {}),
        [MetadataKeys.workloadContainerName]: container,
        [MetadataKeys.sbomType]: SbomTypeValues.container,
      },
      annotations: {
        [MetadataKeys.completion]: completion,
        [MetadataKeys.workloadContainerName]: container,
        [MetadataKeys.imageId]: id.imageId,
        [MetadataKeys.imageTag]: id.tag,
        [MetadataKeys.instanceId]: instance,
        [MetadataKeys.status]: 'ready',
        [MetadataKeys.wlid]: wlid,
        [MetadataKeys.toolVersion]: versions.sbom,
      },
    };
    const relevant: VulnerabilityManifest = {
      apiVersion: API_VERSION,
      kind: 'VulnerabilityManifest',
      metadata: {
        name: slug,
        namespace: this.ctx.namespace,
        labels: { ...meta.labels, [MetadataKeys.context]: ContextValues.filtered },
        annotations: {
          ...meta.annotations,
          [MetadataKeys.scanId]: scanIdOf(instance, id.tag, id.rawHash, versions.cve),
          [MetadataKeys.cveMatchingMode]: versions.matchingMode,
        },
      },
      spec: {
        metadata: {
          withRelevancy: true,
          tool: { name: versions.tool, version: versions.cve, databaseVersion: versions.db },
          report: { createdAt: null },
        },
        payload: relevantDoc,
      },
    };
    const writes: PendingWrite[] = [];
    if (this.ctx.storeFilteredSbom) {
      const filteredSbom: SBOMSyftFiltered = {
        apiVersion: API_VERSION,
        kind: 'SBOMSyftFiltered',
        metadata: { name: slug, namespace: this.ctx.namespace, ...meta },
        spec: {
          metadata: {
            tool: { name: versions.tool, version: versions.sbom },
            report: { createdAt: this.ctx.now().toISOString() },
          },
          syft: filtered,
        },
      };
      writes.push({ plural: 'sbomsyftfiltereds', object: filteredSbom });
    }
    writes.push({ plural: 'vulnerabilitymanifests', object: relevant });
    writes.push({
      plural: 'vulnerabilitymanifestsummaries',
      object: buildSummary(manifest, wlid, container, this.ctx.now(), relevant),
    });
    await this.write(writes, job);
    return { outcome: completion === 'partial' ? 'partial' : 'relevant' };
  }

  private access(cmd: ScanCommand): RegistryAccess {
    return registryAccess(cmd.credentialsList, cmd.args, this.ctx.registryCa);
  }

  /** Normalised tag, image ID, digest (resolved from the registry when the command has none), slug. */
  private async identify(
    tag: string,
    hash: string,
    access: RegistryAccess,
    job: JobContext,
    registryScan: boolean,
  ): Promise<ImageIdentity> {
    const normalised = normaliseTag(tag);
    let raw = hash.trim();
    let digest = raw ? digestOf(normaliseImageId(raw, normalised)) : undefined;
    if (!raw) {
      job.setPhase('resolving');
      try {
        this.ctx.counters.digestResolutions++;
        digest = await this.ctx.puller.resolveDigest(normalised, access, job.signal);
        raw = digest;
      } catch (err) {
        // Without a digest the image is still named (slug `nohash`) so the failure can be recorded.
        await this.failEarly(normalised, err);
      }
    }
    return {
      tag: normalised,
      rawHash: raw,
      imageId: normaliseImageId(raw, normalised),
      ...(digest ? { digest } : {}),
      slug: imageSlug(normalised, registryScan ? NOHASH : raw),
    };
  }

  /** A digest that cannot be resolved: the pull step classifies and records why. */
  private async failEarly(tag: string, err: unknown): Promise<never> {
    const id: ImageIdentity = { tag, rawHash: NOHASH, imageId: tag, slug: imageSlug(tag, NOHASH) };
    const stored = await this.ctx.store.get<SBOMSyft>('sbomsyfts', this.ctx.namespace, id.slug);
    const failure = await failPull(this.ctx, id, engineVersions(this.ctx.db.version), err, stored);
    throw new ScanFailure(`cannot resolve ${tag} to a digest: ${failure.message}`, failure.status);
  }

  /**
   * The image's manifest: the stored one when fresh, a copy of another tag's of the same digest,
   * or a new scan (SBOM reused or pulled). Writes SBOM → manifest; returns the manifest.
   */
  private ensureManifest(
    id: ImageIdentity,
    access: RegistryAccess,
    job: JobContext,
    instanceID: string,
  ): Promise<{ manifest: VulnerabilityManifest; outcome: string }> {
    return this.digestLock.run(id.digest ?? id.slug, async () => {
      if (!this.ctx.db.refresh()) throw new ScanFailure('the vulnerability database is not loaded');
      const versions = engineVersions(this.ctx.db.version);
      const scanId = scanIdOf(instanceID, id.tag, id.rawHash, versions.cve);
      job.setPhase('cache');
      const stored = await this.ctx.store.get<VulnerabilityManifest>(
        'vulnerabilitymanifests',
        this.ctx.namespace,
        id.slug,
      );
      if (stored && manifestIsFresh(stored, id, versions)) {
        this.ctx.counters.scansFromCache++;
        return { manifest: stored, outcome: 'cached' };
      }
      const others = await sameDigestObjects<VulnerabilityManifest>(
        this.ctx.store,
        'vulnerabilitymanifests',
        this.ctx.namespace,
        id,
        `${MetadataKeys.context}=${ContextValues.nonFiltered}`,
      );
      const other = others.find((m) => manifestIsFresh(m, id, versions));
      if (other) {
        const sbomStored = await this.ctx.store.get<SBOMSyft>('sbomsyfts', this.ctx.namespace, id.slug);
        const sbom = await reuseSbom(this.ctx, id, versions, sbomStored);
        const manifest = copyForImage(other, id, this.ctx.namespace, { [MetadataKeys.scanId]: scanId });
        await this.write(
          [...(sbom?.writes ?? []), { plural: 'vulnerabilitymanifests', object: manifest }],
          job,
        );
        this.ctx.counters.scansCopied++;
        return { manifest, outcome: 'copied' };
      }
      job.setPhase('sbom');
      const sbom = await getOrCreateSbom(this.ctx, id, versions, access, job);
      job.setPhase('matching');
      const payload = this.match(sbom.model, versions);
      const manifest = buildManifest(id, this.ctx.namespace, payload, versions, scanId, sbom.platform);
      await this.write([...sbom.writes, { plural: 'vulnerabilitymanifests', object: manifest }], job);
      this.ctx.logger.info('image scanned', {
        image: id.tag,
        digest: id.digest,
        manifest: id.slug,
        sbom: sbom.origin,
        matches: payload.matches?.length ?? 0,
      });
      return { manifest, outcome: sbom.origin === 'pulled' ? 'scanned' : `scanned-${sbom.origin}-sbom` };
    });
  }

  /** The image's SBOM for relevancy: stored (written by ensureManifest), or created again. */
  private async sbomFor(
    id: ImageIdentity,
    versions: EngineVersions,
    access: RegistryAccess,
    job: JobContext,
  ): Promise<SbomResult> {
    const sbom = await getOrCreateSbom(this.ctx, id, versions, access, job);
    await this.write(sbom.writes, job);
    return sbom;
  }

  private match(model: SbomResult['model'], versions: EngineVersions): GrypeDocument {
    this.ctx.counters.scansMatched++;
    const result = scanSbom(model, this.ctx.db.provider(), {
      scannerVersion: versions.cve,
      normalizeByCve: true,
      logger: this.ctx.logger,
    });
    // The engine's document is the storage's GrypeDocument (checked by vuln-document-types.test.ts).
    return result.document as unknown as GrypeDocument;
  }

  /** Writes in order; stops before the next write when the job was aborted (no partial objects). */
  private async write(writes: PendingWrite[], job: JobContext): Promise<void> {
    job.setPhase('storing');
    for (const w of writes) {
      if (job.signal.aborted) throw new ScanFailure('the service stopped before the results were stored');
      try {
        if (w.replace)
          await this.ctx.store.delete(w.plural, this.ctx.namespace, w.object.metadata.name ?? '');
        await this.ctx.store.upsert(w.plural, w.object);
      } catch (err) {
        if (!w.optional) throw err;
        this.ctx.logger.warn('an optional object was not stored', {
          kind: w.plural,
          name: w.object.metadata.name,
          error: messageOf(err),
        });
      }
    }
  }
}
