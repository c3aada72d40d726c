import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isKubeguardError } from '../common/index.ts';
import type { Daemon } from './proc.ts';
import { assertPortFree, pidStatus, startDaemon, stopDaemon, waitUntil } from './proc.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-proc-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function daemon(name: string): Daemon {
  return { name, pidFile: path.join(dir, `${name}.pid`), logFile: path.join(dir, `${name}.log`) };
}

describe('PID files', () => {
  it('reports a missing PID file as stopped', () => {
    assert.deepEqual(pidStatus(daemon('none'), 'sleep'), { state: 'stopped' });
  });

  it('reports garbage as stale', () => {
    const d = daemon('garbage');
    fs.writeFileSync(d.pidFile, 'not-a-pid\n');
    const status = pidStatus(d, 'sleep');
    assert.equal(status.state, 'stale');
    assert.match(status.reason ?? '', /does not hold a process ID/);
  });

  it('reports a dead process as stale', async () => {
    const child = spawn('true');
    await new Promise((resolve) => child.on('exit', resolve));
    const d = daemon('dead');
    fs.writeFileSync(d.pidFile, `${child.pid}\n`);
    const status = pidStatus(d, 'true');
    assert.equal(status.state, 'stale');
    assert.match(status.reason ?? '', /is gone/);
  });

  it('never claims a PID that now belongs to another program', () => {
    const d = daemon('reused');
    fs.writeFileSync(d.pidFile, `${process.pid}\n`);
    const status = pidStatus(d, 'etcd');
    assert.equal(status.state, 'stale');
    assert.match(status.reason ?? '', /another program/);
  });

  it('starts, recognizes and stops its own daemon', async () => {
    const d = daemon('sleeper');
    const pid = startDaemon(d, 'sleep', ['300']);
    assert.deepEqual(pidStatus(d, 'sleep'), { state: 'running', pid });
    assert.equal(await stopDaemon(d, 'sleep'), 'stopped');
    assert.equal(pidStatus(d, 'sleep').state, 'stopped');
    assert.equal(await stopDaemon(d, 'sleep'), 'not-running');
  });

  it('fails fast, quoting the log, when a daemon dies while starting', async () => {
    const d = daemon('crasher');
    startDaemon(d, 'sh', ['-c', 'echo "bind: address already in use" >&2; exit 1']);
    await assert.rejects(
      waitUntil('crasher', async () => false, { timeoutMs: 10_000, daemon: d, expect: 'sh' }),
      (err) =>
        isKubeguardError(err, 'KG_ERR_PROCESS_FAILED') && err.message.includes('address already in use'),
    );
  });
});

describe('assertPortFree', () => {
  it('names the port, the component and the flag to change it', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        assertPortFree('127.0.0.1', port, 'kube-apiserver', '--apiserver-port'),
        (err) =>
          isKubeguardError(err, 'KG_ERR_PORT_IN_USE') &&
          err.message.includes(`127.0.0.1:${port}`) &&
          err.message.includes('kube-apiserver') &&
          (err.hint ?? '').includes('--apiserver-port'),
      );
    } finally {
      server.close();
    }
    await assertPortFree('127.0.0.1', port, 'kube-apiserver', '--apiserver-port');
  });
});
