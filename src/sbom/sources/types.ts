import type { Readable } from 'node:stream';
import type { Platform } from '../image/index.ts';
import type { ScanEntry } from '../layers/index.ts';
import type { SbomSource } from '../model.ts';

/** One layer of an image, in order from the base. */
export interface LayerSource {
  index: number;
  /** sha256 of the uncompressed tar, from the image config (rootfs.diff_ids). */
  diffID?: string;
  /** Digest of the blob as stored (compressed), when the source is content-addressed. */
  digest?: string;
  /** Size of the blob as stored. */
  size?: number;
  mediaType?: string;
  /**
   * The blob as stored (gzip, zstd or plain tar), digest- and size-checked as it streams when the
   * source knows them: the stream errors at its end on a mismatch.
   */
  openBlob(signal?: AbortSignal): Promise<Readable>;
  /** The uncompressed tar (gzip detected by magic bytes; zstd fails with "not supported yet"). */
  openTar(signal?: AbortSignal): Promise<Readable>;
  /** A directory source walks its files instead of streaming a tar. */
  walk?(signal?: AbortSignal): AsyncIterable<ScanEntry>;
}

/** What the image config says (the parts an SBOM and a scan need). */
export interface ImageConfigSummary {
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  diffIDs: string[];
  /** The runtime config (Env, Cmd, Entrypoint, Labels, WorkingDir, User). */
  config?: Record<string, unknown>;
}

/** Identity of the image read: syft's image source metadata. */
export interface ImageMetadata {
  /** What the user asked for, e.g. "nginx:1.25" or "oci-dir:/tmp/layout:1". */
  userInput: string;
  /** Config digest ("image ID"). */
  imageID?: string;
  manifestDigest?: string;
  mediaType?: string;
  /** name:tag references the source names the image by. */
  tags: string[];
  /** name@digest references (registry images). */
  repoDigests: string[];
  platform?: Platform;
  /** Size of all layers as stored. */
  size?: number;
  /** The raw manifest and config (syft keeps them, base64, in its source metadata). */
  manifest?: Buffer;
  config?: Buffer;
  /** Directory sources: the scanned path. */
  path?: string;
}

/** An opened image source: identity, config and layers; `close()` releases connections and temp files. */
export interface ImageSource {
  description: SbomSource;
  metadata: ImageMetadata;
  config: ImageConfigSummary;
  layers: LayerSource[];
  close(): Promise<void>;
}
