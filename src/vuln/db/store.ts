/**
 * The advisory database on SQLite: schema, the read side (`find`, prepared once per connection)
 * and the write side used by the importer (batched upserts where the newer `modified` wins).
 *
 * Journal mode: imports write in WAL mode (the bulk load appends pages instead of journalling
 * them), and `finalize()` switches the file back to rollback mode. An installed database is thus a
 * single self-contained file: it can be renamed over while scanners still read the old one (in WAL
 * mode the old and new file would share `-wal`/`-shm` side files by name), opened from read-only
 * media, and copied or bundled as is.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type {
  Advisory,
  AdvisoryCandidate,
  AdvisoryHead,
  AdvisoryProvider,
  AdvisoryQuery,
  AffectedVersions,
  DbMetadata,
} from '../types.ts';
import { candidateOf, entriesByKey, headOf, indexKeyString } from './candidates.ts';
import { indexKeysOf, normalizeQuery } from './ecosystems.ts';
import type { IndexKey } from './ecosystems.ts';
import { isNewer, skipReasons } from './osv.ts';
import type { ImportWarning, SkipReason } from './osv.ts';

/** Bumped whenever the tables change; a database of another version is refused with a hint. */
export const SCHEMA_VERSION = 1;
/** Warnings kept in the database for `db status` (all are counted). */
export const MAX_STORED_WARNINGS = 100;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS advisories (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  modified TEXT NOT NULL,
  withdrawn TEXT,
  aliases TEXT NOT NULL,
  severity TEXT NOT NULL,
  summary TEXT,
  source TEXT NOT NULL,
  json TEXT NOT NULL
);
-- The (ecosystem, package) index: the primary key is the lookup order (family, name, release),
-- so the table is its own index (WITHOUT ROWID) and a package listed twice is stored once.
-- The other columns are what matching reads (db/candidates.ts): the advisory's id and withdrawn
-- flag, this package's affected entries (reduced) with their positions in the record, and the
-- reported head; a lookup reads one stretch of this table and never parses whole records. They
-- are NULL in rows written by a Kubeguard that predates them (read through advisories.json then):
-- old and new versions can share a database either way round.
CREATE TABLE IF NOT EXISTS affected (
  family TEXT NOT NULL,
  name TEXT NOT NULL,
  release TEXT NOT NULL,
  advisory INTEGER NOT NULL,
  id TEXT,
  withdrawn INTEGER,
  positions TEXT,
  entries TEXT,
  head TEXT,
  PRIMARY KEY (family, name, release, advisory)
) WITHOUT ROWID;
`;

/** Columns of `affected` added after schema 1 was released (nullable, see SCHEMA). */
const MATCH_COLUMNS = ['id TEXT', 'withdrawn INTEGER', 'positions TEXT', 'entries TEXT', 'head TEXT'];

export interface DbSource {
  name: string;
  url?: string;
  /** Advisories in the database that came from this source. */
  records: number;
  /** When the source was imported or downloaded (ISO 8601). */
  updated: string;
  /** sha256 of the file imported, when it was one file. */
  sha256?: string;
  /** Records, files or entries of this source that were skipped. */
  skipped?: number;
}

/** Everything `db status` shows; `metadata()` is the part the AdvisoryProvider contract defines. */
export interface DbInfo extends DbMetadata {
  path: string;
  bytes: number;
  sources: DbSource[];
  /** Advisories per ecosystem key ("Debian:12", "npm"): an advisory counts once per key. */
  ecosystems: Record<string, number>;
  skipped: Record<SkipReason, number>;
  /** The first warnings (MAX_STORED_WARNINGS), with the total in `counts.skipped`. */
  warnings: ImportWarning[];
  /** What the last `db update` fetched (to tell whether the next one changes anything). */
  updateSources?: FetchedSource[];
}

export interface FetchedSource {
  name: string;
  url: string;
  sha256: string;
}

export interface OpenOptions {
  /** Default true. A writable open creates the file and schema when missing. */
  readonly?: boolean;
}

type Row = { json: string };
/** advisory (rid), id, withdrawn, positions, entries, head; the last five NULL in old rows. */
type MatchRow = [number, string | null, number | null, string | null, string | null, string | null];

export function emptySkipped(): Record<SkipReason, number> {
  return Object.fromEntries(skipReasons.map((r) => [r, 0])) as Record<SkipReason, number>;
}

/** A record ready to write: the advisory and its index keys. */
export interface PreparedRecord {
  advisory: Advisory;
  keys: IndexKey[];
  /** Name of the source it came from. */
  source: string;
}

export interface BatchResult {
  inserted: number;
  replaced: number;
  /** Older or equal duplicates of a record already stored. */
  superseded: number;
}

/** An open advisory database. Obtain one with `openAdvisoryDb`. */
export class AdvisoryDb implements AdvisoryProvider {
  readonly path: string;
  readonly readonly: boolean;
  /** @internal the connection, for the importer and bundle writer. */
  readonly sqlite: Database.Database;
  private readonly findWithRelease: Database.Statement<[string, string, string], Row>;
  private readonly findAnyRelease: Database.Statement<[string, string], Row>;
  private readonly byId: Database.Statement<[string], Row>;
  /** Undefined when the file predates the matching columns (read through `find` then). */
  private readonly matchWithRelease: Database.Statement<[string, string, string], MatchRow> | undefined;
  private readonly matchAnyRelease: Database.Statement<[string, string], MatchRow> | undefined;
  private cachedInfo: DbInfo | undefined;

  /** @internal use openAdvisoryDb. */
  constructor(file: string, sqlite: Database.Database, readonly: boolean) {
    this.path = file;
    this.sqlite = sqlite;
    this.readonly = readonly;
    // IN (subquery) yields each advisory once even when it lists both "Debian" and "Debian:12".
    this.findWithRelease = sqlite.prepare(
      `SELECT json FROM advisories WHERE rid IN
         (SELECT advisory FROM affected WHERE family = ? AND name = ? AND release IN (?, ''))
       ORDER BY id`,
    );
    this.findAnyRelease = sqlite.prepare(
      `SELECT json FROM advisories WHERE rid IN
         (SELECT advisory FROM affected WHERE family = ? AND name = ?)
       ORDER BY id`,
    );
    this.byId = sqlite.prepare('SELECT json FROM advisories WHERE id = ?');
    if (missingMatchColumns(sqlite).length === 0) {
      // Ordered as find() orders (by id), which also puts the rows of one advisory side by side.
      const columns = 'advisory, id, withdrawn, positions, entries, head';
      this.matchWithRelease = sqlite
        .prepare<[string, string, string], MatchRow>(
          `SELECT ${columns} FROM affected WHERE family = ? AND name = ? AND release IN (?, '') ORDER BY id`,
        )
        .raw();
      this.matchAnyRelease = sqlite
        .prepare<[string, string], MatchRow>(
          `SELECT ${columns} FROM affected WHERE family = ? AND name = ? ORDER BY id`,
        )
        .raw();
    }
  }

  find(query: AdvisoryQuery): Advisory[] {
    const q = normalizeQuery(query);
    if (!q) return [];
    const rows =
      q.release === ''
        ? this.findAnyRelease.all(q.family, q.name)
        : this.findWithRelease.all(q.family, q.name, q.release);
    return rows.map((r) => JSON.parse(r.json) as Advisory);
  }

  /**
   * The advisories `find` returns, as candidates read from the index rows alone: the affected
   * entries are parsed for every candidate, the head only when a matcher asks for it.
   */
  candidates(query: AdvisoryQuery): AdvisoryCandidate[] {
    const q = normalizeQuery(query);
    if (!q || !this.matchWithRelease || !this.matchAnyRelease) return this.findCandidates(query);
    const rows =
      q.release === ''
        ? this.matchAnyRelease.all(q.family, q.name)
        : this.matchWithRelease.all(q.family, q.name, q.release);
    const out: AdvisoryCandidate[] = [];
    for (let i = 0; i < rows.length; i++) {
      // Indexed, not destructured: array destructuring runs the iterator protocol.
      const row = rows[i] as MatchRow;
      const rid = row[0];
      const id = row[1];
      const withdrawn = row[2];
      const positions = row[3];
      const entries = row[4];
      const head = row[5];
      // A row written by an older Kubeguard: this lookup goes through the whole records.
      if (id === null || positions === null || entries === null || head === null)
        return this.findCandidates(query);
      const candidate = new StoredCandidate(id, withdrawn === 1, positions, entries, head);
      // The advisory also lists the package under another release ("Debian" and "Debian:12").
      while ((rows[i + 1] as MatchRow | undefined)?.[0] === rid) {
        const next = rows[++i] as MatchRow;
        if (next[3] === null || next[4] === null) return this.findCandidates(query);
        (candidate.more ??= []).push([next[3], next[4]]);
      }
      out.push(candidate);
    }
    return out;
  }

  /**
   * Runs `fn` in one (deferred, read) transaction: a scan's lookups see one state of the file and
   * take its lock once rather than per statement. Nested calls run inside the outer one.
   */
  read<T>(fn: () => T): T {
    return this.sqlite.inTransaction ? fn() : this.sqlite.transaction(fn)();
  }

  private findCandidates(query: AdvisoryQuery): AdvisoryCandidate[] {
    return this.find(query).map((a) => candidateOf(a, query));
  }

  /** One advisory by its OSV id. */
  get(id: string): Advisory | undefined {
    const row = this.byId.get(id);
    return row ? (JSON.parse(row.json) as Advisory) : undefined;
  }

  metadata(): DbMetadata {
    const i = this.info();
    return {
      schemaVersion: i.schemaVersion,
      built: i.built,
      checksum: i.checksum,
      sources: i.sources,
      counts: i.counts,
    };
  }

  /** Metadata plus path, size, per-ecosystem counts, skipped counts and warnings. */
  info(): DbInfo {
    if (this.cachedInfo) return this.cachedInfo;
    const meta = readMeta(this.sqlite);
    let bytes = 0;
    try {
      bytes = fs.statSync(this.path).size;
    } catch {
      // :memory: or removed underneath us
    }
    const info: DbInfo = {
      path: this.path,
      bytes,
      schemaVersion: Number(meta.schema_version ?? SCHEMA_VERSION),
      built: (meta.built as string | undefined) ?? '',
      checksum: (meta.checksum as string | undefined) ?? '',
      sources: (meta.sources as DbSource[] | undefined) ?? [],
      counts: (meta.counts as DbInfo['counts'] | undefined) ?? { advisories: 0, affected: 0, skipped: 0 },
      ecosystems: (meta.ecosystems as Record<string, number> | undefined) ?? {},
      skipped: { ...emptySkipped(), ...(meta.skipped as Record<SkipReason, number> | undefined) },
      warnings: (meta.warnings as ImportWarning[] | undefined) ?? [],
    };
    if (Array.isArray(meta.update_sources)) info.updateSources = meta.update_sources as FetchedSource[];
    if (this.readonly) this.cachedInfo = info;
    return info;
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  /** @internal Writes one batch in one transaction; the newer `modified` wins per id. */
  writeBatch(records: PreparedRecord[]): BatchResult {
    return this.writer().run(records);
  }

  /** @internal Adds an import's skipped counts and warnings and sets its source entry. */
  recordImport(
    source: Omit<DbSource, 'records'> | undefined,
    skipped: Record<SkipReason, number>,
    warnings: ImportWarning[],
  ): void {
    const meta = readMeta(this.sqlite);
    const totals = { ...emptySkipped(), ...(meta.skipped as Record<SkipReason, number> | undefined) };
    for (const r of skipReasons) totals[r] += skipped[r];
    const kept = ((meta.warnings as ImportWarning[] | undefined) ?? [])
      .concat(warnings)
      .slice(0, MAX_STORED_WARNINGS);
    const sources = ((meta.sources as DbSource[] | undefined) ?? []).filter((s) => s.name !== source?.name);
    if (source) sources.push({ ...source, records: 0 });
    this.writeMeta({ skipped: totals, warnings: kept, sources });
  }

  /** @internal Merges source entries of another database (a bundle) without counting anything. */
  mergeSources(incoming: DbSource[]): void {
    const meta = readMeta(this.sqlite);
    const byName = new Map(((meta.sources as DbSource[] | undefined) ?? []).map((s) => [s.name, s]));
    for (const s of incoming) {
      const have = byName.get(s.name);
      if (!have || have.updated < s.updated) byName.set(s.name, { ...s, records: 0 });
    }
    this.writeMeta({ sources: [...byName.values()] });
  }

  /**
   * @internal Recomputes counts and the content checksum, stamps the build time and leaves the
   * file in rollback-journal mode (see the file header).
   */
  finalize(): DbInfo {
    const db = this.sqlite;
    const advisories = (db.prepare('SELECT count(*) AS n FROM advisories').get() as { n: number }).n;
    const affected = (db.prepare('SELECT count(*) AS n FROM affected').get() as { n: number }).n;
    const ecosystems: Record<string, number> = {};
    for (const row of db
      .prepare('SELECT family, release, count(DISTINCT advisory) AS n FROM affected GROUP BY family, release')
      .iterate() as IterableIterator<{ family: string; release: string; n: number }>) {
      ecosystems[row.release ? `${row.family}:${row.release}` : row.family] = row.n;
    }
    const perSource = new Map<string, number>();
    for (const row of db
      .prepare('SELECT source, count(*) AS n FROM advisories GROUP BY source')
      .iterate() as IterableIterator<{
      source: string;
      n: number;
    }>)
      perSource.set(row.source, row.n);
    const meta = readMeta(db);
    const sources = ((meta.sources as DbSource[] | undefined) ?? [])
      .map((s) => ({ ...s, records: perSource.get(s.name) ?? 0 }))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const [name, n] of perSource)
      if (!sources.some((s) => s.name === name)) sources.push({ name, records: n, updated: '' });
    const skipped = { ...emptySkipped(), ...(meta.skipped as Record<SkipReason, number> | undefined) };
    const skippedTotal = skipReasons.reduce((sum, r) => sum + skipped[r], 0);
    this.writeMeta({
      schema_version: SCHEMA_VERSION,
      built: new Date().toISOString(),
      checksum: contentChecksum(db),
      counts: { advisories, affected, skipped: skippedTotal },
      ecosystems,
      sources,
      skipped,
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    this.cachedInfo = undefined;
    return this.info();
  }

  private writeMeta(values: Record<string, unknown>): void {
    const put = this.sqlite.prepare('INSERT OR REPLACE INTO metadata (key, value) VALUES (?, ?)');
    this.sqlite.transaction(() => {
      for (const [k, v] of Object.entries(values)) put.run(k, JSON.stringify(v));
    })();
    this.cachedInfo = undefined;
  }

  private writerCache: BatchWriter | undefined;
  private writer(): BatchWriter {
    if (this.readonly) throw new KubeguardError(ErrorCodes.forbidden, `${this.path} is open read-only`);
    this.writerCache ??= new BatchWriter(this.sqlite);
    return this.writerCache;
  }
}

/** A candidate read from index rows: JSON text, parsed on each call (see AdvisoryCandidate). */
class StoredCandidate implements AdvisoryCandidate {
  /** Further rows of the same advisory (other releases), [positions, entries] each; rare. */
  more: [string, string][] | undefined;

  constructor(
    readonly id: string,
    readonly withdrawn: boolean,
    private readonly positions: string,
    private readonly entriesJson: string,
    private readonly headJson: string,
  ) {}

  entries(): AffectedVersions[] {
    const first = JSON.parse(this.entriesJson) as AffectedVersions[];
    if (!this.more) return first;
    // In record order, as affectedEntriesFor gives them.
    const all: { at: number; entry: AffectedVersions }[] = [];
    const add = (at: string, entries: AffectedVersions[]): void => {
      const where = at.split(',');
      entries.forEach((entry, k) => all.push({ at: Number(where[k]), entry }));
    };
    add(this.positions, first);
    for (const [at, json] of this.more) add(at, JSON.parse(json) as AffectedVersions[]);
    return all.sort((a, b) => a.at - b.at).map((x) => x.entry);
  }

  head(): AdvisoryHead {
    return JSON.parse(this.headJson) as AdvisoryHead;
  }
}

/** The matching columns `affected` lacks (all of them in a database made before they existed). */
function missingMatchColumns(db: Database.Database): string[] {
  const have = new Set((db.pragma('table_info(affected)') as { name: string }[]).map((c) => c.name));
  return MATCH_COLUMNS.filter((c) => !have.has(c.split(' ')[0] as string));
}

/** Prepared statements of the write path, created on the first write. */
class BatchWriter {
  private readonly existing: Database.Statement<[string], { rid: number; modified: string }>;
  private readonly oldJson: Database.Statement<[number], string>;
  private readonly insert: Database.Statement<unknown[]>;
  private readonly update: Database.Statement<unknown[]>;
  private readonly addKey: Database.Statement<
    [string, string, string, number | bigint, string, number, string, string, string]
  >;
  private readonly dropKey: Database.Statement<[string, string, string, number]>;
  readonly run: (records: PreparedRecord[]) => BatchResult;

  constructor(db: Database.Database) {
    this.existing = db.prepare('SELECT rid, modified FROM advisories WHERE id = ?');
    this.oldJson = db.prepare<[number], string>('SELECT json FROM advisories WHERE rid = ?').pluck();
    this.insert = db.prepare(
      `INSERT INTO advisories (id, modified, withdrawn, aliases, severity, summary, source, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.update = db.prepare(
      `UPDATE advisories SET modified = ?, withdrawn = ?, aliases = ?, severity = ?, summary = ?,
         source = ?, json = ? WHERE rid = ?`,
    );
    // OR REPLACE: a row left behind for this advisory must not keep stale matching columns.
    this.addKey = db.prepare(
      `INSERT OR REPLACE INTO affected (family, name, release, advisory, id, withdrawn, positions, entries, head)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.dropKey = db.prepare(
      'DELETE FROM affected WHERE family = ? AND name = ? AND release = ? AND advisory = ?',
    );
    this.run = db.transaction((records: PreparedRecord[]) => this.write(records));
  }

  private write(records: PreparedRecord[]): BatchResult {
    const result: BatchResult = { inserted: 0, replaced: 0, superseded: 0 };
    for (const { advisory: a, keys, source } of records) {
      const json = JSON.stringify(a);
      const columns = [
        a.withdrawn ?? null,
        JSON.stringify(a.aliases),
        JSON.stringify(a.severity),
        a.summary ?? null,
        source,
        json,
      ];
      const old = this.existing.get(a.id);
      let rid: number | bigint;
      if (old) {
        if (!isNewer(a.modified, old.modified)) {
          result.superseded++;
          continue;
        }
        // The old record's own index keys locate its rows through the primary key.
        const stored = JSON.parse(this.oldJson.get(old.rid) as string) as Advisory;
        for (const k of indexKeysOf(stored)) this.dropKey.run(k.family, k.name, k.release, old.rid);
        this.update.run(a.modified, ...columns, old.rid);
        rid = old.rid;
        result.replaced++;
      } else {
        rid = this.insert.run(a.id, a.modified, ...columns).lastInsertRowid;
        result.inserted++;
      }
      const byKey = entriesByKey(a);
      const head = JSON.stringify(headOf(a));
      const withdrawn = a.withdrawn ? 1 : 0;
      for (const k of keys) {
        const slot = byKey.get(indexKeyString(k)) ?? { positions: [], entries: [] };
        this.addKey.run(
          k.family,
          k.name,
          k.release,
          rid,
          a.id,
          withdrawn,
          slot.positions.join(','),
          JSON.stringify(slot.entries),
          head,
        );
      }
    }
    return result;
  }
}

/** sha256 over every advisory's id and stored JSON in id order: equal content, equal checksum. */
function contentChecksum(db: Database.Database): string {
  const hash = createHash('sha256');
  for (const row of db.prepare('SELECT id, json FROM advisories ORDER BY id').iterate() as IterableIterator<{
    id: string;
    json: string;
  }>) {
    hash.update(row.id);
    hash.update('\n');
    hash.update(row.json);
    hash.update('\n');
  }
  return `sha256:${hash.digest('hex')}`;
}

function readMeta(db: Database.Database): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const row of db.prepare('SELECT key, value FROM metadata').all() as { key: string; value: string }[]) {
    try {
      out[row.key] = JSON.parse(row.value);
    } catch {
      out[row.key] = row.value;
    }
  }
  return out;
}

/** Pragmas for writing: WAL, no fsync per transaction (imports write temporary files), big cache. */
function prepareForWrites(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -16384');
  db.pragma('temp_store = MEMORY');
}

/**
 * Opens a database (read-only by default; opening takes a few milliseconds: no scan, no check).
 * A read-only open of a missing file is a KG_ERR_NOT_FOUND with a hint; a database of another
 * schema version or a file that is not one is refused with KG_ERR_INTEGRITY.
 */
export function openAdvisoryDb(file: string, options: OpenOptions = {}): AdvisoryDb {
  const readonly = options.readonly !== false;
  const memory = file === ':memory:';
  if (readonly && !memory && !fs.existsSync(file)) {
    throw new KubeguardError(ErrorCodes.notFound, `no vulnerability database at ${file}`, {
      hint: 'create it with `kubeguard db update` (online) or `kubeguard db import <file|dir|zip|bundle>`',
    });
  }
  let sqlite: Database.Database;
  try {
    if (!readonly && !memory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    sqlite = new Database(file, { readonly, fileMustExist: readonly, timeout: 5000 });
  } catch (err) {
    throw new KubeguardError(
      ErrorCodes.prerequisite,
      `cannot open vulnerability database ${file}: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
  try {
    if (readonly) {
      const version = sqlite
        .prepare("SELECT value FROM metadata WHERE key = 'schema_version'")
        .pluck()
        .get() as string | undefined;
      if (Number(version) !== SCHEMA_VERSION) throw schemaError(file, version);
    } else {
      prepareForWrites(sqlite);
      sqlite.exec(SCHEMA);
      // A database made before the matching columns: add them (old rows stay NULL, see SCHEMA).
      for (const c of missingMatchColumns(sqlite)) sqlite.exec(`ALTER TABLE affected ADD COLUMN ${c}`);
      const version = sqlite
        .prepare("SELECT value FROM metadata WHERE key = 'schema_version'")
        .pluck()
        .get() as string | undefined;
      if (version === undefined)
        sqlite
          .prepare("INSERT INTO metadata (key, value) VALUES ('schema_version', ?)")
          .run(String(SCHEMA_VERSION));
      else if (Number(version) !== SCHEMA_VERSION) throw schemaError(file, version);
    }
    return new AdvisoryDb(file, sqlite, readonly);
  } catch (err) {
    sqlite.close();
    if (err instanceof KubeguardError) throw err;
    throw new KubeguardError(
      ErrorCodes.integrity,
      `${file} is not a Kubeguard vulnerability database: ${messageOf(err)}`,
      {
        cause: err,
        hint: 'rebuild it with `kubeguard db update` or `kubeguard db import`',
      },
    );
  }
}

function schemaError(file: string, version: string | undefined): KubeguardError {
  return new KubeguardError(
    ErrorCodes.integrity,
    `${file} has database schema ${version ?? 'unknown'}, this Kubeguard reads schema ${SCHEMA_VERSION}`,
    { hint: 'rebuild it with `kubeguard db update` or import a bundle made by this version' },
  );
}
