export {
  DirectoryLayerCache,
  LAYER_SCAN_VERSION,
  MemoryLayerCache,
  layerCacheKey,
  wantsKeyOf,
} from './cache.ts';
export type { LayerCache } from './cache.ts';
export { SpillArea, contentSize, readContent } from './content.ts';
export type { Content } from './content.ts';
export { UnsupportedCompressionError, decompress, detectCompression } from './decompress.ts';
export type { Compression } from './decompress.ts';
export { SquashedTree } from './filetree.ts';
export type { TreeNode } from './filetree.ts';
export { globMatcher, globToRegExp } from './glob.ts';
export {
  DecompressionBombError,
  LimitExceededError,
  RATIO_GRACE_BYTES,
  ScanBudget,
  defaultLimits,
} from './limits.ts';
export type { ScanLimits, ScanStatusReason } from './limits.ts';
export { normalizeEntryName, normalizeLinkName, symlinkTarget, whiteoutOf } from './paths.ts';
export type { EntryPath, Whiteout } from './paths.ts';
export { SquashedResolver } from './resolver.ts';
export { EntryReadError, emptyScan, scanEntryStream, scanLayerBlob } from './scan.ts';
export type { LayerEntry, LayerFailure, LayerScan, ScanContext, ScanEntry, WantsFn } from './scan.ts';
export { TarError, parseHeaderBlock, parsePax, readTar, applyPax } from './tar-reader.ts';
export type { TarEntry, TarEntryType, TarHeader } from './tar-reader.ts';
