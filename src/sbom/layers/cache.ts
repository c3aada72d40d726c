import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ParseIssue } from '../model.ts';
import type { FileType } from '../resolver.ts';
import type { Content } from './content.ts';
import { SpillArea } from './content.ts';
import type { Compression } from './decompress.ts';
import type { LayerEntry, LayerScan } from './scan.ts';

/**
 * A cache of layer scans (trivy's per-layer cache): a base layer shared by many images is
 * streamed once. Keys come from `layerCacheKey` (diffID + what was wanted); values are the
 * entries, whiteouts and collected contents of a complete scan.
 */
export interface LayerCache {
  get(key: string): Promise<LayerScan | undefined>;
  put(key: string, scan: LayerScan): Promise<void>;
}

/** Bump when the scan's content or its serialization changes: old entries stop matching. */
export const LAYER_SCAN_VERSION = 1;

/** "id@version" of each cataloguer, sorted: the part of a cache key that says what was collected. */
export function wantsKeyOf(cataloguers: readonly { id: string; version: number }[]): string {
  return cataloguers
    .map((c) => `${c.id}@${c.version}`)
    .sort()
    .join(',');
}

/** sha256 over the diffID, the scanner version, the wants key and the limits that shape a scan. */
export function layerCacheKey(diffID: string, wantsKey: string, limits: { maxFileSize: number }): string {
  return createHash('sha256')
    .update(
      `kubeguard-layer-scan/${LAYER_SCAN_VERSION}\n${diffID}\n${wantsKey}\nmaxFileSize=${limits.maxFileSize}`,
    )
    .digest('hex');
}

function scanBytes(scan: LayerScan): number {
  let bytes = scan.entries.length * 120;
  for (const c of scan.contents.values()) bytes += c.kind === 'memory' ? c.data.length : 0;
  return bytes;
}

/**
 * An in-process cache bounded by bytes (least recently used out). Spilled files are copied into
 * the cache's own temp area, so a scan's area can be removed while the cache lives on.
 */
export class MemoryLayerCache implements LayerCache {
  private readonly entries = new Map<string, { scan: LayerScan; bytes: number; files: string[] }>();
  private readonly area: SpillArea;
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(options: { maxBytes?: number; tempDir?: string } = {}) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.area = new SpillArea(options.tempDir);
  }

  async get(key: string): Promise<LayerScan | undefined> {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.scan;
  }

  async put(key: string, scan: LayerScan): Promise<void> {
    if (this.entries.has(key)) return;
    const contents = new Map<string, Content>();
    const copies = new Map<Content, Content>();
    const files: string[] = [];
    for (const [p, c] of scan.contents) {
      let copy = copies.get(c);
      if (!copy) {
        if (c.kind === 'memory') copy = c;
        else {
          copy = await this.area.adopt(c.file, c.size);
          files.push((copy as { file: string }).file);
        }
        copies.set(c, copy);
      }
      contents.set(p, copy);
    }
    const stored: LayerScan = { ...scan, contents };
    const bytes = scanBytes(stored);
    this.entries.set(key, { scan: stored, bytes, files });
    this.bytes += bytes;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.entries.delete(k);
      this.bytes -= v.bytes;
      // Readers hold hard links (or copies) of these files, so removing them is safe.
      for (const f of v.files) await fs.promises.rm(f, { force: true });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
    await this.area.close();
  }
}

const typeCodes: Record<FileType, string> = { file: 'f', dir: 'd', symlink: 'l', hardlink: 'h', other: 'o' };
const codeTypes = Object.fromEntries(Object.entries(typeCodes).map(([t, c]) => [c, t])) as Record<
  string,
  FileType
>;

interface StoredScan {
  version: number;
  entries: [string, string, number, number, string?][];
  whiteouts: string[];
  opaques: string[];
  omitted: [string, string][];
  oversizedFiles: number;
  wantedLinks: string[];
  wantedHardlinks: string[];
  issues: ParseIssue[];
  compression?: Compression;
  compressedBytes: number;
  uncompressedBytes: number;
  computedDiffID?: string;
  /** [path, "m", offset, length] into contents.bin, or [path, "f", file name, size]. */
  contents: [string, 'm' | 'f', number | string, number][];
}

/**
 * A cache in a directory, shared between processes and runs: one sub-directory per key with
 * scan.json, small contents packed in contents.bin and large ones as files. Written to a temp
 * name and renamed, so readers never see half an entry.
 */
export class DirectoryLayerCache implements LayerCache {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private entryDir(key: string): string {
    if (!/^[a-f0-9]{64}$/.test(key)) throw new Error(`invalid layer cache key "${key}"`);
    return path.join(this.dir, key);
  }

  async get(key: string): Promise<LayerScan | undefined> {
    const dir = this.entryDir(key);
    let stored: StoredScan;
    try {
      stored = JSON.parse(await fs.promises.readFile(path.join(dir, 'scan.json'), 'utf8')) as StoredScan;
    } catch {
      return undefined;
    }
    if (stored.version !== LAYER_SCAN_VERSION) return undefined;
    const packed = stored.contents.some((c) => c[1] === 'm')
      ? await fs.promises.readFile(path.join(dir, 'contents.bin'))
      : Buffer.alloc(0);
    const contents = new Map<string, Content>();
    for (const [p, kind, where, size] of stored.contents) {
      if (kind === 'm') {
        const offset = where as number;
        contents.set(p, { kind: 'memory', data: packed.subarray(offset, offset + size) });
      } else {
        const name = String(where);
        if (!/^\d+$/.test(name)) return undefined;
        contents.set(p, { kind: 'file', file: path.join(dir, 'f', name), size });
      }
    }
    const entries: LayerEntry[] = stored.entries.map(([p, t, size, mode, link]) => ({
      path: p,
      type: codeTypes[t] ?? 'other',
      size,
      mode,
      ...(link !== undefined ? { link } : {}),
    }));
    return {
      entries,
      whiteouts: stored.whiteouts,
      opaques: stored.opaques,
      contents,
      omitted: new Map(stored.omitted),
      oversizedFiles: stored.oversizedFiles,
      wantedLinks: stored.wantedLinks,
      wantedHardlinks: stored.wantedHardlinks,
      issues: stored.issues,
      ...(stored.compression ? { compression: stored.compression } : {}),
      compressedBytes: stored.compressedBytes,
      uncompressedBytes: stored.uncompressedBytes,
      ...(stored.computedDiffID ? { computedDiffID: stored.computedDiffID } : {}),
    };
  }

  async put(key: string, scan: LayerScan): Promise<void> {
    const final = this.entryDir(key);
    if (fs.existsSync(path.join(final, 'scan.json'))) return;
    const tmp = path.join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    await fs.promises.mkdir(path.join(tmp, 'f'), { recursive: true });
    try {
      const packed: Buffer[] = [];
      let offset = 0;
      let files = 0;
      const contents: StoredScan['contents'] = [];
      for (const [p, c] of scan.contents) {
        if (c.kind === 'memory') {
          packed.push(c.data);
          contents.push([p, 'm', offset, c.data.length]);
          offset += c.data.length;
        } else {
          const name = String(++files);
          await fs.promises.copyFile(c.file, path.join(tmp, 'f', name));
          contents.push([p, 'f', name, c.size]);
        }
      }
      await fs.promises.writeFile(path.join(tmp, 'contents.bin'), Buffer.concat(packed));
      const stored: StoredScan = {
        version: LAYER_SCAN_VERSION,
        entries: scan.entries.map(
          (e) =>
            [
              e.path,
              typeCodes[e.type],
              e.size,
              e.mode,
              ...(e.link !== undefined ? [e.link] : []),
            ] as StoredScan['entries'][number],
        ),
        whiteouts: scan.whiteouts,
        opaques: scan.opaques,
        omitted: [...scan.omitted],
        oversizedFiles: scan.oversizedFiles,
        wantedLinks: scan.wantedLinks,
        wantedHardlinks: scan.wantedHardlinks,
        issues: scan.issues,
        ...(scan.compression ? { compression: scan.compression } : {}),
        compressedBytes: scan.compressedBytes,
        uncompressedBytes: scan.uncompressedBytes,
        ...(scan.computedDiffID ? { computedDiffID: scan.computedDiffID } : {}),
        contents,
      };
      await fs.promises.writeFile(path.join(tmp, 'scan.json'), JSON.stringify(stored));
      try {
        await fs.promises.rename(tmp, final);
      } catch {
        // Another process stored the same key first; its entry is as good as ours.
      }
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  }
}
