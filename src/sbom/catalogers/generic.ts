/**
 * The one cataloguer engine (syft's generic.Cataloger): a cataloguer declares parsers by globs,
 * the supporting files they read, and an optional post-processor; lookup, reading, ID assignment
 * and error capture live here once. Nothing a parser throws escapes `catalogue()`: it becomes a
 * ParseIssue naming the file and layer, and the other files are still parsed.
 */
import type { Distro, Package, PackageLocation, ParseIssue, Relationship } from '../model.ts';
import type { CatalogueContext, CatalogueResult, Cataloguer, FileInfo, FileResolver } from '../resolver.ts';
import { compileGlobs } from './glob.ts';
import type { PathMatcher } from './glob.ts';
import { errorMessage, locationOf, packageId } from './package.ts';
import type { NewPackage } from './package.ts';

export type FileStat = Pick<FileInfo, 'size' | 'mode' | 'type'>;

export interface ParseContext {
  cataloguer: string;
  resolver: FileResolver;
  distro?: Distro;
  /** The file being parsed. */
  file: FileInfo;
  location: PackageLocation;
  /** Records a problem and lets parsing go on. */
  issue(reason: string, file?: Pick<FileInfo, 'path' | 'layerID'>): void;
  /**
   * A supporting file by path (symlinks followed): undefined when the image has no such file;
   * a file that exists but cannot be read becomes an issue and undefined.
   */
  readRelated(path: string): Promise<{ file: FileInfo; data: Buffer } | undefined>;
}

/** Relationships name packages by object; the engine turns them into IDs. */
export interface PendingRelationship {
  parent: NewPackage;
  child: NewPackage;
  type: Relationship['type'];
}

export interface ParseOutput {
  packages: NewPackage[];
  relationships?: PendingRelationship[];
}

export type ParseResult = NewPackage[] | ParseOutput;

export interface ParserSpec {
  globs: readonly string[];
  /** Extra cheap test on stat data (binaries: executable bit and size bounds). */
  accept?: (path: string, info: FileStat) => boolean;
  parse(data: Buffer, ctx: ParseContext): Promise<ParseResult> | ParseResult;
}

export interface AfterContext {
  resolver: FileResolver;
  distro?: Distro;
  issue(reason: string, file?: Pick<FileInfo, 'path' | 'layerID'>): void;
}

export interface CataloguerSpec {
  id: string;
  version: number;
  parsers: readonly ParserSpec[];
  /** Files parsers read besides the ones they are given (collected while layers stream). */
  supporting?: readonly string[];
  /** Runs once over everything found (syft's post-processors). */
  after?: (packages: Package[], ctx: AfterContext) => Promise<void> | void;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Output order, independent of database order: name, version, evidence path, ID. */
export function comparePackages(a: Package, b: Package): number {
  return (
    cmp(a.name, b.name) ||
    cmp(a.version, b.version) ||
    cmp(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '') ||
    cmp(a.id, b.id)
  );
}

const isContent = (info: FileStat): boolean => info.type === 'file' || info.type === 'hardlink';

export function defineCataloguer(spec: CataloguerSpec): Cataloguer {
  const parsers = spec.parsers.map((p) => ({ ...p, match: compileGlobs(p.globs) }));
  const supporting: PathMatcher | undefined = spec.supporting?.length
    ? compileGlobs(spec.supporting)
    : undefined;

  const wants = (path: string, info: FileStat): boolean => {
    if (!isContent(info)) return false;
    for (const p of parsers) {
      if (p.match(path) && (!p.accept || p.accept(path, info))) return true;
    }
    return supporting ? supporting(path) : false;
  };

  const catalogue = async (resolver: FileResolver, context: CatalogueContext): Promise<CatalogueResult> => {
    const issues: ParseIssue[] = [];
    const issue = (reason: string, file?: Pick<FileInfo, 'path' | 'layerID'>): void => {
      const i: ParseIssue = { cataloguer: spec.id, reason };
      if (file?.path) i.path = file.path;
      if (file?.layerID) i.layer = file.layerID;
      issues.push(i);
    };
    const packages: Package[] = [];
    const relationships: Relationship[] = [];
    const ids = new Map<NewPackage, string>();
    const seen = new Set<string>();

    const readRelated = async (path: string): Promise<{ file: FileInfo; data: Buffer } | undefined> => {
      const file = resolver.byPath(path);
      if (!file || !isContent(file)) return undefined;
      try {
        return { file, data: await resolver.read(file) };
      } catch (err) {
        issue(`cannot read ${path}: ${errorMessage(err)}`, file);
        return undefined;
      }
    };

    for (const parser of parsers) {
      let files: FileInfo[];
      try {
        files = resolver
          .byGlob(...parser.globs)
          .filter((f) => isContent(f) && (!parser.accept || parser.accept(f.path, f)));
      } catch (err) {
        issue(`cannot list ${parser.globs.join(', ')}: ${errorMessage(err)}`);
        continue;
      }
      files.sort((a, b) => cmp(a.path, b.path));
      for (const file of files) {
        let data: Buffer;
        try {
          data = await resolver.read(file);
        } catch (err) {
          issue(`cannot read: ${errorMessage(err)}`, file);
          continue;
        }
        const ctx: ParseContext = {
          cataloguer: spec.id,
          resolver,
          distro: context.distro,
          file,
          location: locationOf(file),
          issue: (reason, f) => issue(reason, f ?? file),
          readRelated,
        };
        let result: ParseResult;
        try {
          result = await parser.parse(data, ctx);
        } catch (err) {
          issue(`cannot parse: ${errorMessage(err)}`, file);
          continue;
        }
        const output = Array.isArray(result) ? { packages: result } : result;
        for (const p of output.packages) {
          const id = p.id ?? packageId(p, spec.id);
          ids.set(p, id);
          if (seen.has(id)) continue;
          seen.add(id);
          packages.push({ ...p, id, foundBy: spec.id });
        }
        for (const r of output.relationships ?? []) {
          const parent = ids.get(r.parent);
          const child = ids.get(r.child);
          if (parent && child) relationships.push({ parent, child, type: r.type });
        }
      }
    }

    packages.sort(comparePackages);
    if (spec.after) {
      try {
        await spec.after(packages, { resolver, distro: context.distro, issue });
      } catch (err) {
        issue(`post-processing failed: ${errorMessage(err)}`);
      }
    }
    const result: CatalogueResult = { packages };
    if (relationships.length > 0) result.relationships = relationships;
    if (issues.length > 0) result.issues = issues;
    return result;
  };

  return { id: spec.id, version: spec.version, wants, catalogue };
}

/** Executable regular files within a size window: the cheap pre-filter for binary cataloguers. */
export function executableWithin(min: number, max: number): (path: string, info: FileStat) => boolean {
  return (_path, info) => (info.mode & 0o111) !== 0 && info.size >= min && info.size <= max;
}
