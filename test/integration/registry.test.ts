import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { after, before, describe, it } from 'node:test';
import { isKubeguardError } from '../../src/common/index.ts';
import type { RegistryInfo } from '../../src/devenv/index.ts';
import {
  freePort,
  pushTestImages,
  registryClientFor,
  registryDown,
  registryStatus,
  registryUp,
} from '../../src/devenv/index.ts';
import type { ImageIndex, ImageManifest } from '../../src/sbom/index.ts';
import { MediaTypes, RegistryClient, parseReference } from '../../src/sbom/index.ts';
import { isolatedPaths, run } from '../kit/devenv.ts';

const paths = isolatedPaths('registry');

describe('local registry (real docker-registry) and test images', { timeout: 600_000 }, () => {
  let plain: RegistryInfo;
  let secure: RegistryInfo;
  before(async () => {
    plain = await registryUp(paths, { name: 'default', port: await freePort() });
    secure = await registryUp(paths, {
      name: 'secure',
      port: await freePort(),
      tls: true,
      auth: { username: 'alice', password: 's3cret' },
    });
  });
  after(async () => {
    await registryDown(paths, { name: 'default', wipe: true });
    await registryDown(paths, { name: 'secure', wipe: true });
    paths.cleanup();
  });

  it('listens on 127.0.0.1 only', () => {
    assert.match(plain.address, /^127\.0\.0\.1:\d+$/);
    assert.match(secure.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('pushes the test images and pulls them back with verified digests', async () => {
    const pushed = await pushTestImages(paths, plain, {
      only: ['test/busybox', 'test/multiarch', 'test/whiteouts'],
    });
    assert.equal(pushed.length, 3);
    const client = registryClientFor(plain);
    try {
      const busybox = parseReference(`${plain.address}/test/busybox:1.35`);
      const fetched = await client.manifest(busybox);
      assert.equal(fetched.mediaType, MediaTypes.ociManifest);
      assert.equal(fetched.digest, pushed[0]?.digest);
      const manifest = JSON.parse(fetched.bytes.toString()) as ImageManifest;
      const layer = await client.blob(busybox, manifest.layers[0]!.digest);
      assert.equal(layer.length, manifest.layers[0]!.size);
      assert.ok(layer.length > 500_000, 'the busybox layer holds the binary');

      const index = await client.manifest(parseReference(`${plain.address}/test/multiarch:1`));
      assert.equal(index.mediaType, MediaTypes.ociIndex);
      const platforms = (JSON.parse(index.bytes.toString()) as ImageIndex).manifests.map(
        (m) => `${m.platform?.os}/${m.platform?.architecture}`,
      );
      assert.deepEqual(platforms, ['linux/amd64', 'linux/arm64']);

      const whiteouts = JSON.parse(
        (await client.manifest(parseReference(`${plain.address}/test/whiteouts:1`))).bytes.toString(),
      ) as ImageManifest;
      assert.equal(whiteouts.layers.length, 3);
    } finally {
      await client.close();
    }
  });

  it('builds a Debian 12 image with a real dpkg database', async () => {
    const [debian] = await pushTestImages(paths, plain, { only: ['test/debian'] });
    assert.ok(debian);
    const client = registryClientFor(plain);
    try {
      const ref = parseReference(debian.reference);
      const manifest = JSON.parse((await client.manifest(ref)).bytes.toString()) as ImageManifest;
      const layerFile = path.join(paths.stateDir, 'debian-layer.tar.gz');
      fs.writeFileSync(layerFile, await client.blob(ref, manifest.layers[0]!.digest));
      let status = '';
      await tar.t({
        file: layerFile,
        onReadEntry: (entry) => {
          if (entry.path === './var/lib/dpkg/status')
            entry.on('data', (c: Buffer) => (status += c.toString()));
          else entry.resume();
        },
      });
      const packages = status.match(/^Package: /gm)?.length ?? 0;
      assert.ok(packages > 50, `dpkg status lists ${packages} packages`);
      assert.match(status, /^Package: base-files$/m);
    } finally {
      await client.close();
    }
  });

  it('produces images that skopeo (an independent client) accepts', async () => {
    const inspect = JSON.parse(
      await run('skopeo', ['inspect', '--tls-verify=false', `docker://${plain.address}/test/busybox:1.35`]),
    ) as {
      Architecture: string;
      Layers: string[];
    };
    assert.equal(inspect.Architecture, 'amd64');
    assert.equal(inspect.Layers.length, 1);
  });

  it('a second push reuses the cached layouts and the blobs the registry has', async () => {
    const started = Date.now();
    const again = await pushTestImages(paths, plain, { only: ['test/busybox', 'test/whiteouts'] });
    assert.ok(again.every((p) => p.cached));
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('serves TLS with basic auth: right credentials work, wrong ones get a clear error', async () => {
    await pushTestImages(paths, secure, { only: ['test/busybox'] });
    const ok = registryClientFor(secure);
    try {
      const m = await ok.manifest(parseReference(`${secure.address}/test/busybox:1.35`));
      assert.equal(m.mediaType, MediaTypes.ociManifest);
    } finally {
      await ok.close();
    }
    const wrong = new RegistryClient({
      ca: secure.caFile ? fs.readFileSync(secure.caFile) : undefined,
      credentials: () => ({ username: 'alice', password: 'wrong' }),
    });
    try {
      await assert.rejects(
        wrong.manifest(parseReference(`${secure.address}/test/busybox:1.35`)),
        (err) =>
          isKubeguardError(err, 'KG_ERR_UNAUTHORIZED') &&
          err.message.includes(`${secure.address}/test/busybox`),
      );
    } finally {
      await wrong.close();
    }
    const untrusted = new RegistryClient({ credentials: () => secure.auth });
    try {
      await assert.rejects(
        untrusted.manifest(parseReference(`${secure.address}/test/busybox:1.35`)),
        (err) => isKubeguardError(err, 'KG_ERR_REMOTE') && err.message.includes('certificate is not trusted'),
      );
    } finally {
      await untrusted.close();
    }
  });

  it('reports a missing tag as not found', async () => {
    const client = registryClientFor(plain);
    try {
      await assert.rejects(client.manifest(parseReference(`${plain.address}/test/busybox:nope`)), (err) =>
        isKubeguardError(err, 'KG_ERR_NOT_FOUND'),
      );
    } finally {
      await client.close();
    }
  });

  it('stops by PID', async () => {
    await registryDown(paths, { name: 'default' });
    const status = await registryStatus(paths, 'default');
    assert.equal(status.state, 'stopped');
    assert.equal(status.ready, false);
  });
});
