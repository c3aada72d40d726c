/**
 * The storage's garbage collection (storage-api.md §4): every interval, read what runs from the
 * Kubernetes API, and delete the storage objects of workloads, containers and images that no
 * longer do. The rules live in the storage engine (planCleanup); this is the I/O around them.
 */
import type {
  KubeConfig,
  V1ContainerStatus,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1PodSpec,
  V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeObject } from '../../api/index.ts';
import { InstanceId, PodLabels, formatWlid } from '../../api/index.ts';
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import type { ObjectStore, RunningState } from '../../storage/index.ts';
import {
  addRunningTemplateHash,
  addRunningWlid,
  applyCleanupAction,
  emptyRunningState,
  listCleanupObjects,
  planCleanup,
} from '../../storage/index.ts';

const PAGE_SIZE = 500;

interface Page<T> {
  items: T[];
  metadata?: { _continue?: string };
}

async function listAll<T>(
  what: string,
  list: (page: { limit: number; _continue?: string }) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await list({ limit: PAGE_SIZE, _continue: token });
      items.push(...page.items);
      token = page.metadata?._continue || undefined;
    } while (token);
  } catch (err) {
    throw new KubeguardError(ErrorCodes.remote, `cannot list ${what}: ${messageOf(err)}`, { cause: err });
  }
  return items;
}

/** Owners through which a pod names its workload (k8s-interface's "has a parent" test). */
const WORKLOAD_API_VERSIONS = new Set(['apps/v1', 'batch/v1', 'batch/v1beta1']);

function containerNames(spec: V1PodSpec | undefined): string[] {
  return [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ].map((c) => c.name);
}

/** The pod as `InstanceId.fromPod` reads it: typed client fields carry the JSON names. */
function podObject(pod: V1Pod): KubeObject {
  const m = pod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      labels: m.labels,
      ownerReferences: m.ownerReferences?.map(({ apiVersion, kind, name, uid }) => ({
        apiVersion,
        kind,
        name,
        uid,
      })),
    },
    spec: pod.spec,
  };
}

interface WorkloadRef {
  kind: string;
  name: string;
}

/**
 * The workload a pod belongs to, as its WLID names it: the first owner while it is a workload
 * kind, followed up through ReplicaSet -> Deployment and Job -> CronJob; else the pod itself.
 */
function topOwner(pod: V1Pod, ownersOf: Map<string, V1OwnerReference | undefined>): WorkloadRef {
  const namespace = pod.metadata?.namespace ?? '';
  let current: WorkloadRef = { kind: 'Pod', name: pod.metadata?.name ?? '' };
  let owner = pod.metadata?.ownerReferences?.[0];
  // Owner chains of built-in workloads are at most two deep; the bound guards against cycles.
  for (let depth = 0; owner && WORKLOAD_API_VERSIONS.has(owner.apiVersion) && depth < 4; depth++) {
    current = { kind: owner.kind, name: owner.name };
    owner = ownersOf.get(`${owner.kind}/${namespace}/${owner.name}`);
  }
  return current;
}

function addImageIds(state: RunningState, statuses: V1ContainerStatus[] | undefined): void {
  for (const s of statuses ?? []) if (s.imageID) state.imageIDs.add(s.imageID);
}

interface Workload {
  kind: string;
  metadata?: V1ObjectMeta;
  template?: V1PodTemplateSpec;
}

/**
 * What runs in the cluster: from every pod its instance IDs (containers, init and ephemeral
 * containers), container-status image IDs, `pod-template-hash` and the WLID of its workload with its
 * container names; from every Deployment, ReplicaSet, StatefulSet, DaemonSet, Job and CronJob its
 * WLID with the containers of its pod template, and its `pod-template-hash`. WLIDs are collected
 * without a cluster name. Fails as a whole when any list fails, so that no run judges objects
 * against a partial picture.
 */
export async function collectRunningState(kc: KubeConfig): Promise<RunningState> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const [pods, deployments, replicaSets, statefulSets, daemonSets, jobs, cronJobs] = await Promise.all([
    listAll('pods', (p) => core.listPodForAllNamespaces(p)),
    listAll('deployments', (p) => apps.listDeploymentForAllNamespaces(p)),
    listAll('replicasets', (p) => apps.listReplicaSetForAllNamespaces(p)),
    listAll('statefulsets', (p) => apps.listStatefulSetForAllNamespaces(p)),
    listAll('daemonsets', (p) => apps.listDaemonSetForAllNamespaces(p)),
    listAll('jobs', (p) => batch.listJobForAllNamespaces(p)),
    listAll('cronjobs', (p) => batch.listCronJobForAllNamespaces(p)),
  ]);
  const state = emptyRunningState();

  const workloads: Workload[] = [
    ...deployments.map((w) => ({ kind: 'Deployment', metadata: w.metadata, template: w.spec?.template })),
    ...replicaSets.map((w) => ({ kind: 'ReplicaSet', metadata: w.metadata, template: w.spec?.template })),
    ...statefulSets.map((w) => ({ kind: 'StatefulSet', metadata: w.metadata, template: w.spec?.template })),
    ...daemonSets.map((w) => ({ kind: 'DaemonSet', metadata: w.metadata, template: w.spec?.template })),
    ...jobs.map((w) => ({ kind: 'Job', metadata: w.metadata, template: w.spec?.template })),
    ...cronJobs.map((w) => ({
      kind: 'CronJob',
      metadata: w.metadata,
      template: w.spec?.jobTemplate?.spec?.template,
    })),
  ];
  const ownersOf = new Map<string, V1OwnerReference | undefined>();
  for (const { kind, metadata, template } of workloads) {
    const namespace = metadata?.namespace;
    const name = metadata?.name;
    if (!namespace || !name) continue;
    ownersOf.set(`${kind}/${namespace}/${name}`, metadata.ownerReferences?.[0]);
    addRunningWlid(state, formatWlid('', namespace, kind, name), containerNames(template?.spec));
    // A ReplicaSet of an older revision keeps its hash alive until the Deployment prunes it.
    const hash =
      metadata.labels?.[PodLabels.podTemplateHash] ?? template?.metadata?.labels?.[PodLabels.podTemplateHash];
    if (hash) addRunningTemplateHash(state, namespace, hash);
  }

  for (const pod of pods) {
    const namespace = pod.metadata?.namespace;
    if (!namespace || !pod.metadata?.name) continue;
    for (const id of InstanceId.fromPod(podObject(pod))) state.instanceIDs.add(id.toString());
    const hash = pod.metadata.labels?.[PodLabels.podTemplateHash];
    if (hash) addRunningTemplateHash(state, namespace, hash);
    addImageIds(state, pod.status?.containerStatuses);
    addImageIds(state, pod.status?.initContainerStatuses);
    addImageIds(state, pod.status?.ephemeralContainerStatuses);
    const owner = topOwner(pod, ownersOf);
    addRunningWlid(state, formatWlid('', namespace, owner.kind, owner.name), containerNames(pod.spec));
  }
  return state;
}

export interface CleanupRunOptions {
  store: ObjectStore;
  kc: KubeConfig;
  /** Log what would be deleted, delete nothing. */
  dryRun?: boolean;
  logger?: Logger;
  /** Checked once the cluster has answered: true means the store may be closed, so touch nothing. */
  isStopped?: () => boolean;
}

export interface CleanupRunResult {
  /** Objects deleted (dry run: that would be). */
  deleted: number;
  /** Objects looked at and kept, including planned deletions skipped because the object changed. */
  kept: number;
  durationMs: number;
}

/** One garbage collection run; rejects when the running state cannot be read. */
export async function runCleanup(options: CleanupRunOptions): Promise<CleanupRunResult | undefined> {
  const { store, kc, dryRun = false } = options;
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  // Objects are listed before the cluster is read, so every object judged predates the state: one
  // written for a pod that starts meanwhile is left for the next run instead of being judged
  // against a state that lacks the pod.
  const objects = listCleanupObjects(store);
  const state = await collectRunningState(kc);
  if (options.isStopped?.()) return undefined;
  const total = [...objects.values()].reduce((n, list) => n + list.length, 0);
  let deleted = 0;
  for (const action of planCleanup(state, objects)) {
    const what = `${action.resource} ${action.namespace ? `${action.namespace}/` : ''}${action.name}`;
    if (dryRun) {
      logger.info(`cleanup: would delete ${what}`, { reason: action.reason });
      deleted++;
      continue;
    }
    const outcome = applyCleanupAction(store, action);
    if (outcome === 'deleted') {
      logger.info(`cleanup: deleted ${what}`, { reason: action.reason });
      deleted++;
    } else {
      logger.debug(`cleanup: skipped ${what}`, { outcome });
    }
  }
  const durationMs = Math.round(performance.now() - started);
  logger.info(
    `cleanup: ${deleted} ${dryRun ? 'would be deleted' : 'deleted'}, ${total - deleted} kept, took ${durationMs} ms`,
  );
  return { deleted, kept: total - deleted, durationMs };
}

export interface CleanupLoopOptions extends Omit<CleanupRunOptions, 'isStopped'> {
  /** Time between the end of one run and the start of the next; 0 or less disables the loop. */
  intervalMs: number;
  /** Time before the first run: one minute, or the interval when shorter. */
  initialDelayMs?: number;
}

/** setTimeout fires at once for delays above 2^31-1 ms (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `24h`, `10m`, `30s` or `1500ms`: the largest unit that divides the duration. */
function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Runs garbage collection shortly after start and then every interval. Runs never overlap (the
 * next is scheduled when one ends); a failed run is logged and the next one tried as scheduled.
 * Returns a function that stops the loop; a run that is waiting on the cluster then ends without
 * touching the store, so the store may be closed right after.
 */
export function startCleanupLoop(options: CleanupLoopOptions): () => void {
  const logger = options.logger ?? silentLogger;
  if (!(options.intervalMs > 0)) {
    logger.info('cleanup: disabled');
    return () => {};
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(run, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
    timer.unref();
  };
  const run = () => {
    runCleanup({ ...options, logger, isStopped: () => stopped })
      .catch((err: unknown) =>
        logger.error(`cleanup failed; next try in ${formatDuration(options.intervalMs)}`, {
          error: messageOf(err),
        }),
      )
      .finally(() => schedule(options.intervalMs));
  };
  schedule(options.initialDelayMs ?? Math.min(60_000, options.intervalMs));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
