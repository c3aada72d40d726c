/**
 * One Java archive and the archives nested in it (syft's java-archive-cataloger, simplified): the
 * archive's own package from a pom.properties whose artifactId matches the file name, else from
 * the file name and MANIFEST.MF; every other pom.properties is a package bundled inside (shaded
 * jars); nested jars (WEB-INF/lib, BOOT-INF/lib, ...) are read in memory, within size and depth
 * limits, and named by a virtual path `outer.war:WEB-INF/lib/inner.jar`.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PackageLocation } from '../../model.ts';
import { cleanLicenses, compact, errorMessage } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { manifestValue, parseManifest, parseProperties } from './manifest.ts';
import type { JavaManifest } from './manifest.ts';
import { newJavaPackage } from './package.ts';
import { readCentralDirectory, readEntry } from './zip.ts';
import type { ZipEntry } from './zip.ts';

export const ARCHIVE_EXTENSIONS = ['jar', 'war', 'ear', 'par', 'sar', 'nar', 'jpi', 'hpi', 'lpkg'];
const NESTED = new RegExp(`\\.(${ARCHIVE_EXTENSIONS.join('|')})$`, 'i');

export interface ArchiveLimits {
  /** How deep archives inside archives are opened (the outer file is depth 0). */
  maxDepth: number;
  /** Largest nested archive inflated in memory. */
  maxNestedBytes: number;
  /** Largest manifest or properties file read. */
  maxMetadataBytes: number;
}

export const defaultArchiveLimits: ArchiveLimits = {
  maxDepth: 3,
  maxNestedBytes: 64 * 1024 * 1024,
  maxMetadataBytes: 1024 * 1024,
};

export interface ArchiveContext {
  location: PackageLocation;
  limits: ArchiveLimits;
  issue(reason: string): void;
}

interface PomProperties {
  path: string;
  name?: string;
  groupId: string;
  artifactId: string;
  version: string;
}

/** `commons-lang3-3.12.0.jar` -> commons-lang3 / 3.12.0; `app.jar` -> app / ''. */
export function parseArchiveFilename(file: string): { name: string; version: string } {
  const base = path.posix.basename(file).replace(/\.[A-Za-z]+$/, '');
  const m = /^(.+?)[-_](\d[\w.+-]*)$/.exec(base);
  return m ? { name: m[1] as string, version: m[2] as string } : { name: base, version: '' };
}

function artifactMatchesFilename(artifactId: string, fileName: string): boolean {
  return !!artifactId && !!fileName && (fileName.startsWith(artifactId) || artifactId.endsWith(fileName));
}

/** `Apache-2.0;link=...`, comma lists, URLs kept whole. */
function bundleLicenses(value: string | undefined): string[] {
  if (!value) return [];
  if (/^https?:\/\//.test(value)) return [value];
  return cleanLicenses(value.split(',').map((v) => v.split(';')[0]));
}

/** The group from manifest fields when there is no pom.properties (syft's groupIDFromJavaManifest). */
function groupFromManifest(m: JavaManifest | undefined, name: string): string | undefined {
  const vendorId = manifestValue(m, 'Implementation-Vendor-Id');
  if (vendorId && vendorId.includes('.')) return vendorId;
  for (const key of ['Bundle-SymbolicName', 'Automatic-Module-Name', 'Extension-Name']) {
    const v = manifestValue(m, key)?.split(';')[0]?.trim();
    if (!v || !v.includes('.')) continue;
    // `org.apache.commons.lang3` names the module; its group is the part before the artifact.
    // (kept whole when that would leave fewer than three parts: `com.google.guava` is a group).
    const parts = v.split('.');
    const last = parts[parts.length - 1] ?? '';
    if (parts.length > 3 && name.replace(/[-_]/g, '').includes(last)) parts.pop();
    if (parts.length > 1) return parts.join('.');
  }
  return undefined;
}

export function parseJavaArchive(
  data: Buffer,
  virtualPath: string,
  ctx: ArchiveContext,
  depth = 0,
): NewPackage[] {
  let entries: ZipEntry[];
  try {
    entries = readCentralDirectory(data);
  } catch (err) {
    ctx.issue(`${virtualPath}: ${errorMessage(err)}`);
    return [];
  }
  const read = (e: ZipEntry, max: number): Buffer | undefined => {
    try {
      return readEntry(data, e, max);
    } catch (err) {
      ctx.issue(`${virtualPath}: ${errorMessage(err)}`);
      return undefined;
    }
  };

  let manifest: JavaManifest | undefined;
  const manifestEntry = entries.find((e) => e.name.toUpperCase() === 'META-INF/MANIFEST.MF');
  if (manifestEntry) {
    const raw = read(manifestEntry, ctx.limits.maxMetadataBytes);
    if (raw) manifest = parseManifest(raw.toString('utf8'));
  }

  const poms: PomProperties[] = [];
  for (const e of entries) {
    if (!/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(e.name)) continue;
    const raw = read(e, ctx.limits.maxMetadataBytes);
    if (!raw) continue;
    const p = parseProperties(raw.toString('utf8'));
    if (!p.artifactId || !p.version) continue;
    poms.push({
      path: e.name,
      ...compact({ name: p.name }),
      groupId: p.groupId ?? '',
      artifactId: p.artifactId,
      version: p.version,
    });
  }

  const packages: NewPackage[] = [];
  const fromFile = parseArchiveFilename(virtualPath.split(':').pop() ?? virtualPath);
  // A renamed application jar (`app.jar`) still carries its own single pom.properties.
  const own =
    poms.find((p) => artifactMatchesFilename(p.artifactId, fromFile.name)) ??
    (poms.length === 1 ? poms[0] : undefined);
  const name =
    own?.artifactId ||
    fromFile.name ||
    manifestValue(manifest, 'Name', 'Bundle-Name', 'Short-Name', 'Extension-Name', 'Implementation-Title') ||
    '';
  const version =
    own?.version ||
    fromFile.version ||
    manifestValue(
      manifest,
      'Implementation-Version',
      'Specification-Version',
      'Plugin-Version',
      'Bundle-Version',
    ) ||
    '';
  if (name) {
    const metadata: Record<string, unknown> = { virtualPath };
    if (manifest) metadata.manifest = manifest;
    if (own) metadata.pomProperties = own;
    if (depth === 0)
      metadata.digest = [{ algorithm: 'sha1', value: createHash('sha1').update(data).digest('hex') }];
    packages.push(
      newJavaPackage({
        name,
        version,
        groupId: own?.groupId || groupFromManifest(manifest, name),
        licenses: bundleLicenses(manifestValue(manifest, 'Bundle-License')),
        location: ctx.location,
        metadata,
      }),
    );
  }
  for (const pom of poms) {
    if (pom === own) continue;
    packages.push(
      newJavaPackage({
        name: pom.artifactId,
        version: pom.version,
        groupId: pom.groupId,
        licenses: [],
        location: ctx.location,
        metadata: { virtualPath: `${virtualPath}:${pom.groupId}:${pom.artifactId}`, pomProperties: pom },
      }),
    );
  }

  for (const e of entries) {
    if (!NESTED.test(e.name) || e.name.endsWith('/')) continue;
    const nestedPath = `${virtualPath}:${e.name}`;
    if (depth + 1 > ctx.limits.maxDepth) {
      ctx.issue(`${nestedPath}: nested deeper than ${ctx.limits.maxDepth} archives, not opened`);
      continue;
    }
    if (e.size > ctx.limits.maxNestedBytes) {
      ctx.issue(
        `${nestedPath}: ${e.size} bytes, larger than the in-memory limit ${ctx.limits.maxNestedBytes}`,
      );
      continue;
    }
    const inner = read(e, ctx.limits.maxNestedBytes);
    if (inner) packages.push(...parseJavaArchive(inner, nestedPath, ctx, depth + 1));
  }
  return packages;
}
