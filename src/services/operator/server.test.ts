import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../common/index.ts';
import { startOperatorServer } from './server.ts';
import { kubescapeSchedulerBody, kubevulnSchedulerBody, triggerAction } from './trigger.ts';
import type { Command } from './types.ts';

describe('operator REST API', () => {
  const submitted: Command[] = [];
  let server: { port: number; close(): Promise<void> };
  let url = '';
  before(async () => {
    server = await startOperatorServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      ready: () => true,
      submit: (c) => submitted.push(c),
    });
    url = `http://127.0.0.1:${server.port}/v1/triggerAction`;
  });
  after(() => server.close());

  it('accepts both scheduler bodies with 200 "ok" and queues their commands', async () => {
    submitted.length = 0;
    assert.equal(await triggerAction(url, JSON.stringify(kubescapeSchedulerBody())), 'ok');
    assert.equal(await triggerAction(url, JSON.stringify(kubevulnSchedulerBody())), 'ok');
    assert.deepEqual(submitted, [
      { commandName: 'kubescapeScan', args: { scanV1: {} } },
      { commandName: 'scan', designators: [{ designatorType: 'Attributes', attributes: {} }] },
    ]);
  });

  it('answers 500 with the error for a body that does not decode, 405 for other methods', async () => {
    const bad = await fetch(url, { method: 'POST', body: '{"commands": [' });
    assert.equal(bad.status, 500);
    assert.match(await bad.text(), /not JSON/);
    await assert.rejects(triggerAction(url, '{"commands":"x"}'), /answered 500: "commands" must be an array/);
    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });

  it('serves liveness and readiness', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await fetch(`${base}/v1/liveness`)).status, 200);
    assert.equal((await fetch(`${base}/v1/readiness`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it('sends Content-Type application/json like the http-request image', async () => {
    let contentType: string | undefined;
    const probe = http.createServer((req, res) => {
      contentType = req.headers['content-type'];
      res.end('ok');
    });
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    try {
      await triggerAction(`http://127.0.0.1:${(probe.address() as AddressInfo).port}/v1/triggerAction`, '{}');
      assert.equal(contentType, 'application/json');
    } finally {
      probe.close();
    }
    await assert.rejects(triggerAction('http://127.0.0.1:1/v1/triggerAction', '{}'), /ECONNREFUSED/);
  });
});
