import type { KubeObject } from '../../api/index.ts';
import type { TableColumn } from './define.ts';

const annotation = (key: string) => (o: KubeObject) => o.metadata.annotations?.[`kubescape.io/${key}`];
const label = (key: string) => (o: KubeObject) => o.metadata.labels?.[`kubescape.io/${key}`];

function get(o: unknown, path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export const statusColumn: TableColumn = {
  name: 'Status',
  type: 'string',
  description: 'kubescape.io/status annotation',
  value: annotation('status'),
};

export const imageColumn: TableColumn = {
  name: 'Image',
  type: 'string',
  description: 'Image tag the object describes (kubescape.io/image-tag)',
  value: (o) => annotation('image-tag')(o) ?? label('image-tag')(o),
};

export const workloadColumn: TableColumn = {
  name: 'Workload',
  type: 'string',
  description: 'Workload kind/name from the kubescape.io/workload-* labels',
  value: (o) => {
    const kind = label('workload-kind')(o);
    const name = label('workload-name')(o);
    return kind && name ? `${kind}/${name}` : (name ?? '');
  },
};

export const sizeColumn: TableColumn = {
  name: 'Size',
  type: 'string',
  description: 'kubescape.io/resource-size annotation',
  priority: 1,
  value: annotation('resource-size'),
};

export const completionColumn: TableColumn = {
  name: 'Completion',
  type: 'string',
  description: 'kubescape.io/completion annotation',
  priority: 1,
  value: annotation('completion'),
};

const severities = ['Critical', 'High', 'Medium', 'Low'] as const;

/** Counts of matches per severity in a VulnerabilityManifest's grype document. */
export const matchSeverityColumns: TableColumn[] = severities.map((severity) => ({
  name: severity,
  type: 'integer',
  description: `Matches of ${severity} severity`,
  value: (o) => {
    const matches = get(o, ['spec', 'payload', 'matches']);
    if (!Array.isArray(matches)) return 0;
    let n = 0;
    for (const m of matches) if (get(m, ['vulnerability', 'severity']) === severity) n += 1;
    return n;
  },
}));

/** spec.severities.<severity> as a number, or `.all` of it (VulnerabilityManifestSummary shape). */
export const summarySeverityColumns: TableColumn[] = severities.map((severity) => ({
  name: severity,
  type: 'integer',
  description: `${severity} findings`,
  value: (o) => {
    const v = get(o, ['spec', 'severities', severity.toLowerCase()]);
    if (typeof v === 'number') return v;
    const all = get(v, ['all']);
    return typeof all === 'number' ? all : 0;
  },
}));

export const failedControlsColumn: TableColumn = {
  name: 'Failed',
  type: 'integer',
  description: 'Controls that failed for this workload',
  value: (o) => {
    const controls = get(o, ['spec', 'controls']);
    if (!controls || typeof controls !== 'object') return 0;
    return Object.values(controls).filter((c) => get(c, ['status', 'status']) === 'failed').length;
  },
};
