import type { KubeObject } from '../../api/index.ts';
import type { KindDefinition, TableColumn } from '../kinds/define.ts';

/** meta.k8s.io/v1 Table, what `kubectl get` asks for (Accept: ...;as=Table;g=meta.k8s.io;v=v1). */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: { name: string; type: string; format: string; description: string; priority: number }[];
  rows: { cells: unknown[]; object: unknown }[];
}

const nameColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name of the object',
  priority: 0,
};
const ageColumn = {
  name: 'Age',
  type: 'string',
  format: '',
  description: 'Time since creation',
  priority: 0,
};

/** Kubernetes' "human duration": 5s, 3m12s, 4h, 2d3h, 45d, 3y. */
export function humanAge(created: string | null | undefined, now = Date.now()): string {
  if (!created) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (Number.isNaN(seconds)) return '<unknown>';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return `${days}d${hours % 24 ? `${hours % 24}h` : ''}`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

function cell(column: TableColumn, object: KubeObject): unknown {
  try {
    const v = column.value(object);
    return v === undefined ? (column.type === 'integer' || column.type === 'number' ? 0 : '') : v;
  } catch {
    return '';
  }
}

/** Rows carry the object as PartialObjectMetadata, as kube-apiserver does by default. */
export function toTable(
  kind: KindDefinition,
  objects: KubeObject[],
  listMeta: Table['metadata'],
  options: { includeColumns?: boolean } = {},
): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions:
      options.includeColumns === false
        ? []
        : [
            nameColumn,
            ...kind.columns.map((c) => ({
              name: c.name,
              type: c.type,
              format: '',
              description: c.description,
              priority: c.priority ?? 0,
            })),
            ageColumn,
          ],
    rows: objects.map((o) => ({
      cells: [
        o.metadata.name ?? '',
        ...kind.columns.map((c) => cell(c, o)),
        humanAge(o.metadata.creationTimestamp),
      ],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
