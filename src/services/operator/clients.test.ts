import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { freePortForTest } from './testing.ts';
import { KubevulnClient } from './kubevuln-client.ts';
import { PostureClient } from './posture-client.ts';
import type { WebsocketScanCommand } from './types.ts';

async function serve(handler: http.RequestListener): Promise<{ url: string; close(): void }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const command: WebsocketScanCommand = {
  session: { jobIDs: [], timestamp: '2026-01-01T00:00:00.000Z' },
  imageTag: 'nginx:1',
  wlid: 'wlid://cluster-c/namespace-ns/deployment-web',
  isScanned: false,
  containerName: 'nginx',
  actionIDN: 0,
  imageHash: '',
};

describe('posture client', () => {
  it('waits and sends again while kubescape answers 429 (queue full)', async () => {
    let calls = 0;
    const posture = await serve((req, res) => {
      calls++;
      if (calls < 3) {
        res.writeHead(429, { 'Retry-After': '0.01' });
        return res.end('{"type":"error"}');
      }
      res.end(JSON.stringify({ id: 'scan-1', type: 'busy' }));
    });
    try {
      assert.deepEqual(await new PostureClient(posture.url).scan({}), {
        id: 'scan-1',
        type: 'busy',
        response: undefined,
      });
      assert.equal(calls, 3);
      calls = 0;
      await assert.rejects(new PostureClient(posture.url, 1).scan({}), /received status code '429'/);
    } finally {
      posture.close();
    }
  });
});

describe('kubevuln client', () => {
  it('posts to /v1/scanImage; 200-203 succeed, other statuses fail the job', async () => {
    const seen: string[] = [];
    let status = 200;
    const kubevuln = await serve((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      res.writeHead(status).end('{}');
    });
    try {
      const client = new KubevulnClient(kubevuln.url, 0, 0);
      await client.scanImage(command);
      status = 203;
      await client.scanApplicationProfile(command);
      status = 500;
      await assert.rejects(
        client.scanImage(command),
        /query: 'nginx:1', reason: 'received bad status code: 500'/,
      );
      assert.deepEqual(seen.slice(0, 2), [
        'POST /v1/scanImage application/json',
        'POST /v1/scanApplicationProfile application/json',
      ]);
    } finally {
      kubevuln.close();
    }
  });

  it('waits while kubevuln answers 503 (queue full, database loading), up to its limit', async () => {
    let busyLeft = 3;
    let accepted = 0;
    const kubevuln = await serve((_req, res) => {
      if (busyLeft-- > 0) res.writeHead(503).end('{"status":503,"title":"queue full"}');
      else {
        accepted++;
        res.writeHead(200).end('{}');
      }
    });
    try {
      await new KubevulnClient(kubevuln.url, 0, 5).scanImage(command);
      assert.equal(accepted, 1);
      busyLeft = 100;
      await assert.rejects(new KubevulnClient(kubevuln.url, 0, 1, undefined, 2).scanImage(command), /503/);
    } finally {
      kubevuln.close();
    }
  });

  it('retries a refused connection 5 times, 5 s apart (here 20 ms), then gives up', async () => {
    const port = await freePortForTest();
    const started = Date.now();
    await assert.rejects(
      new KubevulnClient(`http://127.0.0.1:${port}`, 5, 20).scanImage(command),
      /ECONNREFUSED/,
    );
    assert.ok(Date.now() - started >= 100, 'five pauses');
    // kubevuln coming up during the retries: the scan goes through.
    let received = 0;
    const late = http.createServer((_req, res) => {
      received++;
      res.end('{}');
    });
    const pending = new KubevulnClient(`http://127.0.0.1:${port}`, 5, 50).scanImage(command);
    setTimeout(() => late.listen(port, '127.0.0.1'), 80);
    await pending;
    late.close();
    assert.equal(received, 1);
  });
});
