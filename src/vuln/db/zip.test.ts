import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { unsafeEntryName, writeZip, ZipEntryError, ZipReader } from './zip.ts';
import type { ZipLimits } from './zip.ts';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-zip-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function readAll(file: string, limits: Partial<ZipLimits> = {}): Record<string, string> {
  const reader = ZipReader.open(file, limits);
  try {
    const out: Record<string, string> = {};
    for (const e of reader.entries()) {
      try {
        out[e.name] = reader.read(e).toString('utf8');
      } catch (err) {
        out[e.name] = err instanceof ZipEntryError ? `!${err.reason}` : `!${(err as Error).message}`;
      }
    }
    return out;
  } finally {
    reader.close();
  }
}

describe('zip', () => {
  it('reads what it writes: deflated, stored, empty entries, UTF-8 names', () => {
    const file = path.join(dir, 'a.zip');
    writeZip(file, [
      { name: 'A.json', data: '{"id":"A"}' },
      { name: 'dir/B.json', data: 'x'.repeat(100_000), store: true },
      { name: 'empty.json', data: '' },
      { name: 'ünï.json', data: 'ü' },
    ]);
    assert.deepEqual(readAll(file), {
      'A.json': '{"id":"A"}',
      'dir/B.json': 'x'.repeat(100_000),
      'empty.json': '',
      'ünï.json': 'ü',
    });
  });

  it('reads zip64 archives: forced zip64 records and more than 65,535 entries', () => {
    const forced = path.join(dir, 'z64.zip');
    writeZip(
      forced,
      [
        { name: 'A.json', data: 'a' },
        { name: 'B.json', data: 'b', store: true },
      ],
      { zip64: true },
    );
    assert.deepEqual(readAll(forced), { 'A.json': 'a', 'B.json': 'b' });

    const many = path.join(dir, 'many.zip');
    const n = 70_000;
    writeZip(
      many,
      (function* () {
        for (let i = 0; i < n; i++) yield { name: `${i}.json`, data: `${i}`, store: true };
      })(),
    );
    const reader = ZipReader.open(many);
    try {
      assert.equal(reader.count, n);
      let last = '';
      for (const e of reader.entries()) last = reader.read(e).toString();
      assert.equal(last, String(n - 1));
    } finally {
      reader.close();
    }
  });

  it('reads archives written by Info-ZIP when the zip command is installed', (t) => {
    if (spawnSync('zip', ['-v']).status !== 0) {
      t.skip('zip is not installed');
      return;
    }
    const src = path.join(dir, 'infozip');
    fs.mkdirSync(path.join(src, 'npm'), { recursive: true });
    fs.writeFileSync(path.join(src, 'npm', 'X.json'), JSON.stringify({ id: 'X' }).repeat(50));
    fs.writeFileSync(path.join(src, 'Y.json'), '{}');
    const file = path.join(dir, 'infozip.zip');
    // -fz forces zip64 extra fields, the shape of OSV's large archives.
    const r = spawnSync('zip', ['-q', '-r', '-fz', file, '.'], { cwd: src });
    assert.equal(r.status, 0, r.stderr?.toString());
    const got = readAll(file);
    assert.equal(got['npm/X.json'], JSON.stringify({ id: 'X' }).repeat(50));
    assert.equal(got['Y.json'], '{}');
  });

  it('refuses entry names that escape: "..", absolute, drive letters, NUL', () => {
    assert.equal(unsafeEntryName('npm/GHSA-1.json'), undefined);
    assert.equal(unsafeEntryName('a..b.json'), undefined);
    for (const bad of [
      '../x.json',
      'a/../../x.json',
      '/etc/x.json',
      '\\x.json',
      'C:/x.json',
      'a\\..\\x.json',
      'a\0.json',
    ])
      assert.ok(unsafeEntryName(bad), bad);
    const file = path.join(dir, 'evil.zip');
    writeZip(file, [
      { name: '../../evil.json', data: '{}' },
      { name: '/abs.json', data: '{}' },
      { name: 'ok.json', data: '{}' },
    ]);
    assert.deepEqual(readAll(file), {
      '../../evil.json': '!unsafe-path',
      '/abs.json': '!unsafe-path',
      'ok.json': '{}',
    });
  });

  it('caps inflation per entry and in total, whatever the sizes declared', () => {
    const file = path.join(dir, 'bomb.zip');
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    writeZip(file, [
      { name: 'honest-bomb.json', data: zeros },
      { name: 'lying-bomb.json', data: zeros, declaredSize: 100 },
      { name: 'small.json', data: '{}' },
    ]);
    assert.ok(fs.statSync(file).size < 20_000, 'the archive is small');
    assert.deepEqual(readAll(file, { maxEntryBytes: 1024 * 1024 }), {
      'honest-bomb.json': '!too-large',
      'lying-bomb.json': '!too-large',
      'small.json': '{}',
    });

    // The total cap: many entries that are each under the entry cap.
    const many = path.join(dir, 'many-bombs.zip');
    const mib = Buffer.alloc(1024 * 1024);
    writeZip(
      many,
      Array.from({ length: 10 }, (_, i) => ({ name: `${i}.json`, data: mib })),
    );
    const got = readAll(many, { maxEntryBytes: 2 * 1024 * 1024, maxTotalBytes: 3 * 1024 * 1024 + 10 });
    assert.equal(Object.values(got).filter((v) => v === '!too-large').length, 7);

    // Lying entries are charged to the total too, so they cannot each inflate up to the entry cap.
    const liars = path.join(dir, 'liars.zip');
    writeZip(
      liars,
      Array.from({ length: 10 }, (_, i) => ({ name: `${i}.json`, data: mib, declaredSize: 10 })),
    );
    const reader = ZipReader.open(liars, { maxEntryBytes: 512 * 1024, maxTotalBytes: 2 * 1024 * 1024 });
    try {
      for (const e of reader.entries()) assert.throws(() => reader.read(e), ZipEntryError);
      assert.ok(reader.totalInflated >= 2 * 1024 * 1024);
    } finally {
      reader.close();
    }
  });

  it('detects damage: CRC mismatch, unsupported methods, truncated and non-zip files', () => {
    const file = path.join(dir, 'crc.zip');
    writeZip(file, [{ name: 'a.json', data: 'hello world', store: true }]);
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('hello world');
    bytes[at] = 'j'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    assert.deepEqual(readAll(file), { 'a.json': '!corrupt' });

    const bz = path.join(dir, 'method.zip');
    writeZip(bz, [{ name: 'a.json', data: zlib.deflateRawSync('x') }]);
    const b = fs.readFileSync(bz);
    // Patch the method in the central directory to 12 (bzip2).
    const cd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    b.writeUInt16LE(12, cd + 10);
    fs.writeFileSync(bz, b);
    assert.deepEqual(readAll(bz), { 'a.json': '!unsupported' });

    const truncated = path.join(dir, 'truncated.zip');
    fs.writeFileSync(truncated, fs.readFileSync(path.join(dir, 'a.zip')).subarray(0, 200));
    assert.throws(() => ZipReader.open(truncated), /not a zip archive|outside the file/);
    const text = path.join(dir, 'text.zip');
    fs.writeFileSync(text, 'this is not a zip archive at all, just text');
    assert.throws(() => ZipReader.open(text), /not a zip archive/);
  });
});
