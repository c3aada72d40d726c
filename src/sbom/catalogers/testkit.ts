/**
 * Test kit for cataloguers (syft's pkgtest): an in-memory FileResolver built from txtar text or a
 * real directory, and a CatalogTester that pins the packages found and exactly which files were
 * read. The resolver collects only files the cataloguer `wants`, as image reading does, so a
 * parser that reads a file it never asked for fails its test instead of failing in production.
 *
 * txtar: `-- NAME --` lines start files; NAME is an absolute path, optionally followed by
 * `mode=0755` or `layer=sha256:...`; `/a -> target` is a symlink, `/dir/` a directory.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Distro, Package, ParseIssue } from '../model.ts';
import type { CatalogueResult, Cataloguer, FileInfo, FileResolver } from '../resolver.ts';
import { compileGlobs } from './glob.ts';

export interface TxtarFile {
  name: string;
  data: string;
}

export function parseTxtar(source: string): { comment: string; files: TxtarFile[] } {
  const lines = source.split('\n');
  const files: TxtarFile[] = [];
  const comment: string[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    files.push({ name: current.name, data: current.lines.length ? `${current.lines.join('\n')}\n` : '' });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const marker = /^-- (.+) --$/.exec(line);
    if (marker) {
      flush();
      current = { name: (marker[1] as string).trim(), lines: [] };
    } else if (current) {
      // The split leaves one empty string after the final newline: not part of the last file.
      if (i === lines.length - 1 && line === '') continue;
      current.lines.push(line);
    } else comment.push(line);
  }
  flush();
  return { comment: comment.join('\n'), files };
}

interface Entry {
  info: FileInfo;
  data?: Buffer;
  /** Lazily read from the host (directory resolvers). */
  hostPath?: string;
}

export type CollectFilter = (path: string, info: Pick<FileInfo, 'size' | 'mode' | 'type'>) => boolean;

function normalize(p: string): string {
  const n = path.posix.normalize(`/${p}`);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** A squashed view in memory; `reads` lists every path whose contents were read, in order. */
export class MemoryResolver implements FileResolver {
  readonly reads: string[] = [];
  private readonly entries = new Map<string, Entry>();
  private collect: CollectFilter | undefined;

  constructor(options: { collect?: CollectFilter } = {}) {
    this.collect = options.collect;
    this.entries.set('/', { info: { path: '/', type: 'dir', size: 0, mode: 0o755 } });
  }

  /** Only files passing the filter are readable, like a layer reader driven by `wants`. */
  collectOnly(filter: CollectFilter | undefined): this {
    this.collect = filter;
    return this;
  }

  private addParents(p: string): void {
    for (let dir = path.posix.dirname(p); !this.entries.has(dir); dir = path.posix.dirname(dir)) {
      this.entries.set(dir, { info: { path: dir, type: 'dir', size: 0, mode: 0o755 } });
    }
  }

  addFile(p: string, data: Buffer | string, options: { mode?: number; layerID?: string } = {}): this {
    const file = normalize(p);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    this.addParents(file);
    const info: FileInfo = { path: file, type: 'file', size: buf.length, mode: options.mode ?? 0o644 };
    if (options.layerID) info.layerID = options.layerID;
    this.entries.set(file, { info, data: buf });
    return this;
  }

  addHostFile(p: string, hostPath: string, stat: fs.Stats): this {
    const file = normalize(p);
    this.addParents(file);
    this.entries.set(file, {
      info: { path: file, type: 'file', size: stat.size, mode: stat.mode & 0o7777 },
      hostPath,
    });
    return this;
  }

  addDir(p: string): this {
    const dir = normalize(p);
    this.addParents(dir);
    if (!this.entries.has(dir))
      this.entries.set(dir, { info: { path: dir, type: 'dir', size: 0, mode: 0o755 } });
    return this;
  }

  addSymlink(p: string, target: string): this {
    const link = normalize(p);
    this.addParents(link);
    this.entries.set(link, {
      info: { path: link, type: 'symlink', size: 0, mode: 0o777, linkTarget: target },
    });
    return this;
  }

  static fromTxtar(
    source: string,
    options: { collect?: CollectFilter; layerID?: string } = {},
  ): MemoryResolver {
    const r = new MemoryResolver({ collect: options.collect });
    for (const f of parseTxtar(source).files) {
      const link = /^(\S+)\s+->\s+(\S+)$/.exec(f.name);
      if (link) {
        r.addSymlink(link[1] as string, link[2] as string);
        continue;
      }
      const [name, ...attrs] = f.name.split(/\s+/) as [string, ...string[]];
      if (name.endsWith('/')) {
        r.addDir(name);
        continue;
      }
      let mode: number | undefined;
      let layerID = options.layerID;
      for (const a of attrs) {
        if (a.startsWith('mode=')) mode = parseInt(a.slice(5), 8);
        else if (a.startsWith('layer=')) layerID = a.slice(6);
      }
      r.addFile(name, f.data, { mode, layerID });
    }
    return r;
  }

  /**
   * A real directory as the image root. `include` globs limit what is listed (a walk starts at
   * each glob's literal prefix); directories and symlinks met on the way are always recorded so
   * that `byPath` can follow links. Contents are read from disk only when asked for.
   */
  static fromDirectory(
    root: string,
    options: { include?: readonly string[]; collect?: CollectFilter } = {},
  ): MemoryResolver {
    const r = new MemoryResolver({ collect: options.collect });
    const include = options.include?.length ? compileGlobs(options.include) : () => true;
    const starts = new Set<string>();
    for (const g of options.include ?? ['/']) {
      const segments = normalize(g).split('/').slice(1);
      const literal: string[] = [];
      for (const s of segments) {
        if (/[*?{]/.test(s)) break;
        literal.push(s);
      }
      starts.add(`/${literal.join('/')}`);
    }
    const visit = (imageP: string): void => {
      const host = path.join(root, imageP);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(host);
      } catch {
        return;
      }
      if (st.isSymbolicLink()) {
        r.addSymlink(imageP, fs.readlinkSync(host));
      } else if (st.isDirectory()) {
        r.addDir(imageP);
        let names: string[];
        try {
          names = fs.readdirSync(host);
        } catch {
          return;
        }
        for (const n of names) visit(path.posix.join(imageP, n));
      } else if (st.isFile() && include(imageP)) {
        r.addHostFile(imageP, host, st);
      }
    };
    for (const s of [...starts].sort()) {
      // Record the symlinks along the way to each start (e.g. /lib -> usr/lib) before walking it.
      const parts = s.split('/').filter(Boolean);
      let cur = '';
      let blocked = false;
      for (const part of parts.slice(0, -1)) {
        cur += `/${part}`;
        const host = path.join(root, cur);
        try {
          const st = fs.lstatSync(host);
          if (st.isSymbolicLink()) {
            r.addSymlink(cur, fs.readlinkSync(host));
            blocked = true;
            break;
          }
        } catch {
          blocked = true;
          break;
        }
      }
      if (!blocked) visit(s === '' ? '/' : s);
    }
    return r;
  }

  private isCollected(e: Entry): boolean {
    if (e.info.type !== 'file' && e.info.type !== 'hardlink') return false;
    return !this.collect || this.collect(e.info.path, e.info);
  }

  byGlob(...patterns: string[]): FileInfo[] {
    const match = compileGlobs(patterns);
    const out: FileInfo[] = [];
    for (const e of this.entries.values()) {
      if (this.isCollected(e) && match(e.info.path)) out.push(e.info);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Resolves every component, following symlinks (relative or absolute) inside the root. */
  private resolve(p: string, depth = 0): Entry | undefined {
    if (depth > 40) return undefined;
    const normalized = normalize(p);
    // Entries are keyed by real paths: a direct hit that is not a link needs no walk.
    const direct = this.entries.get(normalized);
    if (direct && direct.info.type !== 'symlink') return direct;
    const parts = normalized.split('/').filter(Boolean);
    let cur = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = path.posix.join(cur, parts[i] as string);
      const e = this.entries.get(next);
      if (!e) return undefined;
      if (e.info.type === 'symlink' && e.info.linkTarget !== undefined) {
        const target = e.info.linkTarget.startsWith('/')
          ? e.info.linkTarget
          : path.posix.join(cur, e.info.linkTarget);
        const rest = parts.slice(i + 1).join('/');
        return this.resolve(rest ? `${normalize(target)}/${rest}` : target, depth + 1);
      }
      cur = next;
    }
    return this.entries.get(cur);
  }

  byPath(p: string): FileInfo | undefined {
    return this.resolve(p)?.info;
  }

  async read(file: FileInfo | string): Promise<Buffer> {
    const p = typeof file === 'string' ? file : file.path;
    const e = this.resolve(p);
    if (!e) throw new Error(`${p}: no such file in the image`);
    if (!this.isCollected(e)) throw new Error(`${p}: not collected (no cataloguer wanted it)`);
    this.reads.push(e.info.path);
    if (e.data) return e.data;
    if (e.hostPath) return fs.promises.readFile(e.hostPath);
    throw new Error(`${p}: no contents`);
  }

  allPaths(): Iterable<string> {
    return [...this.entries.keys()].sort();
  }

  /** Every file entry (for tests asserting on `wants`). */
  files(): FileInfo[] {
    return [...this.entries.values()].map((e) => e.info).filter((i) => i.type === 'file');
  }
}

/** The fields of a package a test pins; others are ignored. */
export type ExpectedPackage = Partial<Package>;

function project(pkg: Package, keys: readonly (keyof Package)[]): Partial<Package> {
  const out: Partial<Package> = {};
  for (const k of keys) if (pkg[k] !== undefined) (out as Record<string, unknown>)[k] = pkg[k];
  return out;
}

/**
 * Runs one cataloguer over a resolver and asserts on the result:
 * `new CatalogTester(dpkg).fromTxtar(text).expectPackages([...]).expectReads([...]).run()`.
 */
export class CatalogTester {
  private resolver: MemoryResolver | undefined;
  private distro: Distro | undefined;
  private expectedPackages: ExpectedPackage[] | undefined;
  private expectedReads: string[] | undefined;
  private expectedIssues: (string | RegExp)[] = [];

  constructor(private readonly cataloguer: Cataloguer) {}

  fromTxtar(sourceOrFile: string, options: { layerID?: string } = {}): this {
    const source = sourceOrFile.includes('\n') ? sourceOrFile : fs.readFileSync(sourceOrFile, 'utf8');
    this.resolver = MemoryResolver.fromTxtar(source, { ...options, collect: this.cataloguer.wants });
    return this;
  }

  fromDirectory(root: string, include?: readonly string[]): this {
    this.resolver = MemoryResolver.fromDirectory(root, { include, collect: this.cataloguer.wants });
    return this;
  }

  withResolver(resolver: MemoryResolver): this {
    this.resolver = resolver.collectOnly(this.cataloguer.wants);
    return this;
  }

  withDistro(distro: Distro): this {
    this.distro = distro;
    return this;
  }

  /** The packages in output order, compared on the fields each expected entry names. */
  expectPackages(expected: ExpectedPackage[]): this {
    this.expectedPackages = expected;
    return this;
  }

  /** Exactly the files read (order ignored, duplicates collapsed). */
  expectReads(paths: string[]): this {
    this.expectedReads = paths;
    return this;
  }

  /** Issues expected, one matcher each (substring or RegExp on the reason); none by default. */
  expectIssues(matchers: (string | RegExp)[]): this {
    this.expectedIssues = matchers;
    return this;
  }

  async run(): Promise<CatalogueResult> {
    const resolver = this.resolver;
    assert.ok(resolver, 'CatalogTester: no resolver (call fromTxtar/fromDirectory/withResolver)');
    const result = await this.cataloguer.catalogue(resolver, this.distro ? { distro: this.distro } : {});
    const issues: ParseIssue[] = result.issues ?? [];
    assert.equal(issues.length, this.expectedIssues.length, `issues: ${JSON.stringify(issues, null, 1)}`);
    this.expectedIssues.forEach((m, i) => {
      const reason = issues[i]?.reason ?? '';
      if (typeof m === 'string') assert.ok(reason.includes(m), `issue ${i}: "${reason}" lacks "${m}"`);
      else assert.match(reason, m);
    });
    for (const p of result.packages) {
      assert.equal(p.foundBy, this.cataloguer.id);
      assert.match(p.id, /^[0-9a-f]{16}$/);
    }
    if (this.expectedPackages) {
      const actual = result.packages.map((p, i) => {
        const exp = this.expectedPackages?.[i];
        return project(p, exp ? (Object.keys(exp) as (keyof Package)[]) : ['name', 'version']);
      });
      assert.deepEqual(actual, this.expectedPackages);
    }
    if (this.expectedReads) {
      assert.deepEqual([...new Set(resolver.reads)].sort(), [...new Set(this.expectedReads)].sort());
    }
    return result;
  }
}

/** Whether `wants` selects exactly these paths among the resolver's files (txtar helpers). */
export function wantedPaths(cataloguer: Cataloguer, resolver: MemoryResolver): string[] {
  return resolver
    .files()
    .filter((f) => cataloguer.wants(f.path, f))
    .map((f) => f.path)
    .sort();
}
