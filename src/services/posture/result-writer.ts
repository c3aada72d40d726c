/**
 * Writes posture results to the storage API group through the Kubernetes API, as Kubescape does:
 * per result a WorkloadConfigurationScan (unless only summaries are kept) and a
 * WorkloadConfigurationScanSummary derived from what was stored, each created or merged into the
 * existing object (`mergeWorkloadConfigurationScan`). A few writes are in flight at once; transient
 * failures are retried by KubeObjects, so a storage restart during a scan loses nothing.
 */
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import { MetadataKeys } from '../../api/index.ts';
import type { WorkloadConfigurationScan, WorkloadConfigurationScanSummary } from '../../api/index.ts';
import type { StoredScanResult } from '../../posture/index.ts';
import {
  mergeWorkloadConfigurationScan,
  mergeWorkloadConfigurationScanSummary,
  summarySpecOf,
} from '../../posture/index.ts';
import type { KindRef, KubeObjectLike } from '../shared/kube-objects.ts';
import { statusOf, storageKind } from '../shared/kube-objects.ts';
import type { PostureStorage } from './storage-client.ts';

export const SCAN_KIND = storageKind('workloadconfigurationscans');
export const SUMMARY_KIND = storageKind('workloadconfigurationscansummaries');

export interface ResultWriterOptions {
  /** Writes in flight at once. */
  concurrency?: number;
  /** Write only summaries (Kubescape writes full scans only with `continuousPostureScan`). */
  summariesOnly?: boolean;
  logger?: Logger;
}

export interface WriteReport {
  written: number;
  failed: { namespace: string; name: string; error: string }[];
}

type StoredObject = WorkloadConfigurationScan | WorkloadConfigurationScanSummary;

type StoredMetadata = StoredObject['metadata'];

/** Metadata of the objects already stored, by `namespace/name` (from one LIST before a full scan's writes). */
export interface KnownObjects {
  scans: ReadonlyMap<string, StoredMetadata>;
  summaries: ReadonlyMap<string, StoredMetadata>;
}

/** The storage types have a closed ObjectMeta; KubeObjects works on open objects. Same JSON. */
const asLike = <T extends StoredObject>(object: T): T & KubeObjectLike => object as T & KubeObjectLike;

function withScanId<T extends StoredObject>(object: T, scanId: string): T {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [MetadataKeys.scanId]: scanId },
    },
  };
}

/** Runs `fn` on every item, at most `limit` at a time; stops starting new ones once `signal` aborts. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  signal?.throwIfAborted();
}

export class ScanResultWriter {
  private readonly logger: Logger;
  private readonly concurrency: number;

  constructor(
    private readonly objects: PostureStorage,
    private readonly options: ResultWriterOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.concurrency = options.concurrency ?? 8;
  }

  /** What is stored now (metadata only); undefined when it cannot be listed (writes then merge one by one). */
  async known(): Promise<KnownObjects | undefined> {
    const index = async (kind: KindRef) => {
      const items = await this.objects.list<KubeObjectLike>(kind);
      return new Map(
        items.map((item) => [
          `${item.metadata.namespace}/${item.metadata.name}`,
          item.metadata as StoredMetadata,
        ]),
      );
    };
    try {
      const [scans, summaries] = await Promise.all([
        this.options.summariesOnly ? new Map<string, StoredMetadata>() : index(SCAN_KIND),
        index(SUMMARY_KIND),
      ]);
      return { scans, summaries };
    } catch (err) {
      this.logger.warn('could not list the stored results; merging each write', { error: messageOf(err) });
      return undefined;
    }
  }

  /**
   * Writes results tagged with `scanId`. With `known`, objects stored by earlier scans are replaced
   * in one request each (the merge rule replaces their spec anyway; only metadata is merged).
   */
  async write(
    results: readonly StoredScanResult[],
    scanId: string,
    signal?: AbortSignal,
    known?: KnownObjects,
  ): Promise<WriteReport> {
    const report: WriteReport = { written: 0, failed: [] };
    await forEachLimited(
      results,
      this.concurrency,
      async (result) => {
        try {
          await this.writeOne(result, scanId, known);
          report.written++;
        } catch (err) {
          const { namespace = '', name = '' } = result.summary.metadata;
          report.failed.push({ namespace, name, error: messageOf(err) });
          this.logger.warn('could not write a scan result', { namespace, name, error: messageOf(err) });
        }
      },
      signal,
    );
    return report;
  }

  private async writeOne(
    result: StoredScanResult,
    scanId: string,
    known: KnownObjects | undefined,
  ): Promise<void> {
    let summary = withScanId(result.summary, scanId);
    if (!this.options.summariesOnly) {
      const stored = await this.put(
        SCAN_KIND,
        withScanId(result.scan, scanId),
        known?.scans,
        mergeWorkloadConfigurationScan,
      );
      // The summary describes what the scan object holds after the merge.
      const controls = (stored as Partial<WorkloadConfigurationScan>).spec?.controls;
      if (controls) summary = { ...summary, spec: summarySpecOf(controls) };
    }
    await this.put(SUMMARY_KIND, summary, known?.summaries, mergeWorkloadConfigurationScanSummary);
  }

  private async put<T extends StoredObject>(
    kind: KindRef,
    fresh: T,
    known: ReadonlyMap<string, StoredMetadata> | undefined,
    merge: (existing: T, fresh: T) => T,
  ): Promise<T> {
    const stored = known?.get(`${fresh.metadata.namespace}/${fresh.metadata.name}`);
    const scanId = fresh.metadata.annotations?.[MetadataKeys.scanId];
    if (stored?.resourceVersion && stored.annotations?.[MetadataKeys.scanId] !== scanId) {
      // Written by an earlier scan: the merge keeps the fresh spec, so the stored metadata is all it needs.
      const body = merge({ ...fresh, metadata: stored }, fresh);
      body.metadata.resourceVersion = stored.resourceVersion;
      try {
        return await this.objects.replace(kind, asLike(body));
      } catch (err) {
        // Changed or deleted since the LIST: fall back to create-or-merge.
        if (statusOf(err) !== 409 && statusOf(err) !== 404) throw err;
      }
    }
    return this.objects.upsert(kind, asLike(fresh), (existing, update) => asLike(merge(existing, update)));
  }

  /** Deletes the scan and summary named `name`; true when either existed. */
  async remove(namespace: string, name: string): Promise<boolean> {
    const [scan, summary] = await Promise.all([
      this.objects.delete(SCAN_KIND, namespace, name),
      this.objects.delete(SUMMARY_KIND, namespace, name),
    ]);
    return scan || summary;
  }

  /** Names of the summaries in `namespace` matching a label selector. */
  async namesMatching(namespace: string, labelSelector: string): Promise<string[]> {
    const items = await this.objects.list<KubeObjectLike>(SUMMARY_KIND, namespace, { labelSelector });
    return items.map((item) => item.metadata.name ?? '').filter(Boolean);
  }
}
