/**
 * Import of OSV data into an open database: single JSON files (one record or a list), folders
 * (recursively: `*.json` and `*.zip`), OSV `all.zip` archives, bundles and other Kubeguard
 * databases. Bad input never stops an import: each skipped file, entry, record or affected entry
 * is counted by reason, the first warnings are kept in the database, and the import goes on.
 *
 * Records are written in batches, one transaction per batch, and the event loop gets a turn
 * between batches, so a service can import while it keeps answering.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../../common/index.ts';
import { silentLogger } from '../../common/index.ts';
import type { Advisory } from '../types.ts';
import { extractBundle, looksLikeBundle, sha256File } from './bundle.ts';
import { indexKeysOf } from './ecosystems.ts';
import { normalizeOsv } from './osv.ts';
import type { ImportWarning, SkipReason } from './osv.ts';
import { emptySkipped, MAX_STORED_WARNINGS, openAdvisoryDb } from './store.ts';
import type { AdvisoryDb, PreparedRecord } from './store.ts';
import { defaultZipLimits, ZipEntryError, ZipReader } from './zip.ts';
import type { ZipLimits } from './zip.ts';

/** Limits on what one import reads; a single JSON file obeys `maxEntryBytes` too. */
export type ImportLimits = ZipLimits;

export interface ImportOptions {
  /** Source name recorded in the database (default: the file or folder name; `npm/all.zip` -> "npm"). */
  name?: string;
  /** Where the input came from, shown by `db status`. */
  url?: string;
  /** sha256 of the input file when already known (computed for single files otherwise). */
  sha256?: string;
  logger?: Logger;
  limits?: Partial<ImportLimits>;
  /** Recompute counts and the checksum afterwards (default true; builds of several inputs do it once). */
  finalize?: boolean;
  /** Records per transaction (default 2,000). */
  batchSize?: number;
}

export interface ImportStats {
  input: string;
  source: string;
  /** Records written: new ones plus those that replaced an older version. */
  records: number;
  inserted: number;
  replaced: number;
  /** Records not written because the database already had the same or a newer `modified`. */
  superseded: number;
  /** Files or archive entries that are not OSV inputs (other extensions), passed over silently. */
  ignored: number;
  skipped: Record<SkipReason, number>;
  skippedTotal: number;
  /** The first warnings (all are counted in `skipped`). */
  warnings: ImportWarning[];
  /** Set when the input as a whole could not be read (missing, not a zip, a damaged bundle). */
  unreadable?: string;
  seconds: number;
}

const LOGGED_WARNINGS = 20;
const SQLITE_MAGIC = 'SQLite format 3\0';

/** The source name an input gets by default: its base name, or the folder of an `all.zip`. */
export function sourceNameFor(input: string): string {
  const resolved = path.resolve(input);
  const base = path.basename(resolved);
  return base.toLowerCase() === 'all.zip' ? path.basename(path.dirname(resolved)) : base;
}

class Importer {
  readonly stats: ImportStats;
  /** True when the input itself is a bundle or database: its records keep their own sources. */
  copiedDatabase = false;
  private batch: PreparedRecord[] = [];
  private readonly started = process.hrtime.bigint();
  private lastProgress = 0;

  constructor(
    private readonly db: AdvisoryDb,
    input: string,
    readonly source: string,
    private readonly limits: ImportLimits,
    private readonly logger: Logger,
    private readonly batchSize: number,
  ) {
    this.stats = {
      input,
      source,
      records: 0,
      inserted: 0,
      replaced: 0,
      superseded: 0,
      ignored: 0,
      skipped: emptySkipped(),
      skippedTotal: 0,
      warnings: [],
      seconds: 0,
    };
  }

  warn(w: ImportWarning): void {
    if (w.input === this.stats.input && w.reason === 'corrupt') this.stats.unreadable ??= w.message;
    this.stats.skipped[w.reason]++;
    this.stats.skippedTotal++;
    if (this.stats.warnings.length < MAX_STORED_WARNINGS) this.stats.warnings.push(w);
    if (this.stats.skippedTotal <= LOGGED_WARNINGS)
      this.logger.warn(`skipped ${w.input}: ${w.message}`, { reason: w.reason });
  }

  /** Queues one record; true when the batch is full and should be flushed. */
  add(record: PreparedRecord): boolean {
    this.batch.push(record);
    return this.batch.length >= this.batchSize;
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const r = this.db.writeBatch(this.batch);
    this.batch = [];
    this.stats.inserted += r.inserted;
    this.stats.replaced += r.replaced;
    this.stats.superseded += r.superseded;
    this.stats.records = this.stats.inserted + this.stats.replaced;
    const seen = this.stats.records + this.stats.superseded;
    if (seen - this.lastProgress >= 50_000) {
      this.lastProgress = seen;
      this.logger.info(`${this.stats.input}: ${seen} records read`);
    }
    await yieldToEventLoop();
  }

  /** Parses one JSON document (an OSV record or a list of them) and queues its records. */
  async json(data: Buffer, where: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch (err) {
      this.warn({ input: where, reason: 'malformed', message: `not JSON: ${(err as Error).message}` });
      return;
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const [i, raw] of list.entries()) {
      const result = normalizeOsv(raw, Array.isArray(parsed) ? `${where}[${i}]` : where);
      if (!result.ok) {
        this.warn(result.warning);
        continue;
      }
      for (const d of result.dropped) this.warn(d);
      if (this.add({ advisory: result.advisory, keys: result.keys, source: this.source })) await this.flush();
    }
  }

  async file(file: string): Promise<void> {
    let size: number;
    let head: Buffer;
    try {
      size = fs.statSync(file).size;
      const fd = fs.openSync(file, 'r');
      try {
        head = Buffer.alloc(32);
        head = head.subarray(0, fs.readSync(fd, head, 0, 32, 0));
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      this.warn({ input: file, reason: 'corrupt', message: `cannot read: ${(err as Error).message}` });
      return;
    }
    const magic = head.toString('latin1');
    if (magic.startsWith('PK\x03\x04') || magic.startsWith('PK\x05\x06')) return this.zip(file);
    if (looksLikeBundle(head)) return this.bundle(file);
    if (magic.startsWith(SQLITE_MAGIC)) return this.database(file, file);
    if (size > this.limits.maxEntryBytes) {
      this.warn({
        input: file,
        reason: 'too-large',
        message: `${size} bytes (limit ${this.limits.maxEntryBytes})`,
      });
      return;
    }
    await this.json(fs.readFileSync(file), file);
  }

  async directory(dir: string): Promise<void> {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      this.warn({ input: dir, reason: 'corrupt', message: `cannot list: ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      // Symbolic links to folders are not followed: no cycles, no escaping the input.
      if (e.isDirectory()) await this.directory(full);
      else if (/\.(json|zip)$/i.test(e.name) && (e.isFile() || (e.isSymbolicLink() && isFile(full))))
        await this.file(full);
      else this.stats.ignored++;
    }
  }

  async zip(file: string): Promise<void> {
    let reader: ZipReader;
    try {
      reader = ZipReader.open(file, this.limits);
    } catch (err) {
      this.warn({
        input: file,
        reason: 'corrupt',
        message: `not a readable zip archive: ${(err as Error).message}`,
      });
      return;
    }
    try {
      let index = 0;
      for (const entry of reader.entries()) {
        index++;
        if (entry.name.endsWith('/')) continue;
        const where = `${file}!${entry.name}`;
        if (!/\.json$/i.test(entry.name)) {
          this.stats.ignored++;
          continue;
        }
        if (reader.totalInflated >= this.limits.maxTotalBytes) {
          const rest = reader.count - index + 1;
          this.warn({
            input: file,
            reason: 'too-large',
            message: `archive inflates beyond ${this.limits.maxTotalBytes} bytes; the last ${rest} entries were not read`,
          });
          this.stats.skipped['too-large'] += rest - 1;
          this.stats.skippedTotal += rest - 1;
          return;
        }
        let data: Buffer;
        try {
          data = reader.read(entry);
        } catch (err) {
          if (err instanceof ZipEntryError)
            this.warn({ input: where, reason: err.reason, message: err.message });
          else this.warn({ input: where, reason: 'corrupt', message: (err as Error).message });
          continue;
        }
        await this.json(data, where);
      }
    } catch (err) {
      this.warn({
        input: file,
        reason: 'corrupt',
        message: `damaged central directory: ${(err as Error).message}`,
      });
    } finally {
      reader.close();
    }
  }

  async bundle(file: string): Promise<void> {
    const temp = path.join(
      path.dirname(this.db.path),
      `.${path.basename(this.db.path)}.bundle-${process.pid}-${Date.now()}`,
    );
    try {
      await extractBundle(file, temp);
      await this.database(temp, file);
    } catch (err) {
      this.warn({ input: file, reason: 'corrupt', message: (err as Error).message });
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }

  /** Copies the advisories of another Kubeguard database, keeping their source names. */
  async database(file: string, name: string): Promise<void> {
    if (name === this.stats.input) this.copiedDatabase = true;
    let other;
    try {
      other = openAdvisoryDb(file);
    } catch (err) {
      this.warn({ input: name, reason: 'corrupt', message: (err as Error).message });
      return;
    }
    try {
      this.db.mergeSources(other.info().sources);
      const rows = other.sqlite.prepare('SELECT source, json FROM advisories').iterate() as IterableIterator<{
        source: string;
        json: string;
      }>;
      for (const row of rows) {
        let advisory: Advisory;
        try {
          advisory = JSON.parse(row.json) as Advisory;
        } catch {
          this.warn({ input: name, reason: 'corrupt', message: 'a stored advisory is not JSON' });
          continue;
        }
        if (this.add({ advisory, keys: indexKeysOf(advisory), source: row.source })) await this.flush();
      }
    } finally {
      other.close();
    }
  }

  finish(): ImportStats {
    this.stats.seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    return this.stats;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Imports one input (file, folder, zip, bundle or database) into a database opened writable.
 * The advisory with the newer `modified` wins when an id is already present.
 */
export async function importInto(
  db: AdvisoryDb,
  input: string,
  options: ImportOptions = {},
): Promise<ImportStats> {
  const logger = options.logger ?? silentLogger;
  const limits = { ...defaultZipLimits, ...options.limits };
  const source = options.name ?? sourceNameFor(input);
  const importer = new Importer(db, input, source, limits, logger, options.batchSize ?? 2000);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(input);
  } catch (err) {
    importer.warn({ input, reason: 'corrupt', message: `cannot read: ${(err as Error).message}` });
  }
  let sha256 = options.sha256;
  if (stat?.isDirectory()) {
    await importer.directory(input);
  } else if (stat) {
    sha256 ??= sha256File(input);
    await importer.file(input);
  }
  await importer.flush();
  const stats = importer.finish();
  // A bundle brings its own source entries; other inputs become a source of their own.
  db.recordImport(
    importer.copiedDatabase
      ? undefined
      : {
          name: source,
          ...(options.url ? { url: options.url } : {}),
          updated: new Date().toISOString(),
          ...(sha256 ? { sha256 } : {}),
          skipped: stats.skippedTotal,
        },
    stats.skipped,
    stats.warnings,
  );
  if (stats.skippedTotal > LOGGED_WARNINGS)
    logger.warn(`${input}: ${stats.skippedTotal} items skipped in all`);
  logger.info(`imported ${input}`, {
    source,
    records: stats.records,
    superseded: stats.superseded,
    skipped: stats.skippedTotal,
    seconds: Number(stats.seconds.toFixed(2)),
  });
  if (options.finalize !== false) db.finalize();
  return stats;
}
