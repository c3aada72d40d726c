/**
 * Cheap distinct images for tests and benchmarks: a test image plus one tiny layer naming the
 * variant, so each has its own digest (and its own scan) while the base layers are shared (stored
 * once by the registry, read once by a layer cache). Built with the project's OCI layout writer and
 * pushed with its registry client, like the test images.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImageManifest } from '../sbom/index.ts';
import { registryClientFor } from './environment.ts';
import { buildTestImage, pushLayout, testImages } from './images.ts';
import type { LayerResult, Platform } from './oci-layout.ts';
import { OciLayoutReader, OciLayoutWriter } from './oci-layout.ts';
import type { DevPaths } from './paths.ts';
import type { RegistryInfo } from './registry.ts';

export interface ImageVariant {
  reference: string;
  digest: string;
}

interface ImageConfigJson {
  os: string;
  architecture: string;
  variant?: string;
  config?: { Cmd?: string[]; Entrypoint?: string[]; Env?: string[] };
  rootfs: { diff_ids: string[] };
}

/**
 * Pushes `count` variants of a single-platform test image as `<repository>:<tagPrefix><i>` and
 * returns their references and digests. Base blobs are hard-linked, not copied.
 */
export async function pushImageVariants(
  paths: DevPaths,
  registry: RegistryInfo,
  options: { base?: string; repository: string; count: number; tagPrefix?: string; first?: number },
): Promise<ImageVariant[]> {
  const baseName = options.base ?? 'test/busybox:1.35';
  const base = testImages.find((i) => i.name === baseName);
  if (!base) throw new Error(`no test image ${baseName}`);
  const { dir: baseDir } = await buildTestImage(paths, base);
  const reader = new OciLayoutReader(baseDir);
  const root = reader.refs()[0];
  if (!root) throw new Error(`${baseDir} names no image`);
  const manifest = JSON.parse(reader.blob(root.digest).toString('utf8')) as ImageManifest;
  if (!Array.isArray(manifest.layers))
    throw new Error(`${baseName} is an index; pick a single-platform image`);
  const config = JSON.parse(reader.blob(manifest.config.digest).toString('utf8')) as ImageConfigJson;
  const platform: Platform = {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  };

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-variants-'));
  const client = registryClientFor(registry);
  const pushed: ImageVariant[] = [];
  try {
    for (let i = options.first ?? 0; i < (options.first ?? 0) + options.count; i++) {
      const tag = `${options.tagPrefix ?? 'v'}${i}`;
      const dir = path.join(scratch, tag);
      const writer = new OciLayoutWriter(dir);
      const layers: LayerResult[] = manifest.layers.map((layer, n) => {
        const target = writer.blobPath(layer.digest);
        try {
          fs.linkSync(path.join(baseDir, 'blobs', ...layer.digest.split(':')), target);
        } catch {
          fs.writeFileSync(target, reader.blob(layer.digest));
        }
        return { descriptor: layer, diffId: config.rootfs.diff_ids[n] ?? '' };
      });
      const extra = path.join(scratch, `${tag}-layer`);
      fs.mkdirSync(path.join(extra, 'etc'), { recursive: true });
      fs.writeFileSync(path.join(extra, 'etc', 'kubeguard-variant'), `${options.repository}:${tag}\n`);
      layers.push(await writer.addLayerFromDirectory(extra));
      writer.tag(
        writer.writeImage(layers, platform, { ...(config.config?.Cmd ? { Cmd: config.config.Cmd } : {}) }),
        tag,
      );
      writer.finish();
      const reference = `${registry.address}/${options.repository}:${tag}`;
      pushed.push({ reference, digest: await pushLayout(client, dir, reference) });
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(extra, { recursive: true, force: true });
    }
  } finally {
    await client.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return pushed;
}
