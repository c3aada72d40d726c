/**
 * Declared npm dependencies from `package-lock.json`: v1 (`dependencies`, nested), v2 and v3
 * (`packages` keyed by install path). Dev dependencies are left out (syft's default), and so are
 * workspace links, which point at sources rather than installed versions.
 */
import type { ParseContext } from '../generic.ts';
import { compact, isRecord, str, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { newNpmPackage, npmLicenses } from './package.ts';

/** `node_modules/a/node_modules/@s/b` -> `@s/b`. */
export function nameFromLockPath(p: string): string | undefined {
  const i = p.lastIndexOf('node_modules/');
  return i < 0 ? undefined : p.slice(i + 'node_modules/'.length) || undefined;
}

function lockPackage(
  name: string,
  entry: Record<string, unknown>,
  ctx: ParseContext,
  licenses: string[] = [],
): NewPackage | undefined {
  const version = str(entry.version);
  if (!version) return undefined;
  return newNpmPackage(name, version, ctx.location, {
    licenses,
    metadataType: 'javascript-npm-package-lock-entry',
    metadata: compact({ resolved: str(entry.resolved), integrity: str(entry.integrity) }),
  });
}

export function parsePackageLock(data: Buffer, ctx: ParseContext): NewPackage[] {
  const lock: unknown = JSON.parse(text(data));
  if (!isRecord(lock)) throw new Error('package-lock.json is not an object');
  const out: NewPackage[] = [];
  if (isRecord(lock.packages)) {
    for (const [p, entry] of Object.entries(lock.packages)) {
      if (!isRecord(entry) || entry.link === true || entry.dev === true) continue;
      const name = str(entry.name) ?? (p === '' ? undefined : (nameFromLockPath(p) ?? p.split('/').pop()));
      if (!name) continue;
      const pkg = lockPackage(name, entry, ctx, npmLicenses(entry));
      if (pkg) out.push(pkg);
    }
    return out;
  }
  if (isRecord(lock.dependencies)) {
    const walk = (deps: Record<string, unknown>, depth: number): void => {
      if (depth > 64) return;
      for (const [name, entry] of Object.entries(deps)) {
        if (!isRecord(entry) || entry.dev === true) continue;
        const pkg = lockPackage(name, entry, ctx);
        if (pkg) out.push(pkg);
        if (isRecord(entry.dependencies)) walk(entry.dependencies, depth + 1);
      }
    };
    walk(lock.dependencies, 0);
    return out;
  }
  ctx.issue(
    `package-lock.json (lockfileVersion ${String(lock.lockfileVersion)}) has neither packages nor dependencies`,
  );
  return out;
}
