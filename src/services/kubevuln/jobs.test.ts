import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobQueue } from './jobs.ts';
import { KeyedMutex, RateLimitCooldown } from './sync.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('JobQueue', () => {
  it('runs at most `concurrency` jobs, queues up to maxQueue, refuses beyond', async () => {
    const q = new JobQueue({ concurrency: 2, maxQueue: 1 });
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const job = () => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => release.push(r));
      running--;
    };
    assert.equal(q.submit('a', 'scanImage', job()), 'queued');
    assert.equal(q.submit('b', 'scanImage', job()), 'queued');
    assert.equal(q.submit('c', 'scanImage', job()), 'queued');
    assert.equal(q.submit('d', 'scanImage', job()), 'full');
    await tick();
    assert.equal(q.status('a')?.state, 'running');
    assert.equal(q.status('c')?.state, 'queued');
    while (release.length || q.active) {
      release.shift()?.();
      await tick();
    }
    await q.idle();
    assert.equal(peak, 2);
    assert.deepEqual(
      ['a', 'b', 'c'].map((id) => q.status(id)?.state),
      ['succeeded', 'succeeded', 'succeeded'],
    );
  });

  it('records failures with their reason and phase', async () => {
    const q = new JobQueue({ concurrency: 1, maxQueue: 10 });
    q.submit('f', 'generateSBOM', async (ctx) => {
      ctx.setPhase('pulling');
      throw new Error('registry said no');
    });
    await q.idle();
    const s = q.status('f')!;
    assert.equal(s.state, 'failed');
    assert.equal(s.phase, 'pulling');
    assert.equal(s.reason, 'registry said no');
    assert.ok(s.acceptedAt <= s.startedAt! && s.startedAt! <= s.finishedAt!);
  });

  it('keeps a bounded history of finished jobs', async () => {
    const q = new JobQueue({ concurrency: 1, maxQueue: 100, maxHistory: 3 });
    for (let i = 0; i < 6; i++) q.submit(`j${i}`, 'scanImage', async () => {});
    await q.idle();
    assert.equal(q.status('j0'), undefined);
    assert.equal(q.status('j5')?.state, 'succeeded');
  });
});

describe('KeyedMutex and RateLimitCooldown', () => {
  it('serialises tasks of one key, not of different keys', async () => {
    const m = new KeyedMutex();
    const order: string[] = [];
    const task = (name: string, ms: number) => async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${name}-`);
    };
    await Promise.all([m.run('d', task('a', 20)), m.run('d', task('b', 1)), m.run('e', task('c', 1))]);
    assert.ok(order.indexOf('a-') < order.indexOf('b+'));
    assert.ok(order.indexOf('c-') < order.indexOf('a-'));
    assert.equal(m.size, 0);
  });

  it('cools an image down for its TTL', () => {
    let now = 0;
    const c = new RateLimitCooldown(1000, () => now);
    c.mark('img');
    assert.ok(c.coolingDown('img'));
    now = 1001;
    assert.ok(!c.coolingDown('img'));
  });
});
