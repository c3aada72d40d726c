/**
 * Continuous scanning (components.md §3.8): the operator watches Pods and workloads and, after a 5 s
 * cooldown per object, sends
 *   - new image digests of Running pods to kubevuln (once each, per the scan memory), and the pod
 *     template of a workload that runs no pod (the dev cluster has no controller-manager) by tag;
 *   - the object to kubescape as `scanObject` (ADDED/MODIFIED), or, once deleted, cleans its
 *     WorkloadConfigurationScan(Summary) and VulnerabilityManifestSummaries and posts it with
 *     `isDeletedScanObject: true`.
 * Pods, ReplicaSets and Jobs with a controlling workload are left to their owner for posture.
 */
import { formatWlid, resourceToSlug } from '../../api/index.ts';
import { messageOf } from '../../common/index.ts';
import { storageKind } from '../shared/kube-objects.ts';
import { hasExcludedLabel, skipNamespace } from './config.ts';
import type { Job, OperatorContext } from './context.ts';
import { CooldownQueue } from './cooldown-queue.ts';
import { pullSecretCredentials } from './credentials.ts';
import { sendContainerScan } from './image-scan.ts';
import { Informer } from './informer.ts';
import type { InformerEvent, KubeObjectJson } from './informer.ts';
import { resourcePath } from './kube-rest.ts';
import type { ScanMemory } from './scan-memory.ts';
import type { AuthConfig, Command, JsonObject } from './types.ts';
import type { OwnerLookup, PodContainer, PodJson, WorkloadKind } from './workloads.ts';
import {
  containersOf,
  hasParent,
  podContainers,
  podTemplateOf,
  restOwnerLookup,
  templateContainers,
  topOwner,
  WORKLOAD_KINDS,
} from './workloads.ts';

export interface ContinuousScannerOptions {
  ctx: OperatorContext;
  memory: ScanMemory;
  /** Runs a job in the worker pool (`what` names it in logs). */
  submit: (what: string, run: (job: Job) => Promise<void>) => void;
  /** Posts a posture command the way `kubescapeScan` does (through the pool). */
  submitCommand: (command: Command) => void;
  /** Watch reconnect backoff ceiling (default 30 s). */
  backoffMaxMs?: number;
  /** Send posture scans (kubescape) and image scans (kubevuln); both on by default. */
  posture?: boolean;
  images?: boolean;
}

type QueuedEvent = InformerEvent & { workload: WorkloadKind };

/** What of an object a posture scan looks at: everything but status and bookkeeping. */
export function postureFingerprint(obj: KubeObjectJson): string {
  const { status: _status, metadata, ...rest } = obj;
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = metadata ?? {};
  return JSON.stringify({ ...rest, metadata: meta });
}

/**
 * Combines events of one object inside the cooldown: the newest object wins, but an ADDED stays an
 * ADDED (the object was never scanned) and the oldest `old` is kept, so a change is judged against
 * what was last scanned; created-and-deleted cancels out.
 */
export function mergeEvents(waiting: QueuedEvent, newer: QueuedEvent): QueuedEvent | undefined {
  if (newer.type === 'DELETED')
    return waiting.type === 'ADDED' ? undefined : { ...newer, old: waiting.old ?? newer.old };
  if (waiting.type === 'ADDED') return { ...newer, type: 'ADDED', old: undefined };
  if (waiting.type === 'DELETED') return { ...newer, type: 'ADDED', old: undefined };
  return { ...newer, old: waiting.old ?? newer.old };
}

function group(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function eventKey(workload: WorkloadKind, obj: KubeObjectJson): string {
  const { group: g, version } = group(workload.apiVersion);
  return `${g}/${version}/${workload.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** The object as kubescape receives it: without managedFields (bulk no control reads). */
function scanObject(obj: KubeObjectJson): JsonObject {
  const copy = structuredClone(obj);
  if (copy.metadata) delete copy.metadata['managedFields'];
  return copy;
}

export class ContinuousScanner {
  private readonly informers = new Map<string, Informer<KubeObjectJson>>();
  private readonly queue: CooldownQueue<QueuedEvent>;
  private readonly guardTimers = new Map<string, NodeJS.Timeout>();
  private readonly ownerLookup: OwnerLookup;
  private stopped = false;

  constructor(private readonly options: ContinuousScannerOptions) {
    const { ctx } = options;
    this.queue = new CooldownQueue<QueuedEvent>({
      cooldownMs: ctx.config.cooldownMs,
      sweepMs: Math.min(1000, Math.max(50, Math.floor(ctx.config.cooldownMs / 5))),
      merge: mergeEvents,
      onRelease: (_key, event) => this.release(event),
    });
    const fallback = restOwnerLookup(ctx.rest);
    // Owners are read from the informers' caches; the API only for what they have not seen yet.
    this.ownerLookup = async (kind, namespace, name) =>
      this.informers.get(kind)?.get(namespace, name) ?? (await fallback(kind, namespace, name));
    for (const workload of WORKLOAD_KINDS) {
      this.informers.set(
        workload.kind,
        new Informer({
          rest: ctx.rest,
          path: resourcePath(workload.resource),
          apiVersion: workload.apiVersion,
          kind: workload.kind,
          logger: ctx.logger,
          name: workload.resource.plural,
          backoff: options.backoffMaxMs
            ? { initialMs: 200, maxMs: options.backoffMaxMs, factor: 2, jitter: 0.2 }
            : undefined,
          onEvent: (event) => this.onEvent(workload, event),
        }),
      );
    }
  }

  get lookup(): OwnerLookup {
    return this.ownerLookup;
  }

  /** Informer counters by kind (lists, watches, 410s, failures), for logs and tests. */
  stats(): Record<string, Informer['stats']> {
    return Object.fromEntries([...this.informers.entries()].map(([k, i]) => [k, { ...i.stats }]));
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  async hasSynced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.hasSynced()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    for (const timer of this.guardTimers.values()) clearTimeout(timer);
    this.guardTimers.clear();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  private onEvent(workload: WorkloadKind, event: InformerEvent): void {
    const { config } = this.options.ctx;
    const obj = event.object;
    if (skipNamespace(config, obj.metadata?.namespace ?? '')) return;
    if (hasExcludedLabel(config, obj.metadata?.labels)) return;
    this.queue.enqueue(eventKey(workload, obj), { ...event, workload });
  }

  private release(event: QueuedEvent): void {
    if (this.stopped) return;
    const obj = event.object;
    const name = `${event.workload.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`;
    if (this.options.posture !== false) this.posture(event, name);
    if (this.options.images !== false && event.type !== 'DELETED') {
      if (event.workload.kind === 'Pod')
        this.options.submit(`image scan of ${name}`, (job) => this.scanPod(obj as PodJson, job));
      else this.options.submit(`image scan of ${name}`, (job) => this.scanTemplate(event.workload, obj, job));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Posture

  private posture(event: QueuedEvent, name: string): void {
    const obj = event.object;
    // Owned pods, ReplicaSets and Jobs are scanned through the workload that controls them.
    if (['Pod', 'ReplicaSet', 'Job'].includes(event.workload.kind) && hasParent(obj)) return;
    if (event.type === 'MODIFIED' && event.old && postureFingerprint(event.old) === postureFingerprint(obj)) {
      this.options.ctx.logger.debug(`posture: ${name} changed status only; not rescanned`);
      return;
    }
    if (event.type === 'DELETED') {
      this.options.submit(`posture cleanup of ${name}`, async () => {
        await this.deletePostureResults(event.workload, obj);
        this.options.submitCommand(postureCommand(obj, true));
      });
      return;
    }
    this.options.submitCommand(postureCommand(obj, false));
  }

  /** Deletes what storage holds about a deleted workload in its namespace. */
  private async deletePostureResults(workload: WorkloadKind, obj: KubeObjectJson): Promise<void> {
    const { ctx } = this.options;
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const slug = resourceToSlug(workload.kind, name);
    const summaries = new Set([slug]);
    for (const { container } of containersOf(podTemplateOf(obj)?.spec)) {
      summaries.add(`${workload.kind}-${name}-${container.name}`.toLowerCase());
    }
    const targets: [string, string][] = [
      ['workloadconfigurationscans', slug],
      ['workloadconfigurationscansummaries', slug],
      ...[...summaries].map((s): [string, string] => ['vulnerabilitymanifestsummaries', s]),
    ];
    for (const [plural, objectName] of targets) {
      try {
        if (await ctx.objects.delete(storageKind(plural), namespace, objectName)) {
          ctx.logger.info(`deleted ${plural} ${namespace}/${objectName} of deleted ${workload.kind}`);
        }
      } catch (err) {
        ctx.logger.warn(`cannot delete ${plural} ${namespace}/${objectName}`, { error: messageOf(err) });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Images

  private async credentials(namespace: string, spec: PodJson['spec']): Promise<AuthConfig[]> {
    return pullSecretCredentials(this.options.ctx.rest, namespace, spec, this.options.ctx.logger);
  }

  /** Sends the containers the memory has not seen; forgets them again when sending fails. */
  private async send(
    job: Job,
    wlid: string,
    namespace: string,
    containers: PodContainer[],
    spec: PodJson['spec'],
  ): Promise<void> {
    const { ctx, memory } = this.options;
    const fresh = containers.filter(
      (c) => memory.decide(c.slug, wlid, c.containerName, c.imageId || `tag:${c.imageTag}`) === 'scan',
    );
    if (fresh.length === 0) return;
    const credentials = await this.credentials(namespace, spec);
    const errors: string[] = [];
    for (const container of fresh) {
      try {
        await sendContainerScan(ctx, job, 'scan', { wlid, namespace, container, credentials });
      } catch (err) {
        memory.forget(
          container.slug,
          wlid,
          container.containerName,
          container.imageId || `tag:${container.imageTag}`,
        );
        errors.push(messageOf(err));
      }
    }
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  private async scanPod(pod: PodJson, job: Job): Promise<void> {
    if (pod.status?.phase !== 'Running') return;
    const { ctx } = this.options;
    const namespace = pod.metadata?.namespace ?? '';
    const key = `${namespace}/${pod.metadata?.name ?? ''}`;
    if (!hasParent(pod) && ctx.config.podScanGuardTimeMs > 0) {
      const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
      const wait = created + ctx.config.podScanGuardTimeMs - Date.now();
      if (wait > 0) {
        // A naked pod is scanned only if it lives past the guard time (short-lived debug pods are not).
        if (!this.guardTimers.has(key)) {
          const timer = setTimeout(() => {
            this.guardTimers.delete(key);
            const current = this.informers.get('Pod')?.get(namespace, pod.metadata?.name ?? '') as
              PodJson | undefined;
            if (current && !this.stopped)
              this.options.submit(`image scan of Pod ${key}`, (j) => this.scanPod(current, j));
          }, wait);
          timer.unref();
          this.guardTimers.set(key, timer);
        }
        return;
      }
    }
    const owner = await topOwner({ ...pod, kind: 'Pod' }, this.ownerLookup);
    const wlid = formatWlid(ctx.config.clusterName, namespace, owner.kind, owner.name);
    await this.send(job, wlid, namespace, podContainers(pod), pod.spec);
  }

  /** Whether a pod in the cache belongs to this workload (any phase: its digests come from it). */
  private async hasPods(workload: KubeObjectJson): Promise<boolean> {
    const namespace = workload.metadata?.namespace ?? '';
    const pods = (this.informers.get('Pod')?.list() ?? []).filter(
      (p) => p.metadata?.namespace === namespace && hasParent(p),
    );
    for (const pod of pods) {
      const owner = await topOwner(pod, this.ownerLookup);
      if (owner.kind === workload.kind && owner.name === workload.metadata?.name) return true;
    }
    return false;
  }

  private async scanTemplate(kind: WorkloadKind, obj: KubeObjectJson, job: Job): Promise<void> {
    // Owned ReplicaSets/Jobs are covered by their Deployment/CronJob; naked pods by the pod path.
    if (kind.kind === 'Pod' || hasParent(obj)) return;
    if (await this.hasPods(obj)) return;
    const status = (obj['status'] ?? {}) as Record<string, unknown>;
    // A controller that reports replicas has pods on their way; they bring the digests.
    if (
      ['replicas', 'active', 'currentNumberScheduled'].some(
        (k) => typeof status[k] === 'number' && (status[k] as number) > 0,
      )
    )
      return;
    const namespace = obj.metadata?.namespace ?? '';
    const wlid = formatWlid(
      this.options.ctx.config.clusterName,
      namespace,
      kind.kind,
      obj.metadata?.name ?? '',
    );
    await this.send(job, wlid, namespace, templateContainers(obj), podTemplateOf(obj)?.spec);
  }
}

/** The `kubescapeScan` command of continuous posture scanning. */
export function postureCommand(obj: KubeObjectJson, deleted: boolean): Command {
  return {
    commandName: 'kubescapeScan',
    args: { scanV1: { scanObject: scanObject(obj), isDeletedScanObject: deleted, hostScanner: false } },
  };
}
