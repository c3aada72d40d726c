import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanOutcome, ScanTask } from './scan-queue.ts';
import { ScanQueue } from './scan-queue.ts';
import type { ScanPlan } from './scan-request.ts';
import { batchKeyOf } from './scan-request.ts';

const plan = (name?: string): ScanPlan => ({
  frameworks: ['all'],
  excludeControls: [],
  includeNamespaces: [],
  excludeNamespaces: [],
  exceptions: [],
  deleted: false,
  ...(name ? { scanObject: { apiVersion: 'v1', kind: 'Pod', name, namespace: 'default' } } : {}),
});

describe('ScanQueue', () => {
  it('runs one batch at a time and batches queued single-object scans', async () => {
    const batches: string[][] = [];
    let release: () => void = () => {};
    const queue = new ScanQueue({
      capacity: 10,
      batchKey: batchKeyOf,
      executor: async (tasks: readonly ScanTask[]) => {
        batches.push(tasks.map((t) => t.plan.scanObject?.name ?? 'full'));
        await new Promise<void>((resolve) => (release = resolve));
        return new Map<string, ScanOutcome>(tasks.map((t) => [t.id, { kind: 'done', json: '{}' }]));
      },
    });
    const full = queue.submit(plan())!;
    const ids = ['a', 'b', 'c'].map((n) => queue.submit(plan(n))!.id);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [['full']]);
    assert.equal(queue.isBusy(full.id), true);
    release();
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(batches, [['full'], ['a', 'b', 'c']]);
    release();
    const outcomes = await Promise.all(ids.map((id) => queue.wait(id)));
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      ['done', 'done', 'done'],
    );
    assert.equal(queue.isBusy(''), false);
    await queue.close();
  });

  it('keeps a bounded number of finished results', async () => {
    const queue = new ScanQueue({
      capacity: 10,
      maxStoredResults: 2,
      executor: async (tasks) => new Map(tasks.map((t) => [t.id, { kind: 'done', json: '{}' } as const])),
    });
    const ids = [1, 2, 3].map(() => queue.submit(plan())!.id);
    await queue.wait(ids[2]!);
    assert.equal(queue.state(ids[0]!).state, 'unknown');
    assert.equal(queue.state(ids[2]!).state, 'finished');
    // A burst of continuous scans does not push out the report of a full scan.
    const objectIds = ['a', 'b', 'c'].map((n) => queue.submit(plan(n))!.id);
    await queue.wait(objectIds[2]!);
    assert.equal(queue.state(ids[2]!).state, 'finished');
    assert.equal(queue.state(objectIds[0]!).state, 'unknown');
    await queue.close();
    assert.equal(queue.submit(plan()), undefined, 'a closed queue admits nothing');
  });

  it('fails every scan of a batch whose executor throws', async () => {
    const queue = new ScanQueue({
      capacity: 1,
      executor: async () => {
        throw new Error('boom');
      },
    });
    const { id } = queue.submit(plan())!;
    assert.deepEqual(await queue.wait(id), { kind: 'failed', message: 'boom' });
  });
});
