/**
 * What a posture scan does in the cluster (components.md §3.7, §3.8):
 * - a full scan collects the cluster, evaluates the selected controls and writes every result;
 * - single-object scans (continuous scanning) evaluate the object, read fresh, in the context of a
 *   recent collection, and write only its results and those of the RBAC vectors it is part of; a
 *   burst of them shares one collection and one evaluation;
 * - a deleted object's results (and its RBAC vectors') are deleted.
 */
import { resourceToSlug } from '../../api/index.ts';
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import type { K8sObject, PostureReport, ReportResource, ScanRequest } from '../../posture/index.ts';
import {
  allRuleKinds,
  isClusterScoped,
  reportToJson,
  scan,
  toLabelValue,
  toStoredScanResults,
} from '../../posture/index.ts';
import type { ClusterReader, CollectResult } from './collect.ts';
import { ClusterSnapshots } from './cluster-snapshot.ts';
import type { ScanResultWriter, WriteReport } from './result-writer.ts';
import type { ScanExecutor, ScanOutcome, ScanTask } from './scan-queue.ts';
import type { ScanObjectRef, ScanPlan } from './scan-request.ts';
import { describePlan } from './scan-request.ts';

export interface PostureScannerOptions {
  reader: Pick<ClusterReader, 'collect' | 'get' | 'refreshDiscovery'>;
  writer: Pick<ScanResultWriter, 'write' | 'remove' | 'namesMatching' | 'known'>;
  clusterName: string;
  /** Where cluster-scoped and RBAC results go (Kubescape's namespace, `kubescape`). */
  operatorNamespace: string;
  /** How long a collection serves single-object scans. */
  snapshotTtlMs?: number;
  logger?: Logger;
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const SUBJECT_KINDS = new Set(['ServiceAccount', 'User', 'Group']);

const sameNamespace = (a: string | undefined, b: string | undefined) => (a || 'default') === (b || 'default');

function matchesRef(object: { kind?: unknown; metadata?: unknown }, ref: ScanObjectRef): boolean {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  if (object.kind !== ref.kind || metadata.name !== ref.name) return false;
  return isClusterScoped({ kind: ref.kind }) || sameNamespace(metadata.namespace, ref.namespace);
}

/** Whether a report resource is the object, or an RBAC vector the object is part of. */
export function resourceConcerns(resource: ReportResource, ref: ScanObjectRef): boolean {
  const object = resource.object as {
    kind?: unknown;
    name?: unknown;
    namespace?: unknown;
    metadata?: unknown;
    relatedObjects?: unknown;
  };
  if (!Array.isArray(object.relatedObjects)) return matchesRef(object, ref);
  const related = object.relatedObjects as { kind?: unknown; metadata?: unknown }[];
  if (related.some((o) => matchesRef(o, ref))) return true;
  return (
    SUBJECT_KINDS.has(ref.kind) &&
    object.kind === ref.kind &&
    object.name === ref.name &&
    (ref.kind !== 'ServiceAccount' || sameNamespace(object.namespace as string | undefined, ref.namespace))
  );
}

/** The report narrowed to the results that concern one object. */
export function reportFor(report: PostureReport, ref: ScanObjectRef): PostureReport {
  const resources = report.resources.filter((r) => resourceConcerns(r, ref));
  const ids = new Set(resources.map((r) => r.resourceID));
  return { ...report, resources, results: report.results.filter((r) => ids.has(r.resourceID)) };
}

/** Label selectors of the RBAC vectors stored for an object (role, binding or service account). */
export function rbacSelectorsFor(ref: ScanObjectRef): string[] {
  const name = toLabelValue(ref.name);
  const namespace = toLabelValue(ref.namespace || 'default');
  switch (ref.kind) {
    case 'Role':
      return [`kubescape.io/role-name=${name},kubescape.io/role-namespace=${namespace}`];
    case 'ClusterRole':
      return [`kubescape.io/clusterrole-name=${name}`];
    case 'RoleBinding':
      return [`kubescape.io/rolebinding-name=${name},kubescape.io/rolebinding-namespace=${namespace}`];
    case 'ClusterRoleBinding':
      return [`kubescape.io/clusterrolebinding-name=${name}`];
    case 'ServiceAccount':
      return [
        `kubescape.io/rbac-resource=true,kubescape.io/workload-kind=serviceaccount,kubescape.io/workload-name=${name},kubescape.io/workload-namespace=${namespace}`,
      ];
    default:
      return [];
  }
}

function failedWrites(report: WriteReport): string | undefined {
  if (report.failed.length === 0) return undefined;
  const first = report.failed[0]!;
  return `${report.failed.length} of ${report.failed.length + report.written} results could not be written (first: ${first.namespace}/${first.name}: ${first.error})`;
}

export class PostureScanner {
  private readonly logger: Logger;
  private readonly kinds = allRuleKinds();
  private readonly snapshots: ClusterSnapshots;

  constructor(private readonly options: PostureScannerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.snapshots = new ClusterSnapshots(options.reader, this.kinds, options.snapshotTtlMs ?? 5_000);
  }

  /** The queue's executor. */
  readonly execute: ScanExecutor = async (tasks) => {
    const first = tasks[0];
    if (!first) return new Map();
    if (!first.plan.scanObject)
      return new Map([[first.id, await this.guard(first, () => this.fullScan(first))]]);
    if (first.plan.deleted) return new Map([[first.id, await this.guard(first, () => this.deleted(first))]]);
    return this.objectScans(tasks);
  };

  private async guard(task: ScanTask, run: () => Promise<ScanOutcome>): Promise<ScanOutcome> {
    const started = performance.now();
    try {
      const outcome = await run();
      this.logger.info(outcome.kind === 'done' ? 'scan finished' : 'scan failed', {
        id: task.id,
        scan: describePlan(task.plan),
        ms: Math.round(performance.now() - started),
        ...(outcome.kind === 'failed' ? { error: outcome.message } : {}),
      });
      return outcome;
    } catch (err) {
      this.logger.warn('scan failed', { id: task.id, scan: describePlan(task.plan), error: messageOf(err) });
      return { kind: 'failed', message: messageOf(err) };
    }
  }

  private evaluate(
    plan: ScanPlan,
    collected: CollectResult,
    objects: readonly K8sObject[],
    onlyFor?: readonly ScanObjectRef[],
  ): PostureReport {
    const request: ScanRequest = {
      objects: objects.map((object) => ({ object })),
      target: 'cluster',
      excludeControls: plan.excludeControls,
      exceptions: plan.exceptions,
      includeNamespaces: plan.includeNamespaces,
      excludeNamespaces: plan.excludeNamespaces,
      cluster: { name: this.options.clusterName, serverVersion: collected.serverVersion },
      failedKinds: collected.failedKinds,
      targetDescription: this.options.clusterName,
    };
    if (plan.frameworks) request.frameworks = plan.frameworks;
    if (plan.controls) request.controls = plan.controls;
    // Single-object scans evaluate the whole cluster but report (and copy) only their objects.
    if (onlyFor) {
      request.reportResource = (resource) =>
        onlyFor.some((ref) => resourceConcerns(resource as ReportResource, ref));
    }
    return scan(request);
  }

  private stored(report: PostureReport) {
    return toStoredScanResults(report, {
      clusterName: this.options.clusterName,
      operatorNamespace: this.options.operatorNamespace,
    });
  }

  private async fullScan(task: ScanTask): Promise<ScanOutcome> {
    const { plan, signal } = task;
    // A full scan sees the cluster as it is now (and new CRDs), and refreshes what bursts reuse.
    this.options.reader.refreshDiscovery();
    const started = performance.now();
    const collected = await this.snapshots.get(plan, { fresh: true, signal });
    signal.throwIfAborted();
    const collectedAt = performance.now();
    const report = this.evaluate(plan, collected, collected.objects);
    const stored = this.stored(report);
    const evaluatedAt = performance.now();
    const known = await this.options.writer.known();
    const written = await this.options.writer.write(stored, task.id, signal, known);
    this.logger.info('scan results written', {
      id: task.id,
      objects: collected.objects.length,
      results: stored.length,
      failedKinds: collected.failedKinds.map((f) => f.kind),
      collectMs: Math.round(collectedAt - started),
      evaluateMs: Math.round(evaluatedAt - collectedAt),
      writeMs: Math.round(performance.now() - evaluatedAt),
    });
    const failure = failedWrites(written);
    return failure ? { kind: 'failed', message: failure } : { kind: 'done', json: reportToJson(report) };
  }

  private async deleted(task: ScanTask): Promise<ScanOutcome> {
    const ref = task.plan.scanObject!;
    // As Kubescape: an object without a namespace has its results in the operator's namespace.
    const namespace =
      ref.namespace && !isClusterScoped({ kind: ref.kind }) ? ref.namespace : this.options.operatorNamespace;
    const removed: { namespace: string; name: string }[] = [];
    const name = resourceToSlug(ref.kind, ref.name);
    if (await this.options.writer.remove(namespace, name)) removed.push({ namespace, name });
    // RBAC vectors built from the object are gone with it.
    for (const selector of rbacSelectorsFor(ref)) {
      for (const vector of await this.options.writer.namesMatching(
        this.options.operatorNamespace,
        selector,
      )) {
        task.signal.throwIfAborted();
        if (await this.options.writer.remove(this.options.operatorNamespace, vector)) {
          removed.push({ namespace: this.options.operatorNamespace, name: vector });
        }
      }
    }
    this.logger.info('results of a deleted object removed', {
      id: task.id,
      scan: describePlan(task.plan),
      removed: removed.length,
    });
    return { kind: 'done', json: JSON.stringify({ scanObject: ref, deleted: removed }) };
  }

  /** Single-object scans sharing targets: one collection, one evaluation, per-object writes. */
  private async objectScans(tasks: readonly ScanTask[]): Promise<ReadonlyMap<string, ScanOutcome>> {
    const outcomes = new Map<string, ScanOutcome>();
    const started = performance.now();
    const plan = tasks[0]!.plan;
    let collected: CollectResult;
    try {
      collected = await this.snapshots.get(plan, { fresh: false });
    } catch (err) {
      for (const task of tasks) outcomes.set(task.id, { kind: 'failed', message: messageOf(err) });
      return outcomes;
    }
    const targets = new Map<ScanTask, K8sObject>();
    for (const task of tasks) {
      const ref = task.plan.scanObject!;
      try {
        if (!this.kinds.has(ref.kind)) {
          // No control reads this kind: nothing to evaluate or write.
          outcomes.set(task.id, { kind: 'done', json: JSON.stringify({ scanObject: ref, results: [] }) });
          continue;
        }
        const live = await this.options.reader.get(ref, this.kinds, task.signal);
        if (!live) {
          const where = ref.namespace ? `${ref.namespace}/` : '';
          outcomes.set(task.id, {
            kind: 'failed',
            message: `${ref.kind} ${where}${ref.name} not found in the cluster`,
          });
          continue;
        }
        targets.set(task, live);
      } catch (err) {
        outcomes.set(task.id, { kind: 'failed', message: messageOf(err) });
      }
    }
    if (targets.size === 0) return outcomes;
    // The fresh objects replace their (possibly older) copies in the collection.
    const refs = [...targets.keys()].map((t) => t.plan.scanObject!);
    const objects = collected.objects.filter((o) => !refs.some((ref) => matchesRef(o, ref)));
    objects.push(...targets.values());
    let report: PostureReport;
    try {
      report = this.evaluate(plan, collected, objects, refs);
    } catch (err) {
      for (const task of targets.keys()) outcomes.set(task.id, { kind: 'failed', message: messageOf(err) });
      return outcomes;
    }
    for (const task of targets.keys()) {
      outcomes.set(
        task.id,
        await this.guard(task, async () => {
          const own = reportFor(report, task.plan.scanObject!);
          const stored = this.stored(own);
          const written = await this.options.writer.write(stored, task.id, task.signal);
          await this.removeStaleVectors(
            task,
            stored.map((s) => s.summary.metadata.name ?? ''),
          );
          const failure = failedWrites(written);
          return failure ? { kind: 'failed', message: failure } : { kind: 'done', json: reportToJson(own) };
        }),
      );
    }
    this.logger.debug('single-object scans evaluated together', {
      count: tasks.length,
      objects: objects.length,
      ms: Math.round(performance.now() - started),
    });
    return outcomes;
  }

  /** A changed role or binding may no longer grant what it did: drop vectors this scan did not write. */
  private async removeStaleVectors(task: ScanTask, written: readonly string[]): Promise<void> {
    const ref = task.plan.scanObject!;
    if (!RBAC_KINDS.has(ref.kind)) return;
    const keep = new Set(written);
    for (const selector of rbacSelectorsFor(ref)) {
      for (const name of await this.options.writer.namesMatching(this.options.operatorNamespace, selector)) {
        task.signal.throwIfAborted();
        if (!keep.has(name)) await this.options.writer.remove(this.options.operatorNamespace, name);
      }
    }
  }
}
