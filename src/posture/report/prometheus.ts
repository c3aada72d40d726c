/**
 * Prometheus text exposition (0.0.4) of Kubescape's metrics (controls.md §4.2): cluster,
 * framework, control and resource families, integer values, each family once with HELP and TYPE.
 */
import type { ControlSummary, PostureReport, ResourceCounters, Status } from './model.ts';
import { controlDocLink, type ControlLookup } from './meta.ts';
import { ReportIndex, compareIds, controlInfo, controlSeverity, nameResource } from './view.ts';

type Labels = Record<string, string>;

interface Family {
  help: string;
  samples: Map<string, { labels: Labels; value: number }>;
}

/** Label values escape backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and newline. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([key, v]) => `${key}="${escapeLabelValue(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${value}`;
}

const integer = (value: number): number => (Number.isFinite(value) ? Math.round(value) : 0);

class Families {
  private readonly families = new Map<string, Family>();

  /** A second sample with the same labels is added to the first: a series may appear only once. */
  add(name: string, help: string, labels: Labels, value: number): void {
    let family = this.families.get(name);
    if (!family) {
      family = { help, samples: new Map() };
      this.families.set(name, family);
    }
    const key = JSON.stringify(labels);
    const existing = family.samples.get(key);
    if (existing) existing.value += integer(value);
    else family.samples.set(key, { labels, value: integer(value) });
  }

  counters(
    prefix: string,
    what: string,
    labels: Labels,
    counts: Record<'failed' | 'skipped' | 'passed', number>,
  ): void {
    for (const status of ['failed', 'skipped', 'passed'] as const)
      this.add(
        `${prefix}_count_${what}_${status}`,
        `Number of ${what === 'control' ? 'controls' : what} ${status}`,
        labels,
        counts[status],
      );
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} gauge`);
      for (const { labels, value } of family.samples.values()) lines.push(sample(name, labels, value));
    }
    return `${lines.join('\n')}\n`;
  }
}

function resourceCounts(counters: ResourceCounters): Record<'failed' | 'skipped' | 'passed', number> {
  return {
    failed: counters.failedResources,
    skipped: counters.skippedResources,
    passed: counters.passedResources,
  };
}

function controlCounts(controls: ControlSummary[]): Record<Status, number> {
  const counts: Record<Status, number> = { failed: 0, skipped: 0, passed: 0 };
  for (const control of controls) counts[control.status]++;
  return counts;
}

export function renderPrometheus(report: PostureReport, meta: ControlLookup): string {
  const summary = report.summaryDetails;
  const controls = Object.values(summary.controls).sort((a, b) => compareIds(a.controlID, b.controlID));
  const out = new Families();

  out.add(
    'kubescape_cluster_complianceScore',
    'Overall compliance score (0-100)',
    {},
    summary.complianceScore,
  );
  // Share of controls that could be evaluated (not skipped for missing data).
  const evaluated = controls.filter((c) => c.statusInfo.subStatus !== 'notEvaluated').length;
  out.add(
    'kubescape_cluster_coverage_score',
    'Share of controls evaluated (0-100)',
    {},
    controls.length ? (100 * evaluated) / controls.length : 100,
  );
  out.counters('kubescape_cluster', 'resources', {}, resourceCounts(summary.ResourceCounters));
  out.counters('kubescape_cluster', 'control', {}, controlCounts(controls));

  for (const framework of summary.frameworks) {
    const labels = { name: framework.name };
    out.add(
      'kubescape_framework_complianceScore',
      'Compliance score of the framework (0-100)',
      labels,
      framework.complianceScore,
    );
    out.counters('kubescape_framework', 'resources', labels, resourceCounts(framework.ResourceCounters));
    out.counters('kubescape_framework', 'control', labels, controlCounts(Object.values(framework.controls)));
  }

  for (const control of controls) {
    const labels = {
      name: controlInfo(control, meta).name,
      controlID: control.controlID,
      severity: controlSeverity(control),
      link: controlDocLink(control.controlID),
    };
    out.add(
      'kubescape_control_complianceScore',
      'Compliance score of the control (0-100)',
      labels,
      control.complianceScore,
    );
    out.counters('kubescape_control', 'resources', labels, resourceCounts(control.ResourceCounters));
  }

  // Only resources with something to fix: passed resources would only add series.
  const index = new ReportIndex(report);
  for (const result of report.results) {
    const failed = result.controls.filter((c) => c.status.status === 'failed').length;
    const skipped = result.controls.filter((c) => c.status.status === 'skipped').length;
    if (failed === 0 && skipped === 0) continue;
    const name = nameResource(result.resourceID, index.resources.get(result.resourceID));
    const labels = {
      apiVersion: name.apiVersion,
      kind: name.kind,
      namespace: name.namespace,
      name: name.name,
    };
    out.add(
      'kubescape_resource_count_controls_failed',
      'Number of controls failed on the resource',
      labels,
      failed,
    );
    out.add(
      'kubescape_resource_count_controls_skipped',
      'Number of controls skipped on the resource',
      labels,
      skipped,
    );
  }
  return out.render();
}
