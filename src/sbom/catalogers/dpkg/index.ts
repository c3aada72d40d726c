/**
 * dpkg database cataloguer (syft's dpkg-db-cataloger): installed packages from
 * `/var/lib/dpkg/status` and distroless `status.d/*`, files owned from `info/<pkg>[:arch].list`
 * (or `.md5sums`), licences from `/usr/share/doc/<pkg>/copyright`.
 */
import path from 'node:path';
import type { PackageLocation } from '../../model.ts';
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import { locationOf, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { parseCopyrightLicenses } from './parse-copyright.ts';
import { isInstalled, parseFileList, parseMd5sums, parseStanzas, toDpkgEntry } from './parse-status.ts';
import type { DpkgEntry, StanzaIssue } from './parse-status.ts';
import { newDpkgPackage } from './package.ts';

export const DPKG_STATUS_GLOBS = ['/var/lib/dpkg/status', '/var/lib/dpkg/status.d/*'];

/** Candidate names of a package's info files: `<pkg>:<arch>` for Multi-Arch: same, else `<pkg>`. */
function infoNames(entry: DpkgEntry): string[] {
  return entry.architecture ? [`${entry.package}:${entry.architecture}`, entry.package] : [entry.package];
}

async function firstOf(
  ctx: ParseContext,
  candidates: string[],
): Promise<{ path: string; data: Buffer; location: PackageLocation } | undefined> {
  for (const c of candidates) {
    const found = await ctx.readRelated(c);
    if (found) return { path: found.file.path, data: found.data, location: locationOf(found.file) };
  }
  return undefined;
}

async function parseDpkgDb(data: Buffer, ctx: ParseContext): Promise<NewPackage[]> {
  const stanzaIssues: StanzaIssue[] = [];
  const stanzas = parseStanzas(text(data), stanzaIssues);
  for (const i of stanzaIssues.slice(0, 10)) ctx.issue(`line ${i.line}: ${i.reason}`);
  const dir = path.posix.dirname(ctx.file.path);
  const distroless = path.posix.basename(dir) === 'status.d';
  const infoDir = distroless ? dir : `${dir}/info`;
  const packages: NewPackage[] = [];
  for (const stanza of stanzas) {
    const entry = toDpkgEntry(stanza);
    if (!entry.package) {
      ctx.issue('stanza without a Package field');
      continue;
    }
    if (!isInstalled(entry.status)) continue;
    const locations: PackageLocation[] = [ctx.location];
    const names = infoNames(entry);

    let files: string[] | undefined;
    if (!distroless) {
      const list = await firstOf(
        ctx,
        names.map((n) => `${infoDir}/${n}.list`),
      );
      if (list) {
        locations.push(list.location);
        // Directories are shared by many packages: ownership means files and links.
        files = parseFileList(text(list.data)).filter((p) => ctx.resolver.byPath(p)?.type !== 'dir');
      }
    }
    const md5 = await firstOf(
      ctx,
      names.map((n) => `${infoDir}/${n}.md5sums`),
    );
    if (md5) {
      locations.push(md5.location);
      if (!files) {
        files = parseMd5sums(text(md5.data)).map((m) => m.path);
        for (const c of entry.conffiles) if (!files.includes(c.path)) files.push(c.path);
      }
    }

    let licenses: string[] = [];
    const copyright = await firstOf(ctx, [`/usr/share/doc/${entry.package}/copyright`]);
    if (copyright) {
      locations.push(copyright.location);
      licenses = parseCopyrightLicenses(text(copyright.data));
    }
    packages.push(newDpkgPackage(entry, locations, ctx.distro, { licenses, files }));
  }
  return packages;
}

export const dpkgCataloguer = defineCataloguer({
  id: 'dpkg-db-cataloger',
  version: 1,
  parsers: [
    {
      globs: DPKG_STATUS_GLOBS,
      // status.d holds `<pkg>.md5sums` beside each stanza file.
      accept: (p) => !p.endsWith('.md5sums'),
      parse: parseDpkgDb,
    },
  ],
  supporting: [
    '/var/lib/dpkg/info/*.list',
    '/var/lib/dpkg/info/*.md5sums',
    '/var/lib/dpkg/status.d/*.md5sums',
    '/usr/share/doc/*/copyright',
  ],
});
