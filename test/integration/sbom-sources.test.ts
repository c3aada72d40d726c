import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKubeguardError } from '../../src/common/index.ts';
import type { PushedImage, RegistryInfo } from '../../src/devenv/index.ts';
import {
  freePort,
  imageLayoutDir,
  pushTestImages,
  registryDown,
  registryUp,
  testImages,
} from '../../src/devenv/index.ts';
import type { ImageReadResult, ReadImageOptions } from '../../src/sbom/sources/index.ts';
import { readImage } from '../../src/sbom/sources/index.ts';
import { DirectoryLayerCache } from '../../src/sbom/layers/index.ts';
import { isolatedPaths } from '../kit/devenv.ts';

const paths = isolatedPaths('sbom-sources');
const MiB = 1024 * 1024;

/** Every regular file of the squashed view with its contents (only for small images). */
async function files(r: ImageReadResult): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of r.resolver.byGlob('**'))
    if (f.type === 'file') out[f.path] = (await r.resolver.read(f)).toString();
  return out;
}

describe('image sources against a real registry', { timeout: 600_000 }, () => {
  let plain: RegistryInfo;
  let secure: RegistryInfo;
  let pushed: PushedImage[];
  const wantAll: ReadImageOptions['wants'] = (_p, info) => info.type === 'file' && info.size < MiB;

  before(async () => {
    plain = await registryUp(paths, { name: 'default', port: await freePort() });
    secure = await registryUp(paths, {
      name: 'secure',
      port: await freePort(),
      tls: true,
      auth: { username: 'alice', password: 's3cret' },
    });
    pushed = await pushTestImages(paths, plain, {
      only: ['test/busybox', 'test/multiarch', 'test/whiteouts', 'test/debian'],
    });
    await pushTestImages(paths, secure, { only: ['test/whiteouts'] });
  });
  after(async () => {
    await registryDown(paths, { name: 'default', wipe: true });
    await registryDown(paths, { name: 'secure', wipe: true });
    paths.cleanup();
  });

  const read = (spec: string, options: Partial<ReadImageOptions> = {}) =>
    readImage(spec, { wants: wantAll, plainHttp: true, tempDir: paths.stateDir, ...options });

  let whiteoutFiles: Record<string, string>;

  it('squashes test/whiteouts:1: deleted files, an opaque directory, a replaced dpkg status', async () => {
    const r = await read(`${plain.address}/test/whiteouts:1`);
    try {
      assert.equal(r.status, 'ready');
      assert.deepEqual(r.issues, []);
      assert.equal(r.layers.length, 3);
      assert.equal(r.source.digest, pushed.find((p) => p.reference.endsWith('test/whiteouts:1'))?.digest);
      assert.equal(r.source.name, `${plain.address}/test/whiteouts`);
      whiteoutFiles = await files(r);
      const appAndData = Object.keys(whiteoutFiles).filter(
        (p) => p.startsWith('/app/') || p.startsWith('/data/'),
      );
      assert.deepEqual(appAndData, ['/app/added.txt', '/app/keep.txt', '/data/old/c.txt']);
      assert.equal(whiteoutFiles['/app/keep.txt'], 'version 3\n');
      assert.equal(r.resolver.byPath('/app/keep.txt')?.layerID, r.layers[2]?.diffID);
      const status = whiteoutFiles['/var/lib/dpkg/status'] ?? '';
      assert.deepEqual(status.match(/^Package: .*$/gm), ['Package: base-files']);
      assert.equal(r.resolver.byPath('/var/lib/dpkg/status')?.layerID, r.layers[1]?.diffID);
    } finally {
      await r.close();
    }
  });

  it('selects the platform of test/multiarch:1 (linux/amd64 by default)', async () => {
    const amd = await read(`${plain.address}/test/multiarch:1`);
    try {
      assert.equal(amd.resolver.byPath('/bin/busybox')?.type, 'file');
      assert.equal(amd.resolver.byPath('/etc/kubeguard-platform'), undefined);
      assert.deepEqual(amd.metadata.platform, { os: 'linux', architecture: 'amd64' });
    } finally {
      await amd.close();
    }
    const arm = await read(`${plain.address}/test/multiarch:1`, { platform: 'linux/arm64' });
    try {
      assert.equal((await arm.resolver.read('/etc/kubeguard-platform')).toString(), 'linux/arm64/v8\n');
      assert.equal(arm.resolver.byPath('/bin/busybox'), undefined);
    } finally {
      await arm.close();
    }
    await assert.rejects(
      read(`${plain.address}/test/multiarch:1`, { platform: 'linux/s390x' }),
      (err) =>
        isKubeguardError(err, 'KG_ERR_NOT_FOUND') &&
        err.message.includes('no image for platform linux/s390x; available: linux/amd64, linux/arm64/v8'),
    );
  });

  it('reads from a TLS registry with basic auth, credentials from a Docker config', async () => {
    const ca = fs.readFileSync(secure.caFile!);
    const dockerConfig = JSON.stringify({
      auths: { [secure.address]: { auth: Buffer.from('alice:s3cret').toString('base64') } },
    });
    const r = await readImage(`${secure.address}/test/whiteouts:1`, {
      wants: wantAll,
      ca,
      dockerConfig,
      tempDir: paths.stateDir,
    });
    try {
      assert.equal(r.status, 'ready');
      assert.deepEqual(await files(r), whiteoutFiles);
    } finally {
      await r.close();
    }
    await assert.rejects(readImage(`${secure.address}/test/whiteouts:1`, { wants: wantAll, ca }), (err) =>
      isKubeguardError(err, 'KG_ERR_UNAUTHORIZED'),
    );
    const wrong = JSON.stringify({ auths: { [secure.address]: { username: 'alice', password: 'nope' } } });
    await assert.rejects(
      readImage(`${secure.address}/test/whiteouts:1`, { wants: wantAll, ca, dockerConfig: wrong }),
      (err) => isKubeguardError(err, 'KG_ERR_UNAUTHORIZED'),
    );
  });

  it('says clearly when a tag does not exist', async () => {
    await assert.rejects(
      read(`${plain.address}/test/busybox:nope`),
      (err) =>
        isKubeguardError(err, 'KG_ERR_NOT_FOUND') &&
        /manifest nope is unknown to the registry \(404 MANIFEST_UNKNOWN\)/.test(err.message),
    );
  });

  it('reads docker-archive and oci-archive files skopeo wrote from the registry the same way', async () => {
    const docker = path.join(paths.stateDir, 'whiteouts-docker.tar');
    const oci = path.join(paths.stateDir, 'whiteouts-oci.tar');
    const src = `docker://${plain.address}/test/whiteouts:1`;
    execFileSync('skopeo', [
      'copy',
      '-q',
      '--src-tls-verify=false',
      src,
      `docker-archive:${docker}:test/whiteouts:1`,
    ]);
    execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', src, `oci-archive:${oci}:1`]);
    for (const spec of [`docker-archive:${docker}`, `oci-archive:${oci}:1`]) {
      const r = await read(spec);
      try {
        assert.equal(r.status, 'ready', spec);
        assert.deepEqual(await files(r), whiteoutFiles, spec);
      } finally {
        await r.close();
      }
    }
  });

  it('streams the Debian image (one 40 MB gzip layer) in bounded memory, about as fast as gzip -dc', async () => {
    const debian = testImages.find((i) => i.name.startsWith('test/debian'))!;
    const blobs = path.join(imageLayoutDir(paths, debian), 'blobs', 'sha256');
    const layerFile = fs
      .readdirSync(blobs)
      .map((f) => path.join(blobs, f))
      .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
    let started = Date.now();
    execFileSync('sh', ['-c', `gzip -dc '${layerFile}' > /dev/null`]);
    const gzipMs = Date.now() - started;

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    started = Date.now();
    const r = await read(`${plain.address}/test/debian:12-minbase`, {
      wants: (p) =>
        p === '/var/lib/dpkg/status' || p.endsWith('/os-release') || p.startsWith('/var/lib/dpkg/info/'),
    });
    const readMs = Date.now() - started;
    clearInterval(sampler);
    try {
      const growth = (peak - baseline) / MiB;
      const mbps = r.stats.uncompressedBytes / MiB / (readMs / 1000);
      const gzipMbps = r.stats.uncompressedBytes / MiB / (gzipMs / 1000);
      console.log(
        `debian: ${(r.stats.uncompressedBytes / MiB).toFixed(0)} MiB uncompressed, ${r.stats.entries} entries; ` +
          `readImage from the registry ${readMs} ms (${mbps.toFixed(0)} MiB/s), gzip -dc ${gzipMs} ms (${gzipMbps.toFixed(0)} MiB/s); ` +
          `RSS growth ${growth.toFixed(0)} MiB (baseline ${(baseline / MiB).toFixed(0)} MiB)`,
      );
      assert.equal(r.status, 'ready');
      assert.ok(r.stats.uncompressedBytes > 100 * MiB);
      // The layer inflates to ~120 MiB; what stays resident is GC slack and collected files, not the layer.
      assert.ok(growth < 100, `RSS grew by ${growth.toFixed(0)} MiB`);
      assert.ok(readMs < 3 * gzipMs + 2000, `read ${readMs} ms vs gzip -dc ${gzipMs} ms`);
      const status = (await r.resolver.read('/var/lib/dpkg/status')).toString();
      assert.ok((status.match(/^Package: /gm)?.length ?? 0) > 50);
      assert.match((await r.resolver.read('/etc/os-release')).toString(), /^ID=debian$/m);
      assert.ok(r.resolver.byGlob('/var/lib/dpkg/info/*.list').length > 50);
    } finally {
      await r.close();
    }
  });

  it('a directory layer cache skips streaming a layer read before', async () => {
    const cache = new DirectoryLayerCache(path.join(paths.stateDir, 'layer-cache'));
    const options = { cache, wantsKey: 'dpkg-db@1', wants: (p: string) => p === '/var/lib/dpkg/status' };
    const first = await read(`${plain.address}/test/debian:12-minbase`, options);
    await first.close();
    const started = Date.now();
    const second = await read(`${plain.address}/test/debian:12-minbase`, options);
    try {
      assert.equal(first.stats.cachedLayers, 0);
      assert.equal(second.stats.cachedLayers, 1);
      assert.ok(Date.now() - started < first.stats.elapsedMs, 'a cache hit is faster than streaming');
      assert.match((await second.resolver.read('/var/lib/dpkg/status')).toString(), /^Package: base-files$/m);
      assert.equal(second.resolver.size, first.resolver.size);
    } finally {
      await second.close();
    }
  });
});
