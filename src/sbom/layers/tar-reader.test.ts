import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as tar from 'tar';
import { TarError, readTar } from './tar-reader.ts';
import { makeTar, tarHeader } from './testdata/make-tar.ts';

async function* chunks(buf: Buffer, size = 100): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function list(buf: Buffer, readBodies = true, chunkSize = 100) {
  const out: { name: string; type: string; size: number; linkname: string; data?: string }[] = [];
  for await (const e of readTar(chunks(buf, chunkSize))) {
    let data: string | undefined;
    if (readBodies && e.type === 'file') {
      const parts: Buffer[] = [];
      for await (const c of e.body()) parts.push(Buffer.from(c));
      data = Buffer.concat(parts).toString();
    }
    out.push({
      name: e.name,
      type: e.type,
      size: e.size,
      linkname: e.linkname,
      ...(data !== undefined ? { data } : {}),
    });
  }
  return out;
}

describe('readTar', () => {
  it('reads files, directories, links and the root entries "/" and "./" as stored', async () => {
    const buf = makeTar([
      { name: '/', type: '5' },
      { name: './', type: '5' },
      { name: './etc/', type: '5' },
      { name: './etc/passwd', data: 'root:x:0:0\n' },
      { name: 'bin/sh', type: '2', linkname: 'busybox' },
      { name: 'bin/ash', type: '1', linkname: 'bin/busybox' },
    ]);
    for (const size of [1, 7, 512, 100_000]) {
      assert.deepEqual(await list(buf, true, size), [
        { name: '/', type: 'dir', size: 0, linkname: '' },
        { name: './', type: 'dir', size: 0, linkname: '' },
        { name: './etc/', type: 'dir', size: 0, linkname: '' },
        { name: './etc/passwd', type: 'file', size: 11, linkname: '', data: 'root:x:0:0\n' },
        { name: 'bin/sh', type: 'symlink', size: 0, linkname: 'busybox' },
        { name: 'bin/ash', type: 'hardlink', size: 0, linkname: 'bin/busybox' },
      ]);
    }
  });

  it('skips bodies that are not read', async () => {
    const buf = makeTar([
      { name: 'a', data: 'x'.repeat(5000) },
      { name: 'b', data: 'second' },
    ]);
    const entries = await list(buf, false);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['a', 'b'],
    );
    // Partly read bodies are skipped too.
    const names: string[] = [];
    for await (const e of readTar(chunks(buf, 300))) {
      names.push(e.name);
      for await (const _ of e.body()) break;
    }
    assert.deepEqual(names, ['a', 'b']);
  });

  it('applies pax and GNU long names', async () => {
    const long = `usr/share/${'very-long-directory-name/'.repeat(8)}file.txt`;
    assert.ok(long.length > 100);
    const buf = makeTar([
      { name: 'PaxHeader/x', pax: { path: long, linkpath: `../${long}` }, type: '2', linkname: 'short' },
      { name: long, gnuLongName: true, data: 'gnu' },
    ]);
    const entries = await list(buf);
    assert.equal(entries[0]?.name, long);
    assert.equal(entries[0]?.linkname, `../${long}`);
    assert.equal(entries[1]?.name, long);
    assert.equal(entries[1]?.data, 'gnu');
  });

  it('reads what the tar package writes (long names, symlinks, directories)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-tar-'));
    try {
      const deep = path.join(dir, 'a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60));
      fs.mkdirSync(deep, { recursive: true });
      fs.writeFileSync(path.join(deep, 'file.txt'), 'deep');
      fs.symlinkSync('a'.repeat(60), path.join(dir, 'link'));
      const parts: Buffer[] = [];
      for await (const c of tar.c({ cwd: dir, portable: true }, ['.']) as AsyncIterable<Buffer>)
        parts.push(c);
      const written = Buffer.concat(parts);
      const expected: string[] = [];
      const parser = new tar.Parser({ onReadEntry: (e) => (expected.push(e.path), e.resume()) });
      const done = new Promise((resolve) => parser.on('end', resolve));
      parser.end(written);
      await done;
      const ours = (await list(written)).map((e) => e.name);
      assert.deepEqual(ours, expected);
      assert.ok(ours.some((n) => n.endsWith('file.txt') && n.length > 180));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts an archive without the end-of-archive blocks', async () => {
    const entries = await list(makeTar([{ name: 'a', data: 'x' }], { end: false }));
    assert.deepEqual(
      entries.map((e) => e.name),
      ['a'],
    );
  });

  it('fails on truncation inside a header or a body, and on a bad checksum', async () => {
    const buf = makeTar([
      { name: 'a', data: 'x'.repeat(2000) },
      { name: 'b', data: 'y' },
    ]);
    await assert.rejects(
      list(buf.subarray(0, 1000)),
      (err) => err instanceof TarError && err.truncated && /inside "a"/.test(err.message),
    );
    await assert.rejects(
      list(buf.subarray(0, 1000), false),
      (err) => err instanceof TarError && err.truncated,
    );
    await assert.rejects(
      list(buf.subarray(0, 2560 + 100)),
      (err) => err instanceof TarError && /middle of a header/.test(err.message),
    );
    const bad = Buffer.concat([
      tarHeader({ name: 'x', type: '0', size: 0, corruptChecksum: true }),
      Buffer.alloc(1024),
    ]);
    await assert.rejects(list(bad), (err) => err instanceof TarError && /checksum/.test(err.message));
  });

  it('drains the input after the end marker', async () => {
    let pulled = 0;
    const buf = Buffer.concat([makeTar([{ name: 'a', data: 'x' }]), Buffer.alloc(10_240)]);
    async function* counting() {
      for await (const c of chunks(buf, 512)) {
        pulled += c.length;
        yield c;
      }
    }
    for await (const _ of readTar(counting())) void _;
    assert.equal(pulled, buf.length);
  });
});
