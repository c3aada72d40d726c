import { createHash } from 'node:crypto';
import { messageOf } from '../../common/index.ts';
import type { ParseIssue } from '../model.ts';
import type { FileInfo, FileType } from '../resolver.ts';
import type { Content } from './content.ts';
import type { SpillArea } from './content.ts';
import type { Compression } from './decompress.ts';
import { UnsupportedCompressionError, decompress } from './decompress.ts';
import type { ScanBudget, ScanLimits, ScanStatusReason } from './limits.ts';
import { DecompressionBombError, LimitExceededError, RATIO_GRACE_BYTES } from './limits.ts';
import { normalizeEntryName, normalizeLinkName, symlinkTarget, whiteoutOf } from './paths.ts';
import type { TarEntryType } from './tar-reader.ts';
import { TarError, readTar } from './tar-reader.ts';

/** Decides, from cheap stat data, whether a file's contents are collected (Cataloguer.wants of all cataloguers). */
export type WantsFn = (path: string, info: Pick<FileInfo, 'size' | 'mode' | 'type'>) => boolean;

/** One entry as the scanner consumes it: a tar entry, or a file met while walking a directory. */
export interface ScanEntry {
  name: string;
  type: TarEntryType;
  size: number;
  mode: number;
  linkname: string;
  sparse: boolean;
  body(): AsyncIterable<Buffer>;
  /** Set when the entry could not be read at all (a directory walk's permission error): recorded, skipped. */
  problem?: string;
}

/** One file's contents could not be read, but the rest of the layer can (directory walks). */
export class EntryReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryReadError';
  }
}

/** Metadata of one entry of a layer (whiteouts excluded), path normalized. */
export interface LayerEntry {
  path: string;
  type: FileType;
  size: number;
  mode: number;
  /** Symlink target as stored, or the normalized absolute path a hardlink points to. */
  link?: string;
}

export interface LayerFailure {
  reason: ScanStatusReason;
  message: string;
  /** The whole read must stop (a limit of the image, or the timeout), not just this layer. */
  fatal: boolean;
  status: 'incomplete' | 'too-large';
}

/**
 * What one pass over a layer yields (trivy's per-layer result): entries, whiteouts and opaque
 * directories to apply later, and the contents of the wanted files. Cacheable by diffID.
 */
export interface LayerScan {
  entries: LayerEntry[];
  /** Paths this layer deletes from lower layers (".wh.<name>"). */
  whiteouts: string[];
  /** Directories whose lower-layer contents this layer hides (".wh..wh..opq"). */
  opaques: string[];
  contents: Map<string, Content>;
  /** Wanted files whose contents were not collected, with the reason. */
  omitted: Map<string, string>;
  /** Wanted files over maxFileSize (the read is then incomplete). */
  oversizedFiles: number;
  /** Wanted symlinks: their targets are collected too, in a later pass if need be. */
  wantedLinks: string[];
  /** Wanted hardlinks whose target's contents were not at hand in this layer. */
  wantedHardlinks: string[];
  issues: ParseIssue[];
  compression?: Compression;
  compressedBytes: number;
  uncompressedBytes: number;
  /** sha256 of the uncompressed tar, when asked for (to trust a diffID before caching). */
  computedDiffID?: string;
  failure?: LayerFailure;
}

export interface ScanContext {
  wants: WantsFn;
  limits: ScanLimits;
  budget: ScanBudget;
  spill: SpillArea;
  /** Paths collected whatever `wants` says: symlink targets of wanted links; grows as links are seen. */
  pending?: Set<string>;
  /** Second-pass mode: collect only these paths and record no entries. */
  only?: Set<string>;
  /** diffID (or another name) of the layer, for issues. */
  layerID?: string;
  hashDiffID?: boolean;
  signal?: AbortSignal;
  /** Called as bytes stream by (cumulative for the layer). */
  onBytes?: (compressed: number, uncompressed: number) => void;
}

/** A hostile layer can have millions of bad entries; keep the first ones and count the rest. */
const MAX_ISSUES_PER_LAYER = 200;

export function emptyScan(): LayerScan {
  return {
    entries: [],
    whiteouts: [],
    opaques: [],
    contents: new Map(),
    omitted: new Map(),
    oversizedFiles: 0,
    wantedLinks: [],
    wantedHardlinks: [],
    issues: [],
    compressedBytes: 0,
    uncompressedBytes: 0,
  };
}

function fileTypeOf(t: TarEntryType): FileType {
  return t === 'file' || t === 'dir' || t === 'symlink' || t === 'hardlink' ? t : 'other';
}

/** Streams a layer blob (gzip or plain; detected by magic bytes) once and scans its entries. */
export async function scanLayerBlob(blob: AsyncIterable<Buffer>, ctx: ScanContext): Promise<LayerScan> {
  const scan = emptyScan();
  const { budget, limits, signal } = ctx;
  const hash = ctx.hashDiffID ? createHash('sha256') : undefined;
  async function* countCompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      scan.compressedBytes += chunk.length;
      budget.addCompressed(chunk.length);
      yield chunk;
    }
  }
  async function* countUncompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let reported = 0;
    for await (const chunk of source) {
      scan.uncompressedBytes += chunk.length;
      budget.addUncompressed(chunk.length);
      if (
        scan.uncompressedBytes > RATIO_GRACE_BYTES &&
        scan.uncompressedBytes > scan.compressedBytes * limits.maxCompressionRatio
      ) {
        throw new DecompressionBombError(
          `the layer inflated ${scan.compressedBytes} bytes to more than ${scan.uncompressedBytes} (ratio above ${limits.maxCompressionRatio}): a decompression bomb`,
        );
      }
      hash?.update(chunk);
      if (ctx.onBytes && scan.uncompressedBytes - reported >= 4 * 1024 * 1024) {
        reported = scan.uncompressedBytes;
        ctx.onBytes(scan.compressedBytes, scan.uncompressedBytes);
      }
      yield chunk;
    }
  }
  try {
    const tar = countUncompressed(decompress(countCompressed(blob), (c) => (scan.compression = c)));
    await scanEntries(readTar(tar), ctx, scan);
    if (hash) scan.computedDiffID = `sha256:${hash.digest('hex')}`;
  } catch (err) {
    scan.failure = classifyFailure(err, signal);
  }
  ctx.onBytes?.(scan.compressedBytes, scan.uncompressedBytes);
  return scan;
}

/** Scans entries that are not a tar stream (a directory walk). */
export async function scanEntryStream(
  entries: AsyncIterable<ScanEntry>,
  ctx: ScanContext,
): Promise<LayerScan> {
  const scan = emptyScan();
  try {
    await scanEntries(entries, ctx, scan);
  } catch (err) {
    scan.failure = classifyFailure(err, ctx.signal);
  }
  return scan;
}

function classifyFailure(err: unknown, signal: AbortSignal | undefined): LayerFailure {
  if (signal?.aborted) {
    const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    return {
      reason: timedOut ? 'timeout' : 'cancelled',
      message: timedOut
        ? 'the read took longer than its time limit'
        : `the read was cancelled: ${messageOf(signal.reason)}`,
      fatal: true,
      status: 'incomplete',
    };
  }
  if (err instanceof LimitExceededError)
    return { reason: err.reason, message: err.message, fatal: true, status: err.status };
  if (err instanceof DecompressionBombError) {
    return { reason: 'decompression-bomb', message: err.message, fatal: false, status: 'incomplete' };
  }
  if (err instanceof UnsupportedCompressionError || err instanceof TarError) {
    return { reason: 'layer-unreadable', message: err.message, fatal: false, status: 'incomplete' };
  }
  const code = (err as { code?: string }).code;
  if (code?.startsWith('Z_')) {
    return {
      reason: 'layer-unreadable',
      message: `the layer's gzip stream is truncated or corrupt: ${messageOf(err)}`,
      fatal: false,
      status: 'incomplete',
    };
  }
  return {
    reason: 'layer-unreadable',
    message: `the layer could not be read: ${messageOf(err)}`,
    fatal: false,
    status: 'incomplete',
  };
}

async function scanEntries(
  entries: AsyncIterable<ScanEntry>,
  ctx: ScanContext,
  scan: LayerScan,
): Promise<void> {
  const { limits, spill, signal, only } = ctx;
  const pending = ctx.pending ?? new Set<string>();
  const layer = ctx.layerID;
  let dropped = 0;
  const issue = (path: string | undefined, reason: string) => {
    if (scan.issues.length < MAX_ISSUES_PER_LAYER)
      scan.issues.push({ ...(path ? { path } : {}), ...(layer ? { layer } : {}), reason });
    else dropped++;
  };
  // Regular files of this layer by path, for the stat data of hardlinks to them.
  const files = new Map<string, LayerEntry>();

  const collect = async (path: string, entry: ScanEntry): Promise<void> => {
    if (entry.sparse) {
      scan.omitted.set(path, 'sparse files are not read');
      issue(path, 'a wanted file is stored sparse; its contents were not read');
      return;
    }
    if (entry.size > limits.maxFileSize) {
      scan.omitted.set(path, `larger than the ${limits.maxFileSize}-byte file limit`);
      scan.oversizedFiles++;
      issue(
        path,
        `a wanted file of ${entry.size} bytes is larger than the ${limits.maxFileSize}-byte limit (maxFileSize); not read`,
      );
      return;
    }
    const previous = scan.contents.get(path);
    if (previous?.kind === 'memory') spill.memoryBytes -= previous.data.length;
    if (entry.size <= limits.inMemoryFileSize && spill.memoryBytes + entry.size <= limits.maxInMemoryBytes) {
      const data = Buffer.allocUnsafe(entry.size);
      let offset = 0;
      for await (const slice of entry.body()) {
        const take = Math.min(slice.length, entry.size - offset);
        slice.copy(data, offset, 0, take);
        offset += take;
      }
      spill.memoryBytes += offset;
      scan.contents.set(path, {
        kind: 'memory',
        data: offset === entry.size ? data : data.subarray(0, offset),
      });
    } else {
      scan.contents.set(path, await spill.write(entry.body()));
    }
  };
  const collectOrReport = async (path: string, entry: ScanEntry): Promise<void> => {
    try {
      await collect(path, entry);
    } catch (err) {
      if (!(err instanceof EntryReadError)) throw err;
      scan.omitted.set(path, err.message);
      issue(path, err.message);
    }
  };

  for await (const entry of entries) {
    signal?.throwIfAborted();
    ctx.budget.addEntry();
    const name = normalizeEntryName(entry.name);
    if (name.kind === 'invalid') {
      issue(entry.name, `${name.reason}; entry skipped`);
      continue;
    }
    if (name.kind === 'root') continue;
    const path = name.path;
    if (entry.problem) {
      issue(path, entry.problem);
      continue;
    }
    const whiteout = whiteoutOf(path);
    if (whiteout.kind !== 'none') {
      if (only) continue;
      if (whiteout.kind === 'opaque') scan.opaques.push(whiteout.dir);
      else if (whiteout.kind === 'delete') scan.whiteouts.push(whiteout.path);
      continue;
    }
    const type = fileTypeOf(entry.type);
    const mode = entry.mode & 0o7777;
    if (only) {
      if (type === 'file' && only.has(path)) await collectOrReport(path, entry);
      else if (type === 'hardlink' && only.has(path)) {
        const target = normalizeLinkName(entry.linkname);
        const content = target.kind === 'path' ? scan.contents.get(target.path) : undefined;
        if (content) scan.contents.set(path, content);
      }
      continue;
    }
    const record: LayerEntry = { path, type, size: type === 'file' ? entry.size : 0, mode };
    if (type === 'file') {
      files.set(path, record);
      if (pending.has(path) || ctx.wants(path, { type, size: entry.size, mode }))
        await collectOrReport(path, entry);
    } else if (type === 'symlink') {
      record.link = entry.linkname;
      if (pending.has(path) || ctx.wants(path, { type, size: 0, mode })) {
        scan.wantedLinks.push(path);
        pending.add(symlinkTarget(path, entry.linkname));
      }
    } else if (type === 'hardlink') {
      const target = normalizeLinkName(entry.linkname);
      if (target.kind !== 'path') {
        issue(path, `hardlink to "${entry.linkname}" points outside the image; entry skipped`);
        continue;
      }
      record.link = target.path;
      const targetEntry = files.get(target.path);
      if (targetEntry) record.size = targetEntry.size;
      const info = { type: 'file' as const, size: targetEntry?.size ?? 0, mode: targetEntry?.mode ?? mode };
      if (pending.has(path) || ctx.wants(path, info)) {
        const content = scan.contents.get(target.path);
        if (content) scan.contents.set(path, content);
        else scan.wantedHardlinks.push(path);
      }
    }
    scan.entries.push(record);
  }
  if (dropped > 0) {
    scan.issues.push({
      ...(layer ? { layer } : {}),
      reason: `${dropped} more problems in this layer were not listed`,
    });
  }
}
