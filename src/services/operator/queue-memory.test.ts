import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, sleep } from './backoff.ts';
import { CooldownQueue } from './cooldown-queue.ts';
import { ScanMemory } from './scan-memory.ts';
import { WorkerPool } from './worker-pool.ts';

describe('cooldown queue', () => {
  function queue(cooldownMs = 5000, merge?: (a: string, b: string) => string | undefined) {
    let now = 0;
    const released: [string, string][] = [];
    const q = new CooldownQueue<string>({
      cooldownMs,
      sweepMs: 0,
      now: () => now,
      merge,
      onRelease: (key, item) => released.push([key, item]),
    });
    return { q, released, at: (t: number) => (now = t) };
  }

  it('releases an event after the key was quiet for the cooldown; the last event wins', () => {
    const { q, released, at } = queue();
    q.enqueue('apps/v1/Deployment/ns/web', 'ADDED');
    at(3000);
    q.enqueue('apps/v1/Deployment/ns/web', 'MODIFIED');
    q.enqueue('v1/Pod/ns/p', 'ADDED');
    at(7999);
    assert.equal(q.sweep(), 0, 'the update restarted the cooldown');
    at(8000);
    assert.equal(q.sweep(), 2);
    assert.deepEqual(released, [
      ['apps/v1/Deployment/ns/web', 'MODIFIED'],
      ['v1/Pod/ns/p', 'ADDED'],
    ]);
    assert.equal(q.size, 0);
  });

  it('does not starve a key that never goes quiet', () => {
    const { q, released, at } = queue(1000);
    for (let t = 0; t <= 10_000; t += 500) {
      at(t);
      q.enqueue('k', `v${t}`);
      q.sweep();
    }
    assert.ok(released.length >= 2, `released ${released.length}`);
    assert.equal(released[0]![1], 'v4000', 'max wait is 4 × cooldown');
  });

  it('merges events and lets them cancel out', () => {
    const { q, released, at } = queue(1000, (a, b) => (a === 'ADDED' && b === 'DELETED' ? undefined : b));
    q.enqueue('k', 'ADDED');
    q.enqueue('k', 'DELETED');
    at(5000);
    q.sweep();
    assert.deepEqual(released, []);
  });

  it('sweeps by itself and stops on close', async () => {
    const released: string[] = [];
    const q = new CooldownQueue<string>({ cooldownMs: 20, sweepMs: 5, onRelease: (k) => released.push(k) });
    q.enqueue('a', 'x');
    await sleep(80);
    assert.deepEqual(released, ['a']);
    q.enqueue('b', 'x');
    q.close();
    await sleep(60);
    assert.deepEqual(released, ['a']);
  });
});

describe('scan memory', () => {
  it('scans new workloads and new digests, skips restarts and repeats', () => {
    const m = new ScanMemory();
    const wlid = 'wlid://cluster-c/namespace-ns/deployment-web';
    assert.equal(
      m.decide('replicaset-web-1-nginx-aaaa-bbbb', wlid, 'nginx', 'nginx@sha256:1'),
      'scan',
      'new slug',
    );
    assert.equal(
      m.decide('replicaset-web-1-nginx-aaaa-bbbb', wlid, 'nginx', 'nginx@sha256:1'),
      'skip',
      'unchanged',
    );
    assert.equal(
      m.decide('replicaset-web-2-nginx-cccc-dddd', wlid, 'nginx', 'nginx@sha256:1'),
      'skip',
      'restart: new slug, same image',
    );
    assert.equal(
      m.decide('replicaset-web-2-nginx-cccc-dddd', wlid, 'nginx', 'nginx@sha256:2'),
      'scan',
      'same slug, new digest',
    );
    assert.equal(m.decide('replicaset-web-3-nginx-eeee-ffff', wlid, 'nginx', 'nginx@sha256:2'), 'skip');
    assert.equal(m.decide('replicaset-web-3-nginx-eeee-ffff', wlid, 'sidecar', 'nginx@sha256:9'), 'scan');
    assert.equal(
      m.decide(
        'pod-other-nginx-1111-2222',
        'wlid://cluster-c/namespace-ns/pod-other',
        'nginx',
        'nginx@sha256:1',
      ),
      'scan',
      'same image, other workload',
    );
  });

  it('forgets a failed send so that the next event retries', () => {
    const m = new ScanMemory();
    assert.equal(m.decide('s', 'w', 'c', 'i'), 'scan');
    m.forget('s', 'w', 'c', 'i');
    assert.equal(m.decide('s', 'w', 'c', 'i'), 'scan');
  });
});

describe('watch backoff', () => {
  it('doubles up to the ceiling, with jitter on top, and starts over after a success', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 }, () => 0);
    assert.deepEqual(
      [b.next(), b.next(), b.next(), b.next(), b.next(), b.next()],
      [100, 200, 400, 800, 1000, 1000],
    );
    b.reset();
    assert.equal(b.next(), 100);
    const jittered = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 }, () => 1);
    assert.equal(jittered.next(), 120);
  });

  it('sleep ends early when aborted', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 10);
    await sleep(10_000, ac.signal);
    assert.ok(Date.now() - started < 1000);
  });
});

describe('worker pool', () => {
  it('runs at most `concurrency` jobs at once and survives failures', async () => {
    const errors: string[] = [];
    const pool = new WorkerPool(3, (id) => errors.push(id));
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      pool.submit(`j${i}`, async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(10);
        running--;
        if (i === 4) throw new Error('boom');
      });
    }
    await pool.idle();
    assert.equal(peak, 3);
    assert.deepEqual(errors, ['j4']);
    await pool.close();
    assert.equal(
      pool.submit('late', async () => {}),
      false,
    );
  });
});
