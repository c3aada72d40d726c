/**
 * Rust cataloguers: `Cargo.lock` in source trees (syft's rust-cargo-lock-cataloger) and the
 * dependency list cargo-auditable embeds in binaries (`.dep-v0` ELF section, zlib-compressed
 * JSON; syft's cargo-auditable-binary-cataloger). Build-time dependencies listed there are not in
 * the binary and are left out, as syft does.
 */
import zlib from 'node:zlib';
import { generateCpes } from '../cpe.ts';
import { parseElf, sectionData } from '../elf.ts';
import { defineCataloguer, executableWithin } from '../generic.ts';
import type { ParseContext, ParseOutput, PendingRelationship } from '../generic.ts';
import { compact, isRecord, str, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import type { PackageLocation } from '../../model.ts';
import { formatPurl } from '../purl.ts';
import { parseCargoLock } from './cargo-lock.ts';

const MAX_AUDIT_JSON = 8 * 1024 * 1024;

function newCratePackage(
  name: string,
  version: string,
  location: PackageLocation,
  metadataType: string,
  metadata: Record<string, unknown>,
): NewPackage {
  return {
    name,
    version,
    type: 'rust-crate',
    language: 'rust',
    purl: formatPurl({ type: 'cargo', name, version }),
    cpes: generateCpes({ name, version, vendors: [`${name}_project`], max: 6 }),
    licenses: [],
    locations: [location],
    metadataType,
    metadata: compact(metadata),
  };
}

function parseLock(data: Buffer, ctx: ParseContext): ParseOutput {
  const entries = parseCargoLock(text(data));
  const packages: NewPackage[] = [];
  const byKey = new Map<string, NewPackage>();
  for (const e of entries) {
    if (!e.name || !e.version) {
      ctx.issue('[[package]] without name or version');
      continue;
    }
    const p = newCratePackage(e.name, e.version, ctx.location, 'rust-cargo-lock-entry', {
      name: e.name,
      version: e.version,
      source: e.source,
      checksum: e.checksum,
      dependencies: e.dependencies,
    });
    packages.push(p);
    byKey.set(`${e.name} ${e.version}`, p);
    if (!byKey.has(e.name)) byKey.set(e.name, p);
  }
  // `dependencies = ["serde 1.0.190", "itoa"]`: name, or name and version when ambiguous.
  const relationships: PendingRelationship[] = [];
  for (const e of entries) {
    const dependent = byKey.get(`${e.name} ${e.version}`);
    for (const d of e.dependencies) {
      const [n, v] = d.split(' ');
      const dependency = byKey.get(v ? `${n} ${v}` : (n ?? ''));
      // syft's direction: the dependency is the parent of a `dependency-of` edge.
      if (dependent && dependency)
        relationships.push({ parent: dependency, child: dependent, type: 'dependency-of' });
    }
  }
  return { packages, relationships };
}

function parseAuditable(data: Buffer, ctx: ParseContext): NewPackage[] {
  const elf = parseElf(data);
  const section = elf && sectionData(elf, '.dep-v0');
  if (!section) return [];
  const json: unknown = JSON.parse(
    zlib.inflateSync(section, { maxOutputLength: MAX_AUDIT_JSON }).toString('utf8'),
  );
  if (!isRecord(json) || !Array.isArray(json.packages)) throw new Error('.dep-v0: no packages array');
  const out: NewPackage[] = [];
  for (const p of json.packages) {
    if (!isRecord(p)) continue;
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version || (p.kind !== undefined && p.kind !== 'runtime')) continue;
    out.push(
      newCratePackage(name, version, ctx.location, 'rust-cargo-audit-entry', {
        name,
        version,
        source: str(p.source),
      }),
    );
  }
  return out;
}

export const cargoLockCataloguer = defineCataloguer({
  id: 'rust-cargo-lock-cataloger',
  version: 1,
  parsers: [{ globs: ['**/Cargo.lock'], parse: parseLock }],
});

export const cargoAuditableCataloguer = defineCataloguer({
  id: 'cargo-auditable-binary-cataloger',
  version: 1,
  parsers: [{ globs: ['**'], accept: executableWithin(16 * 1024, 512 * 1024 * 1024), parse: parseAuditable }],
});
