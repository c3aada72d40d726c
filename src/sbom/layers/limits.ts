import type { SbomStatus } from '../model.ts';

/** Bounds of one image read. Defaults follow kubevuln where it has one (maxImageSize, scanTimeout). */
export interface ScanLimits {
  /** Compressed bytes of all layers, from the manifest and as read (kubevuln maxImageSize, 512 MiB). */
  maxImageSize: number;
  /** Uncompressed bytes of all layers together (4 GiB): the total cap against decompression bombs. */
  maxUncompressedSize: number;
  /** Uncompressed/compressed ratio of one layer, checked once it has inflated past 64 MiB (200). */
  maxCompressionRatio: number;
  /** Largest file whose contents are collected (512 MiB); larger wanted files are reported, not read. */
  maxFileSize: number;
  /** Entries over all layers (1,000,000): bounds the metadata held for the squashed view (~250 B each). */
  maxEntries: number;
  /** Files up to this size are kept in memory (1 MiB); larger ones go to the temp area. */
  inMemoryFileSize: number;
  /** Collected bytes kept in memory in total (64 MiB); beyond it every file goes to the temp area. */
  maxInMemoryBytes: number;
  /** The whole read, from resolving the image to the last layer (kubevuln scanTimeout, 5 min). */
  timeoutMs: number;
}

const MiB = 1024 * 1024;

export const defaultLimits: ScanLimits = {
  maxImageSize: 512 * MiB,
  maxUncompressedSize: 4096 * MiB,
  maxCompressionRatio: 200,
  maxFileSize: 512 * MiB,
  maxEntries: 1_000_000,
  inMemoryFileSize: MiB,
  maxInMemoryBytes: 64 * MiB,
  timeoutMs: 5 * 60_000,
};

/** Output below this is never called a bomb, whatever the ratio (a layer of zeros compresses 1000:1). */
export const RATIO_GRACE_BYTES = 64 * MiB;

/** Why a read is not `ready`: Kubescape's status-reason values where it has them. */
export type ScanStatusReason =
  'image-too-large' | 'timeout' | 'cancelled' | 'layer-unreadable' | 'decompression-bomb' | 'file-too-large';

/** A limit of the whole read was hit: stop reading, report `status` with `reason`. */
export class LimitExceededError extends Error {
  constructor(
    readonly status: Exclude<SbomStatus, 'ready'>,
    readonly reason: ScanStatusReason,
    message: string,
  ) {
    super(message);
    this.name = 'LimitExceededError';
  }
}

/** A layer inflates far more than real layers do: stop reading that layer. */
export class DecompressionBombError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecompressionBombError';
  }
}

/** Counters shared by all layers of one read, checked as bytes and entries stream by. */
export class ScanBudget {
  compressedBytes = 0;
  uncompressedBytes = 0;
  entries = 0;

  constructor(readonly limits: ScanLimits) {}

  addCompressed(n: number): void {
    this.compressedBytes += n;
    if (this.compressedBytes > this.limits.maxImageSize) {
      throw new LimitExceededError(
        'too-large',
        'image-too-large',
        `the image's layers are larger than the ${this.limits.maxImageSize}-byte limit (maxImageSize)`,
      );
    }
  }

  addUncompressed(n: number): void {
    this.uncompressedBytes += n;
    if (this.uncompressedBytes > this.limits.maxUncompressedSize) {
      throw new LimitExceededError(
        'too-large',
        'image-too-large',
        `the image's layers inflate to more than ${this.limits.maxUncompressedSize} bytes (maxUncompressedSize)`,
      );
    }
  }

  addEntry(): void {
    if (++this.entries > this.limits.maxEntries) {
      throw new LimitExceededError(
        'too-large',
        'image-too-large',
        `the image has more than ${this.limits.maxEntries} files (maxEntries)`,
      );
    }
  }
}
