import type { KubeObject } from '../../api/index.ts';
import { API_VERSION } from '../../api/index.ts';
import type { VirtualKind, VirtualReadContext } from '../kinds/define.ts';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const vulnSeverities = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
const configSeverities = ['critical', 'high', 'medium', 'low', 'unknown'] as const;

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function spec(o: KubeObject): Record<string, unknown> {
  return (o.spec ?? {}) as Record<string, unknown>;
}

function virtualMeta(name: string, ctx: VirtualReadContext) {
  return { name, creationTimestamp: now(), resourceVersion: String(ctx.resourceVersion()) };
}

/** VulnerabilitySummary <ns>: the VulnerabilityManifestSummaries of a namespace, added up. */
function vulnerabilitySummary(ctx: VirtualReadContext, namespace: string): KubeObject | undefined {
  const summaries = ctx.listFull('vulnerabilitymanifestsummaries', namespace);
  if (summaries.length === 0) return undefined;
  const totals = Object.fromEntries(vulnSeverities.map((s) => [s, { all: 0, relevant: 0 }]));
  for (const summary of summaries) {
    const severities = (spec(summary).severities ?? {}) as Record<
      string,
      { all?: unknown; relevant?: unknown }
    >;
    for (const s of vulnSeverities) {
      totals[s]!.all += num(severities[s]?.all);
      totals[s]!.relevant += num(severities[s]?.relevant);
    }
  }
  return {
    apiVersion: API_VERSION,
    kind: 'VulnerabilitySummary',
    metadata: virtualMeta(namespace, ctx),
    spec: {
      severities: Object.fromEntries(
        vulnSeverities.map((s) => [s, totals[s]!.relevant > 0 ? totals[s] : { all: totals[s]!.all }]),
      ),
      vulnerabilitiesRef: summaries.map((o) => ({
        namespace: o.metadata.namespace,
        name: o.metadata.name,
        kind: 'vulnerabilitymanifestsummary',
      })),
    },
  };
}

/** ConfigurationScanSummary <ns>: the WorkloadConfigurationScanSummaries of a namespace, added up. */
function configurationScanSummary(ctx: VirtualReadContext, namespace: string): KubeObject | undefined {
  const summaries = ctx.listFull('workloadconfigurationscansummaries', namespace);
  if (summaries.length === 0) return undefined;
  const totals = Object.fromEntries(configSeverities.map((s) => [s, 0]));
  for (const summary of summaries) {
    const severities = (spec(summary).severities ?? {}) as Record<string, unknown>;
    for (const s of configSeverities) totals[s]! += num(severities[s]);
  }
  return {
    apiVersion: API_VERSION,
    kind: 'ConfigurationScanSummary',
    metadata: virtualMeta(namespace, ctx),
    spec: {
      severities: totals,
      summaryRef: summaries.map((o) => ({
        namespace: o.metadata.namespace,
        kind: 'WorkloadConfigurationScanSummary',
        name: o.metadata.name,
      })),
    },
  };
}

function perNamespace(
  source: string,
  build: (ctx: VirtualReadContext, ns: string) => KubeObject | undefined,
): VirtualKind {
  return {
    get: (ctx, _namespace, name) => build(ctx, name),
    list: (ctx) =>
      ctx
        .namespacesOf(source)
        .map((ns) => build(ctx, ns))
        .filter((o): o is KubeObject => o !== undefined),
  };
}

export const vulnerabilitySummaries = perNamespace('vulnerabilitymanifestsummaries', vulnerabilitySummary);
export const configurationScanSummaries = perNamespace(
  'workloadconfigurationscansummaries',
  configurationScanSummary,
);
