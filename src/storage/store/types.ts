import type { KubeObject } from '../../api/index.ts';

/**
 * The persistence contract of the storage API server. One implementation: SQLite (sqlite.ts).
 *
 * - `resource` is the plural URL resource ("vulnerabilitymanifests"); `namespace` is '' for
 *   cluster-scoped kinds.
 * - resourceVersion is one store-wide counter (like etcd's revision), incremented by every write
 *   and written into `metadata.resourceVersion` of the stored object, as a decimal string.
 * - Every write is one SQLite transaction: when a method returns, the write survives a kill -9.
 * - Payloads (the full object) are never read by list unless `fullSpec` is set.
 */
export interface StoredRecord {
  resource: string;
  namespace: string;
  name: string;
  resourceVersion: number;
  /** The stored object, serialized: the full object, or metadata only (apiVersion, kind, metadata). */
  json: string;
}

export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export interface FieldRequirement {
  /** Only metadata.name and metadata.namespace are supported. */
  field: 'metadata.name' | 'metadata.namespace';
  operator: '=' | '!=';
  value: string;
}

export interface ListOptions {
  /** Restrict to one namespace; undefined lists all namespaces. */
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /** Page size; 0 or undefined = everything. */
  limit?: number;
  /** Opaque token from a previous page's `continue`. */
  continueToken?: string;
  /** Return full objects instead of metadata-only ones. */
  fullSpec?: boolean;
}

export interface ListResult {
  items: StoredRecord[];
  /** Store resourceVersion at the time of the list. */
  resourceVersion: number;
  /** Set when more items follow. */
  continueToken?: string;
  remainingItemCount?: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /** Deliver every event after this resourceVersion (0/undefined: from now on). */
  sinceResourceVersion?: number;
  /** Events carry full objects instead of metadata-only ones. */
  fullSpec?: boolean;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  record: StoredRecord;
}

export interface ObjectStore {
  /** The latest resourceVersion of the whole store. */
  currentResourceVersion(): number;
  /**
   * Stores a new object; KG_ERR_ALREADY_EXISTS if the key exists. Any `metadata.resourceVersion`
   * of the input is replaced by the store's.
   */
  create(resource: string, object: KubeObject): StoredRecord;
  /**
   * The full object, or metadata only. A row whose payload is missing or undecodable is deleted
   * (a DELETED event with a new resourceVersion) and reported as absent.
   */
  get(
    resource: string,
    namespace: string,
    name: string,
    options?: { metadataOnly?: boolean },
  ): StoredRecord | undefined;
  /**
   * Replaces an object. With `expectedResourceVersion` set and different from the stored one:
   * KG_ERR_CONFLICT. KG_ERR_NOT_FOUND if absent. When the new object equals the stored one
   * (ignoring resourceVersion), nothing is written, no event is sent and `changed` is false.
   */
  update(
    resource: string,
    object: KubeObject,
    options?: { expectedResourceVersion?: number },
  ): { record: StoredRecord; changed: boolean };
  /**
   * Deletes and returns the deleted object (with the deletion's resourceVersion). KG_ERR_NOT_FOUND
   * if absent, KG_ERR_CONFLICT if `expectedResourceVersion` differs.
   */
  delete(
    resource: string,
    namespace: string,
    name: string,
    options?: { expectedResourceVersion?: number },
  ): StoredRecord;
  /**
   * Objects in creation order. Pages continue after the last row of the previous page and report
   * the first page's resourceVersion; objects created after the first page are left out (a watch
   * from that resourceVersion delivers them), so none repeats, and updates keep their position.
   * Full-spec lists skip rows with an undecodable payload. Bad limit/continue: KG_ERR_INVALID_INPUT.
   */
  list(resource: string, options?: ListOptions): ListResult;
  /**
   * Subscribes to changes. Replays retained events after `sinceResourceVersion`; throws
   * KG_ERR_GONE when that version is older than the oldest retained event (after a restart: any
   * version below the current one). Replayed events are delivered before `watch` returns, live
   * ones synchronously after each commit. A version ahead of the store delivers events after it.
   * Namespaced watches do receive events here; kubescape's idle namespaced stream, if wanted, is
   * the API server's choice. The returned function unsubscribes.
   */
  watch(resource: string, options: WatchOptions, listener: (event: WatchEvent) => void): () => void;
  count(resource: string, namespace?: string): number;
  close(): void;
}
