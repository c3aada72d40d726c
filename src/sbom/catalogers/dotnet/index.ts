/**
 * .NET dependencies (syft's dotnet-deps-cataloger): `*.deps.json` written next to every built
 * application; `libraries` lists `Name/Version` with a type, and NuGet packages are type
 * `package` (projects and reference assemblies are the application itself).
 */
import { generateCpes } from '../cpe.ts';
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import { compact, isRecord, str, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { formatPurl } from '../purl.ts';

function parse(data: Buffer, ctx: ParseContext): NewPackage[] {
  const json: unknown = JSON.parse(text(data));
  if (!isRecord(json) || !isRecord(json.libraries)) throw new Error('no "libraries" object');
  const out: NewPackage[] = [];
  for (const [key, lib] of Object.entries(json.libraries)) {
    if (!isRecord(lib) || lib.type !== 'package') continue;
    const slash = key.lastIndexOf('/');
    const name = key.slice(0, slash);
    const version = key.slice(slash + 1);
    if (slash <= 0 || !version) {
      ctx.issue(`library key "${key}" is not Name/Version`);
      continue;
    }
    const vendor = name.split('.')[0] ?? name;
    out.push({
      name,
      version,
      type: 'dotnet',
      language: 'dotnet',
      purl: formatPurl({ type: 'nuget', name, version }),
      cpes: generateCpes({ name, version, vendors: [vendor], max: 6 }),
      licenses: [],
      locations: [ctx.location],
      metadataType: 'dotnet-deps-entry',
      metadata: {
        name,
        version,
        ...compact({ path: str(lib.path), sha512: str(lib.sha512), hashPath: str(lib.hashPath) }),
      },
    });
  }
  return out;
}

export const dotnetDepsCataloguer = defineCataloguer({
  id: 'dotnet-deps-cataloger',
  version: 1,
  parsers: [{ globs: ['**/*.deps.json'], accept: (_p, i) => i.size <= 32 * 1024 * 1024, parse }],
});
