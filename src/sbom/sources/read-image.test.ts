import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { isKubeguardError } from '../../common/index.ts';
import { DirectoryLayerCache, MemoryLayerCache, wantsKeyOf } from '../layers/index.ts';
import type { LayoutLayer, TarSpec } from '../layers/testdata/make-tar.ts';
import { makeTar, writeOciLayout } from '../layers/testdata/make-tar.ts';
import type { ReadImageOptions, ReadProgress } from './index.ts';
import { readImage } from './index.ts';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-read-image-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function layout(layers: (TarSpec[] | LayoutLayer)[], options: Parameters<typeof writeOciLayout>[2] = {}) {
  const dir = path.join(scratch, `layout-${++counter}`);
  const written = writeOciLayout(
    dir,
    layers.map((l) => (Array.isArray(l) ? { tar: makeTar(l) } : l)),
    options,
  );
  return { spec: `oci-dir:${dir}`, dir, ...written };
}

const wantAll: ReadImageOptions['wants'] = (_p, info) => info.type !== 'dir';

async function read(spec: string, options: Partial<ReadImageOptions> = {}) {
  return readImage(spec, { wants: wantAll, tempDir: scratch, ...options });
}

async function text(r: Awaited<ReturnType<typeof read>>, p: string): Promise<string> {
  return (await r.resolver.read(p)).toString();
}

describe('readImage: squashing layers', () => {
  it('applies whiteouts and opaque directories across layers, whatever the root entry looks like', async () => {
    const img = layout([
      [
        { name: '/', type: '5' },
        { name: 'app/', type: '5' },
        { name: 'app/keep.txt', data: 'version 1\n' },
        { name: 'app/remove-me.txt', data: 'deleted by layer 2\n' },
        { name: 'data/old/a.txt', data: 'hidden\n' },
        { name: 'data/old/sub/b.txt', data: 'hidden\n' },
        { name: 'var/lib/dpkg/status', data: 'Package: base-files\n\nPackage: removed-later\n' },
      ],
      [
        { name: './', type: '5' },
        { name: './app/.wh.remove-me.txt' },
        { name: './app/added.txt', data: 'added by layer 2\n' },
        // The opaque marker after a same-layer file: it hides only lower layers.
        { name: './data/old/c.txt', data: 'the only file left\n' },
        { name: './data/old/.wh..wh..opq' },
        { name: './var/lib/dpkg/status', data: 'Package: base-files\n' },
      ],
      [{ name: 'app/keep.txt', data: 'version 3\n' }],
    ]);
    const r = await read(img.spec);
    try {
      assert.equal(r.status, 'ready');
      assert.deepEqual(r.issues, []);
      const paths = [...r.resolver.allPaths()];
      assert.deepEqual(
        paths.filter((p) => p.startsWith('/app') || p.startsWith('/data')),
        ['/app', '/app/added.txt', '/app/keep.txt', '/data', '/data/old', '/data/old/c.txt'],
      );
      assert.equal(await text(r, '/app/keep.txt'), 'version 3\n');
      assert.equal(r.resolver.byPath('/app/keep.txt')?.layerID, img.diffIDs[2]);
      assert.equal(r.resolver.byPath('/app/added.txt')?.layerID, img.diffIDs[1]);
      assert.equal(await text(r, '/var/lib/dpkg/status'), 'Package: base-files\n');
      assert.equal(r.resolver.byPath('/app/remove-me.txt'), undefined);
      assert.deepEqual(
        r.resolver.byGlob('/app/*').map((f) => f.path),
        ['/app/added.txt', '/app/keep.txt'],
      );
      assert.deepEqual(
        r.layers.map((l) => l.diffID),
        img.diffIDs,
      );
      assert.equal(r.source.digest, img.manifestDigest);
      assert.equal(r.source.type, 'image');
    } finally {
      await r.close();
    }
  });

  it('collects only wanted files, and says so when asked for another', async () => {
    const img = layout([
      [
        { name: 'etc/os-release', data: 'ID=debian\n' },
        { name: 'etc/passwd', data: 'root:x:0:0\n' },
      ],
    ]);
    const r = await read(img.spec, { wants: (p) => p === '/etc/os-release' });
    try {
      assert.equal(await text(r, '/etc/os-release'), 'ID=debian\n');
      assert.equal(r.resolver.byPath('/etc/passwd')?.size, 11);
      await assert.rejects(
        r.resolver.read('/etc/passwd'),
        (err) => isKubeguardError(err, 'KG_ERR_NOT_FOUND') && err.message.includes('/etc/passwd'),
      );
      await assert.rejects(r.resolver.read('/nope'), /no such file/);
      assert.deepEqual(
        r.resolver.byGlob('**/*').map((f) => f.path),
        ['/etc/os-release'],
      );
    } finally {
      await r.close();
    }
  });

  it("follows symlinks inside the image only, collecting wanted links' targets in either tar order", async () => {
    const img = layout([
      [
        // Target streams by before the link that wants it: a second pass reads it.
        { name: 'usr/lib/os-release', data: 'ID=debian\n' },
        { name: 'etc/os-release', type: '2', linkname: '../usr/lib/os-release' },
        // Link first, target later: collected in the same pass.
        { name: 'etc/alpine-release', type: '2', linkname: '/usr/share/alpine-release' },
        { name: 'usr/share/alpine-release', data: '3.20.0\n' },
        { name: 'lib', type: '2', linkname: 'usr/lib' },
        { name: 'evil', type: '2', linkname: '../../../../../../etc/passwd' },
        { name: 'loop1', type: '2', linkname: 'loop2' },
        { name: 'loop2', type: '2', linkname: 'loop1' },
        { name: 'etc/passwd', data: 'image passwd\n' },
      ],
    ]);
    const r = await read(img.spec, {
      wants: (p) => p === '/etc/os-release' || p === '/etc/alpine-release' || p === '/evil',
    });
    try {
      assert.equal(await text(r, '/etc/os-release'), 'ID=debian\n');
      assert.equal(r.resolver.byPath('/etc/os-release')?.path, '/usr/lib/os-release');
      assert.equal(r.resolver.lstat('/etc/os-release')?.type, 'symlink');
      assert.equal(await text(r, '/etc/alpine-release'), '3.20.0\n');
      assert.equal(r.resolver.byPath('/lib/os-release')?.path, '/usr/lib/os-release');
      // ".." stops at the image root: the link names the image's /etc/passwd, never the host's.
      assert.equal(r.resolver.byPath('/evil')?.path, '/etc/passwd');
      assert.equal(await text(r, '/evil'), 'image passwd\n');
      assert.equal(r.resolver.byPath('/loop1'), undefined);
    } finally {
      await r.close();
    }
  });

  it("gives hardlinks their target's contents, also when only the link is wanted", async () => {
    const img = layout([
      [
        { name: 'usr/bin/perl5.36.0', data: '#!perl binary\n', mode: 0o755 },
        { name: 'usr/bin/perl', type: '1', linkname: 'usr/bin/perl5.36.0' },
        { name: 'usr/bin/both-a', data: 'both\n' },
        { name: 'usr/bin/both-b', type: '1', linkname: './usr/bin/both-a' },
      ],
      [{ name: 'usr/bin/perl5.36.0', data: 'replaced later, the link keeps the old bytes\n' }],
    ]);
    const r = await read(img.spec, { wants: (p) => p === '/usr/bin/perl' || p.includes('both') });
    try {
      const perl = r.resolver.byPath('/usr/bin/perl');
      assert.equal(perl?.type, 'hardlink');
      assert.equal(perl?.linkTarget, '/usr/bin/perl5.36.0');
      assert.equal(perl?.size, 14);
      assert.equal(await text(r, '/usr/bin/perl'), '#!perl binary\n');
      assert.equal(await text(r, '/usr/bin/both-b'), 'both\n');
    } finally {
      await r.close();
    }
  });

  it('records ".." and absolute paths as issues and never writes outside its temp area', async () => {
    const escape = `kg-escape-${randomBytes(4).toString('hex')}`;
    const img = layout([
      [
        { name: `../../../../../../../../tmp/${escape}`, data: 'escaped!' },
        { name: `/tmp/${escape}-abs`, data: 'absolute!' },
        { name: 'ok.txt', data: 'fine' },
        { name: 'hl', type: '1', linkname: '../../outside' },
      ],
    ]);
    const r = await read(img.spec);
    try {
      assert.equal(r.status, 'ready');
      assert.deepEqual(
        r.issues.map((i) => i.reason.replace(/"[^"]*"/, '"…"')),
        [
          'path "…" escapes the root with ".."; entry skipped',
          'absolute path "…" in a layer; entry skipped',
          'hardlink to "…" points outside the image; entry skipped',
        ],
      );
      assert.ok(r.issues.every((i) => i.layer === img.diffIDs[0]));
      assert.deepEqual([...r.resolver.allPaths()], ['/', '/ok.txt']);
      assert.equal(fs.existsSync(`/tmp/${escape}`), false);
      assert.equal(fs.existsSync(`/tmp/${escape}-abs`), false);
    } finally {
      await r.close();
    }
  });
});

describe('readImage: broken and hostile layers', () => {
  const good: TarSpec[] = [{ name: 'etc/os-release', data: 'ID=debian\n' }];

  it('reports a truncated gzip layer and goes on with the others', async () => {
    const bad = zlib.gzipSync(makeTar([{ name: 'app/big', data: randomBytes(20_000) }]));
    const img = layout([
      good,
      { tar: Buffer.alloc(0), compression: 'raw', blob: bad.subarray(0, bad.length - 200) },
      [{ name: 'app/after', data: 'x' }],
    ]);
    const r = await read(img.spec);
    try {
      assert.equal(r.status, 'incomplete');
      assert.equal(r.statusReason, 'layer-unreadable');
      const issue = r.issues.find((i) => i.layer === img.diffIDs[1]);
      assert.match(issue?.reason ?? '', /gzip stream is truncated or corrupt/);
      assert.equal(await text(r, '/etc/os-release'), 'ID=debian\n');
      assert.equal(await text(r, '/app/after'), 'x');
    } finally {
      await r.close();
    }
  });

  it('reports a truncated tar and keeps the entries read before the cut', async () => {
    const full = makeTar([
      { name: 'a.txt', data: 'complete' },
      { name: 'b.bin', data: randomBytes(5000) },
    ]);
    const img = layout([{ tar: full.subarray(0, 2048), compression: 'gzip' }]);
    const r = await read(img.spec);
    try {
      assert.equal(r.status, 'incomplete');
      assert.match(r.issues.map((i) => i.reason).join('\n'), /ends inside "b.bin"/);
      assert.equal(await text(r, '/a.txt'), 'complete');
    } finally {
      await r.close();
    }
  });

  it('stops a decompression bomb (small blob, huge inflated size) without reading it all', async () => {
    // 80 MiB of zeros in one file gzip to about 80 KB: a ratio of ~1000.
    const gz = zlib.createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gz.on('data', (c: Buffer) => parts.push(c));
    const done = new Promise((resolve) => gz.on('end', resolve));
    const size = 80 * 1024 * 1024;
    const { tarHeader } = await import('../layers/testdata/make-tar.ts');
    gz.write(tarHeader({ name: 'zeros', type: '0', size }));
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < size / zeros.length; i++) gz.write(zeros);
    gz.end(Buffer.alloc(1024));
    await done;
    const blob = Buffer.concat(parts);
    assert.ok(blob.length < 200_000);
    const img = layout([good, { tar: Buffer.alloc(0), compression: 'raw', blob }]);
    const r = await read(img.spec, { limits: { maxCompressionRatio: 100 } });
    try {
      assert.equal(r.status, 'incomplete');
      assert.equal(r.statusReason, 'decompression-bomb');
      assert.ok(r.stats.uncompressedBytes < 70 * 1024 * 1024, `${r.stats.uncompressedBytes} bytes inflated`);
      assert.equal(await text(r, '/etc/os-release'), 'ID=debian\n');
    } finally {
      await r.close();
    }
    const capped = await read(img.spec, { limits: { maxUncompressedSize: 8 * 1024 * 1024 } });
    try {
      assert.equal(capped.status, 'too-large');
      assert.equal(capped.statusReason, 'image-too-large');
    } finally {
      await capped.close();
    }
  });

  it('detects zstd layers by their magic bytes and fails them cleanly', async () => {
    const zstdFrame = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(64)]);
    const img = layout([good, { tar: Buffer.alloc(0), compression: 'raw', blob: zstdFrame }]);
    const r = await read(img.spec);
    try {
      assert.equal(r.status, 'incomplete');
      assert.match(r.issues.map((i) => i.reason).join('\n'), /zstd not supported yet/);
      assert.equal(await text(r, '/etc/os-release'), 'ID=debian\n');
    } finally {
      await r.close();
    }
  });

  it('reads plain (uncompressed) layers whatever the media type says', async () => {
    const img = layout([{ tar: makeTar(good), compression: 'none' }]);
    const r = await read(img.spec);
    try {
      assert.equal(r.status, 'ready');
      assert.equal(await text(r, '/etc/os-release'), 'ID=debian\n');
    } finally {
      await r.close();
    }
  });

  it('reports a corrupt blob (digest mismatch) as an unreadable layer', async () => {
    const img = layout([good]);
    const blobFile = path.join(img.dir, 'blobs', 'sha256', img.digests[0]!.slice(7));
    const bytes = fs.readFileSync(blobFile);
    const tampered = zlib.gzipSync(makeTar([{ name: 'etc/os-release', data: 'ID=evil!!\n' }]));
    fs.writeFileSync(
      blobFile,
      Buffer.concat([tampered, Buffer.alloc(Math.max(0, bytes.length - tampered.length))]).subarray(
        0,
        bytes.length,
      ),
    );
    const r = await read(img.spec);
    try {
      assert.equal(r.status, 'incomplete');
      assert.match(r.issues.map((i) => i.reason).join('\n'), /corrupt|digest/);
    } finally {
      await r.close();
    }
  });

  it('does not read files over maxFileSize, and spills large ones to a temp area removed on close', async () => {
    const medium = randomBytes(5000);
    const img = layout([
      [
        { name: 'medium.bin', data: medium },
        { name: 'big.bin', data: randomBytes(50_000) },
        { name: 'small.txt', data: 'small' },
      ],
    ]);
    const before = fs.readdirSync(scratch).filter((d) => d.startsWith('kubeguard-scan-'));
    const r = await read(img.spec, { limits: { maxFileSize: 40_000, inMemoryFileSize: 100 } });
    const areas = fs
      .readdirSync(scratch)
      .filter((d) => d.startsWith('kubeguard-scan-') && !before.includes(d));
    try {
      assert.equal(r.status, 'incomplete');
      assert.equal(r.statusReason, 'file-too-large');
      assert.match(
        r.issues.map((i) => i.reason).join('\n'),
        /50000 bytes is larger than the 40000-byte limit/,
      );
      assert.equal(r.issues.find((i) => i.reason.includes('40000'))?.path, '/big.bin');
      await assert.rejects(
        r.resolver.read('/big.bin'),
        (err) => isKubeguardError(err, 'KG_ERR_TOO_LARGE') && err.message.includes('/big.bin'),
      );
      assert.deepEqual(await r.resolver.read('/medium.bin'), medium);
      assert.equal(await text(r, '/small.txt'), 'small');
      assert.equal(areas.length, 1);
      assert.deepEqual(fs.readdirSync(path.join(scratch, areas[0]!)), ['1']);
    } finally {
      await r.close();
    }
    assert.equal(fs.existsSync(path.join(scratch, areas[0]!)), false);
  });

  it('refuses an image whose declared size is over maxImageSize without reading it', async () => {
    const img = layout([good]);
    const events: ReadProgress[] = [];
    const r = await read(img.spec, { limits: { maxImageSize: 10 }, onProgress: (e) => events.push(e) });
    try {
      assert.equal(r.status, 'too-large');
      assert.equal(r.statusReason, 'image-too-large');
      assert.equal(events.filter((e) => e.stage === 'layer-start').length, 0);
    } finally {
      await r.close();
    }
  });

  it('stops at maxEntries (a tar bomb of tiny entries)', async () => {
    const img = layout([Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: 'x' }))]);
    const r = await read(img.spec, { limits: { maxEntries: 20 } });
    try {
      assert.equal(r.status, 'too-large');
      assert.equal(r.statusReason, 'image-too-large');
      assert.match(r.issues.map((i) => i.reason).join('\n'), /more than 20 files/);
    } finally {
      await r.close();
    }
  });

  it('a cancelled read ends incomplete, not with an exception', async () => {
    const img = layout([good, [{ name: 'x', data: 'y' }]]);
    const controller = new AbortController();
    const r = await read(img.spec, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.stage === 'layer-start' && e.layer === 1) controller.abort();
      },
    });
    try {
      assert.equal(r.status, 'incomplete');
      assert.equal(r.statusReason, 'cancelled');
      assert.equal(await text(r, '/etc/os-release'), 'ID=debian\n');
    } finally {
      await r.close();
    }
    const timedOut = await read(img.spec, { limits: { timeoutMs: 1 } }).catch((err: unknown) => err);
    // Either the resolve step or the first layer hits a 1 ms limit; both say so.
    if (isKubeguardError(timedOut)) assert.equal(timedOut.code, 'KG_ERR_TIMEOUT');
    else {
      const res = timedOut as Awaited<ReturnType<typeof read>>;
      assert.equal(res.statusReason, 'timeout');
      await res.close();
    }
  });
});

describe('readImage: progress and the layer cache', () => {
  it('publishes layer progress', async () => {
    const img = layout([[{ name: 'a', data: 'x' }], [{ name: 'b', data: 'y' }]]);
    const events: ReadProgress[] = [];
    const r = await read(img.spec, { onProgress: (e) => events.push(e) });
    await r.close();
    assert.deepEqual(
      events
        .filter((e) => e.stage !== 'layer-progress')
        .map((e) => `${e.stage}${e.layer !== undefined ? ` ${e.layer + 1}/${e.layers}` : ''}`),
      ['resolving', 'layer-start 1/2', 'layer-done 1/2', 'layer-start 2/2', 'layer-done 2/2', 'done'],
    );
    assert.ok(events.some((e) => e.stage === 'layer-progress' && e.layer === 1 && e.uncompressedBytes! > 0));
    assert.ok(events.at(-1)!.totalUncompressedBytes > 0);
  });

  for (const kind of ['memory', 'directory'] as const) {
    it(`reads a shared base layer once with a ${kind} cache`, async () => {
      const base: TarSpec[] = [
        { name: 'var/lib/dpkg/status', data: 'Package: base-files\n' },
        { name: 'usr/lib/os-release', data: 'ID=debian\n' },
        { name: 'etc/os-release', type: '2', linkname: '../usr/lib/os-release' },
        { name: 'big.bin', data: randomBytes(3000) },
      ];
      const a = layout([base, [{ name: 'app/a', data: 'image a' }]]);
      const b = layout([base, [{ name: 'app/b', data: 'image b' }]]);
      const cache =
        kind === 'memory'
          ? new MemoryLayerCache({ tempDir: scratch })
          : new DirectoryLayerCache(path.join(scratch, `cache-${++counter}`));
      const options = {
        cache,
        wantsKey: wantsKeyOf([{ id: 'all-files', version: 1 }]),
        limits: { inMemoryFileSize: 1000 },
      };
      const first = await read(a.spec, options);
      const bigFirst = await first.resolver.read('/big.bin');
      await first.close();
      const second = await read(b.spec, options);
      try {
        assert.equal(first.stats.cachedLayers, 0);
        assert.equal(second.stats.cachedLayers, 1);
        assert.equal(await text(second, '/var/lib/dpkg/status'), 'Package: base-files\n');
        assert.equal(await text(second, '/etc/os-release'), 'ID=debian\n');
        assert.deepEqual(await second.resolver.read('/big.bin'), bigFirst);
        assert.equal(await text(second, '/app/b'), 'image b');
        assert.equal(second.resolver.byPath('/app/a'), undefined);
      } finally {
        await second.close();
        if (cache instanceof MemoryLayerCache) await cache.close();
      }
      // Different cataloguers, different key: no hit.
      const other = await read(b.spec, { ...options, wantsKey: 'dpkg-db@2' });
      assert.equal(other.stats.cachedLayers, 0);
      await other.close();
    });
  }

  it('does not cache a layer whose contents do not match the diffID the config claims', async () => {
    const img = layout([[{ name: 'a', data: 'x' }]]);
    const configFile = fs
      .readdirSync(path.join(img.dir, 'blobs', 'sha256'))
      .map((f) => path.join(img.dir, 'blobs', 'sha256', f))
      .find((f) => fs.readFileSync(f, 'utf8').includes('diff_ids'))!;
    // Rewrite the image with a config that lies about the diffID (digests updated to match).
    const lie = `sha256:${'0'.repeat(64)}`;
    const config = fs.readFileSync(configFile, 'utf8').replace(img.diffIDs[0]!, lie);
    const dir = path.join(scratch, `liar-${++counter}`);
    fs.cpSync(img.dir, dir, { recursive: true });
    const { sha256 } = await import('../layers/testdata/make-tar.ts');
    const configDigest = sha256(Buffer.from(config));
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', configDigest.slice(7)), config);
    const manifestFile = path.join(dir, 'blobs', 'sha256', img.manifestDigest.slice(7));
    const manifest = fs
      .readFileSync(manifestFile, 'utf8')
      .replace(path.basename(configFile), configDigest.slice(7))
      .replace(/"size":\d+\}/, `"size":${config.length}}`);
    const manifestDigest = sha256(Buffer.from(manifest));
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', manifestDigest.slice(7)), manifest);
    fs.writeFileSync(
      path.join(dir, 'index.json'),
      fs
        .readFileSync(path.join(dir, 'index.json'), 'utf8')
        .replace(img.manifestDigest, manifestDigest)
        .replace(/"size":\d+/, `"size":${manifest.length}`),
    );
    const cache = new MemoryLayerCache({ tempDir: scratch });
    const r = await read(`oci-dir:${dir}`, { cache, wantsKey: 'k@1' });
    await r.close();
    assert.match(r.issues.map((i) => i.reason).join('\n'), /not the diffID .* claims; not cached/);
    assert.equal(cache.size, 0);
    await cache.close();
  });
});
