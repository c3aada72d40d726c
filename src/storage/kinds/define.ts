import type { KubeObject, StatusCause } from '../../api/index.ts';

/** A printer column of `kubectl get` (a Table response column). */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'date';
  description: string;
  /** 0 = always shown, 1 = only with -o wide. */
  priority?: 0 | 1;
  value(object: KubeObject): string | number | undefined;
}

/** Read access the virtual kinds get to the stored ones. */
export interface VirtualReadContext {
  /** Full objects of a stored kind, optionally in one namespace. */
  listFull(resource: string, namespace?: string): KubeObject[];
  getFull(resource: string, namespace: string, name: string): KubeObject | undefined;
  /** Namespaces that hold at least one object of the stored kind. */
  namespacesOf(resource: string): string[];
  resourceVersion(): number;
}

/** A kind computed on read from stored kinds; writes are refused. */
export interface VirtualKind {
  get(ctx: VirtualReadContext, namespace: string, name: string): KubeObject | undefined;
  list(ctx: VirtualReadContext, namespace: string | undefined): KubeObject[];
}

/**
 * Everything the API server needs to know about a kind. Discovery, OpenAPI, Table columns,
 * validation and size limits all derive from this one definition (the apiserver's
 * "strategy per kind, generic store", without copying a strategy file per kind).
 */
export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** Largest accepted request body. */
  maxBytes: number;
  /** Columns after NAME (and before AGE). Columns reading `spec` make tables load full objects. */
  columns: TableColumn[];
  columnsNeedSpec: boolean;
  /** Kubescape refuses `resourceVersion=fullSpec` lists for the two largest kinds. */
  fullSpecListAllowed: boolean;
  virtual?: VirtualKind;
  /** Kind-specific validation, run after the generic metadata checks. */
  validate?(object: KubeObject): StatusCause[];
  /** Normalizes an object before it is stored (e.g. marks it too-large and clears its spec). */
  prepareForSave?(object: KubeObject, old: KubeObject | undefined): KubeObject;
}

export type KindOverrides = Partial<Omit<KindDefinition, 'kind' | 'plural' | 'singular' | 'namespaced'>>;
