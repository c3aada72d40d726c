/**
 * Read-only views over a PostureReport shared by the renderers: controls by severity, failed
 * resources per control, how to name a resource, paths of a finding.
 */
import type {
  ControlSummary,
  PostureReport,
  PosturePath,
  ReportResource,
  ResourceControlResult,
  ResourceCounters,
  ResourceSource,
  SeverityName,
  StatusInfo,
} from './model.ts';
import { SEVERITIES, severityOf, type ControlInfo, type ControlLookup } from './meta.ts';

export function severityRank(severity: SeverityName): number {
  const rank = SEVERITIES.indexOf(severity);
  return rank < 0 ? SEVERITIES.length : rank;
}

export function controlSeverity(control: ControlSummary): SeverityName {
  return control.severity ?? severityOf(control.scoreFactor);
}

/** Summary controls, most severe first, then by control ID. */
export function controlsBySeverity(report: PostureReport): ControlSummary[] {
  return Object.values(report.summaryDetails.controls).sort(
    (a, b) =>
      severityRank(controlSeverity(a)) - severityRank(controlSeverity(b)) ||
      compareIds(a.controlID, b.controlID),
  );
}

export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function totalResources(counters: ResourceCounters): number {
  return (
    counters.passedResources +
    counters.failedResources +
    counters.skippedResources +
    counters.excludedResources
  );
}

/** `failed`, `passed (w/exceptions)`, `skipped (configuration)`, ... */
export function statusText(info: StatusInfo): string {
  return info.subStatus ? `${info.status} (${info.subStatus})` : info.status;
}

/** Control metadata, falling back to what the report itself knows. */
export function controlInfo(control: ControlSummary, meta: ControlLookup): ControlInfo {
  const known = meta(control.controlID);
  return {
    id: control.controlID,
    name: known?.name || control.name,
    description: known?.description ?? '',
    remediation: known?.remediation ?? '',
    baseScore: known?.baseScore ?? control.scoreFactor,
  };
}

/** Percentage with up to two decimals, as Kubescape prints scores (`61.25`). */
export function formatScore(score: number): string {
  return `${Number.isFinite(score) ? Math.round(score * 100) / 100 : 0}`;
}

/** Kubescape's headline number: rounded, clamped to 0–100. */
export function overallScore(report: PostureReport): number {
  const score = report.summaryDetails.complianceScore;
  return Number.isFinite(score) ? Math.min(100, Math.max(0, Math.round(score))) : 0;
}

// ---------------------------------------------------------------------------------------------
// Resources

export interface ResourceName {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Human form: `Deployment default/web`, `ClusterRole admin`, `User alice (ClusterRoleBinding x → ClusterRole y)`. */
  display: string;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Names a resource from its (sanitized) object, else from its resource ID. */
export function nameResource(resourceID: string, resource: ReportResource | undefined): ResourceName {
  const object = record(resource?.object);
  const metadata = record(object.metadata);
  if (text(object.kind) && (text(metadata.name) || !Array.isArray(object.relatedObjects))) {
    const kind = text(object.kind);
    const namespace = text(metadata.namespace);
    const name = text(metadata.name);
    return {
      apiVersion: text(object.apiVersion),
      kind,
      namespace,
      name,
      display: `${kind} ${namespace ? `${namespace}/` : ''}${name}`,
    };
  }
  if (Array.isArray(object.relatedObjects)) {
    // An RBAC subject vector: the subject, with the binding and role that grant it.
    const kind = text(object.kind);
    const namespace = text(object.namespace);
    const name = text(object.name);
    const via = object.relatedObjects
      .map((related) => {
        const r = record(related);
        return `${text(r.kind)} ${text(record(r.metadata).name)}`.trim();
      })
      .filter((part) => part !== '')
      .join(' → ');
    return {
      apiVersion: text(object.apiGroup),
      kind,
      namespace,
      name,
      display: `${kind} ${namespace ? `${namespace}/` : ''}${name}${via ? ` (${via})` : ''}`,
    };
  }
  return nameFromId(resourceID);
}

/** `<group>/<version>/<namespace>/<Kind>/<name>`; anything else is shown as the ID itself. */
function nameFromId(resourceID: string): ResourceName {
  const parts = resourceID.split('/');
  if (parts.length === 5) {
    const [group, version, namespace, kind, name] = parts as [string, string, string, string, string];
    return {
      apiVersion: group ? `${group}/${version}` : version,
      kind,
      namespace,
      name,
      display: `${kind} ${namespace ? `${namespace}/` : ''}${name}`,
    };
  }
  if (parts.length === 4) {
    const [group, version, kind, name] = parts as [string, string, string, string];
    return { apiVersion: `${group}/${version}`, kind, namespace: '', name, display: `${kind} ${name}` };
  }
  return { apiVersion: '', kind: '', namespace: '', name: resourceID, display: resourceID };
}

/** `deploy/web.yaml:12`, `deploy/web.yaml`, or '' for cluster resources. */
export function sourceText(source: ResourceSource | undefined): string {
  if (!source?.relativePath) return '';
  return source.line ? `${source.relativePath}:${source.line}` : source.relativePath;
}

/** A file-backed resource: it came from a file that can be read again (not stdin, not a cluster). */
export function isFileBacked(source: ResourceSource | undefined): source is ResourceSource {
  return Boolean(source?.path && source.relativePath);
}

export interface FailedResource {
  resourceID: string;
  resource: ReportResource | undefined;
  control: ResourceControlResult;
}

/** Lookups over `results` and `resources`, built once per render. */
export class ReportIndex {
  readonly resources = new Map<string, ReportResource>();
  private readonly failedByControl = new Map<string, FailedResource[]>();

  constructor(readonly report: PostureReport) {
    for (const resource of report.resources) this.resources.set(resource.resourceID, resource);
    for (const result of report.results) {
      for (const control of result.controls) {
        if (control.status.status !== 'failed') continue;
        const list = this.failedByControl.get(control.controlID) ?? [];
        list.push({
          resourceID: result.resourceID,
          resource: this.resources.get(result.resourceID),
          control,
        });
        this.failedByControl.set(control.controlID, list);
      }
    }
  }

  /** Resources a control failed on, in results order (sorted by resource ID). */
  failedResources(controlID: string): FailedResource[] {
    return this.failedByControl.get(controlID) ?? [];
  }
}

export interface FindingPaths {
  failed: string[];
  fix: { path: string; value: string }[];
  review: string[];
  delete: string[];
  commands: string[];
}

/** Paths of a resource's failed rules for a control, in rule order, without duplicates. */
export function findingPaths(control: ResourceControlResult): FindingPaths {
  const paths: FindingPaths = { failed: [], fix: [], review: [], delete: [], commands: [] };
  const seen = new Set<string>();
  const add = <T>(list: T[], value: T, key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    list.push(value);
  };
  for (const rule of control.rules) {
    if (rule.status !== 'failed') continue;
    for (const entry of rule.paths ?? ([] as PosturePath[])) {
      if (entry.failedPath) add(paths.failed, entry.failedPath, `f:${entry.failedPath}`);
      if (entry.fixPath) add(paths.fix, entry.fixPath, `x:${entry.fixPath.path}=${entry.fixPath.value}`);
      if (entry.reviewPath) add(paths.review, entry.reviewPath, `r:${entry.reviewPath}`);
      if (entry.deletePath) add(paths.delete, entry.deletePath, `d:${entry.deletePath}`);
      if (entry.fixCommand) add(paths.commands, entry.fixCommand, `c:${entry.fixCommand}`);
    }
  }
  return paths;
}

/** What a scan looked at: the cluster, or the scanned paths. */
export function scanTarget(report: PostureReport): string {
  if (report.clusterName) return report.clusterName;
  for (const value of Object.values(report.metadata.targetMetadata ?? {})) {
    const context = record(value);
    const target =
      text(context.filePath) || text(context.basePath) || text(context.path) || text(context.url);
    if (target) return target;
  }
  return report.metadata.scanMetadata.targetType || 'unknown';
}
