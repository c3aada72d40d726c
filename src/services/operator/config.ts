/**
 * Operator settings (components.md §2.4 operator `config.json`, clusterData) with the chart's defaults,
 * and the namespace/label filters every watcher and the scoped scan apply.
 */

export const DEFAULT_EXCLUDE_NAMESPACES = ['kubescape', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface OperatorConfig {
  /** Namespace of the operator: CronJobs, ConfigMaps, templates, OperatorCommands live here. */
  namespace: string;
  clusterName: string;
  /** Base URL of the kubescape (posture) API, e.g. http://kubescape:8080. */
  postureUrl: string;
  /** Base URL of kubevuln, e.g. http://kubevuln:8080. */
  kubevulnUrl: string;
  /** When set, only these namespaces are scanned (wins over excludeNamespaces). */
  includeNamespaces: string[];
  excludeNamespaces: string[];
  /** `key` or `key=value`; objects carrying a matching label are not scanned. */
  excludeLabels: string[];
  /** `operator.triggerSecurityFramework`: add the `security` framework to framework scans. */
  triggerSecurityFramework: boolean;
  /** clusterData `defaultFrameworks`: used instead of `all` when a scan names no target. */
  defaultFrameworks: string[];
  /** Naked pods younger than this are scanned only once they reach it (`podScanGuardTime`, 1h). */
  podScanGuardTimeMs: number;
  workerConcurrency: number;
  /** Cooldown of the workload and pod watchers (5 s). */
  cooldownMs: number;
  /** Interval of `GET /v1/status` polling for OperatorCommand-originated posture scans (40 s). */
  postureStatusPollMs: number;
  /** OperatorCommands older than this are ignored (30 min). */
  commandMaxAgeMs: number;
  /** Attempts and pause of the kubevuln POST on "connection refused" (5 retries, 5 s). */
  kubevulnRetries: number;
  kubevulnRetryDelayMs: number;
}

export function defaultOperatorConfig(overrides: Partial<OperatorConfig> = {}): OperatorConfig {
  return {
    namespace: 'kubescape',
    clusterName: 'cluster',
    postureUrl: 'http://kubescape:8080',
    kubevulnUrl: 'http://kubevuln:8080',
    includeNamespaces: [],
    excludeNamespaces: DEFAULT_EXCLUDE_NAMESPACES,
    excludeLabels: [],
    triggerSecurityFramework: true,
    defaultFrameworks: [],
    podScanGuardTimeMs: 3_600_000,
    workerConcurrency: 3,
    cooldownMs: 5_000,
    postureStatusPollMs: 40_000,
    commandMaxAgeMs: 30 * 60_000,
    kubevulnRetries: 5,
    kubevulnRetryDelayMs: 5_000,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
}

/** A comma-separated CLI/config list, empty entries dropped. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Whether a namespace is out of scope: not included when an include list is set, else excluded. */
export function skipNamespace(
  config: Pick<OperatorConfig, 'includeNamespaces' | 'excludeNamespaces'>,
  ns: string,
): boolean {
  if (config.includeNamespaces.length > 0) return !config.includeNamespaces.includes(ns);
  return config.excludeNamespaces.includes(ns);
}

/** Whether labels match one of the `key` / `key=value` exclusions. */
export function hasExcludedLabel(
  config: Pick<OperatorConfig, 'excludeLabels'>,
  labels: Record<string, string> | undefined,
): boolean {
  if (!labels) return false;
  return config.excludeLabels.some((rule) => {
    const eq = rule.indexOf('=');
    if (eq < 0) return Object.hasOwn(labels, rule);
    return labels[rule.slice(0, eq)] === rule.slice(eq + 1);
  });
}
