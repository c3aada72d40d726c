/**
 * Replacing the installed database safely. Every change (build, import, update) writes a new file
 * beside the old one in the same folder and renames it into place: rename(2) within a folder is
 * atomic, so a reader sees the old database or the new one, never a mix, and a failure or a kill at
 * any point leaves the old one as it was. A lock file (`<db>.lock`, holding the writer's PID) keeps
 * two writers apart; a lock whose process is gone is taken over, and that writer's leftovers
 * (temporary files named `.<db>.tmp-*`) are removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import { extractBundle, looksLikeBundle, verifyDatabaseFile } from './bundle.ts';
import { importInto } from './importer.ts';
import type { ImportLimits, ImportStats } from './importer.ts';
import { openAdvisoryDb } from './store.ts';
import type { DbInfo } from './store.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the writer lock of a database path; returns the release function. */
export function lockDatabase(dbPath: string, logger: Logger = silentLogger): () => void {
  const lock = `${path.resolve(dbPath)}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      removeLeftovers(dbPath, logger);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(readOrEmpty(lock), 10);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      throw new KubeguardError(
        ErrorCodes.conflict,
        `the vulnerability database ${dbPath} is being changed by process ${pid}`,
        {
          hint: `wait for it to finish; if no kubeguard process runs, delete ${lock}`,
        },
      );
    }
    logger.warn(`taking over the lock of a writer that is gone`, {
      lock,
      pid: Number.isInteger(pid) ? pid : undefined,
    });
    fs.rmSync(lock, { force: true });
  }
  throw new KubeguardError(ErrorCodes.conflict, `cannot lock ${lock}`);
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Removes temporary files of earlier, interrupted writers (we hold the lock, so none is ours). */
function removeLeftovers(dbPath: string, logger: Logger): void {
  const dir = path.dirname(path.resolve(dbPath));
  const prefix = `.${path.basename(dbPath)}.`;
  for (const name of fs.readdirSync(dir)) {
    const rest = name.slice(prefix.length);
    if (!name.startsWith(prefix) || !(rest.startsWith('tmp-') || rest.startsWith('bundle-'))) continue;
    fs.rmSync(path.join(dir, name), { force: true, recursive: true });
    logger.info('removed a leftover of an interrupted update', { file: name });
  }
}

/** A fresh temporary path beside the database (same folder, so rename is atomic). */
export function tempBeside(dbPath: string, kind = 'tmp'): string {
  const resolved = path.resolve(dbPath);
  return path.join(
    path.dirname(resolved),
    `.${path.basename(resolved)}.${kind}-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
  );
}

/** Renames a finished database file over `dbPath`, durably (file and folder fsync'ed). */
export function installDatabase(tempPath: string, dbPath: string): void {
  const fd = fs.openSync(tempPath, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // Side files of the previous database must not meet the new one: a hot journal would be
  // "recovered" into it. Installed databases have none; an API writer on the live path might.
  for (const side of ['-journal', '-wal', '-shm']) fs.rmSync(`${tempPath}${side}`, { force: true });
  for (const side of ['-journal', '-wal', '-shm']) fs.rmSync(`${dbPath}${side}`, { force: true });
  fs.renameSync(tempPath, dbPath);
  try {
    const dir = fs.openSync(path.dirname(path.resolve(dbPath)), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  } catch {
    // Some filesystems refuse fsync on folders; the rename itself is still atomic.
  }
}

export interface BuildInput {
  path: string;
  name?: string;
  url?: string;
  sha256?: string;
}

export interface BuildOptions {
  /** Database file to create or replace. */
  output: string;
  inputs: (string | BuildInput)[];
  logger?: Logger;
  limits?: Partial<ImportLimits>;
  /** Start from a copy of the current database at `output` (merge) instead of an empty one. */
  merge?: boolean;
  /** Metadata keys written into the new database before it is installed. */
  stamp?: Record<string, unknown>;
  /** Fail when an input yields no advisory at all (downloads: an empty or wrong file). */
  requireRecords?: boolean;
}

export interface BuildResult {
  info: DbInfo;
  imports: ImportStats[];
}

const asInput = (i: string | BuildInput): BuildInput => (typeof i === 'string' ? { path: i } : i);

/**
 * Builds a database from OSV inputs beside `output` and renames it into place. With `merge`, the
 * current database is the starting point (`db import`); otherwise it is replaced (`db update`).
 * A single bundle replacing a database is installed as is (inflated and verified), which is much
 * faster than re-importing its records.
 */
export async function buildDatabase(options: BuildOptions): Promise<BuildResult> {
  const release = lockDatabase(options.output, options.logger);
  try {
    return await buildLocked(options);
  } finally {
    release();
  }
}

/** @internal buildDatabase for a caller that holds the lock already (update). */
export async function buildLocked(options: BuildOptions): Promise<BuildResult> {
  const logger = options.logger ?? silentLogger;
  const output = path.resolve(options.output);
  const inputs = options.inputs.map(asInput);
  if (inputs.length === 0)
    throw new KubeguardError(ErrorCodes.invalidInput, 'nothing to import: no inputs given');
  const temp = tempBeside(output);
  try {
    const mergeWith = options.merge && fs.existsSync(output) ? output : undefined;
    const only = inputs.length === 1 ? (inputs[0] as BuildInput) : undefined;
    if (!mergeWith && only && isBundleFile(only.path)) {
      await extractBundle(only.path, temp);
      if (options.stamp) stampMetadata(temp, options.stamp);
      const info = verifyDatabaseFile(temp, only.path);
      installDatabase(temp, output);
      logger.info('installed bundle', {
        bundle: only.path,
        advisories: info.counts.advisories,
        built: info.built,
      });
      return { info: { ...info, path: output }, imports: [] };
    }
    if (mergeWith) {
      // Installed databases are single files in rollback mode and we hold the lock, so a plain
      // copy is consistent; a database some API writer left in WAL mode is copied through SQLite.
      if (fs.existsSync(`${mergeWith}-wal`)) {
        const source = new Database(mergeWith, { readonly: true });
        try {
          source.prepare('VACUUM INTO ?').run(temp);
        } finally {
          source.close();
        }
      } else {
        fs.copyFileSync(mergeWith, temp);
      }
    }
    const db = openAdvisoryDb(temp, { readonly: false });
    const imports: ImportStats[] = [];
    let info: DbInfo;
    try {
      for (const input of inputs) {
        const stats = await importInto(db, input.path, {
          logger,
          finalize: false,
          ...(input.name ? { name: input.name } : {}),
          ...(input.url ? { url: input.url } : {}),
          ...(input.sha256 ? { sha256: input.sha256 } : {}),
          ...(options.limits ? { limits: options.limits } : {}),
        });
        // Bad records are skipped; an input that cannot be read at all fails the build, so a
        // broken download never replaces a working database with an empty one.
        if (stats.unreadable)
          throw new KubeguardError(
            ErrorCodes.invalidInput,
            `cannot import ${input.path}: ${stats.unreadable}`,
          );
        if (options.requireRecords && stats.records + stats.superseded === 0)
          throw new KubeguardError(
            ErrorCodes.invalidInput,
            `${input.name ?? input.path} holds no usable advisory`,
            {
              hint: 'check the source URL: it should serve an OSV all.zip or a kubeguard db bundle',
            },
          );
        imports.push(stats);
      }
      info = db.finalize();
    } finally {
      db.close();
    }
    if (options.stamp) stampMetadata(temp, options.stamp);
    installDatabase(temp, output);
    return { info: { ...info, path: output }, imports };
  } catch (err) {
    if (err instanceof KubeguardError) throw err;
    throw new KubeguardError(ErrorCodes.processFailed, `building ${output} failed: ${messageOf(err)}`, {
      cause: err,
    });
  } finally {
    for (const side of ['', '-journal', '-wal', '-shm']) fs.rmSync(`${temp}${side}`, { force: true });
  }
}

/** Writes metadata keys into a finished database file without touching its journal mode. */
function stampMetadata(file: string, values: Record<string, unknown>): void {
  const db = new Database(file);
  try {
    const put = db.prepare('INSERT OR REPLACE INTO metadata (key, value) VALUES (?, ?)');
    db.transaction(() => {
      for (const [k, v] of Object.entries(values)) put.run(k, JSON.stringify(v));
    })();
  } finally {
    db.close();
  }
}

function isBundleFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(32);
      return looksLikeBundle(head.subarray(0, fs.readSync(fd, head, 0, 32, 0)));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}
