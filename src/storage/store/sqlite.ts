import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '../../api/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import type { Logger } from '../../common/index.ts';
import { encodeParts, sameJson, splitObject, withResourceVersion } from './encoding.ts';
import type { EncodedObject } from './encoding.ts';
import { matchesLabels } from './selectors.ts';
import type {
  FieldRequirement,
  ListOptions,
  ListResult,
  ObjectStore,
  StoredRecord,
  WatchEvent,
  WatchOptions,
} from './types.ts';
import { WatchCache } from './watch-cache.ts';
import type { ChangeEvent, ObjectState, WatchHistoryOptions } from './watch-cache.ts';

export interface SqliteStoreOptions {
  /** Database file; its directory is created. One process owns the file (single writer). */
  file: string;
  /** Size of the in-memory event history that watches replay from. */
  watchHistory?: WatchHistoryOptions;
  /** Receives warnings (undecodable rows, failing watch listeners); silent by default. */
  logger?: Logger;
}

const SCHEMA_VERSION = 1;

/*
 * `objects` is the index: everything list needs, metadata-only JSON included. Its key is
 * UNIQUE(resource, namespace, name). `id` is an explicit rowid (VACUUM may renumber implicit ones)
 * set to the creation resourceVersion: unique, increasing and never reused, so list order is
 * creation order and a continue token can never skip or repeat a row. It costs no extra page
 * write per commit, unlike AUTOINCREMENT. `payloads` holds the full objects under the same id,
 * so lists never read them.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
  id INTEGER PRIMARY KEY,
  resource TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  uid TEXT,
  labels TEXT,
  metadata TEXT NOT NULL,
  UNIQUE (resource, namespace, name)
);
CREATE INDEX IF NOT EXISTS objects_by_resource ON objects (resource, id);
CREATE INDEX IF NOT EXISTS objects_by_namespace ON objects (resource, namespace, id);
CREATE TABLE IF NOT EXISTS payloads (
  id INTEGER PRIMARY KEY,
  json TEXT NOT NULL
);
`;

type IndexRow = [id: number, resourceVersion: number, labels: string | null, metadata: string];
/** Labels are selected only when a label selector needs them: every string column costs. */
type ListRow = [
  id: number,
  namespace: string,
  name: string,
  resourceVersion: number,
  metadata: string,
  labels?: string | null,
];
type Statement = Database.Statement<unknown[], unknown>;

/** The statements of one shape of SQL filter (namespace and field selectors). */
interface FilterStatements {
  list: Statement;
  listWithLabels: Statement;
  count: Statement;
}

const LIST_COLUMNS = 'id, namespace, name, resource_version, metadata';
const MAX_CACHED_FILTERS = 64;

function invalid(message: string): KubeguardError {
  return new KubeguardError(ErrorCodes.invalidInput, message);
}

function describe(resource: string, namespace: string, name: string): string {
  return `${resource} ${namespace === '' ? name : `${namespace}/${name}`}`;
}

function checkResource(resource: string): void {
  if (typeof resource !== 'string' || resource === '') throw invalid('a resource name is required');
}

function checkVersion(value: number | undefined, what: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw invalid(`${what} must be a non-negative integer, got ${String(value)}`);
  }
}

function objectKey(resource: string, object: KubeObject): { namespace: string; name: string } {
  const metadata = object?.metadata;
  if (metadata === null || typeof metadata !== 'object') {
    throw invalid(`${resource}: the object has no metadata`);
  }
  const { name, namespace = '' } = metadata;
  if (typeof name !== 'string' || name === '') throw invalid(`${resource}: metadata.name is required`);
  if (typeof namespace !== 'string') {
    throw invalid(`${resource} ${name}: metadata.namespace must be a string`);
  }
  return { namespace, name };
}

/** Labels of a row; null when the stored JSON is undecodable. */
function parseLabels(json: string | null): Record<string, string> | undefined | null {
  if (json === null) return undefined;
  try {
    return JSON.parse(json) as Record<string, string>;
  } catch {
    return null;
  }
}

function encodeContinue(id: number, resourceVersion: number): string {
  return Buffer.from(JSON.stringify({ rv: resourceVersion, id })).toString('base64url');
}

function decodeContinue(token: string): { id: number; resourceVersion: number } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      rv?: unknown;
      id?: unknown;
    };
    const { rv, id } = value;
    if (Number.isSafeInteger(rv) && Number.isSafeInteger(id) && (rv as number) >= 0 && (id as number) >= 0) {
      return { id: id as number, resourceVersion: rv as number };
    }
  } catch {
    // reported below
  }
  throw new KubeguardError(ErrorCodes.invalidInput, `invalid continue token "${token}"`, {
    hint: 'pass the continue value of the previous page unchanged, or list again without it',
  });
}

/** SQL conditions for the namespace and field selectors; `shape` keys the statement cache. */
function sqlFilter(
  namespace: string | undefined,
  fields: readonly FieldRequirement[] | undefined,
): { shape: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (namespace !== undefined) {
    clauses.push('namespace = ?');
    params.push(namespace);
  }
  for (const { field, operator, value } of fields ?? []) {
    clauses.push(`${field === 'metadata.name' ? 'name' : 'namespace'} ${operator === '=' ? '=' : '<>'} ?`);
    params.push(value);
  }
  return { shape: clauses.map((clause) => ` AND ${clause}`).join(''), params };
}

class SqliteStore implements ObjectStore {
  private readonly st: Record<
    | 'getRv'
    | 'setRv'
    | 'getRow'
    | 'getPayload'
    | 'getValidPayload'
    | 'insertRow'
    | 'insertPayload'
    | 'updateRow'
    | 'upsertPayload'
    | 'deleteRow'
    | 'deletePayload'
    | 'count'
    | 'countNamespace',
    Statement
  >;
  private readonly filtered = new Map<string, FilterStatements>();
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly watchCache: WatchCache;
  private readonly logger: Logger;
  private resourceVersion: number;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    options: SqliteStoreOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    db.exec(SCHEMA);
    db.prepare(
      "INSERT OR IGNORE INTO meta (key, value) VALUES ('schemaVersion', ?), ('resourceVersion', 0)",
    ).run(SCHEMA_VERSION);
    const schema = db.prepare("SELECT value FROM meta WHERE key = 'schemaVersion'").pluck().get();
    if (schema !== SCHEMA_VERSION) {
      throw new KubeguardError(ErrorCodes.integrity, `store ${file} has schema version ${String(schema)}`, {
        hint: `this version of Kubeguard reads schema ${SCHEMA_VERSION}; use a matching release or a new file`,
      });
    }
    const prepare = (sql: string, raw = true): Statement => {
      const statement = db.prepare(sql);
      return raw && statement.reader ? statement.raw(true) : statement;
    };
    this.st = {
      getRv: prepare("SELECT value FROM meta WHERE key = 'resourceVersion'", false).pluck(),
      setRv: prepare("UPDATE meta SET value = ? WHERE key = 'resourceVersion'"),
      getRow: prepare(
        'SELECT id, resource_version, labels, metadata FROM objects WHERE resource = ? AND namespace = ? AND name = ?',
      ),
      getPayload: prepare('SELECT json FROM payloads WHERE id = ?', false).pluck(),
      getValidPayload: prepare('SELECT json FROM payloads WHERE id = ? AND json_valid(json)', false).pluck(),
      insertRow: prepare(
        'INSERT INTO objects (id, resource, namespace, name, resource_version, uid, labels, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertPayload: prepare('INSERT INTO payloads (id, json) VALUES (?, ?)'),
      updateRow: prepare(
        'UPDATE objects SET resource_version = ?, uid = ?, labels = ?, metadata = ? WHERE id = ?',
      ),
      upsertPayload: prepare(
        'INSERT INTO payloads (id, json) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json',
      ),
      deleteRow: prepare('DELETE FROM objects WHERE id = ?'),
      deletePayload: prepare('DELETE FROM payloads WHERE id = ?'),
      count: prepare('SELECT COUNT(*) FROM objects WHERE resource = ?', false).pluck(),
      countNamespace: prepare(
        'SELECT COUNT(*) FROM objects WHERE resource = ? AND namespace = ?',
        false,
      ).pluck(),
    };
    this.transaction = db.transaction((fn: () => unknown) => fn());
    this.resourceVersion = this.st.getRv.get() as number;
    this.watchCache = new WatchCache(this.resourceVersion, options.watchHistory ?? {}, this.logger);
  }

  currentResourceVersion(): number {
    return this.resourceVersion;
  }

  create(resource: string, object: KubeObject): StoredRecord {
    this.checkOpen();
    checkResource(resource);
    const { namespace, name } = objectKey(resource, object);
    const parts = splitObject(object);
    const { resourceVersion, encoded } = this.write(() => {
      if (this.st.getRow.get(resource, namespace, name) !== undefined) {
        throw new KubeguardError(
          ErrorCodes.alreadyExists,
          `${describe(resource, namespace, name)} already exists`,
        );
      }
      const resourceVersion = this.nextResourceVersion();
      const encoded = encodeParts(parts, resourceVersion);
      this.st.insertRow.run(
        resourceVersion,
        resource,
        namespace,
        name,
        resourceVersion,
        encoded.uid,
        encoded.labels,
        encoded.metadataOnly,
      );
      this.st.insertPayload.run(resourceVersion, encoded.full);
      this.st.setRv.run(resourceVersion);
      return { resourceVersion, encoded };
    });
    this.publish('ADDED', resource, namespace, name, resourceVersion, stateOf(encoded));
    return { resource, namespace, name, resourceVersion, json: encoded.full };
  }

  get(
    resource: string,
    namespace: string,
    name: string,
    options: { metadataOnly?: boolean } = {},
  ): StoredRecord | undefined {
    this.checkOpen();
    const row = this.st.getRow.get(resource, namespace, name) as IndexRow | undefined;
    if (row === undefined) return undefined;
    const [id, resourceVersion, labels, metadata] = row;
    if (options.metadataOnly) return { resource, namespace, name, resourceVersion, json: metadata };
    const payload = this.st.getValidPayload.get(id);
    if (typeof payload === 'string') return { resource, namespace, name, resourceVersion, json: payload };
    this.dropUndecodable(resource, namespace, name, row, labels);
    return undefined;
  }

  update(
    resource: string,
    object: KubeObject,
    options: { expectedResourceVersion?: number } = {},
  ): { record: StoredRecord; changed: boolean } {
    this.checkOpen();
    checkResource(resource);
    const expected = options.expectedResourceVersion;
    checkVersion(expected, 'expectedResourceVersion');
    const { namespace, name } = objectKey(resource, object);
    const parts = splitObject(object);
    const outcome = this.write(() => {
      const [id, storedVersion, storedLabels, storedMetadata] = this.existingRow(
        resource,
        namespace,
        name,
        expected,
      );
      const stored = this.st.getPayload.get(id);
      if (typeof stored === 'string' && sameJson(encodeParts(parts, storedVersion).full, stored)) {
        return { changed: false as const, resourceVersion: storedVersion, json: stored };
      }
      const resourceVersion = this.nextResourceVersion();
      const encoded = encodeParts(parts, resourceVersion);
      this.st.updateRow.run(resourceVersion, encoded.uid, encoded.labels, encoded.metadataOnly, id);
      this.st.upsertPayload.run(id, encoded.full);
      this.st.setRv.run(resourceVersion);
      const previous: ObjectState = {
        labels: parseLabels(storedLabels) ?? undefined,
        metadataOnly: storedMetadata,
        full: typeof stored === 'string' ? stored : storedMetadata,
      };
      return { changed: true as const, resourceVersion, json: encoded.full, encoded, previous };
    });
    const { resourceVersion, json } = outcome;
    if (outcome.changed) {
      this.publish(
        'MODIFIED',
        resource,
        namespace,
        name,
        resourceVersion,
        stateOf(outcome.encoded),
        outcome.previous,
      );
    }
    return { record: { resource, namespace, name, resourceVersion, json }, changed: outcome.changed };
  }

  delete(
    resource: string,
    namespace: string,
    name: string,
    options: { expectedResourceVersion?: number } = {},
  ): StoredRecord {
    this.checkOpen();
    checkResource(resource);
    checkVersion(options.expectedResourceVersion, 'expectedResourceVersion');
    const { resourceVersion, row, payload } = this.write(() => {
      const row = this.existingRow(resource, namespace, name, options.expectedResourceVersion);
      const payload = this.st.getValidPayload.get(row[0]);
      const resourceVersion = this.nextResourceVersion();
      this.st.deleteRow.run(row[0]);
      this.st.deletePayload.run(row[0]);
      this.st.setRv.run(resourceVersion);
      return { resourceVersion, row, payload };
    });
    const metadataOnly = stamp(row[3], resourceVersion, namespace, name);
    const full =
      typeof payload === 'string' ? stamp(payload, resourceVersion, namespace, name) : metadataOnly;
    const labels = parseLabels(row[2]) ?? undefined;
    this.publish('DELETED', resource, namespace, name, resourceVersion, { labels, metadataOnly, full });
    return { resource, namespace, name, resourceVersion, json: full };
  }

  list(resource: string, options: ListOptions = {}): ListResult {
    this.checkOpen();
    checkResource(resource);
    const limit = options.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw invalid(`limit must be a non-negative integer, got ${limit}`);
    }
    let after = 0;
    let resourceVersion = this.resourceVersion;
    if (options.continueToken) {
      ({ id: after, resourceVersion } = decodeContinue(options.continueToken));
    }
    // Ids are creation versions: later pages leave out objects created after the first one, so an
    // object deleted and re-created meanwhile cannot appear twice; the watch brings them.
    const bounds = [resource, after, resourceVersion];
    const filter = sqlFilter(options.namespace, options.fieldSelector);
    const statements = this.filterStatements(filter.shape);
    const labelSelector = options.labelSelector?.length ? options.labelSelector : undefined;
    let rows: ListRow[];
    if (!labelSelector) {
      rows = statements.list.all(...bounds, ...filter.params, limit > 0 ? limit + 1 : -1) as ListRow[];
    } else {
      rows = [];
      const wanted = limit > 0 ? limit + 1 : Infinity;
      const candidates = statements.listWithLabels.iterate(...bounds, ...filter.params, -1);
      for (const row of candidates as Iterable<ListRow>) {
        const labels = parseLabels(row[5] ?? null);
        if (labels !== null && matchesLabels(labelSelector, labels)) {
          rows.push(row);
          if (rows.length >= wanted) break;
        }
      }
    }
    const more = limit > 0 && rows.length > limit;
    if (more) rows.pop();
    const items: StoredRecord[] = [];
    for (const [id, namespace, name, rowVersion, metadata] of rows) {
      let json = metadata;
      if (options.fullSpec) {
        const payload = this.st.getValidPayload.get(id);
        if (typeof payload !== 'string') {
          this.logger.warn('skipped an object with an undecodable payload', { resource, namespace, name });
          continue;
        }
        json = payload;
      }
      items.push({ resource, namespace, name, resourceVersion: rowVersion, json });
    }
    const result: ListResult = { items, resourceVersion };
    const last = rows[rows.length - 1];
    if (more && last) {
      result.continueToken = encodeContinue(last[0], resourceVersion);
      if (!labelSelector) {
        result.remainingItemCount = statements.count.get(
          resource,
          last[0],
          resourceVersion,
          ...filter.params,
        ) as number;
      }
    }
    return result;
  }

  watch(resource: string, options: WatchOptions, listener: (event: WatchEvent) => void): () => void {
    this.checkOpen();
    checkResource(resource);
    return this.watchCache.watch(resource, options, listener);
  }

  count(resource: string, namespace?: string): number {
    this.checkOpen();
    const value =
      namespace === undefined ? this.st.count.get(resource) : this.st.countNamespace.get(resource, namespace);
    return value as number;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchCache.clear();
    this.db.close();
  }

  private checkOpen(): void {
    if (this.closed) {
      throw new KubeguardError(ErrorCodes.prerequisite, `store ${this.file} is closed`);
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction: all of it is committed, or nothing. */
  private write<T>(fn: () => T): T {
    return this.transaction.immediate(fn) as T;
  }

  /** Inside a write: the next store-wide resourceVersion, read from the database itself. */
  private nextResourceVersion(): number {
    return (this.st.getRv.get() as number) + 1;
  }

  private existingRow(
    resource: string,
    namespace: string,
    name: string,
    expected: number | undefined,
  ): IndexRow {
    const row = this.st.getRow.get(resource, namespace, name) as IndexRow | undefined;
    if (row === undefined) {
      throw new KubeguardError(ErrorCodes.notFound, `${describe(resource, namespace, name)} not found`);
    }
    if (expected !== undefined && expected !== row[1]) {
      throw new KubeguardError(
        ErrorCodes.conflict,
        `Operation cannot be fulfilled on ${describe(resource, namespace, name)}: the object has been modified ` +
          `(resourceVersion ${row[1]}, expected ${expected}); please apply your changes to the latest version and try again`,
      );
    }
    return row;
  }

  /**
   * A row whose payload is missing or undecodable is deleted, as kubescape/storage does, and
   * watchers see it go (DELETED, with a new resourceVersion) so their caches do not keep it.
   */
  private dropUndecodable(
    resource: string,
    namespace: string,
    name: string,
    row: IndexRow,
    labelsJson: string | null,
  ): void {
    const [id, , , metadata] = row;
    const resourceVersion = this.write(() => {
      const current = this.st.getRow.get(resource, namespace, name) as IndexRow | undefined;
      if (current?.[0] !== id) return undefined;
      const resourceVersion = this.nextResourceVersion();
      this.st.deleteRow.run(id);
      this.st.deletePayload.run(id);
      this.st.setRv.run(resourceVersion);
      return resourceVersion;
    });
    this.logger.warn('deleted an object with an undecodable payload', { resource, namespace, name });
    if (resourceVersion === undefined) return;
    const metadataOnly = stamp(metadata, resourceVersion, namespace, name);
    const labels = parseLabels(labelsJson) ?? undefined;
    this.publish('DELETED', resource, namespace, name, resourceVersion, {
      labels,
      metadataOnly,
      full: metadataOnly,
    });
  }

  private publish(
    type: ChangeEvent['type'],
    resource: string,
    namespace: string,
    name: string,
    resourceVersion: number,
    object: ObjectState,
    previous?: ObjectState,
  ): void {
    this.resourceVersion = resourceVersion;
    const event: ChangeEvent = { type, resource, namespace, name, resourceVersion, object };
    if (previous) event.previous = previous;
    this.watchCache.publish(event);
  }

  private filterStatements(shape: string): FilterStatements {
    let statements = this.filtered.get(shape);
    if (!statements) {
      if (this.filtered.size >= MAX_CACHED_FILTERS) this.filtered.clear();
      const where = `WHERE resource = ? AND id > ? AND id <= ?${shape} ORDER BY id LIMIT ?`;
      statements = {
        list: this.db.prepare(`SELECT ${LIST_COLUMNS} FROM objects ${where}`).raw(true),
        listWithLabels: this.db.prepare(`SELECT ${LIST_COLUMNS}, labels FROM objects ${where}`).raw(true),
        count: this.db
          .prepare(`SELECT COUNT(*) FROM objects WHERE resource = ? AND id > ? AND id <= ?${shape}`)
          .pluck(),
      };
      this.filtered.set(shape, statements);
    }
    return statements;
  }
}

function stateOf(encoded: EncodedObject): ObjectState {
  return {
    labels: encoded.labels === null ? undefined : (JSON.parse(encoded.labels) as Record<string, string>),
    metadataOnly: encoded.metadataOnly,
    full: encoded.full,
  };
}

/** A stored JSON at another resourceVersion; a minimal object when the stored one is undecodable. */
function stamp(json: string, resourceVersion: number, namespace: string, name: string): string {
  try {
    return withResourceVersion(json, resourceVersion);
  } catch {
    const metadata = namespace === '' ? { name } : { name, namespace };
    return JSON.stringify({ metadata: { ...metadata, resourceVersion: String(resourceVersion) } });
  }
}

/**
 * Opens (or creates) a store. WAL with synchronous=NORMAL: a commit appends to the WAL with
 * write(2) before returning, so the data sits in the kernel's page cache and survives a kill -9
 * of this process; only a power loss or OS crash can drop the last commits (FULL would fsync
 * each one). WAL recovery on open never exposes a partial transaction, so the file is never
 * corrupted either way.
 */
export function openSqliteStore(options: SqliteStoreOptions): ObjectStore {
  const { file } = options;
  const memory = file === ':memory:';
  let db: Database.Database;
  try {
    if (!memory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file, { timeout: 5000 });
  } catch (err) {
    throw new KubeguardError(ErrorCodes.prerequisite, `cannot open store ${file}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!memory && mode !== 'wal') {
      throw new KubeguardError(ErrorCodes.prerequisite, `store ${file}: the filesystem does not support WAL`);
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -8192');
    // Checkpoints every ~40 MB of WAL: hot pages (meta, index leaves) reach the file once per
    // checkpoint instead of once per 4 MB; recovery after a crash reads at most that much WAL.
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
    return new SqliteStore(db, file, options);
  } catch (err) {
    db.close();
    if (err instanceof KubeguardError) throw err;
    const code = (err as { code?: unknown }).code;
    const corrupt = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
    throw new KubeguardError(
      corrupt ? ErrorCodes.integrity : ErrorCodes.prerequisite,
      `cannot open store ${file}: ${messageOf(err)}`,
      { cause: err },
    );
  }
}
