import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { runPostureService } from './run.ts';
import type { RunningPostureService } from './run.ts';
import type { ScanExecutor, ScanTask } from './scan-queue.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { id?: string; type?: string; response?: unknown };
  text: string;
}

function request(
  base: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Reply['body'] = {};
        try {
          parsed = JSON.parse(text) as Reply['body'];
        } catch {
          // plain text (health endpoints)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A scanner whose scans finish when the test says so. */
function controllableExecutor() {
  const pending: { tasks: readonly ScanTask[]; release: (fail?: string) => void }[] = [];
  const seen: ScanTask[] = [];
  const executor: ScanExecutor = (tasks) => {
    seen.push(...tasks);
    return new Promise((resolve) => {
      const release = (fail?: string) =>
        resolve(
          new Map(
            tasks.map((t) => [
              t.id,
              fail
                ? { kind: 'failed' as const, message: fail }
                : {
                    kind: 'done' as const,
                    json: JSON.stringify({ scanned: t.plan.frameworks ?? t.plan.controls }),
                  },
            ]),
          ),
        );
      pending.push({ tasks, release });
      for (const task of tasks) task.signal.addEventListener('abort', () => release('aborted'));
    });
  };
  const next = async () => {
    for (let i = 0; i < 200 && pending.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const item = pending.shift();
    assert.ok(item, 'no scan started');
    return item;
  };
  return { executor, next, seen };
}

function fakeApiServer(): Promise<{ url: string; close(): void; reachable: { value: boolean } }> {
  const reachable = { value: false };
  const server = http.createServer((req, res) => {
    if (req.url === '/version' && reachable.value) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"major":"1","minor":"32"}');
    } else {
      res.writeHead(503).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => server.close(),
        reachable,
      }),
    ),
  );
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server, skipTLSVerify: true }],
    users: [{ name: 'test' }],
    contexts: [{ name: 'test-context', cluster: 'test', user: 'test' }],
    currentContext: 'test-context',
  });
  return kc;
}

describe('posture service HTTP contract', () => {
  let api: Awaited<ReturnType<typeof fakeApiServer>>;
  let service: RunningPostureService;
  let scanner: ReturnType<typeof controllableExecutor>;
  let base = '';

  before(async () => {
    api = await fakeApiServer();
    scanner = controllableExecutor();
    service = await runPostureService({
      kubeConfig: kubeConfigFor(api.url),
      port: 0,
      queueCapacity: 2,
      executor: scanner.executor,
    });
    base = service.url;
  });
  after(async () => {
    await service.close({ abandon: true });
    api.close();
  });

  it('answers /livez always and /readyz once the API server is reachable', async () => {
    assert.equal((await request(base, 'GET', '/livez')).status, 200);
    assert.equal((await request(base, 'GET', '/readyz')).status, 503);
    api.reachable.value = true;
    assert.equal((await request(base, 'GET', '/readyz')).status, 200);
    // The operator waits for `HEAD /readyz` before its startup scans.
    assert.equal((await request(base, 'HEAD', '/readyz')).status, 200);
  });

  it('POST /v1/scan answers busy, status goes busy -> notBusy, results are handed out once', async () => {
    const posted = await request(
      base,
      'POST',
      '/v1/scan',
      JSON.stringify({ targetType: 'Framework', targetNames: ['nsa'] }),
    );
    assert.equal(posted.status, 200);
    assert.equal(posted.body.type, 'busy');
    const id = posted.body.id!;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(posted.body.response, `scanning '${id}' is in progress`);
    const busy = await request(base, 'GET', `/v1/status?ID=${id}`);
    assert.deepEqual(busy.body, { id, type: 'busy', response: id });
    const results = await request(base, 'GET', `/v1/results?id=${id}`);
    assert.equal(results.body.type, 'busy');
    (await scanner.next()).release();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual((await request(base, 'GET', `/v1/status?id=${id}`)).body, { id: '', type: 'notBusy' });
    const kept = await request(base, 'GET', `/v1/results?id=${id}&keep=true`);
    assert.equal(kept.status, 200);
    assert.deepEqual(kept.body, { id, type: 'v1results', response: { scanned: ['nsa'] } });
    assert.equal((await request(base, 'GET', `/v1/results?id=${id}`)).status, 200);
    const gone = await request(base, 'GET', `/v1/results?id=${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.type, 'error');
    assert.equal((await request(base, 'GET', '/v1/results')).status, 400);
  });

  it('defaults empty targets to every framework and reports a failed scan as an error', async () => {
    const posted = await request(base, 'POST', '/v1/scan', '');
    const id = posted.body.id!;
    const started = await scanner.next();
    assert.deepEqual(started.tasks[0]!.plan.frameworks, ['all']);
    assert.deepEqual(started.tasks[0]!.plan.excludeNamespaces, [
      'kubescape',
      'kube-system',
      'kube-public',
      'kube-node-lease',
    ]);
    started.release('the API server went away');
    await new Promise((r) => setTimeout(r, 20));
    const failed = await request(base, 'GET', `/v1/results?id=${id}`);
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.body, { id, type: 'error', response: 'the API server went away' });
  });

  it('wait=true answers with the results', async () => {
    const waiting = request(
      base,
      'POST',
      '/v1/scan?wait=true',
      JSON.stringify({ targetType: 'control', targetNames: ['C-0017'] }),
    );
    (await scanner.next()).release();
    const reply = await waiting;
    assert.equal(reply.status, 200);
    assert.equal(reply.body.type, 'v1results');
    assert.deepEqual(reply.body.response, { scanned: ['C-0017'] });
    assert.equal((await request(base, 'GET', `/v1/results?id=${reply.body.id}`)).status, 404);
  });

  it('refuses a full queue with 429 and Retry-After, and DELETE /v1/scan cancels queued scans', async () => {
    const running = await request(base, 'POST', '/v1/scan', '{}');
    const started = await scanner.next();
    const queued = [
      await request(base, 'POST', '/v1/scan', '{}'),
      await request(base, 'POST', '/v1/scan', '{}'),
    ];
    assert.deepEqual(
      queued.map((r) => r.status),
      [200, 200],
    );
    const full = await request(base, 'POST', '/v1/scan', '{}');
    assert.equal(full.status, 429);
    assert.equal(full.headers['retry-after'], '1');
    assert.equal(full.body.type, 'error');
    const cancelOne = await request(base, 'DELETE', `/v1/scan?id=${queued[0]!.body.id}`);
    assert.equal(cancelOne.status, 200);
    assert.equal(cancelOne.body.type, 'notBusy');
    assert.equal((await request(base, 'GET', `/v1/status?id=${queued[0]!.body.id}`)).body.type, 'notBusy');
    const cancelAll = await request(base, 'DELETE', '/v1/scan');
    assert.equal(cancelAll.status, 200);
    assert.match(
      String(cancelAll.body.response),
      new RegExp(`${running.body.id}.*${queued[1]!.body.id}|${queued[1]!.body.id}.*${running.body.id}`),
    );
    assert.ok(started.tasks[0]!.signal.aborted, 'the running scan is aborted');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await request(base, 'DELETE', '/v1/scan')).status, 404);
    const cancelled = await request(base, 'GET', `/v1/results?id=${queued[1]!.body.id}`);
    assert.equal(cancelled.status, 500);
    assert.match(String(cancelled.body.response), /cancelled/);
  });

  it('answers bad requests with 400, 413 and 405', async () => {
    const invalid = await request(base, 'POST', '/v1/scan', '{"targetNames": [');
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.type, 'error');
    assert.match(String(invalid.body.response), /failed to parse request payload/);
    const wrongType = await request(base, 'POST', '/v1/scan', '{"targetNames": "nsa"}');
    assert.equal(wrongType.status, 400);
    assert.match(String(wrongType.body.response), /targetNames: expected an array of strings/);
    const unknown = await request(
      base,
      'POST',
      '/v1/scan',
      '{"targetType":"Framework","targetNames":["nope"]}',
    );
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.response), /unknown framework "nope"/);
    const badObject = await request(base, 'POST', '/v1/scan', '{"scanObject":{"kind":"Pod"}}');
    assert.equal(badObject.status, 400);
    const huge = await request(base, 'POST', '/v1/scan', JSON.stringify({ format: 'x'.repeat(1 << 20) }));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.type, 'error');
    assert.equal((await request(base, 'PUT', '/v1/scan', '{}')).status, 405);
    assert.equal((await request(base, 'GET', '/v1/nothing')).status, 404);
    assert.equal((await request(base, 'GET', '/v1/results?id=x&keep=maybe')).status, 400);
  });

  it('DELETE /v1/results removes one or all results', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      ids.push((await request(base, 'POST', '/v1/scan', '{}')).body.id!);
      (await scanner.next()).release();
    }
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await request(base, 'DELETE', `/v1/results?id=${ids[0]}`)).status, 200);
    assert.equal((await request(base, 'GET', `/v1/results?id=${ids[0]}&keep=true`)).status, 404);
    assert.equal((await request(base, 'GET', `/v1/results?id=${ids[1]}&keep=true`)).status, 200);
    assert.equal((await request(base, 'DELETE', '/v1/results?all=true')).status, 200);
    assert.equal((await request(base, 'GET', `/v1/results?id=${ids[1]}`)).status, 404);
  });
});

describe('posture service with a bearer token', () => {
  it('refuses /v1 without the token, keeps health endpoints open', async () => {
    const api = await fakeApiServer();
    const scanner = controllableExecutor();
    const service = await runPostureService({
      kubeConfig: kubeConfigFor(api.url),
      port: 0,
      apiToken: 's3cret',
      executor: scanner.executor,
    });
    try {
      assert.equal((await request(service.url, 'GET', '/v1/status')).status, 401);
      const wrong = await request(service.url, 'GET', '/v1/status', undefined, {
        authorization: 'Bearer nope',
      });
      assert.equal(wrong.status, 401);
      const ok = await request(service.url, 'GET', '/v1/status', undefined, {
        authorization: 'Bearer s3cret',
      });
      assert.deepEqual(ok.body, { id: '', type: 'notBusy' });
      assert.equal((await request(service.url, 'GET', '/livez')).status, 200);
    } finally {
      await service.close();
      api.close();
    }
  });

  it('finishes the running scan on close', async () => {
    const api = await fakeApiServer();
    const scanner = controllableExecutor();
    const service = await runPostureService({
      kubeConfig: kubeConfigFor(api.url),
      port: 0,
      executor: scanner.executor,
    });
    try {
      const waiting = request(service.url, 'POST', '/v1/scan?wait=true', '{}');
      const started = await scanner.next();
      const closed = service.close();
      assert.equal(started.tasks[0]!.signal.aborted, false);
      started.release();
      const reply = await waiting;
      assert.equal(reply.body.type, 'v1results');
      await closed;
    } finally {
      api.close();
    }
  });
});
