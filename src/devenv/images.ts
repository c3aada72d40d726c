import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError, silentLogger } from '../common/index.ts';
import type { Descriptor, ImageManifest, ImageIndex, RegistryClient } from '../sbom/index.ts';
import { isIndexMediaType, parseReference } from '../sbom/index.ts';
import type { LayerResult } from './oci-layout.ts';
import { OciLayoutReader, OciLayoutWriter } from './oci-layout.ts';
import type { DevPaths } from './paths.ts';
import { run, which } from './proc.ts';

/**
 * Real test images, built without a Docker engine from Debian packages and files we write, kept
 * as OCI layouts in the cache and pushed to the local registry. Bump `version` when a recipe
 * changes: the cache key includes it.
 */
export interface TestImage {
  /** Repository and tag in the registry, e.g. "test/busybox:1.35". */
  name: string;
  version: number;
  description: string;
  build(layout: OciLayoutWriter, scratch: string, logger: Logger): Promise<Descriptor>;
}

const amd64 = { os: 'linux', architecture: 'amd64' };

function writeTree(root: string, files: Record<string, string | { symlink: string }>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(file, content);
    else fs.symlinkSync(content.symlink, file);
  }
}

function dpkgStatus(packages: { name: string; version: string; arch?: string; source?: string }[]): string {
  return packages
    .map((p) =>
      [
        `Package: ${p.name}`,
        'Status: install ok installed',
        'Priority: optional',
        'Section: misc',
        'Installed-Size: 100',
        'Maintainer: Kubeguard Tests <tests@kubeguard.invalid>',
        `Architecture: ${p.arch ?? 'amd64'}`,
        ...(p.source ? [`Source: ${p.source}`] : []),
        `Version: ${p.version}`,
        `Description: test package ${p.name}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

const osRelease = (id: string, version: string, pretty: string) =>
  `PRETTY_NAME="${pretty}"\nNAME="${pretty}"\nID=${id}\nVERSION_ID="${version}"\n`;

async function busyboxLayer(layout: OciLayoutWriter, scratch: string): Promise<LayerResult> {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) {
    throw new KubeguardError(
      ErrorCodes.prerequisite,
      'busybox is not installed; the busybox test image copies it',
      {
        hint: 'apt-get install busybox-static (or run `npm run setup`)',
      },
    );
  }
  const root = path.join(scratch, 'busybox');
  writeTree(root, {
    'etc/os-release': osRelease('busybox', '1.35', 'BusyBox'),
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
    ...Object.fromEntries(
      ['sh', 'ls', 'cat', 'echo', 'sleep', 'env'].map((a) => [`bin/${a}`, { symlink: 'busybox' }]),
    ),
  });
  fs.copyFileSync(busybox, path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  return layout.addLayerFromDirectory(root);
}

export const testImages: TestImage[] = [
  {
    name: 'test/busybox:1.35',
    version: 1,
    description: 'one layer: the static busybox binary of Debian, applet links, /etc/os-release',
    async build(layout, scratch) {
      return layout.writeImage([await busyboxLayer(layout, scratch)], amd64, { Cmd: ['/bin/sh'] });
    },
  },
  {
    name: 'test/debian:12-minbase',
    version: 1,
    description: 'Debian 12 minbase from mmdebstrap: a real /var/lib/dpkg/status with ~90 packages',
    async build(layout, scratch, logger) {
      if (!which('mmdebstrap')) {
        throw new KubeguardError(
          ErrorCodes.prerequisite,
          'mmdebstrap is not installed; the Debian test image needs it',
          {
            hint: 'apt-get install mmdebstrap (or run `npm run setup`)',
          },
        );
      }
      const mirror = process.env.KUBEGUARD_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
      const tarFile = path.join(scratch, 'debian.tar');
      logger.info(`debootstrapping Debian 12 minbase from ${mirror} (about 20 s)`);
      await run('mmdebstrap', [
        '--variant=minbase',
        '--quiet',
        '--dpkgopt=path-exclude=/usr/share/doc/*',
        '--dpkgopt=path-include=/usr/share/doc/*/copyright',
        '--dpkgopt=path-exclude=/usr/share/man/*',
        '--dpkgopt=path-exclude=/usr/share/locale/*',
        '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*',
        'bookworm',
        tarFile,
        mirror,
      ]);
      const layer = await layout.addLayerFromTarFile(tarFile);
      return layout.writeImage([layer], amd64, { Cmd: ['/bin/bash'] });
    },
  },
  {
    name: 'test/multiarch:1',
    version: 1,
    description:
      'an OCI index: linux/amd64 is the busybox image, linux/arm64 a marker layer (no arm64 binaries are available here)',
    async build(layout, scratch) {
      const amd = layout.writeImage([await busyboxLayer(layout, scratch)], amd64, { Cmd: ['/bin/sh'] });
      const armRoot = path.join(scratch, 'arm64');
      writeTree(armRoot, {
        'etc/os-release': osRelease('busybox', '1.35', 'BusyBox'),
        'etc/kubeguard-platform': 'linux/arm64/v8\n',
      });
      const arm = layout.writeImage([await layout.addLayerFromDirectory(armRoot)], {
        os: 'linux',
        architecture: 'arm64',
        variant: 'v8',
      });
      return layout.writeIndex([amd, arm]);
    },
  },
  {
    name: 'test/whiteouts:1',
    version: 1,
    description:
      'three layers with a deleted file (.wh.), an opaque directory (.wh..wh..opq) and a replaced dpkg status; squashed, it holds one package',
    async build(layout, scratch) {
      const l1 = path.join(scratch, 'l1');
      writeTree(l1, {
        'etc/os-release': osRelease('debian', '12', 'Debian GNU/Linux 12 (bookworm)'),
        'app/keep.txt': 'version 1\n',
        'app/remove-me.txt': 'deleted by layer 2\n',
        'data/old/a.txt': 'hidden by the opaque directory in layer 2\n',
        'data/old/b.txt': 'hidden by the opaque directory in layer 2\n',
        'var/lib/dpkg/status': dpkgStatus([
          { name: 'base-files', version: '12.4+deb12u5' },
          { name: 'removed-later', version: '1.0-1', source: 'removed-src' },
        ]),
      });
      const l2 = path.join(scratch, 'l2');
      writeTree(l2, {
        'app/.wh.remove-me.txt': '',
        'app/added.txt': 'added by layer 2\n',
        'data/old/.wh..wh..opq': '',
        'data/old/c.txt': 'the only file left in /data/old\n',
        'var/lib/dpkg/status': dpkgStatus([{ name: 'base-files', version: '12.4+deb12u5' }]),
      });
      const l3 = path.join(scratch, 'l3');
      writeTree(l3, { 'app/keep.txt': 'version 3\n' });
      const layers = [];
      for (const dir of [l1, l2, l3]) layers.push(await layout.addLayerFromDirectory(dir));
      return layout.writeImage(layers, amd64);
    },
  },
];

export function imageLayoutDir(paths: DevPaths, image: TestImage): string {
  return path.join(paths.cacheDir, 'images', `${image.name.replace(/[/:]/g, '_')}-v${image.version}`);
}

/** Builds the image's OCI layout unless the cache has a complete one. */
export async function buildTestImage(
  paths: DevPaths,
  image: TestImage,
  options: { rebuild?: boolean; logger?: Logger } = {},
): Promise<{ dir: string; cached: boolean }> {
  const dir = imageLayoutDir(paths, image);
  const stamp = path.join(dir, '.complete');
  if (!options.rebuild && fs.existsSync(stamp)) return { dir, cached: true };
  fs.rmSync(dir, { recursive: true, force: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-image-'));
  try {
    const layout = new OciLayoutWriter(dir);
    const root = await image.build(layout, scratch, options.logger ?? silentLogger);
    layout.tag(root, image.name.split(':')[1] ?? 'latest');
    layout.finish();
    fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
    return { dir, cached: false };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Pushes every blob and manifest of an OCI layout to `registry/name` (blobs the registry has are skipped). */
export async function pushLayout(client: RegistryClient, dir: string, target: string): Promise<string> {
  const ref = parseReference(target);
  const reader = new OciLayoutReader(dir);
  const root = reader.refs()[0];
  if (!root) throw new KubeguardError(ErrorCodes.invalidInput, `OCI layout ${dir} names no image`);
  const pushManifest = async (descriptor: Descriptor): Promise<void> => {
    const bytes = reader.blob(descriptor.digest);
    if (isIndexMediaType(descriptor.mediaType)) {
      for (const child of (JSON.parse(bytes.toString('utf8')) as ImageIndex).manifests)
        await pushManifest(child);
    } else {
      const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest;
      for (const blob of [manifest.config, ...manifest.layers]) {
        await client.pushBlob(ref, reader.blob(blob.digest), blob.digest);
      }
    }
    await client.pushManifest(ref, descriptor.digest, descriptor.mediaType, bytes);
  };
  await pushManifest(root);
  return client.pushManifest(ref, ref.tag ?? 'latest', root.mediaType, reader.blob(root.digest));
}
