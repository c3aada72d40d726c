/**
 * Installed npm packages: `package.json` at a package root (`node_modules/<name>` or
 * `node_modules/@scope/<name>`) and application roots outside `node_modules`. Copies under test
 * and fixture directories are not installed software and are skipped by path.
 */
import type { ParseContext } from '../generic.ts';
import { compact, isRecord, str, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { newNpmPackage, npmLicenses } from './package.ts';

const FIXTURE_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  'fixture',
  'fixtures',
  '__fixtures__',
  'testdata',
  '__mocks__',
]);

/** Whether a package.json path is an installed package or app root (cheap: used by `wants`). */
export function isPackageRoot(path: string): boolean {
  if (!path.endsWith('/package.json')) return false;
  const segments = path.split('/');
  segments.pop();
  if (segments.some((s) => FIXTURE_DIRS.has(s))) return false;
  const nm = segments.lastIndexOf('node_modules');
  if (nm < 0) return true;
  const rest = segments.slice(nm + 1);
  if (rest.length === 1) return !/^[.@]/.test(rest[0] ?? '');
  return rest.length === 2 && !!rest[0]?.startsWith('@');
}

/** `"Name <email> (url)"` from the string or object form. */
export function npmAuthor(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (!isRecord(v)) return undefined;
  const parts = [str(v.name), str(v.email) && `<${str(v.email)}>`, str(v.url) && `(${str(v.url)})`];
  return parts.filter(Boolean).join(' ') || undefined;
}

export function parsePackageJson(data: Buffer, ctx: ParseContext): NewPackage[] {
  const json: unknown = JSON.parse(text(data));
  if (!isRecord(json)) throw new Error('package.json is not an object');
  const name = str(json.name);
  const version = str(json.version);
  // Build configs (`{"type": "module"}`) and unpublished stubs have no name or version.
  if (!name || !version) return [];
  const repository = isRecord(json.repository) ? str(json.repository.url) : str(json.repository);
  return [
    newNpmPackage(name, version, ctx.location, {
      licenses: npmLicenses(json),
      metadataType: 'javascript-npm-package',
      metadata: {
        name,
        version,
        ...compact({
          author: npmAuthor(json.author),
          homepage: str(json.homepage),
          description: str(json.description),
          url: repository,
        }),
        private: json.private === true,
      },
    }),
  ];
}
