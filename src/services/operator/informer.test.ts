import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from './backoff.ts';
import type { InformerEvent, KubeObjectJson } from './informer.ts';
import { Informer } from './informer.ts';
import type { KubeRest, ListResult, Query, WatchEvent } from './kube-rest.ts';
import { KubeApiError } from './kube-rest.ts';

type WatchStep = (onEvent: (e: WatchEvent) => void, signal: AbortSignal, query: Query) => Promise<void>;

/** A KubeRest with scripted LIST replies and watch sessions. */
class FakeRest {
  readonly listQueries: Query[] = [];
  readonly watchQueries: Query[] = [];
  constructor(
    private readonly lists: ListResult<KubeObjectJson>[],
    private readonly watches: WatchStep[],
  ) {}

  async list<T>(_path: string, query: Query): Promise<ListResult<T>> {
    this.listQueries.push(query);
    const next = this.lists.shift();
    if (!next) throw new Error('unexpected list');
    return next as unknown as ListResult<T>;
  }

  async watch(
    _path: string,
    query: Query,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.watchQueries.push(query);
    const step = this.watches.shift();
    if (!step) {
      // Nothing more scripted: hang like an idle watch until stopped.
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    await step(onEvent, signal, query);
  }
}

function obj(name: string, rv: string, extra: Record<string, unknown> = {}): KubeObjectJson {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, ...extra };
}

function informer(rest: FakeRest, events: InformerEvent[]) {
  return new Informer({
    rest: rest as unknown as KubeRest,
    path: '/apis/apps/v1/deployments',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    backoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 },
    onEvent: (e) => events.push(e),
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(5);
  assert.ok(check(), what);
}

describe('informer (list+watch with resume)', () => {
  it('lists, stamps apiVersion/kind, then watches from the list resourceVersion', async () => {
    const events: InformerEvent[] = [];
    const rest = new FakeRest(
      [{ items: [obj('a', '10')], resourceVersion: '11' }],
      [
        async (on) => {
          on({ type: 'ADDED', object: obj('b', '12') });
          on({ type: 'MODIFIED', object: obj('a', '13') });
          on({ type: 'BOOKMARK', object: obj('', '20') });
        },
      ],
    );
    const inf = informer(rest, events);
    inf.start();
    await inf.hasSynced();
    await until(() => rest.watchQueries.length === 2, 'the watch was re-opened');
    await inf.stop();
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata?.name, e.object.apiVersion, e.object.kind]),
      [
        ['ADDED', 'a', 'apps/v1', 'Deployment'],
        ['ADDED', 'b', 'apps/v1', 'Deployment'],
        ['MODIFIED', 'a', 'apps/v1', 'Deployment'],
      ],
    );
    assert.equal(events[2]!.old?.metadata?.resourceVersion, '10');
    assert.equal(rest.watchQueries[0]!['resourceVersion'], '11');
    assert.equal(rest.watchQueries[0]!['allowWatchBookmarks'], true);
    assert.equal(rest.watchQueries[1]!['resourceVersion'], '20', 'resumed from the bookmark');
    assert.equal(rest.listQueries.length, 1, 'an ended watch does not relist');
  });

  it('retries with backoff while the server is down and resumes without relisting', async () => {
    const events: InformerEvent[] = [];
    const refused: WatchStep = async () => {
      throw new KubeApiError(0, 'ConnectionFailed', 'connect ECONNREFUSED');
    };
    const rest = new FakeRest(
      [{ items: [obj('a', '1')], resourceVersion: '5' }],
      [
        async (on) => on({ type: 'ADDED', object: obj('b', '6') }),
        refused,
        refused,
        async (on, _s, q) => {
          assert.equal(q['resourceVersion'], '6');
          on({ type: 'ADDED', object: obj('c', '7') });
        },
      ],
    );
    const inf = informer(rest, events);
    inf.start();
    await until(() => events.length === 3, 'c arrived');
    await inf.stop();
    assert.deepEqual(
      events.map((e) => e.object.metadata?.name),
      ['a', 'b', 'c'],
    );
    assert.equal(inf.stats.failures, 2);
    assert.equal(inf.stats.lists, 1);
  });

  it('relists on 410 Gone and reports only what changed meanwhile', async () => {
    const events: InformerEvent[] = [];
    const rest = new FakeRest(
      [
        { items: [obj('keep', '1'), obj('change', '2'), obj('gone', '3')], resourceVersion: '3' },
        { items: [obj('keep', '1'), obj('change', '9'), obj('new', '10')], resourceVersion: '10' },
        { items: [obj('keep', '1'), obj('change', '9'), obj('new', '10')], resourceVersion: '11' },
      ],
      [
        async () => {
          throw new KubeApiError(410, 'Expired', 'too old resource version');
        },
        async (on) => {
          // Also as an ERROR event inside a watch stream.
          on({
            type: 'ERROR',
            object: { code: 410, reason: 'Expired', message: 'too old' } as KubeObjectJson,
          });
        },
      ],
    );
    const inf = informer(rest, events);
    inf.start();
    await until(() => inf.stats.lists === 3, 'relisted twice');
    await inf.stop();
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata?.name}`),
      ['ADDED keep', 'ADDED change', 'ADDED gone', 'MODIFIED change', 'ADDED new', 'DELETED gone'],
    );
    assert.equal(inf.stats.gone, 2, 'a 410 status and a 410 ERROR event');
    assert.deepEqual(
      inf
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
      ['change', 'keep', 'new'],
    );
  });

  it('ignores a repeated event with a resourceVersion it already has', async () => {
    const events: InformerEvent[] = [];
    const rest = new FakeRest(
      [{ items: [obj('a', '1')], resourceVersion: '1' }],
      [async (on) => on({ type: 'MODIFIED', object: obj('a', '1') })],
    );
    const inf = informer(rest, events);
    inf.start();
    await until(() => rest.watchQueries.length >= 2, 'watched twice');
    await inf.stop();
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED'],
    );
  });
});
