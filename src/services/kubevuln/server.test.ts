import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildDatabase } from '../../vuln/index.ts';
import type { JobStatus } from './jobs.ts';
import { MemoryObjectStore } from './object-store.ts';
import type { RunningKubevuln } from './run.ts';
import { runKubevuln } from './run.ts';
import { FakePuller, GLIBC_ADVISORY } from './testing.ts';

const D1 = `sha256:${'b'.repeat(58)}c0ffee`;
const REG = 'registry.test:5000';

let dir = '';
let dbFile = '';

async function post(
  kv: RunningKubevuln,
  route: string,
  body: unknown,
): Promise<[number, Record<string, unknown>]> {
  const res = await fetch(`${kv.url}${route}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return [res.status, (await res.json()) as Record<string, unknown>];
}

async function get(kv: RunningKubevuln, route: string): Promise<[number, Record<string, unknown>]> {
  const res = await fetch(`${kv.url}${route}`);
  return [res.status, (await res.json()) as Record<string, unknown>];
}

function start(puller: FakePuller, over: Parameters<typeof runKubevuln>[0] = {}) {
  return runKubevuln({ port: 0, dbPath: dbFile, store: new MemoryObjectStore(), puller, ...over });
}

describe('kubevuln HTTP API', () => {
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubevuln-api-'));
    fs.mkdirSync(path.join(dir, 'osv'));
    fs.writeFileSync(path.join(dir, 'osv', 'glibc.json'), JSON.stringify(GLIBC_ADVISORY));
    dbFile = path.join(dir, 'vulndb.sqlite');
    await buildDatabase({ output: dbFile, inputs: [path.join(dir, 'osv')] });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers 400 for bodies that are not JSON or not valid commands', async () => {
    const kv = await start(new FakePuller({}));
    try {
      assert.equal((await post(kv, '/v1/scanImage', '{nope'))[0], 400);
      const [status, body] = await post(kv, '/v1/scanImage', {
        wlid: 'wlid://cluster-a/namespace-b/deployment-c',
      });
      assert.equal(status, 400);
      assert.equal(body.title, 'Bad Request');
      assert.match(String(body.detail), /imageTag is required/);
      assert.equal((await post(kv, '/v1/scanImage', { imageTag: 'Bad Ref!' }))[0], 400);
      assert.equal((await post(kv, '/v1/scanApplicationProfile', { args: { name: 'x' } }))[0], 400);
      assert.equal((await get(kv, '/v1/scanImage'))[0], 405);
    } finally {
      await kv.close();
    }
  });

  it('queues a scan (200 with kubevuln detail) and reports queued → running → succeeded with timestamps', async () => {
    const puller = new FakePuller({ [`${REG}/app/cart:1`]: { digest: D1 } });
    puller.hold();
    const kv = await start(puller);
    try {
      const [status, body] = await post(kv, '/v1/scanImage', {
        imageTag: `${REG}/app/cart:1`,
        imageHash: D1,
        wlid: 'wlid://cluster-a/namespace-shop/deployment-cart',
        containerName: 'cart',
        jobID: 'job-42',
      });
      assert.equal(status, 200);
      assert.equal(body.status, 200);
      assert.equal(body.detail, `Wlid=wlid://cluster-a/namespace-shop/deployment-cart, ImageHash=${D1}`);
      assert.equal(body.jobID, 'job-42');
      await new Promise((r) => setTimeout(r, 20));
      const running = (await get(kv, '/v1/scanStatus/job-42'))[1] as unknown as JobStatus;
      assert.equal(running.state, 'running');
      assert.equal(running.phase, 'pulling');
      assert.ok(running.acceptedAt && running.startedAt && !running.finishedAt);
      puller.release();
      await kv.jobs.idle();
      const done = (await get(kv, '/v1/scanStatus/job-42'))[1] as unknown as JobStatus;
      assert.equal(done.state, 'succeeded');
      assert.equal(done.outcome, 'scanned');
      assert.ok(done.finishedAt! >= done.startedAt!);
      assert.equal((await get(kv, '/v1/scanStatus/unknown'))[0], 404);
      const [, diag] = await get(kv, '/v1/diagnostics');
      assert.equal(diag.imagesPulled, 1);
      assert.equal(diag.storageEnabled, true);
      assert.ok(String(diag.cveDBVersion).length > 0);
    } finally {
      await kv.close();
    }
  });

  it('answers 503 when the queue is full', async () => {
    const puller = new FakePuller({ [`${REG}/app/cart:1`]: { digest: D1 } });
    puller.hold();
    const kv = await start(puller, { concurrency: 1, maxQueue: 1 });
    try {
      const body = { imageTag: `${REG}/app/cart:1`, imageHash: D1 };
      assert.equal((await post(kv, '/v1/scanImage', { ...body, jobID: 'a' }))[0], 200);
      await new Promise((r) => setTimeout(r, 20)); // 'a' is running
      assert.equal((await post(kv, '/v1/scanImage', { ...body, jobID: 'b' }))[0], 200); // queued
      const [status, problem] = await post(kv, '/v1/scanImage', { ...body, jobID: 'c' });
      assert.equal(status, 503);
      assert.match(String(problem.detail), /queue is full/);
      puller.release();
      await kv.jobs.idle();
    } finally {
      await kv.close();
    }
  });

  it('answers 429 for an image its registry rate-limited in the last 10 minutes', async () => {
    const kv = await start(new FakePuller({ [`${REG}/busy/app:1`]: { digest: D1, fail: 429 } }));
    try {
      assert.equal(
        (await post(kv, '/v1/scanImage', { imageTag: `${REG}/busy/app:1`, imageHash: D1, jobID: 'x' }))[0],
        200,
      );
      await kv.jobs.idle();
      const status = (await get(kv, '/v1/scanStatus/x'))[1] as unknown as JobStatus;
      assert.equal(status.state, 'failed');
      assert.match(status.reason ?? '', /too-many-requests/);
      const [code, body] = await post(kv, '/v1/scanImage', { imageTag: `${REG}/busy/app:1`, imageHash: D1 });
      assert.equal(code, 429);
      assert.equal(body.title, 'Too Many Requests');
    } finally {
      await kv.close();
    }
  });

  it('is not ready (503) until the database file exists, then opens it; reopens a replaced file', async () => {
    const file = path.join(dir, 'later.sqlite');
    const kv = await start(new FakePuller({}), { dbPath: file });
    try {
      assert.equal((await get(kv, '/v1/liveness'))[0], 200);
      assert.equal((await get(kv, '/v1/readiness'))[0], 503);
      assert.equal((await post(kv, '/v1/scanImage', { imageTag: 'nginx' }))[0], 503);
      fs.copyFileSync(dbFile, file);
      assert.equal((await get(kv, '/v1/readiness'))[0], 200);
      assert.equal(kv.db.opens, 1);
      // `db update` renames a new file over the old one: a new inode.
      const next = path.join(dir, 'next.sqlite');
      await buildDatabase({ output: next, inputs: [path.join(dir, 'osv')], stamp: { note: 'rebuilt' } });
      fs.renameSync(next, file);
      assert.equal((await get(kv, '/v1/readiness'))[0], 200);
      assert.equal(kv.db.opens, 2);
    } finally {
      await kv.close();
    }
  });

  it('accepts the documented spellings (credentialslist, /v1/sbomCreation) and runs generateSBOM', async () => {
    const user = { username: 'u', password: 'p' };
    const puller = new FakePuller({ [`${REG}/private/app:1`]: { digest: D1, user } });
    const kv = await start(puller);
    try {
      const [status] = await post(kv, '/v1/sbomCreation', {
        imageTag: `${REG}/private/app:1`,
        imageHash: D1,
        jobID: 'sbom-1',
        credentialslist: [{ username: 'u', password: 'p', serveraddress: REG }],
      });
      assert.equal(status, 200);
      await kv.jobs.idle();
      const done = (await get(kv, '/v1/scanStatus/sbom-1'))[1] as unknown as JobStatus;
      assert.equal(done.state, 'succeeded', done.reason);
      assert.equal(done.endpoint, 'generateSBOM');
    } finally {
      await kv.close();
    }
  });

  it('on close abandons queued jobs', async () => {
    const puller = new FakePuller({ [`${REG}/app/cart:1`]: { digest: D1 } });
    puller.hold();
    const kv = await start(puller, { shutdownGraceMs: 50 });
    const body = { imageTag: `${REG}/app/cart:1`, imageHash: D1 };
    await post(kv, '/v1/scanImage', { ...body, jobID: 'run' });
    await post(kv, '/v1/scanImage', { ...body, jobID: 'wait' });
    const closing = kv.close();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(kv.jobs.status('wait')?.state, 'abandoned');
    puller.release();
    await closing;
    assert.notEqual(kv.jobs.status('run')?.state, 'running');
  });
});
