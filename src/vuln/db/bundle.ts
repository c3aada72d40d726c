/**
 * `db bundle`: one file that another installation imports without network access.
 *
 * Format: a text line `KUBEGUARD-VULNDB-BUNDLE 1`, one line of JSON manifest (schema version, build
 * time, content checksum, sources, counts, size and sha256 of the database), then the database
 * (compacted with VACUUM INTO) as one gzip stream. Why not ship the bare SQLite file: OSV text
 * compresses about 5-8x, which matters when the bundle is carried across an air gap; the manifest
 * can be read (and the schema version refused) without decompressing anything; and the sha256 of
 * the inflated database is checked before it replaces a working one. The gzip stream is also
 * bounded by the declared size, so a hostile bundle cannot fill the disk.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { openAdvisoryDb, SCHEMA_VERSION } from './store.ts';
import type { DbInfo, DbSource } from './store.ts';

export const BUNDLE_MAGIC = 'KUBEGUARD-VULNDB-BUNDLE 1\n';
const MAX_HEADER = 1024 * 1024;

export interface BundleManifest {
  format: 'kubeguard-vulndb-bundle';
  version: 1;
  schemaVersion: number;
  built: string;
  checksum: string;
  created: string;
  counts: DbInfo['counts'];
  ecosystems: Record<string, number>;
  sources: DbSource[];
  /** Size and sha256 of the inflated SQLite file. */
  dbBytes: number;
  dbSha256: string;
}

/** True when the first bytes of a file are a bundle's. */
export function looksLikeBundle(head: Buffer): boolean {
  return head.subarray(0, BUNDLE_MAGIC.length).toString('latin1') === BUNDLE_MAGIC;
}

/** sha256 of a file, hex. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Writes a bundle of the database at `dbPath` to `output` (atomically: temp file, then rename). */
export async function writeBundle(dbPath: string, output: string): Promise<BundleManifest> {
  const db = openAdvisoryDb(dbPath);
  const dir = path.dirname(path.resolve(output));
  fs.mkdirSync(dir, { recursive: true });
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const compact = path.join(dir, `.${path.basename(output)}.db-${suffix}`);
  const partial = path.join(dir, `.${path.basename(output)}.tmp-${suffix}`);
  try {
    const info = db.info();
    // A consistent, compacted copy; works on a read-only connection.
    db.sqlite.prepare('VACUUM INTO ?').run(compact);
    db.close();
    const manifest: BundleManifest = {
      format: 'kubeguard-vulndb-bundle',
      version: 1,
      schemaVersion: info.schemaVersion,
      built: info.built,
      checksum: info.checksum,
      created: new Date().toISOString(),
      counts: info.counts,
      ecosystems: info.ecosystems,
      sources: info.sources,
      dbBytes: fs.statSync(compact).size,
      dbSha256: sha256File(compact),
    };
    fs.writeFileSync(partial, `${BUNDLE_MAGIC}${JSON.stringify(manifest)}\n`);
    await pipeline(
      fs.createReadStream(compact),
      zlib.createGzip({ level: 6 }),
      fs.createWriteStream(partial, { flags: 'a' }),
    );
    fs.renameSync(partial, output);
    return manifest;
  } finally {
    db.close();
    fs.rmSync(compact, { force: true });
    fs.rmSync(partial, { force: true });
  }
}

/** Reads and checks a bundle's manifest; returns it with the offset of the gzip stream. */
export function readBundleManifest(file: string): { manifest: BundleManifest; dataOffset: number } {
  const fd = fs.openSync(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(MAX_HEADER);
    head = buf.subarray(0, fs.readSync(fd, buf, 0, MAX_HEADER, 0));
  } finally {
    fs.closeSync(fd);
  }
  const bad = (why: string) =>
    new KubeguardError(ErrorCodes.invalidInput, `${file} is not a usable Kubeguard bundle: ${why}`);
  if (!looksLikeBundle(head)) throw bad('missing the bundle header');
  const end = head.indexOf(0x0a, BUNDLE_MAGIC.length);
  if (end < 0) throw bad('manifest line missing or longer than 1 MiB');
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(head.subarray(BUNDLE_MAGIC.length, end).toString('utf8')) as BundleManifest;
  } catch (err) {
    throw bad(`manifest is not JSON (${messageOf(err)})`);
  }
  if (manifest.format !== 'kubeguard-vulndb-bundle' || manifest.version !== 1)
    throw bad('unknown bundle format');
  if (
    !Number.isSafeInteger(manifest.dbBytes) ||
    manifest.dbBytes <= 0 ||
    !/^[0-9a-f]{64}$/.test(manifest.dbSha256)
  )
    throw bad('manifest lacks the database size or sha256');
  if (manifest.schemaVersion !== SCHEMA_VERSION) {
    throw new KubeguardError(
      ErrorCodes.integrity,
      `${file} holds database schema ${manifest.schemaVersion}, this Kubeguard reads schema ${SCHEMA_VERSION}`,
      { hint: 'make the bundle with the same Kubeguard version that imports it' },
    );
  }
  return { manifest, dataOffset: end + 1 };
}

/**
 * Inflates a bundle's database to `dest` and verifies it (size, sha256, schema, SQLite quick_check,
 * content checksum). On any failure `dest` is removed and a KubeguardError names the bundle.
 */
export async function extractBundle(file: string, dest: string): Promise<BundleManifest> {
  const { manifest, dataOffset } = readBundleManifest(file);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > manifest.dbBytes) {
        done(
          new KubeguardError(
            ErrorCodes.integrity,
            `${file} inflates beyond its declared ${manifest.dbBytes} bytes`,
          ),
        );
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      fs.createReadStream(file, { start: dataOffset }),
      zlib.createGunzip(),
      meter,
      fs.createWriteStream(dest),
    );
    const sha = hash.digest('hex');
    if (bytes !== manifest.dbBytes || sha !== manifest.dbSha256) {
      throw new KubeguardError(
        ErrorCodes.integrity,
        `${file} is damaged: database of ${bytes} bytes with sha256 ${sha}, the manifest says ${manifest.dbBytes} bytes, ${manifest.dbSha256}`,
      );
    }
    verifyDatabaseFile(dest, file, manifest.checksum);
    return manifest;
  } catch (err) {
    fs.rmSync(dest, { force: true });
    if (err instanceof KubeguardError) throw err;
    throw new KubeguardError(ErrorCodes.integrity, `cannot read bundle ${file}: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

/** Opens a database file read-only and runs SQLite's quick_check; checks the content checksum if given. */
export function verifyDatabaseFile(file: string, name: string, checksum?: string): DbInfo {
  const db = openAdvisoryDb(file);
  try {
    const check = db.sqlite.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new KubeguardError(ErrorCodes.integrity, `${name}: SQLite quick_check says ${String(check)}`);
    const info = db.info();
    if (checksum !== undefined && info.checksum !== checksum)
      throw new KubeguardError(
        ErrorCodes.integrity,
        `${name}: content checksum ${info.checksum} differs from ${checksum}`,
      );
    return info;
  } finally {
    db.close();
  }
}
