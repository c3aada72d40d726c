import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { FileInfo } from '../resolver.ts';
import { SpillArea } from './content.ts';
import { ScanBudget, defaultLimits } from './limits.ts';
import type { ScanContext } from './scan.ts';
import { scanLayerBlob } from './scan.ts';
import { makeTar, tarHeader } from './testdata/make-tar.ts';

function context(overrides: Partial<ScanContext> = {}): ScanContext {
  const limits = { ...defaultLimits, ...overrides.limits };
  return { wants: () => true, limits, budget: new ScanBudget(limits), spill: new SpillArea(), ...overrides };
}

/** A blob stream that records whether it was destroyed (a socket or file handle released). */
function trackedBlob(bytes: Buffer): { blob: Readable; closed: () => boolean } {
  let closed = false;
  const blob = Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
    })(),
    { objectMode: false },
  );
  blob.on('close', () => (closed = true));
  return { blob, closed: () => closed };
}

describe('scanLayerBlob', () => {
  it("tells wants() what each entry is: hardlinks carry their target's size", async () => {
    const seen: [string, Pick<FileInfo, 'size' | 'mode' | 'type'>][] = [];
    const tar = makeTar([
      { name: 'bin/', type: '5' },
      { name: 'bin/busybox', data: 'x'.repeat(100), mode: 0o4755 },
      { name: 'bin/sh', type: '2', linkname: 'busybox' },
      { name: 'bin/ash', type: '1', linkname: 'bin/busybox' },
    ]);
    const scan = await scanLayerBlob(
      Readable.from([zlib.gzipSync(tar)]),
      context({ wants: (p, info) => (seen.push([p, info]), false) }),
    );
    assert.equal(scan.failure, undefined);
    assert.equal(scan.compression, 'gzip');
    assert.deepEqual(seen, [
      ['/bin/busybox', { type: 'file', size: 100, mode: 0o4755 }],
      ['/bin/sh', { type: 'symlink', size: 0, mode: 0o644 }],
      ['/bin/ash', { type: 'file', size: 100, mode: 0o4755 }],
    ]);
    assert.deepEqual(
      scan.entries.map((e) => [e.path, e.type, e.link]),
      [
        ['/bin', 'dir', undefined],
        ['/bin/busybox', 'file', undefined],
        ['/bin/sh', 'symlink', 'busybox'],
        ['/bin/ash', 'hardlink', '/bin/busybox'],
      ],
    );
  });

  it('releases the source when a layer fails part way or a limit stops it', async () => {
    const good = makeTar([{ name: 'a', data: 'x'.repeat(10_000) }], { end: false });
    const corrupt = Buffer.concat([
      good,
      tarHeader({ name: 'b', type: '0', size: 0, corruptChecksum: true }),
      Buffer.alloc(1 << 20),
    ]);
    const bad = trackedBlob(zlib.gzipSync(corrupt));
    const scan = await scanLayerBlob(bad.blob, context());
    assert.match(scan.failure?.message ?? '', /checksum/);
    assert.deepEqual(
      scan.entries.map((e) => e.path),
      ['/a'],
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(bad.closed(), 'the blob stream was destroyed');

    const many = trackedBlob(
      makeTar(Array.from({ length: 100 }, (_, i) => ({ name: `f${i}`, data: 'y'.repeat(3000) }))),
    );
    const limited = await scanLayerBlob(many.blob, context({ limits: { ...defaultLimits, maxEntries: 5 } }));
    assert.equal(limited.failure?.reason, 'image-too-large');
    assert.equal(limited.failure?.fatal, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(many.closed());
  });

  it('hashes the uncompressed tar when asked (to check a diffID before caching)', async () => {
    const tar = makeTar([{ name: 'a', data: 'x' }]);
    const scan = await scanLayerBlob(Readable.from([zlib.gzipSync(tar)]), context({ hashDiffID: true }));
    const { sha256 } = await import('./testdata/make-tar.ts');
    assert.equal(scan.computedDiffID, sha256(tar));
    assert.equal(scan.uncompressedBytes, tar.length);
  });
});
