/**
 * Installed Python packages (syft's python-installed-package-cataloger): `*.dist-info/METADATA`
 * and `*.egg-info/PKG-INFO` (or a single-file `.egg-info`), with `RECORD` / `installed-files.txt`
 * for the files each package owns, `top_level.txt` and `direct_url.json` for metadata. The name is
 * kept as published; the purl uses the PEP 503 normalised name, as PyPI and advisories do.
 */
import path from 'node:path';
import type { PackageLocation } from '../../model.ts';
import { generateCpes } from '../cpe.ts';
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import { cleanLicenses, compact, imagePath, isRecord, locationOf, str, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { formatPurl } from '../purl.ts';
import {
  first,
  normalizePythonName,
  parseCoreMetadata,
  parseRecord,
  pythonLicenses,
} from './parse-metadata.ts';

export function pythonPurl(name: string, version: string): string {
  return formatPurl({ type: 'pypi', name: normalizePythonName(name), version });
}

async function parse(data: Buffer, ctx: ParseContext): Promise<NewPackage[]> {
  const meta = parseCoreMetadata(text(data));
  const name = first(meta, 'name');
  const version = first(meta, 'version');
  if (!name || !version) {
    ctx.issue(`core metadata without ${name ? 'Version' : 'Name'}`);
    return [];
  }
  const file = ctx.file.path;
  // `x.dist-info/METADATA`, `x.egg-info/PKG-INFO` or the single-file form `x.egg-info`.
  const infoDir = file.endsWith('.egg-info') ? undefined : path.posix.dirname(file);
  const sitePackages = path.posix.dirname(infoDir ?? file);
  const locations: PackageLocation[] = [ctx.location];
  let files: string[] | undefined;
  let topLevelPackages: string[] | undefined;
  let directUrlOrigin: Record<string, string> | undefined;

  if (infoDir) {
    const dist = infoDir.endsWith('.dist-info');
    const record = await ctx.readRelated(`${infoDir}/${dist ? 'RECORD' : 'installed-files.txt'}`);
    if (record) {
      locations.push(locationOf(record.file));
      // RECORD paths are relative to site-packages, installed-files.txt ones to the egg-info dir.
      const base = dist ? sitePackages : infoDir;
      const entries = dist
        ? parseRecord(text(record.data)).map((e) => e.path)
        : text(record.data)
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean);
      files = entries.map((e) => (e.startsWith('/') ? path.posix.normalize(e) : imagePath(base, e)));
    }
    const topLevel = await ctx.readRelated(`${infoDir}/top_level.txt`);
    if (topLevel) {
      locations.push(locationOf(topLevel.file));
      topLevelPackages = text(topLevel.data)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    }
    if (dist) {
      const direct = await ctx.readRelated(`${infoDir}/direct_url.json`);
      if (direct) {
        try {
          const j: unknown = JSON.parse(text(direct.data));
          if (isRecord(j)) {
            const vcs = isRecord(j.vcs_info) ? j.vcs_info : undefined;
            directUrlOrigin = compact({
              url: str(j.url),
              vcs: str(vcs?.vcs),
              commitId: str(vcs?.commit_id),
            }) as Record<string, string>;
          }
        } catch (err) {
          ctx.issue(`direct_url.json: ${err instanceof Error ? err.message : String(err)}`, direct.file);
        }
      }
    }
  }

  const pkg: NewPackage = {
    name,
    version,
    type: 'python',
    language: 'python',
    purl: pythonPurl(name, version),
    cpes: generateCpes({ name, version, vendors: [`python-${name}`, `${name}_project`] }),
    licenses: cleanLicenses(pythonLicenses(meta)),
    locations,
    metadataType: 'python-package',
    metadata: {
      name,
      version,
      ...compact({
        author: first(meta, 'author'),
        authorEmail: first(meta, 'author-email'),
        platform: first(meta, 'platform'),
        sitePackagesRootPath: sitePackages,
        topLevelPackages,
        directUrlOrigin,
        requiresPython: first(meta, 'requires-python'),
        requiresDist: meta.get('requires-dist'),
        providesExtra: meta.get('provides-extra'),
      }),
    },
  };
  if (files?.length) pkg.files = files;
  return [pkg];
}

export const pythonInstalledCataloguer = defineCataloguer({
  id: 'python-installed-package-cataloger',
  version: 1,
  parsers: [
    {
      globs: ['**/*.dist-info/METADATA', '**/*.egg-info/PKG-INFO', '**/EGG-INFO/PKG-INFO', '**/*.egg-info'],
      accept: (_p, info) => info.size <= 16 * 1024 * 1024,
      parse,
    },
  ],
  supporting: [
    '**/*.dist-info/{RECORD,top_level.txt,direct_url.json}',
    '**/*.egg-info/{installed-files.txt,top_level.txt}',
    '**/EGG-INFO/top_level.txt',
  ],
});
