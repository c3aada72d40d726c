import type { Readable } from 'node:stream';
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import type { Platform } from '../image/index.ts';
import { parsePlatform } from '../image/index.ts';
import type {
  Content,
  LayerCache,
  LayerFailure,
  LayerScan,
  ScanContext,
  ScanLimits,
  ScanStatusReason,
  TreeNode,
  WantsFn,
} from '../layers/index.ts';
import {
  LimitExceededError,
  ScanBudget,
  SpillArea,
  SquashedResolver,
  SquashedTree,
  defaultLimits,
  emptyScan,
  layerCacheKey,
  scanEntryStream,
  scanLayerBlob,
  symlinkTarget,
} from '../layers/index.ts';
import type { ParseIssue, SbomDocument, SbomSource, SbomStatus } from '../model.ts';
import { openDirectorySource } from './directory.ts';
import { openDockerArchiveSource } from './docker-archive.ts';
import { openOciArchiveSource, openOciDirSource } from './oci-layout.ts';
import type { RegistryOptions } from './registry-source.ts';
import { openRegistrySource } from './registry-source.ts';
import type { SourceSpec } from './spec.ts';
import { parseSourceSpec } from './spec.ts';
import type { ImageConfigSummary, ImageMetadata, ImageSource, LayerSource } from './types.ts';

/** Progress of a read, for display only (nothing depends on it). */
export interface ReadProgress {
  stage: 'resolving' | 'layer-start' | 'layer-progress' | 'layer-done' | 'done';
  /** 0-based index of the layer, and how many there are. */
  layer?: number;
  layers: number;
  diffID?: string;
  digest?: string;
  /** Size of the layer as stored, when known. */
  layerSize?: number;
  /** Bytes of this layer read so far, as stored and inflated. */
  compressedBytes?: number;
  uncompressedBytes?: number;
  totalCompressedBytes: number;
  totalUncompressedBytes: number;
  cached?: boolean;
  /** 2 when a layer is read again for symlink or hardlink targets a cataloguer needs. */
  pass?: 1 | 2;
}

export interface ReadImageOptions extends RegistryOptions {
  /** Which files' contents to collect (the union of the cataloguers' `wants`). */
  wants: WantsFn;
  /**
   * What `wants` stands for, e.g. `wantsKeyOf(cataloguers)` ("dpkg-db@1,npm@2"). Layer scans are
   * cached only when it is given, since the cache must know what a scan collected.
   */
  wantsKey?: string;
  /** "os/arch[/variant]" or a Platform; default linux/amd64 for indexes. */
  platform?: string | Platform;
  limits?: Partial<ScanLimits>;
  cache?: LayerCache;
  /** Parent of the temp area (default: the OS temp directory). */
  tempDir?: string;
  logger?: Logger;
  signal?: AbortSignal;
  onProgress?: (event: ReadProgress) => void;
}

export interface ReadStats {
  compressedBytes: number;
  uncompressedBytes: number;
  entries: number;
  /** Paths in the squashed view. */
  paths: number;
  cachedLayers: number;
  elapsedMs: number;
}

export interface ImageReadResult {
  source: SbomSource;
  metadata: ImageMetadata;
  config: ImageConfigSummary;
  /** Layers in order (empty for a directory source). */
  layers: NonNullable<SbomDocument['layers']>;
  /** The squashed view; also `lstat(path)` (no final symlink followed) and `size`. */
  resolver: SquashedResolver;
  issues: ParseIssue[];
  status: SbomStatus;
  statusReason?: ScanStatusReason;
  stats: ReadStats;
  /** Removes the temp area; the resolver cannot read spilled files afterwards. */
  close(): Promise<void>;
}

async function openSource(
  spec: SourceSpec,
  userInput: string,
  options: ReadImageOptions,
  platform: Platform | undefined,
  limits: ScanLimits,
  signal: AbortSignal,
): Promise<ImageSource> {
  const archiveOptions = {
    ...(platform ? { platform } : {}),
    ...(options.tempDir ? { tempDir: options.tempDir } : {}),
    maxBytes: limits.maxUncompressedSize,
    signal,
  };
  switch (spec.kind) {
    case 'registry':
      return openRegistrySource(userInput, spec.reference, {
        ...options,
        ...(platform ? { platform } : { platform: undefined }),
        signal,
      });
    case 'docker-archive':
      return openDockerArchiveSource(userInput, spec.path, spec.ref, archiveOptions);
    case 'oci-archive':
      return openOciArchiveSource(userInput, spec.path, spec.ref, archiveOptions);
    case 'oci-dir':
      return openOciDirSource(userInput, spec.path, spec.ref, platform ? { platform } : {});
    case 'dir':
      return openDirectorySource(userInput, spec.path);
  }
}

/** A cached scan's spilled files, taken into this read's temp area (the cache may evict them). */
async function adoptScan(scan: LayerScan, spill: SpillArea): Promise<LayerScan> {
  const adopted = new Map<Content, Content>();
  const contents = new Map<string, Content>();
  for (const [path, c] of scan.contents) {
    let mine = adopted.get(c);
    if (!mine) {
      mine = c.kind === 'memory' ? c : await spill.adopt(c.file, c.size);
      adopted.set(c, mine);
    }
    contents.set(path, mine);
  }
  return { ...scan, contents, failure: undefined };
}

function failureOf(err: unknown, signal: AbortSignal): LayerFailure {
  if (err instanceof LimitExceededError)
    return { reason: err.reason, message: err.message, fatal: true, status: err.status };
  if (signal.aborted) {
    const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    return {
      reason: timedOut ? 'timeout' : 'cancelled',
      message: timedOut ? 'the read took longer than its time limit' : 'the read was cancelled',
      fatal: true,
      status: 'incomplete',
    };
  }
  return {
    reason: 'layer-unreadable',
    message: `the layer could not be opened: ${messageOf(err)}`,
    fatal: false,
    status: 'incomplete',
  };
}

/**
 * Reads an image from any source (registry reference, `docker-archive:`, `oci-archive:`,
 * `oci-dir:`, `dir:`) into a squashed view: each layer streamed once, whiteouts applied, the
 * contents of wanted files collected. Problems of layers and files become issues and a status
 * (`incomplete`, `too-large`) with a reason; only a source that cannot be opened at all (bad
 * reference, 401, 404, not an archive) throws.
 */
export async function readImage(spec: string, options: ReadImageOptions): Promise<ImageReadResult> {
  const started = Date.now();
  const limits: ScanLimits = { ...defaultLimits, ...options.limits };
  const logger = options.logger ?? silentLogger;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const platform = typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
  const parsed = parseSourceSpec(spec);
  const budget = new ScanBudget(limits);
  const publish = (event: Omit<ReadProgress, 'totalCompressedBytes' | 'totalUncompressedBytes'>): void => {
    try {
      options.onProgress?.({
        ...event,
        totalCompressedBytes: budget.compressedBytes,
        totalUncompressedBytes: budget.uncompressedBytes,
      });
    } catch {
      // Progress is display only: a failing listener must not fail the read.
    }
  };
  publish({ stage: 'resolving', layers: 0 });

  let source: ImageSource;
  try {
    source = await openSource(parsed, spec, options, platform, limits, signal);
  } catch (err) {
    if (signal.aborted) {
      throw new KubeguardError(
        ErrorCodes.timeout,
        timeout.aborted
          ? `${spec}: resolving the image took longer than ${limits.timeoutMs} ms`
          : `${spec}: cancelled`,
        { cause: err },
      );
    }
    throw err;
  }

  const spill = new SpillArea(options.tempDir);
  const tree = new SquashedTree();
  const issues: ParseIssue[] = [];
  let status = 'ready' as SbomStatus;
  let statusReason: ScanStatusReason | undefined;
  const degrade = (to: Exclude<SbomStatus, 'ready'>, reason: ScanStatusReason) => {
    if (status === 'too-large' || (status === 'incomplete' && to === 'incomplete')) return;
    status = to;
    statusReason = reason;
  };
  const layers = source.layers;
  const layerIDs: (string | undefined)[] = layers.map((l) => l.diffID ?? l.digest);
  const pending = new Set<string>();
  const wantedLinks: string[] = [];
  const wantedHardlinks: { path: string; layer: number }[] = [];
  let cachedLayers = 0;

  try {
    const declared = layers.reduce((n, l) => n + (l.size ?? 0), 0);
    if (declared > limits.maxImageSize) {
      degrade('too-large', 'image-too-large');
      issues.push({
        reason: `the image's layers are ${declared} bytes, more than the ${limits.maxImageSize}-byte limit (maxImageSize); not read`,
      });
    } else {
      for (const [i, layer] of layers.entries()) {
        const layerID = layerIDs[i];
        const base = {
          layer: i,
          layers: layers.length,
          ...(layer.diffID ? { diffID: layer.diffID } : {}),
          ...(layer.digest ? { digest: layer.digest } : {}),
          ...(layer.size !== undefined ? { layerSize: layer.size } : {}),
        };
        publish({ stage: 'layer-start', ...base });
        const key =
          options.cache && options.wantsKey && layer.diffID
            ? layerCacheKey(layer.diffID, options.wantsKey, limits)
            : undefined;
        let scan: LayerScan | undefined;
        let cached = false;
        if (key) {
          try {
            const hit = await options.cache!.get(key);
            if (hit) {
              scan = await adoptScan(hit, spill);
              cached = true;
              cachedLayers++;
              try {
                budget.addCompressed(hit.compressedBytes);
                budget.addUncompressed(hit.uncompressedBytes);
              } catch (err) {
                scan.failure = failureOf(err, signal);
              }
            }
          } catch (err) {
            logger.warn('the layer cache could not be read', { layer: layerID, error: messageOf(err) });
          }
        }
        if (!scan)
          scan = await scanLayer(layer, {
            wants: options.wants,
            limits,
            budget,
            spill,
            pending,
            ...(layerID ? { layerID } : {}),
            hashDiffID: key !== undefined,
            signal,
            onBytes: (compressedBytes, uncompressedBytes) =>
              publish({ stage: 'layer-progress', ...base, compressedBytes, uncompressedBytes }),
          });
        issues.push(...scan.issues);
        if (scan.failure) {
          issues.push({ ...(layerID ? { layer: layerID } : {}), reason: scan.failure.message });
          degrade(scan.failure.status, scan.failure.reason);
        }
        if (scan.oversizedFiles > 0) degrade('incomplete', 'file-too-large');
        tree.apply(scan, i);
        for (const p of scan.wantedLinks) {
          wantedLinks.push(p);
          const link = tree.lookup(p);
          if (cached && link?.type === 'symlink' && link.link !== undefined)
            pending.add(symlinkTarget(p, link.link));
        }
        for (const p of scan.wantedHardlinks) wantedHardlinks.push({ path: p, layer: i });
        if (key && !cached && !scan.failure) {
          if (scan.computedDiffID && scan.computedDiffID !== layer.diffID) {
            issues.push({
              ...(layerID ? { layer: layerID } : {}),
              reason: `the layer's contents hash to ${scan.computedDiffID}, not the diffID ${layer.diffID} the image config claims; not cached`,
            });
          } else {
            try {
              await options.cache!.put(key, scan);
            } catch (err) {
              logger.warn('the layer cache could not be written', { layer: layerID, error: messageOf(err) });
            }
          }
        }
        publish({
          stage: 'layer-done',
          ...base,
          compressedBytes: scan.compressedBytes,
          uncompressedBytes: scan.uncompressedBytes,
          cached,
        });
        logger.debug('layer read', {
          layer: layerID,
          entries: scan.entries.length,
          collected: scan.contents.size,
          cached,
          failure: scan.failure?.message,
        });
        if (scan.failure?.fatal) break;
      }
      if (status !== 'too-large' && !signal.aborted) {
        await secondPass(tree, layers, layerIDs, wantedLinks, wantedHardlinks, {
          limits,
          spill,
          signal,
          issues,
          publish,
          degrade,
        });
      }
    }
  } catch (err) {
    await spill.close();
    await source.close();
    throw err;
  }
  await source.close();
  const resolver = new SquashedResolver(tree, layerIDs);
  publish({ stage: 'done', layers: layers.length });
  return {
    source: source.description,
    metadata: source.metadata,
    config: source.config,
    layers: layers.flatMap((l, i) =>
      l.walk
        ? []
        : [
            {
              diffID: l.diffID ?? layerIDs[i] ?? '',
              ...(l.digest ? { digest: l.digest } : {}),
              ...(l.size !== undefined ? { size: l.size } : {}),
              ...(l.mediaType ? { mediaType: l.mediaType } : {}),
            },
          ],
    ),
    resolver,
    issues,
    status,
    ...(statusReason ? { statusReason } : {}),
    stats: {
      compressedBytes: budget.compressedBytes,
      uncompressedBytes: budget.uncompressedBytes,
      entries: budget.entries,
      paths: tree.size,
      cachedLayers,
      elapsedMs: Date.now() - started,
    },
    close: () => spill.close(),
  };
}

async function scanLayer(layer: LayerSource, ctx: ScanContext): Promise<LayerScan> {
  const signal = ctx.signal!;
  if (layer.walk) return scanEntryStream(layer.walk(signal), ctx);
  let blob: Readable;
  try {
    blob = await layer.openBlob(signal);
  } catch (err) {
    const scan = emptyScan();
    scan.failure = failureOf(err, signal);
    return scan;
  }
  return scanLayerBlob(blob, ctx);
}

/**
 * Targets of wanted symlinks (and hardlinks) that streamed by before anyone knew they were
 * wanted: read again from the layers that hold them, collecting just those paths.
 */
async function secondPass(
  tree: SquashedTree,
  layers: LayerSource[],
  layerIDs: (string | undefined)[],
  wantedLinks: string[],
  wantedHardlinks: { path: string; layer: number }[],
  ctx: {
    limits: ScanLimits;
    spill: SpillArea;
    signal: AbortSignal;
    issues: ParseIssue[];
    publish: (event: Omit<ReadProgress, 'totalCompressedBytes' | 'totalUncompressedBytes'>) => void;
    degrade: (to: 'incomplete', reason: ScanStatusReason) => void;
  },
): Promise<void> {
  const need = new Map<number, Map<string, TreeNode[]>>();
  const add = (layer: number, path: string, node: TreeNode) => {
    let paths = need.get(layer);
    if (!paths) need.set(layer, (paths = new Map()));
    paths.set(path, [...(paths.get(path) ?? []), node]);
  };
  for (const path of wantedLinks) {
    if (tree.lookup(path)?.type !== 'symlink') continue;
    const target = tree.resolve(path);
    const node = target?.node;
    if (!node || node.content || node.omitted || node.layer < 0) continue;
    if (node.type === 'file') add(node.layer, target.path, node);
  }
  for (const { path, layer } of wantedHardlinks) {
    const node = tree.lookup(path);
    if (!node || node.type !== 'hardlink' || node.content || node.layer !== layer || !node.link) continue;
    add(layer, path, node);
    // The hardlink's bytes are its target's, stored earlier in the same layer.
    need.get(layer)!.set(node.link, need.get(layer)!.get(node.link) ?? []);
  }
  for (const [index, paths] of [...need].sort((a, b) => a[0] - b[0])) {
    const layer = layers[index]!;
    const layerID = layerIDs[index];
    ctx.publish({ stage: 'layer-start', layer: index, layers: layers.length, pass: 2 });
    const scan = await scanLayer(layer, {
      wants: () => false,
      only: new Set(paths.keys()),
      limits: ctx.limits,
      // The first pass already counted this layer against the image limits.
      budget: new ScanBudget(ctx.limits),
      spill: ctx.spill,
      ...(layerID ? { layerID } : {}),
      signal: ctx.signal,
    });
    ctx.publish({ stage: 'layer-done', layer: index, layers: layers.length, pass: 2 });
    if (scan.failure) {
      ctx.issues.push({
        ...(layerID ? { layer: layerID } : {}),
        reason: `reading link targets again: ${scan.failure.message}`,
      });
      ctx.degrade('incomplete', scan.failure.reason);
      if (scan.failure.fatal) return;
    }
    for (const [path, nodes] of paths) {
      const content = scan.contents.get(path);
      const omitted = scan.omitted.get(path);
      for (const node of nodes) {
        if (content) node.content = content;
        else if (omitted) node.omitted = omitted;
      }
    }
  }
}
