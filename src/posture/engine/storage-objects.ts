/**
 * The in-cluster form of posture results (controls.md §4.4, storage-api.md §2.8): one
 * WorkloadConfigurationScan and one WorkloadConfigurationScanSummary per scanned resource, named,
 * labelled and annotated as Kubescape's operator does, plus the re-scan merge rule.
 */
import {
  API_VERSION,
  MetadataKeys,
  formatWlid,
  rbacToSlug,
  resourceToSlug,
  type ScannedControl,
  type ScannedControlRule,
  type ScannedControlStatus,
  type ScannedControlSummary,
  type WorkloadConfigurationScan,
  type WorkloadConfigurationScanSeverities,
  type WorkloadConfigurationScanSummary,
  type WorkloadConfigurationScanSummarySpec,
  type WorkloadScanRelatedObject,
} from '../../api/index.ts';
import type { K8sObject, SubjectVector } from '../model.ts';
import { isClusterScoped, splitApiVersion } from '../objects.ts';
import { isSubjectVector } from '../rbac.ts';
import type {
  PostureReport,
  ResourceControlResult,
  ResourceResult,
  Status,
  StatusInfo,
  SubStatus,
} from '../report/model.ts';
import { mergeStatusInfo } from './status.ts';

export interface StorageObjectOptions {
  clusterName: string;
  /** Namespace for cluster-scoped resources and RBAC vectors (the operator's, e.g. `kubescape`). */
  operatorNamespace: string;
}

export interface StoredScanResult {
  resourceID: string;
  scan: WorkloadConfigurationScan;
  summary: WorkloadConfigurationScanSummary;
}

/** A valid label value: `[A-Za-z0-9-_.]` only, lower case, at most 63 characters, alphanumeric ends. */
export function toLabelValue(value: string): string {
  return value
    .replace(/[^A-Za-z0-9\-_.]/g, '-')
    .toLowerCase()
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

function labelsFor(object: K8sObject): Record<string, string> {
  const { group, version } = splitApiVersion(object.apiVersion);
  const labels: Record<string, string> = {
    [MetadataKeys.workloadApiGroup]: toLabelValue(group),
    [MetadataKeys.workloadApiVersion]: toLabelValue(version),
    [MetadataKeys.workloadKind]: toLabelValue(object.kind),
    [MetadataKeys.workloadName]: toLabelValue(object.metadata?.name ?? ''),
  };
  if (!isClusterScoped(object) && object.metadata?.namespace) {
    labels[MetadataKeys.workloadNamespace] = toLabelValue(object.metadata.namespace);
  }
  return labels;
}

/** Kubescape labels an RBAC result with its subject (as a workload) and its role and binding. */
function rbacLabels(vector: SubjectVector): Record<string, string> {
  const [binding, role] = vector.relatedObjects;
  const labels: Record<string, string> = {
    [MetadataKeys.workloadApiGroup]: toLabelValue(vector.apiGroup ?? ''),
    [MetadataKeys.workloadKind]: toLabelValue(vector.kind),
    [MetadataKeys.workloadName]: toLabelValue(vector.name),
    [MetadataKeys.rbacResource]: 'true',
  };
  if (vector.namespace) labels[MetadataKeys.workloadNamespace] = toLabelValue(vector.namespace);
  if (role.kind === 'ClusterRole')
    labels[MetadataKeys.clusterRoleName] = toLabelValue(role.metadata?.name ?? '');
  else {
    labels[MetadataKeys.roleName] = toLabelValue(role.metadata?.name ?? '');
    labels[MetadataKeys.roleNamespace] = toLabelValue(role.metadata?.namespace ?? '');
  }
  if (binding.kind === 'ClusterRoleBinding') {
    labels[MetadataKeys.clusterRoleBindingName] = toLabelValue(binding.metadata?.name ?? '');
  } else {
    labels[MetadataKeys.roleBindingName] = toLabelValue(binding.metadata?.name ?? '');
    labels[MetadataKeys.roleBindingNamespace] = toLabelValue(binding.metadata?.namespace ?? '');
  }
  return labels;
}

function relatedObject(obj: K8sObject): WorkloadScanRelatedObject {
  const { group, version } = splitApiVersion(obj.apiVersion);
  return {
    namespace: obj.metadata?.namespace ?? '',
    apiGroup: group,
    apiVersion: version,
    kind: obj.kind,
    name: obj.metadata?.name ?? '',
  };
}

function toScannedControl(result: ResourceControlResult, scoreFactor: number): ScannedControl {
  return {
    controlID: result.controlID,
    name: result.name,
    severity: { severity: result.severity, scoreFactor },
    status: {
      status: result.status.status,
      subStatus: result.status.subStatus ?? '',
      info: result.status.info ?? '',
    },
    rules: result.rules.map((rule): ScannedControlRule => ({
      name: rule.name,
      status: { status: rule.status, subStatus: rule.subStatus },
      controlConfigurations: { ...(rule.controlConfigurations ?? {}) },
      // Only failed paths, fix paths and fix commands are stored (review/delete paths are dropped).
      paths: (rule.paths ?? [])
        .filter((p) => p.failedPath !== undefined || p.fixPath !== undefined || p.fixCommand !== undefined)
        .map((p) => ({
          failedPath: p.failedPath ?? '',
          fixPath: p.fixPath?.path ?? '',
          fixPathValue: p.fixPath?.value ?? '',
          fixCommand: p.fixCommand ?? '',
        })),
      appliedIgnoreRules: (rule.exception ?? []).map((e) => e.name),
      relatedResourcesIDs: rule.relatedResourcesIDs ?? [],
    })),
  };
}

function severities(
  controls: Iterable<{ severity: { severity: string }; status: { status: string } }>,
): WorkloadConfigurationScanSeverities {
  const counts: WorkloadConfigurationScanSeverities = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const control of controls) {
    if (control.status.status !== 'failed') continue;
    const key = control.severity.severity.toLowerCase() as keyof WorkloadConfigurationScanSeverities;
    counts[key in counts ? key : 'unknown']++;
  }
  return counts;
}

/** Builds the stored objects for one result of a report. */
export function toStoredScanResult(
  result: ResourceResult,
  object: K8sObject | SubjectVector,
  scoreFactors: ReadonlyMap<string, number>,
  options: StorageObjectOptions,
): StoredScanResult {
  let name: string;
  let namespace: string;
  let labels: Record<string, string>;
  const annotations: Record<string, string> = {};
  let related: WorkloadScanRelatedObject[] = [];
  if (isSubjectVector(object)) {
    const [binding, role] = object.relatedObjects;
    name = rbacToSlug(
      { kind: object.kind, name: object.name },
      { kind: role.kind, name: role.metadata?.name ?? '' },
      { kind: binding.kind, name: binding.metadata?.name ?? '' },
    );
    namespace = options.operatorNamespace;
    labels = rbacLabels(object);
    // As Kubescape: the WLID of an RBAC result is the binding's.
    annotations[MetadataKeys.wlid] = formatWlid(
      options.clusterName,
      binding.kind === 'ClusterRoleBinding' ? '' : binding.metadata?.namespace || 'default',
      binding.kind,
      binding.metadata?.name ?? '',
    );
    related = [relatedObject(binding), relatedObject(role)];
  } else {
    const obj = object as K8sObject;
    name = resourceToSlug(obj.kind, obj.metadata?.name ?? '');
    const ownNamespace = isClusterScoped(obj) ? undefined : obj.metadata?.namespace || 'default';
    namespace = ownNamespace ?? options.operatorNamespace;
    labels = labelsFor(obj);
    annotations[MetadataKeys.wlid] = formatWlid(
      options.clusterName,
      ownNamespace ?? '',
      obj.kind,
      obj.metadata?.name ?? '',
    );
  }
  const controls: Record<string, ScannedControl> = {};
  for (const control of result.controls) {
    controls[control.controlID] = toScannedControl(control, scoreFactors.get(control.controlID) ?? 0);
  }
  const metadata = { name, namespace, labels, annotations };
  const scan: WorkloadConfigurationScan = {
    apiVersion: API_VERSION,
    kind: 'WorkloadConfigurationScan',
    metadata: structuredClone(metadata),
    spec: { controls, relatedObjects: related },
  };
  const summary: WorkloadConfigurationScanSummary = {
    apiVersion: API_VERSION,
    kind: 'WorkloadConfigurationScanSummary',
    metadata: structuredClone(metadata),
    spec: summarySpecOf(controls),
  };
  return { resourceID: result.resourceID, scan, summary };
}

/** Every stored object of a report (one pair per result). */
export function toStoredScanResults(
  report: PostureReport,
  options: StorageObjectOptions,
): StoredScanResult[] {
  const objects = new Map(report.resources.map((r) => [r.resourceID, r.object as K8sObject | SubjectVector]));
  const scoreFactors = new Map(
    Object.values(report.summaryDetails.controls).map((c) => [c.controlID, c.scoreFactor]),
  );
  const stored: StoredScanResult[] = [];
  for (const result of report.results) {
    const object = objects.get(result.resourceID);
    if (object) stored.push(toStoredScanResult(result, object, scoreFactors, options));
  }
  return stored;
}

/** The scan that wrote an object (`kubescape.io/scan-id`), when known. */
function scanIdOf(object: { metadata: { annotations?: Record<string, string> } }): string | undefined {
  return object.metadata.annotations?.[MetadataKeys.scanId] || undefined;
}

function sameScan(
  a: { metadata: { annotations?: Record<string, string> } },
  b: { metadata: { annotations?: Record<string, string> } },
): boolean {
  const id = scanIdOf(a);
  return id !== undefined && id === scanIdOf(b);
}

function asStatusInfo(status: { status: string; subStatus?: string; info?: string }): StatusInfo {
  return {
    status: status.status as Status,
    subStatus: (status.subStatus ?? '') as SubStatus,
    ...(status.info ? { info: status.info } : {}),
  };
}

/** The merged status of two results of one control, worst first (controls.md §3.1 sub-status rules). */
function worstStatus(
  a: ScannedControlStatus,
  b: ScannedControlStatus,
): { status: ScannedControlStatus; aIsWorse: boolean } {
  const merged = mergeStatusInfo(asStatusInfo(a), asStatusInfo(b));
  // Equal statuses keep `a` (the fresh result).
  const aIsWorse = merged.status === a.status;
  const info = merged.info ?? (aIsWorse ? a.info : b.info);
  return { status: { status: merged.status, subStatus: merged.subStatus ?? '', info }, aIsWorse };
}

/** Two partial results of one scan (two resources sharing one object name): union, worst status wins. */
function unionOfOneScan<C extends { status: ScannedControlStatus }>(
  existing: Record<string, C>,
  fresh: Record<string, C>,
): Record<string, C> {
  const controls: Record<string, C> = { ...existing };
  for (const [id, control] of Object.entries(fresh)) {
    const previous = existing[id];
    if (!previous) {
      controls[id] = control;
      continue;
    }
    const { status, aIsWorse } = worstStatus(control.status, previous.status);
    controls[id] = { ...(aIsWorse ? control : previous), status };
  }
  return controls;
}

function mergeMetadata<T extends WorkloadConfigurationScan | WorkloadConfigurationScanSummary>(
  existing: T,
  fresh: T,
): T['metadata'] {
  return {
    ...existing.metadata,
    ...fresh.metadata,
    labels: { ...existing.metadata.labels, ...fresh.metadata.labels },
    annotations: { ...existing.metadata.annotations, ...fresh.metadata.annotations },
  };
}

/**
 * Re-scan merge (components.md §3.4). A newer scan is the truth: its controls replace the stored
 * ones and controls absent from it are dropped, so fixing a resource clears its failures. Two
 * writes of one scan (`kubescape.io/scan-id` equal: resources whose names collide into one object)
 * are merged instead: the union of their controls, the worst status winning for a control in both.
 */
export function mergeWorkloadConfigurationScan(
  existing: WorkloadConfigurationScan,
  fresh: WorkloadConfigurationScan,
): WorkloadConfigurationScan {
  if (!sameScan(existing, fresh)) {
    return { ...fresh, metadata: mergeMetadata(existing, fresh) };
  }
  const related = [...(existing.spec.relatedObjects ?? [])];
  const key = (o: WorkloadScanRelatedObject) => `${o.apiGroup}/${o.namespace}/${o.kind}/${o.name}`;
  const known = new Set(related.map(key));
  for (const o of fresh.spec.relatedObjects ?? []) if (!known.has(key(o))) related.push(o);
  return {
    ...fresh,
    metadata: mergeMetadata(existing, fresh),
    spec: {
      controls: unionOfOneScan(existing.spec.controls ?? {}, fresh.spec.controls),
      relatedObjects: related,
    },
  };
}

/** The summary of a WorkloadConfigurationScan's controls (failed controls counted by severity). */
export function summarySpecOf(
  controls: Record<string, ScannedControl | ScannedControlSummary>,
): WorkloadConfigurationScanSummarySpec {
  const summaries = Object.values(controls).map((c): ScannedControlSummary => ({
    controlID: c.controlID,
    severity: c.severity,
    status: c.status,
  }));
  return {
    severities: severities(summaries),
    controls: Object.fromEntries(summaries.map((c) => [c.controlID, c])),
  };
}

/** The summary counterpart of `mergeWorkloadConfigurationScan`; severities are recounted. */
export function mergeWorkloadConfigurationScanSummary(
  existing: WorkloadConfigurationScanSummary,
  fresh: WorkloadConfigurationScanSummary,
): WorkloadConfigurationScanSummary {
  const controls = sameScan(existing, fresh)
    ? unionOfOneScan(existing.spec.controls ?? {}, fresh.spec.controls)
    : fresh.spec.controls;
  return { ...fresh, metadata: mergeMetadata(existing, fresh), spec: summarySpecOf(controls) };
}
