/**
 * `updateDatabase` against a local HTTP server on 127.0.0.1: conditional requests (ETag, 304),
 * checksums, and every way an update can fail (wrong checksum, connection dropped mid-body, HTTP
 * errors, a body that is not an archive, a kill during the build), each of which must leave the
 * installed database answering as before.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isKubeguardError } from '../../common/index.ts';
import { writeBundle } from './bundle.ts';
import { buildDatabase } from './install.ts';
import { openAdvisoryDb } from './store.ts';
import { parseSourceSpec, updateDatabase } from './update.ts';
import { writeZip } from './zip.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function osvZip(file: string, records: { id: string; name: string; modified?: string }[]): Buffer {
  writeZip(
    file,
    records.map((r) => ({
      name: `${r.id}.json`,
      data: JSON.stringify({
        id: r.id,
        modified: r.modified ?? '2024-01-01T00:00:00Z',
        summary: `advisory ${r.id} `.repeat(10),
        affected: [
          {
            package: { ecosystem: 'npm', name: r.name },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
          },
        ],
      }),
    })),
  );
  return fs.readFileSync(file);
}

interface Served {
  body: Buffer;
  etag: string;
}

let tmp: string;
let server: http.Server;
let base: string;
const files = new Map<string, Served>();
const requests: { path: string; ifNoneMatch?: string }[] = [];

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-update-'));
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({
      path: url,
      ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
    });
    if (url === '/error') {
      res.writeHead(500).end('boom');
      return;
    }
    const served = files.get(url.replace(/^\/drop\//, '/'));
    if (!served) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['if-none-match'] === served.etag) {
      res.writeHead(304, { etag: served.etag }).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': served.body.length,
      etag: served.etag,
      'last-modified': new Date(0).toUTCString(),
    });
    if (url.startsWith('/drop')) {
      // Half the body, then the connection dies.
      res.write(served.body.subarray(0, served.body.length >> 1), () => res.socket?.destroy());
      return;
    }
    res.end(served.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
});

function serve(route: string, body: Buffer): void {
  files.set(route, { body, etag: `"${sha256(body).slice(0, 16)}"` });
}

const find = (db: string, name: string) => {
  const h = openAdvisoryDb(db);
  try {
    return h.find({ ecosystem: 'npm', name }).map((a) => a.id);
  } finally {
    h.close();
  }
};
const checksum = (db: string) => {
  const h = openAdvisoryDb(db);
  try {
    return h.info().checksum;
  } finally {
    h.close();
  }
};
const leftovers = (db: string) =>
  fs
    .readdirSync(path.dirname(db))
    .filter((f) => f.startsWith(`.${path.basename(db)}.`) || f.endsWith('.lock'));

describe('source specs', () => {
  it('parses name=url with an optional #sha256=', () => {
    assert.deepEqual(parseSourceSpec('npm=https://x/npm/all.zip'), {
      name: 'npm',
      url: 'https://x/npm/all.zip',
    });
    const hex = 'ab'.repeat(32);
    assert.deepEqual(parseSourceSpec(`npm=https://x/all.zip#sha256=${hex.toUpperCase()}`), {
      name: 'npm',
      url: 'https://x/all.zip',
      sha256: hex,
    });
    assert.throws(() => parseSourceSpec('https://x/all.zip'), /NAME=URL/);
    assert.throws(() => parseSourceSpec('../evil=https://x'), /source name/);
    assert.throws(() => parseSourceSpec('npm=https://x#sha256=abc'), /64 hex/);
  });
});

describe('db update', () => {
  const db = () => path.join(tmp, 'data', 'vulndb.sqlite');
  let v1: Buffer;

  it('downloads, builds and installs; an unchanged source answers 304 and nothing is rebuilt', async () => {
    v1 = osvZip(path.join(tmp, 'v1.zip'), [
      { id: 'A-1', name: 'alpha' },
      { id: 'B-1', name: 'beta' },
    ]);
    serve('/npm/all.zip', v1);
    const first = await updateDatabase({ db: db(), sources: [{ name: 'npm', url: `${base}/npm/all.zip` }] });
    assert.equal(first.rebuilt, true);
    assert.deepEqual(
      first.sources.map((s) => [s.name, s.status, s.sha256]),
      [['npm', 'downloaded', sha256(v1)]],
    );
    assert.deepEqual(find(db(), 'alpha'), ['A-1']);
    assert.deepEqual(
      first.info.sources.map((s) => [s.name, s.records, s.url, s.sha256]),
      [['npm', 2, `${base}/npm/all.zip`, sha256(v1)]],
    );

    requests.length = 0;
    const second = await updateDatabase({ db: db(), sources: [{ name: 'npm', url: `${base}/npm/all.zip` }] });
    assert.equal(second.rebuilt, false);
    assert.equal(second.sources[0]?.status, 'not-modified');
    assert.deepEqual(requests, [{ path: '/npm/all.zip', ifNoneMatch: files.get('/npm/all.zip')?.etag }]);
    assert.equal(second.info.checksum, first.info.checksum);
    assert.deepEqual(leftovers(db()), []);

    // --force rebuilds from the cached copy even on 304.
    const forced = await updateDatabase({
      db: db(),
      sources: [{ name: 'npm', url: `${base}/npm/all.zip` }],
      force: true,
    });
    assert.equal(forced.rebuilt, true);
    assert.equal(forced.sources[0]?.status, 'not-modified');
    assert.equal(forced.info.checksum, first.info.checksum);
  });

  it('rebuilds when the source changed, and checks an expected sha256', async () => {
    const v2 = osvZip(path.join(tmp, 'v2.zip'), [
      { id: 'A-1', name: 'alpha' },
      { id: 'B-1', name: 'beta' },
      { id: 'C-1', name: 'gamma' },
    ]);
    serve('/npm/all.zip', v2);
    const result = await updateDatabase({
      db: db(),
      sources: [{ name: 'npm', url: `${base}/npm/all.zip`, sha256: sha256(v2) }],
    });
    assert.equal(result.rebuilt, true);
    assert.equal(result.sources[0]?.status, 'downloaded');
    assert.deepEqual(find(db(), 'gamma'), ['C-1']);
  });

  it('a wrong checksum, a dropped connection, HTTP errors and non-archives leave the old database', async () => {
    const before = checksum(db());
    const v3 = osvZip(path.join(tmp, 'v3.zip'), [{ id: 'D-1', name: 'delta' }]);
    serve('/npm/all.zip', v3);
    const failures: [string, string, RegExp][] = [
      [`${base}/npm/all.zip#sha256=${'0'.repeat(64)}`, 'KG_ERR_INTEGRITY', /does not match/],
      [`${base}/drop/npm/all.zip`, 'KG_ERR_REMOTE', /download failed/],
      [`${base}/error`, 'KG_ERR_REMOTE', /HTTP 500/],
      [`${base}/missing.zip`, 'KG_ERR_REMOTE', /HTTP 404/],
      ['http://127.0.0.1:1/all.zip', 'KG_ERR_REMOTE', /ECONNREFUSED/],
    ];
    serve('/garbage.zip', Buffer.from('this is not an archive'));
    for (const [spec, code, message] of failures) {
      await assert.rejects(
        updateDatabase({ db: db(), sources: [parseSourceSpec(`npm=${spec}`)], timeoutMs: 5000 }),
        (err) =>
          isKubeguardError(err) &&
          err.code === code &&
          message.test(err.message) &&
          /not changed/.test(err.hint ?? ''),
        spec,
      );
      assert.equal(checksum(db()), before, spec);
      assert.deepEqual(find(db(), 'gamma'), ['C-1'], spec);
      assert.deepEqual(find(db(), 'delta'), [], spec);
      assert.deepEqual(leftovers(db()), [], spec);
    }
    await assert.rejects(
      updateDatabase({ db: db(), sources: [{ name: 'junk', url: `${base}/garbage.zip` }] }),
      (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT'),
    );
    assert.equal(checksum(db()), before);
    assert.deepEqual(
      fs.readdirSync(`${db()}.sources`).filter((f) => f.includes('partial')),
      [],
      'no partial downloads left',
    );
  });

  it('installs a bundle served as a source', async () => {
    const src = path.join(tmp, 'bundle-src.sqlite');
    osvZip(path.join(tmp, 'b.zip'), [{ id: 'E-1', name: 'epsilon' }]);
    const built = await buildDatabase({
      output: src,
      inputs: [{ path: path.join(tmp, 'b.zip'), name: 'upstream' }],
    });
    const bundle = path.join(tmp, 'served.bundle');
    await writeBundle(src, bundle);
    serve('/vulndb.bundle', fs.readFileSync(bundle));
    const other = path.join(tmp, 'bundled', 'vulndb.sqlite');
    const result = await updateDatabase({
      db: other,
      sources: [{ name: 'mirror', url: `${base}/vulndb.bundle` }],
    });
    assert.equal(result.rebuilt, true);
    assert.equal(result.info.checksum, built.info.checksum);
    assert.deepEqual(find(other, 'epsilon'), ['E-1']);
    const again = await updateDatabase({
      db: other,
      sources: [{ name: 'mirror', url: `${base}/vulndb.bundle` }],
    });
    assert.equal(again.rebuilt, false, 'a 304 on the bundle keeps the installed database');
  });

  it('refuses to run beside a live writer', async () => {
    const lock = `${db()}.lock`;
    fs.writeFileSync(lock, `${process.pid}\n`);
    try {
      await assert.rejects(
        updateDatabase({ db: db(), sources: [{ name: 'npm', url: `${base}/npm/all.zip` }] }),
        (err) => isKubeguardError(err, 'KG_ERR_CONFLICT'),
      );
    } finally {
      fs.rmSync(lock);
    }
  });

  it('a kill -9 during the build leaves the old database working; the next update cleans up', async () => {
    const dbFile = path.join(tmp, 'killed', 'vulndb.sqlite');
    serve('/small.zip', v1);
    await updateDatabase({ db: dbFile, sources: [{ name: 'npm', url: `${base}/small.zip` }] });
    const before = checksum(dbFile);
    const big = osvZip(
      path.join(tmp, 'big.zip'),
      Array.from({ length: 40_000 }, (_, i) => ({ id: `BIG-${i}`, name: `pkg-${i % 5000}` })),
    );
    serve('/big.zip', big);
    const index = path.resolve(import.meta.dirname, 'index.ts');
    const script = `import { updateDatabase } from ${JSON.stringify(index)};
      await updateDatabase({ db: process.argv[1], sources: [{ name: 'npm', url: process.argv[2] }] });`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, dbFile, `${base}/big.zip`],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 30_000;
    let temp: string | undefined;
    while (!temp && Date.now() < deadline) {
      temp = fs.readdirSync(path.dirname(dbFile)).find((f) => f.includes('.tmp-'));
      if (!temp) await sleep(5);
    }
    assert.ok(temp, 'the child started building');
    // Let it write some batches first.
    await sleep(150);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(fs.existsSync(`${dbFile}.lock`), 'the killed writer left its lock');
    assert.ok(
      leftovers(dbFile).some((f) => f.includes('.tmp-')),
      'and its half-built database',
    );
    assert.equal(checksum(dbFile), before);
    assert.deepEqual(find(dbFile, 'alpha'), ['A-1']);

    const result = await updateDatabase({ db: dbFile, sources: [{ name: 'npm', url: `${base}/big.zip` }] });
    assert.equal(result.info.counts.advisories, 40_000);
    assert.deepEqual(leftovers(dbFile), []);
    assert.equal(find(dbFile, 'pkg-7').length, 8);
  });
});
