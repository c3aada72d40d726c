/**
 * rpm database cataloguer (syft's rpm-db-cataloger): the SQLite, BerkeleyDB and NDB backends,
 * recognised by content, each yielding header blobs parsed by one header reader. A database that
 * cannot be read is one ParseIssue naming its format; a corrupt header skips that package only.
 */
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import { errorMessage } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { isBerkeleyHash, readBerkeleyPackages } from './bdb.ts';
import { RpmHeader } from './header.ts';
import { isNdb, readNdbPackages } from './ndb.ts';
import { newRpmPackage, toRpmEntry } from './package.ts';
import { isSqlite, readSqlitePackages } from './sqlite.ts';

const DB_DIRS = '{var/lib,usr/share,usr/lib/sysimage}/rpm';

async function blobsOf(
  data: Buffer,
  ctx: ParseContext,
): Promise<{ format: string; blobs: Buffer[] } | undefined> {
  let format = 'unknown';
  try {
    if (isSqlite(data)) {
      format = 'SQLite';
      const wal = await ctx.readRelated(`${ctx.file.path}-wal`);
      return { format, blobs: await readSqlitePackages(data, wal?.data) };
    }
    if (isNdb(data)) {
      format = 'NDB';
      return { format, blobs: readNdbPackages(data) };
    }
    if (isBerkeleyHash(data)) {
      format = 'BerkeleyDB hash';
      return { format, blobs: readBerkeleyPackages(data) };
    }
  } catch (err) {
    ctx.issue(`${format} rpmdb: ${errorMessage(err)}`);
    return undefined;
  }
  ctx.issue('not an rpm database this cataloguer reads (neither SQLite, BerkeleyDB hash nor NDB)');
  return undefined;
}

async function parse(data: Buffer, ctx: ParseContext): Promise<NewPackage[]> {
  const db = await blobsOf(data, ctx);
  if (!db) return [];
  const out: NewPackage[] = [];
  db.blobs.forEach((blob, i) => {
    let entry;
    try {
      entry = toRpmEntry(RpmHeader.parse(blob));
    } catch (err) {
      ctx.issue(`${db.format} rpmdb: package header ${i + 1}: ${errorMessage(err)}`);
      return;
    }
    // Imported signing keys are rpmdb entries, not software.
    if (entry.name === 'gpg-pubkey') return;
    if (!entry.name || !entry.version) {
      ctx.issue(`${db.format} rpmdb: package header ${i + 1} has no name or version`);
      return;
    }
    out.push(newRpmPackage(entry, ctx.location, ctx.distro));
  });
  return out;
}

export const rpmCataloguer = defineCataloguer({
  id: 'rpm-db-cataloger',
  version: 1,
  parsers: [{ globs: [`/${DB_DIRS}/{Packages,Packages.db,rpmdb.sqlite}`], parse }],
  supporting: [`/${DB_DIRS}/rpmdb.sqlite-wal`],
});
