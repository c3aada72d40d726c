/**
 * rpm's SQLite database (`rpmdb.sqlite`, RHEL 9, Fedora >= 33): table `Packages(hnum, blob)`.
 * better-sqlite3 is loaded lazily so the SBOM engine works without native modules on images that
 * have no SQLite rpmdb. A database without a write-ahead log is opened from memory (its header
 * switched from WAL to rollback mode, which in-memory databases require); one with a non-empty
 * `-wal` file is copied with it to a private temporary directory so SQLite can replay the log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Statement = { all(): unknown[] };
type Database = { prepare(sql: string): Statement; close(): void };
type DatabaseConstructor = new (
  source: Buffer | string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => Database;

let driver: Promise<DatabaseConstructor> | undefined;

async function loadDriver(): Promise<DatabaseConstructor> {
  driver ??= import('better-sqlite3').then(
    (m) => (m as unknown as { default: DatabaseConstructor }).default,
    (err: unknown) => {
      driver = undefined;
      throw new Error(
        `reading an SQLite rpmdb needs the better-sqlite3 module: ${err instanceof Error ? err.message : String(err)}`,
      );
    },
  );
  return driver;
}

export function isSqlite(data: Buffer): boolean {
  return data.length >= 100 && data.toString('latin1', 0, 16) === 'SQLite format 3\0';
}

function blobsOf(db: Database): Buffer[] {
  const rows = db.prepare('SELECT blob FROM Packages ORDER BY hnum').all() as { blob: unknown }[];
  return rows.map((r) => r.blob).filter((b): b is Buffer => Buffer.isBuffer(b));
}

export async function readSqlitePackages(data: Buffer, wal?: Buffer): Promise<Buffer[]> {
  if (!isSqlite(data)) throw new Error('not an SQLite database (bad magic)');
  const Sqlite = await loadDriver();
  if (wal && wal.length > 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-rpmdb-'));
    try {
      const file = path.join(dir, 'rpmdb.sqlite');
      fs.writeFileSync(file, data);
      fs.writeFileSync(`${file}-wal`, wal);
      const db = new Sqlite(file, { fileMustExist: true });
      try {
        return blobsOf(db);
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const copy = Buffer.from(data);
  // File format bytes 18/19 = 2 mean WAL; a deserialized database must use the rollback journal.
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  const db = new Sqlite(copy);
  try {
    return blobsOf(db);
  } finally {
    db.close();
  }
}
