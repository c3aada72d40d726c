import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from '../image/index.ts';
import { formatPlatform, isForeignLayer, platformMatches, selectPlatformManifest } from '../image/index.ts';
import { decompress } from '../layers/index.ts';
import type { ImageConfigSummary, LayerSource } from './types.ts';

/** Configs and manifests are small; anything larger is hostile. */
export const MAX_JSON_BLOB = 8 * 1024 * 1024;

export interface FetchedJson {
  bytes: Buffer;
  digest: string;
  mediaType?: string;
}

/** Reads the JSON documents of an image by descriptor, verifying digests. */
export interface ManifestReader {
  /** Names the image in messages, e.g. "127.0.0.1:5000/test/busybox:1.35". */
  subject: string;
  manifest(descriptor: Descriptor): Promise<FetchedJson>;
  blob(descriptor: Descriptor): Promise<Buffer>;
}

export interface ResolvedImage {
  manifest: ImageManifest;
  manifestBytes: Buffer;
  configBytes: Buffer;
  manifestDigest: string;
  mediaType: string;
  configDigest: string;
  config: ImageConfigSummary;
  platform?: Platform;
}

export function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (err) {
    throw new KubeguardError(ErrorCodes.invalidInput, `${what} is not valid JSON`, { cause: err });
  }
}

/** The parts of an image config we keep. */
export function summarizeConfig(bytes: Buffer, what: string): ImageConfigSummary {
  const raw = parseJson<{
    os?: string;
    architecture?: string;
    variant?: string;
    created?: string;
    config?: Record<string, unknown>;
    rootfs?: { diff_ids?: string[] };
  }>(bytes, what);
  return {
    ...(raw.os ? { os: raw.os } : {}),
    ...(raw.architecture ? { architecture: raw.architecture } : {}),
    ...(raw.variant ? { variant: raw.variant } : {}),
    ...(raw.created ? { created: raw.created } : {}),
    diffIDs: Array.isArray(raw.rootfs?.diff_ids)
      ? raw.rootfs.diff_ids.filter((d) => typeof d === 'string')
      : [],
    ...(raw.config && typeof raw.config === 'object' ? { config: raw.config } : {}),
  };
}

/** Fails clearly when an explicitly requested platform is not the image's. */
export function checkPlatform(
  config: ImageConfigSummary,
  wanted: Platform | undefined,
  subject: string,
): void {
  if (!wanted || !config.os || !config.architecture) return;
  const actual: Platform = {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  };
  if (!platformMatches(actual, wanted)) {
    throw new KubeguardError(
      ErrorCodes.notFound,
      `${subject} is a single-platform image for ${formatPlatform(actual)}, not ${formatPlatform(wanted)}`,
      { hint: `scan it without --platform, or with --platform ${formatPlatform(actual)}` },
    );
  }
}

/**
 * From a manifest or an index (nested indexes too) to one image manifest and its config, picking
 * the platform out of indexes.
 */
export async function resolveImage(
  reader: ManifestReader,
  root: FetchedJson,
  wanted: Platform | undefined,
): Promise<ResolvedImage> {
  let current = root;
  let picked: Platform | undefined;
  for (let depth = 0; depth < 4; depth++) {
    const doc = parseJson<Partial<ImageManifest & ImageIndex>>(
      current.bytes,
      `the manifest of ${reader.subject}`,
    );
    const mediaType = doc.mediaType ?? current.mediaType ?? '';
    if (
      (doc as { schemaVersion?: number }).schemaVersion === 1 ||
      mediaType.startsWith('application/vnd.docker.distribution.manifest.v1')
    ) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `${reader.subject} has a Docker schema 1 manifest, which is deprecated and not supported`,
      );
    }
    if (Array.isArray(doc.manifests)) {
      const chosen = selectPlatformManifest(doc as ImageIndex, wanted, reader.subject);
      picked = chosen.platform ?? picked;
      current = await reader.manifest(chosen);
      continue;
    }
    if (!doc.config || !Array.isArray(doc.layers)) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `${reader.subject}: the manifest has no config or layers`,
      );
    }
    const manifest = doc as ImageManifest;
    const configBytes = await reader.blob(manifest.config);
    const config = summarizeConfig(configBytes, `the config of ${reader.subject}`);
    if (!picked) checkPlatform(config, wanted, reader.subject);
    const platform: Platform | undefined =
      config.os && config.architecture
        ? {
            os: config.os,
            architecture: config.architecture,
            ...(config.variant ? { variant: config.variant } : {}),
          }
        : picked;
    return {
      manifest,
      manifestBytes: current.bytes,
      configBytes,
      manifestDigest: current.digest,
      mediaType,
      configDigest: manifest.config.digest,
      config,
      ...(platform ? { platform } : {}),
    };
  }
  throw new KubeguardError(ErrorCodes.invalidInput, `${reader.subject}: indexes nest too deeply`);
}

/** A stream that passes bytes through and errors at the end when digest or size do not match. */
export function verifying(
  source: Readable,
  digest: string | undefined,
  size: number | undefined,
  what: string,
): Readable {
  const algorithm = digest?.split(':')[0];
  const hash = algorithm === 'sha256' || algorithm === 'sha512' ? createHash(algorithm) : undefined;
  let length = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      length += chunk.length;
      if (size !== undefined && length > size) {
        done(
          new KubeguardError(
            ErrorCodes.integrity,
            `${what} is longer than the ${size} bytes its descriptor says`,
          ),
        );
        return;
      }
      hash?.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (size !== undefined && length !== size) {
        done(new KubeguardError(ErrorCodes.integrity, `${what} is truncated: ${length} of ${size} bytes`));
        return;
      }
      const actual = hash ? `${algorithm}:${hash.digest('hex')}` : undefined;
      if (actual && actual !== digest) {
        done(
          new KubeguardError(
            ErrorCodes.integrity,
            `${what} has digest ${actual}, not ${digest}; it is corrupt`,
          ),
        );
        return;
      }
      done();
    },
  });
  source.on('error', (err) => check.destroy(err));
  check.on('close', () => source.destroy());
  return source.pipe(check);
}

/** The uncompressed tar of a blob stream (gzip detected by magic bytes). */
export async function uncompressedTar(blob: Readable): Promise<Readable> {
  return Readable.from(decompress(blob), { objectMode: false });
}

/** Layer sources for a manifest; foreign (Windows, non-distributable) layers are left out. */
export function manifestLayers(
  manifest: ImageManifest,
  config: ImageConfigSummary,
  open: (descriptor: Descriptor, signal?: AbortSignal) => Promise<Readable>,
): LayerSource[] {
  const layers: LayerSource[] = [];
  manifest.layers.forEach((descriptor, position) => {
    if (isForeignLayer(descriptor.mediaType)) return;
    // diff_ids list every layer, foreign ones included, so they pair by position.
    const diffID = manifest.layers.length === config.diffIDs.length ? config.diffIDs[position] : undefined;
    layers.push({
      index: layers.length,
      ...(diffID ? { diffID } : {}),
      digest: descriptor.digest,
      size: descriptor.size,
      mediaType: descriptor.mediaType,
      openBlob: (signal) => open(descriptor, signal),
      openTar: async (signal) => uncompressedTar(await open(descriptor, signal)),
    });
  });
  return layers;
}
