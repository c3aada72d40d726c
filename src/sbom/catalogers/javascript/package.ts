/** The one place an npm package, its purl and CPEs are built (syft's javascript/package.go). */
import type { PackageLocation } from '../../model.ts';
import { generateCpes } from '../cpe.ts';
import { cleanLicenses, isRecord, str } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { formatPurl } from '../purl.ts';

/** `@scope/name` -> namespace `@scope` (encoded `%40scope`), name `name`. */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash > 0
    ? formatPurl({ type: 'npm', namespace: name.slice(0, slash), name: name.slice(slash + 1), version })
    : formatPurl({ type: 'npm', name, version });
}

export function npmCpes(name: string, version: string): string[] {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const bare = slash > 0 ? name.slice(slash + 1) : name;
  const scope = slash > 0 ? name.slice(1, slash) : undefined;
  const vendors = [bare, `${bare}_project`, ...(scope ? [scope] : [])];
  return generateCpes({ name: bare, version, vendors });
}

/** `license: "MIT"`, `license: {type}`, legacy `licenses: [{type}]` or strings. */
export function npmLicenses(json: Record<string, unknown>): string[] {
  const out: (string | undefined)[] = [];
  const one = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (isRecord(v)) out.push(str(v.type) ?? str(v.name));
  };
  one(json.license);
  if (Array.isArray(json.licenses)) json.licenses.forEach(one);
  else one(json.licenses);
  return cleanLicenses(out);
}

export function newNpmPackage(
  name: string,
  version: string,
  location: PackageLocation,
  extra: { licenses?: string[]; metadataType: string; metadata: Record<string, unknown> },
): NewPackage {
  return {
    name,
    version,
    type: 'npm',
    language: 'javascript',
    purl: npmPurl(name, version),
    cpes: npmCpes(name, version),
    licenses: extra.licenses ?? [],
    locations: [location],
    metadataType: extra.metadataType,
    metadata: extra.metadata,
  };
}
