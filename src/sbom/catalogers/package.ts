/**
 * Helpers every cataloguer shares: evidence locations, stable package IDs, licence lists, and the
 * small text utilities parsers keep needing. The one place a package of a format is built stays in
 * that format's folder (syft's `package.go`).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Package, PackageLocation } from '../model.ts';
import type { FileInfo } from '../resolver.ts';

export function locationOf(file: Pick<FileInfo, 'path' | 'layerID'>): PackageLocation {
  return file.layerID ? { path: file.path, layerID: file.layerID } : { path: file.path };
}

/** A package without the fields the engine fills (id, foundBy). */
export type NewPackage = Omit<Package, 'id' | 'foundBy'> & { id?: string };

/**
 * Stable ID within one SBOM (syft's content-derived `SetID`): the same package found at the same
 * place gets the same ID in every scan, so outputs are deterministic and diffable.
 */
export function packageId(pkg: NewPackage, foundBy: string): string {
  const key = JSON.stringify([
    foundBy,
    pkg.type,
    pkg.name,
    pkg.version,
    pkg.purl ?? '',
    pkg.locations.map((l) => `${l.layerID ?? ''}:${l.path}`),
    typeof pkg.metadata?.virtualPath === 'string' ? pkg.metadata.virtualPath : '',
  ]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** De-duplicated, order-preserving, empty values and `NONE`/`UNKNOWN` placeholders dropped. */
export function cleanLicenses(values: Iterable<string | undefined>): string[] {
  const out: string[] = [];
  for (const raw of values) {
    const v = raw?.trim();
    if (!v || /^(none|unknown|noassertion)$/i.test(v) || out.includes(v)) continue;
    out.push(v);
  }
  return out;
}

/** Joins a relative path onto a directory in the image, normalised and kept absolute. */
export function imagePath(dir: string, rel: string): string {
  return path.posix.normalize(path.posix.join('/', dir, rel));
}

/** Strips a UTF-8 byte order mark. */
export function text(data: Buffer): string {
  const s = data.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Drops undefined, empty-string and empty-array members so metadata stays small (omitempty). */
export function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as Partial<T>;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
