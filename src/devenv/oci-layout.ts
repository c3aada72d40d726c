import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import * as tar from 'tar';
import type { Descriptor, ImageIndex, ImageManifest } from '../sbom/index.ts';
import { MediaTypes, sha256Digest } from '../sbom/index.ts';

export interface LayerResult {
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar, as listed in the config's rootfs.diff_ids. */
  diffId: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Fixed timestamp for files we create, so that rebuilt layers have the same digests. */
const epoch = new Date('2024-01-01T00:00:00Z');

function hashingStream(hash: ReturnType<typeof createHash>, count: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

/**
 * Writes an OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md):
 * content-addressed blobs plus an index.json naming the images. Layers are streamed through gzip,
 * never held whole in memory.
 */
export class OciLayoutWriter {
  private readonly refs: Descriptor[] = [];

  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  }

  blobPath(digest: string): string {
    return path.join(this.dir, 'blobs', ...digest.split(':'));
  }

  writeBlob(bytes: Buffer, mediaType: string): Descriptor {
    const digest = sha256Digest(bytes);
    fs.writeFileSync(this.blobPath(digest), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  writeJson(value: unknown, mediaType: string): Descriptor {
    return this.writeBlob(Buffer.from(JSON.stringify(value)), mediaType);
  }

  /** A gzip layer from an uncompressed tar stream. */
  async addLayer(tarStream: NodeJS.ReadableStream): Promise<LayerResult> {
    const tmp = path.join(this.dir, 'blobs', `.upload-${process.pid}-${Date.now()}`);
    const diffHash = createHash('sha256');
    const blobHash = createHash('sha256');
    const blobCount = { bytes: 0 };
    await pipeline(
      tarStream,
      hashingStream(diffHash, { bytes: 0 }),
      zlib.createGzip({ level: 6 }),
      hashingStream(blobHash, blobCount),
      fs.createWriteStream(tmp),
    );
    const digest = `sha256:${blobHash.digest('hex')}`;
    fs.renameSync(tmp, this.blobPath(digest));
    return {
      descriptor: { mediaType: MediaTypes.ociLayerGzip, digest, size: blobCount.bytes },
      diffId: `sha256:${diffHash.digest('hex')}`,
    };
  }

  /** A layer holding the files under `dir` (paths in the tar start with "./"). */
  async addLayerFromDirectory(dir: string): Promise<LayerResult> {
    const entries = fs.readdirSync(dir).sort();
    const pack = tar.c(
      { cwd: dir, portable: true, mtime: epoch },
      entries.map((e) => `./${e}`),
    );
    return this.addLayer(Readable.from(pack as AsyncIterable<Buffer>));
  }

  async addLayerFromTarFile(file: string): Promise<LayerResult> {
    return this.addLayer(fs.createReadStream(file));
  }

  /** Writes config and manifest for one platform image; returns the manifest descriptor. */
  writeImage(
    layers: LayerResult[],
    platform: Platform,
    config: { Cmd?: string[]; Env?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> } = {},
  ): Descriptor {
    const configDescriptor = this.writeJson(
      {
        created: epoch.toISOString(),
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...config },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map(() => ({ created: epoch.toISOString(), created_by: 'kubeguard dev images' })),
      },
      MediaTypes.ociConfig,
    );
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: configDescriptor,
      layers: layers.map((l) => l.descriptor),
    };
    return { ...this.writeJson(manifest, MediaTypes.ociManifest), platform };
  }

  writeIndex(manifests: Descriptor[]): Descriptor {
    const index: ImageIndex = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests };
    return this.writeJson(index, MediaTypes.ociIndex);
  }

  /** Names a manifest or index in index.json under `org.opencontainers.image.ref.name`. */
  tag(descriptor: Descriptor, name: string): void {
    const { platform: _platform, ...plain } = descriptor;
    this.refs.push({ ...plain, annotations: { 'org.opencontainers.image.ref.name': name } });
  }

  finish(): void {
    const index: ImageIndex = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: this.refs };
    fs.writeFileSync(path.join(this.dir, 'index.json'), JSON.stringify(index));
  }
}

/** Reads an OCI layout back: the index.json entries and blobs. */
export class OciLayoutReader {
  constructor(readonly dir: string) {}

  refs(): Descriptor[] {
    return (JSON.parse(fs.readFileSync(path.join(this.dir, 'index.json'), 'utf8')) as ImageIndex).manifests;
  }

  blob(digest: string): Buffer {
    const bytes = fs.readFileSync(path.join(this.dir, 'blobs', ...digest.split(':')));
    if (sha256Digest(bytes) !== digest) throw new Error(`blob ${digest} in ${this.dir} is corrupt`);
    return bytes;
  }
}
