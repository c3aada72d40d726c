/**
 * Installed PHP packages (syft's php-composer-installed-cataloger): Composer's
 * `vendor/composer/installed.json`, an array (Composer 1) or `{packages: [...]}` (Composer 2).
 */
import { generateCpes } from '../cpe.ts';
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import { cleanLicenses, compact, isRecord, str, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { formatPurl } from '../purl.ts';

function parse(data: Buffer, ctx: ParseContext): NewPackage[] {
  const json: unknown = JSON.parse(text(data));
  const list: unknown = Array.isArray(json) ? json : isRecord(json) ? json.packages : undefined;
  if (!Array.isArray(list)) throw new Error('neither a package array nor {packages: [...]}');
  const out: NewPackage[] = [];
  for (const p of list) {
    if (!isRecord(p)) continue;
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version) {
      ctx.issue(`package without name or version${name ? `: ${name}` : ''}`);
      continue;
    }
    const [vendor, project] = name.includes('/') ? (name.split('/', 2) as [string, string]) : [name, name];
    const licenses = Array.isArray(p.license) ? p.license.map(str) : [str(p.license)];
    out.push({
      name,
      version,
      type: 'php-composer',
      language: 'php',
      purl: formatPurl({ type: 'composer', namespace: vendor, name: project, version }),
      cpes: generateCpes({ name: project, version, vendors: [vendor], max: 6 }),
      licenses: cleanLicenses(licenses),
      locations: [ctx.location],
      metadataType: 'php-composer-installed-entry',
      metadata: compact({
        name,
        version,
        source: isRecord(p.source) ? p.source : undefined,
        dist: isRecord(p.dist) ? p.dist : undefined,
        type: str(p.type),
        license: licenses.filter((l): l is string => !!l),
        description: str(p.description),
        homepage: str(p.homepage),
        time: str(p.time),
        'installation-source': str(p['installation-source']),
      }),
    });
  }
  return out;
}

export const phpComposerInstalledCataloguer = defineCataloguer({
  id: 'php-composer-installed-cataloger',
  version: 1,
  parsers: [
    { globs: ['**/vendor/composer/installed.json'], accept: (_p, i) => i.size <= 64 * 1024 * 1024, parse },
  ],
});
