import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import zlib from 'node:zlib';
import * as tar from 'tar';
import { isKubeguardError } from '../../common/index.ts';
import type { TarSpec } from '../layers/testdata/make-tar.ts';
import { makeTar, sha256, writeOciLayout } from '../layers/testdata/make-tar.ts';
import { parseSourceSpec, readImage } from './index.ts';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-sources-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const layers: TarSpec[][] = [
  [
    { name: 'etc/os-release', data: 'ID=debian\n' },
    { name: 'app/old.txt', data: 'old\n' },
  ],
  [{ name: 'app/.wh.old.txt' }, { name: 'app/new.txt', data: 'new\n' }],
];

const hasSkopeo = (() => {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function squashed(spec: string, options: Parameters<typeof readImage>[1] | object = {}) {
  const r = await readImage(spec, { wants: () => true, tempDir: scratch, ...options });
  try {
    const files: Record<string, string> = {};
    for (const f of r.resolver.byGlob('**'))
      if (f.type === 'file') files[f.path] = (await r.resolver.read(f)).toString();
    return { files, result: r };
  } finally {
    await r.close();
  }
}

const expected = { '/app/new.txt': 'new\n', '/etc/os-release': 'ID=debian\n' };

describe('parseSourceSpec', () => {
  it('names sources the way syft and skopeo do', () => {
    assert.deepEqual(parseSourceSpec('nginx:1.25'), { kind: 'registry', reference: 'nginx:1.25' });
    assert.deepEqual(parseSourceSpec('docker://nginx'), { kind: 'registry', reference: 'nginx' });
    assert.deepEqual(parseSourceSpec('registry:localhost:5000/a:1'), {
      kind: 'registry',
      reference: 'localhost:5000/a:1',
    });
    assert.deepEqual(parseSourceSpec('docker-archive:/tmp/x.tar'), {
      kind: 'docker-archive',
      path: '/tmp/x.tar',
    });
    assert.deepEqual(parseSourceSpec('docker-archive:/tmp/nope.tar:app:1'), {
      kind: 'docker-archive',
      path: '/tmp/nope.tar',
      ref: 'app:1',
    });
    assert.deepEqual(parseSourceSpec('oci-archive:img.tar:v1'), {
      kind: 'oci-archive',
      path: 'img.tar',
      ref: 'v1',
    });
    assert.deepEqual(parseSourceSpec('oci-dir:/layout:1'), { kind: 'oci-dir', path: '/layout', ref: '1' });
    assert.deepEqual(parseSourceSpec('oci:/layout'), { kind: 'oci-dir', path: '/layout' });
    assert.deepEqual(parseSourceSpec('dir:/a:b'), { kind: 'dir', path: '/a:b' });
    assert.throws(() => parseSourceSpec('dir:'), /names no path/);
    const withColon = path.join(scratch, 'a:b.tar');
    fs.writeFileSync(withColon, '');
    assert.deepEqual(parseSourceSpec(`docker-archive:${withColon}`), {
      kind: 'docker-archive',
      path: withColon,
    });
  });
});

describe('OCI layout sources', () => {
  it('oci-dir: selects an image by tag and lists the names when asked for a missing one', async () => {
    const dir = path.join(scratch, 'two-tags');
    writeOciLayout(
      dir,
      layers.map((l) => ({ tar: makeTar(l) })),
      { tag: 'v1' },
    );
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    index.manifests.push({
      ...index.manifests[0],
      annotations: { 'org.opencontainers.image.ref.name': 'v2' },
    });
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    const { files, result } = await squashed(`oci-dir:${dir}:v2`);
    assert.deepEqual(files, expected);
    assert.equal(result.source.version, 'v2');
    assert.equal(result.config.architecture, 'amd64');
    await assert.rejects(squashed(`oci-dir:${dir}:v3`), /has no image named "v3"; it has: v1, v2/);
    await assert.rejects(squashed(`oci-dir:${dir}`), /holds 2 images; name one/);
  });

  it('oci-dir: picks the platform out of an index, linux/amd64 by default', async () => {
    const dir = path.join(scratch, 'multi');
    const amd = writeOciLayout(path.join(scratch, 'amd'), [
      { tar: makeTar([{ name: 'arch', data: 'amd64' }]) },
    ]);
    const arm = writeOciLayout(
      path.join(scratch, 'arm'),
      [{ tar: makeTar([{ name: 'arch', data: 'arm64' }]) }],
      {
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
    );
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    for (const from of ['amd', 'arm']) {
      for (const f of fs.readdirSync(path.join(scratch, from, 'blobs', 'sha256')))
        fs.copyFileSync(path.join(scratch, from, 'blobs', 'sha256', f), path.join(dir, 'blobs', 'sha256', f));
    }
    const size = (d: string) => fs.statSync(path.join(dir, 'blobs', 'sha256', d.slice(7))).size;
    const indexJson = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: arm.manifestDigest,
            size: size(arm.manifestDigest),
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: amd.manifestDigest,
            size: size(amd.manifestDigest),
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    );
    const indexDigest = sha256(indexJson);
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', indexDigest.slice(7)), indexJson);
    fs.writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.index.v1+json',
            digest: indexDigest,
            size: indexJson.length,
            annotations: { 'org.opencontainers.image.ref.name': '1' },
          },
        ],
      }),
    );
    assert.deepEqual((await squashed(`oci-dir:${dir}`)).files, { '/arch': 'amd64' });
    const arm64 = await squashed(`oci-dir:${dir}:1`, { platform: 'linux/arm64' });
    assert.deepEqual(arm64.files, { '/arch': 'arm64' });
    assert.deepEqual(arm64.result.metadata.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual((await squashed(`oci-dir:${dir}`, { platform: 'linux/aarch64' })).files, {
      '/arch': 'arm64',
    });
    await assert.rejects(
      squashed(`oci-dir:${dir}`, { platform: 'linux/s390x' }),
      (err) =>
        isKubeguardError(err, 'KG_ERR_NOT_FOUND') &&
        /no image for platform linux\/s390x; available: linux\/arm64\/v8, linux\/amd64/.test(err.message),
    );
    await assert.rejects(
      squashed(`oci-dir:${path.join(scratch, 'amd')}`, { platform: 'linux/arm64' }),
      /single-platform image for linux\/amd64, not linux\/arm64/,
    );
  });

  it('oci-archive: a tar of an OCI layout, plain or gzipped', async () => {
    const dir = path.join(scratch, 'for-archive');
    writeOciLayout(
      dir,
      layers.map((l) => ({ tar: makeTar(l) })),
      { tag: '1' },
    );
    const file = path.join(scratch, 'layout.tar');
    await tar.c({ cwd: dir, file, portable: true }, ['.']);
    assert.deepEqual((await squashed(`oci-archive:${file}`)).files, expected);
    assert.deepEqual((await squashed(`oci-archive:${file}:1`)).files, expected);
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file)));
    assert.deepEqual((await squashed(`oci-archive:${file}.gz`)).files, expected);
    await assert.rejects(
      squashed(`oci-archive:${path.join(scratch, 'missing.tar')}`),
      /cannot open the archive/,
    );
  });
});

describe('docker save archives', () => {
  it('reads a hand-made docker save archive with gzipped layers, symlinked layer dirs and an outer gzip', async () => {
    const tars = layers.map((l) => makeTar(l));
    const config = Buffer.from(
      JSON.stringify({
        os: 'linux',
        architecture: 'amd64',
        rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
      }),
    );
    const configName = `${sha256(config).slice(7)}.json`;
    const manifest = JSON.stringify([
      { Config: configName, RepoTags: ['app:1', 'app:latest'], Layers: ['l0/layer.tar', 'l1/layer.tar'] },
    ]);
    const archive = makeTar([
      { name: 'manifest.json', data: manifest },
      { name: configName, data: config },
      { name: 'blob0.tar.gz', data: zlib.gzipSync(tars[0]!) },
      { name: 'l0/layer.tar', type: '2', linkname: '../blob0.tar.gz' },
      { name: 'l1/layer.tar', data: tars[1]! },
    ]);
    const file = path.join(scratch, 'saved.tar');
    fs.writeFileSync(file, archive);
    const { files, result } = await squashed(`docker-archive:${file}`);
    assert.deepEqual(files, expected);
    assert.deepEqual(result.source, {
      type: 'image',
      name: 'docker.io/library/app',
      version: '1',
      digest: sha256(config),
    });
    assert.deepEqual(result.metadata.tags, ['docker.io/library/app:1', 'docker.io/library/app:latest']);
    assert.deepEqual(
      result.layers.map((l) => l.diffID),
      tars.map(sha256),
    );
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(archive));
    assert.deepEqual((await squashed(`docker-archive:${file}.gz:app:latest`)).files, expected);
    await assert.rejects(
      squashed(`docker-archive:${file}:other:1`),
      /no image tagged "other:1"; it has: app:1, app:latest/,
    );
  });

  it(
    'reads what skopeo writes (docker-archive and oci-archive)',
    { skip: !hasSkopeo && 'skopeo is not installed' },
    async () => {
      const dir = path.join(scratch, 'for-skopeo');
      writeOciLayout(
        dir,
        layers.map((l) => ({ tar: makeTar(l) })),
        { tag: '1' },
      );
      const docker = path.join(scratch, 'skopeo-docker.tar');
      const oci = path.join(scratch, 'skopeo-oci.tar');
      execFileSync('skopeo', ['copy', '-q', `oci:${dir}:1`, `docker-archive:${docker}:test/app:1`]);
      execFileSync('skopeo', ['copy', '-q', `oci:${dir}:1`, `oci-archive:${oci}:1`]);
      const fromDocker = await squashed(`docker-archive:${docker}`);
      assert.deepEqual(fromDocker.files, expected);
      assert.equal(fromDocker.result.source.name, 'docker.io/test/app');
      assert.deepEqual((await squashed(`docker-archive:${docker}:test/app:1`)).files, expected);
      assert.deepEqual((await squashed(`oci-archive:${oci}:1`)).files, expected);
    },
  );
});

describe('dir: sources', () => {
  it('walks a root file system without ever following symlinks out of it', async () => {
    const root = path.join(scratch, 'rootfs');
    const outside = path.join(scratch, 'outside-secret');
    fs.writeFileSync(outside, 'host secret');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/lib/os-release'), 'ID=debian\n');
    fs.symlinkSync('../usr/lib/os-release', path.join(root, 'etc/os-release'));
    fs.symlinkSync(outside, path.join(root, 'etc/abs-escape'));
    fs.symlinkSync('../../../../../../..' + outside, path.join(root, 'etc/rel-escape'));
    fs.symlinkSync(path.dirname(outside), path.join(root, 'hostdir'));
    const { files, result } = await squashed(`dir:${root}`);
    assert.deepEqual(files, { '/usr/lib/os-release': 'ID=debian\n' });
    assert.equal(result.source.type, 'directory');
    assert.deepEqual(result.layers, []);
    const again = await readImage(`dir:${root}`, { wants: () => true, tempDir: scratch });
    try {
      assert.equal((await again.resolver.read('/etc/os-release')).toString(), 'ID=debian\n');
      assert.equal(again.resolver.lstat('/etc/abs-escape')?.linkTarget, outside);
      // Resolved inside the root, where no such file exists: never the host's.
      for (const p of ['/etc/abs-escape', '/etc/rel-escape', `/hostdir/${path.basename(outside)}`]) {
        assert.equal(again.resolver.byPath(p), undefined, p);
        await assert.rejects(again.resolver.read(p), /no such file/);
      }
      assert.equal(again.resolver.byPath('/etc/os-release')?.layerID, undefined);
    } finally {
      await again.close();
    }
  });

  it('fails clearly for a missing directory', async () => {
    await assert.rejects(
      readImage(`dir:${path.join(scratch, 'nope')}`, { wants: () => true }),
      /not a readable directory/,
    );
  });
});
