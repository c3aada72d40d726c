import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { ErrorCodes, isKubeguardError } from '../../common/index.ts';
import type { LogFields, Logger } from '../../common/index.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { openSqliteStore } from './sqlite.ts';
import type { SqliteStoreOptions } from './sqlite.ts';
import { RESOURCE, manifest, tempDir } from './testdata/fixtures.ts';
import type { ObjectStore, WatchEvent, WatchOptions } from './types.ts';

type Seen = [type: WatchEvent['type'], name: string, resourceVersion: number];

function collect(store: ObjectStore, options: WatchOptions = {}, resource = RESOURCE) {
  const events: WatchEvent[] = [];
  const stop = store.watch(resource, options, (event) => events.push(event));
  const seen = (): Seen[] =>
    events.map((event) => [event.type, event.record.name, event.record.resourceVersion]);
  return { events, seen, stop };
}

const objectOf = (event: WatchEvent | undefined): KubeObject => {
  assert.ok(event);
  return JSON.parse(event.record.json) as KubeObject;
};

function isGone(err: unknown): boolean {
  assert.ok(isKubeguardError(err, ErrorCodes.gone), `expected KG_ERR_GONE, got ${String(err)}`);
  return true;
}

describe('sqlite store watch', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let store: ObjectStore;
  const open = (options: Partial<SqliteStoreOptions> = {}) => {
    store?.close();
    store = openSqliteStore({ file, ...options });
  };

  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'store.db');
    store = openSqliteStore({ file });
  });
  afterEach(() => {
    store.close();
    tmp.remove();
  });

  it('delivers committed writes synchronously, metadata-only or full', () => {
    const slim = collect(store);
    const full = collect(store, { fullSpec: true });
    const other = collect(store, {}, 'sbomsyfts');
    store.create(RESOURCE, manifest('a'));
    assert.deepEqual(slim.seen(), [['ADDED', 'a', 1]], 'delivered before create returned');
    store.update(RESOURCE, manifest('a', { generation: 2 }));
    store.update(RESOURCE, manifest('a', { generation: 2 }));
    store.delete(RESOURCE, 'kubescape', 'a');
    const expected: Seen[] = [
      ['ADDED', 'a', 1],
      ['MODIFIED', 'a', 2],
      ['DELETED', 'a', 3],
    ];
    assert.deepEqual(slim.seen(), expected);
    assert.deepEqual(full.seen(), expected);
    assert.deepEqual(other.seen(), []);
    assert.equal(objectOf(slim.events[1]).spec, undefined);
    assert.deepEqual(objectOf(full.events[1]).spec, manifest('a', { generation: 2 }).spec);
    assert.equal(objectOf(full.events[2]).metadata.resourceVersion, '3');
    assert.deepEqual(objectOf(full.events[2]).spec, manifest('a', { generation: 2 }).spec);
    assert.equal(objectOf(slim.events[2]).metadata.resourceVersion, '3');
    assert.equal(slim.events[2]?.record.namespace, 'kubescape');
  });

  it('replays retained events newer than sinceResourceVersion, then continues live', () => {
    for (const name of ['a', 'b', 'c']) store.create(RESOURCE, manifest(name));
    store.create('sbomsyfts', manifest('s'));
    store.update(RESOURCE, manifest('b', { generation: 2 }));
    store.delete(RESOURCE, 'kubescape', 'a');
    const watch = collect(store, { sinceResourceVersion: 2 });
    assert.deepEqual(watch.seen(), [
      ['ADDED', 'c', 3],
      ['MODIFIED', 'b', 5],
      ['DELETED', 'a', 6],
    ]);
    store.create(RESOURCE, manifest('d'));
    assert.deepEqual(watch.seen().at(-1), ['ADDED', 'd', 7]);
    assert.deepEqual(collect(store, { sinceResourceVersion: 7 }).seen(), []);
    assert.deepEqual(collect(store).seen(), [], 'no version: from now on');
    assert.equal(collect(store, { sinceResourceVersion: 1 }).seen().length, 5);
  });

  it('delivers only events after a version ahead of the store', () => {
    const watch = collect(store, { sinceResourceVersion: 2 });
    for (const name of ['a', 'b', 'c']) store.create(RESOURCE, manifest(name));
    assert.deepEqual(watch.seen(), [['ADDED', 'c', 3]]);
  });

  it('answers Gone for versions older than the retained history', () => {
    open({ watchHistory: { maxEvents: 3 } });
    for (let i = 0; i < 5; i++) store.create(RESOURCE, manifest(`o${i}`));
    assert.throws(() => store.watch(RESOURCE, { sinceResourceVersion: 1 }, () => {}), isGone);
    assert.throws(
      () => store.watch(RESOURCE, { sinceResourceVersion: 1 }, () => {}),
      /too old resource version: 1/,
    );
    assert.deepEqual(
      collect(store, { sinceResourceVersion: 2 }).seen(),
      [
        ['ADDED', 'o2', 3],
        ['ADDED', 'o3', 4],
        ['ADDED', 'o4', 5],
      ],
      'the event just before the oldest retained one is enough',
    );
    assert.throws(
      () => store.watch(RESOURCE, { sinceResourceVersion: -1 }, () => {}),
      (err: unknown) => isKubeguardError(err, ErrorCodes.invalidInput),
    );
  });

  it('evicts by size', () => {
    open({ watchHistory: { maxBytes: 20_000 } });
    const big = (name: string) => ({ ...manifest(name), spec: { blob: 'x'.repeat(4000) } });
    for (let i = 0; i < 10; i++) store.create(RESOURCE, big(`o${i}`));
    assert.throws(() => store.watch(RESOURCE, { sinceResourceVersion: 3 }, () => {}), isGone);
    const retained = collect(store, { sinceResourceVersion: 8 }).seen();
    assert.deepEqual(retained, [
      ['ADDED', 'o8', 9],
      ['ADDED', 'o9', 10],
    ]);
  });

  it('after a restart only the current version can be watched from', () => {
    for (const name of ['a', 'b']) store.create(RESOURCE, manifest(name));
    open();
    assert.throws(() => store.watch(RESOURCE, { sinceResourceVersion: 1 }, () => {}), isGone);
    const watch = collect(store, { sinceResourceVersion: 2 });
    store.create(RESOURCE, manifest('c'));
    assert.deepEqual(watch.seen(), [['ADDED', 'c', 3]]);
    assert.deepEqual(collect(store, { sinceResourceVersion: 2 }).seen(), [['ADDED', 'c', 3]]);
  });

  describe('selectors', () => {
    const web = { app: 'web' };
    const db = { app: 'db' };

    it('turns objects entering and leaving the selector into ADDED and DELETED, live and replayed', () => {
      store.create('other', manifest('first'));
      const live = collect(store, { labelSelector: parseLabelSelector('app=web'), fullSpec: true });
      store.create(RESOURCE, manifest('a', { labels: web }));
      store.create(RESOURCE, manifest('b', { labels: db }));
      store.update(RESOURCE, manifest('a', { labels: web, generation: 2 }));
      store.update(RESOURCE, manifest('a', { labels: db, generation: 3 }));
      store.update(RESOURCE, manifest('b', { labels: web, generation: 4 }));
      store.update(RESOURCE, manifest('a', { labels: db, generation: 5 }));
      store.delete(RESOURCE, 'kubescape', 'a');
      store.delete(RESOURCE, 'kubescape', 'b');
      const expected: Seen[] = [
        ['ADDED', 'a', 2],
        ['MODIFIED', 'a', 4],
        ['DELETED', 'a', 5],
        ['ADDED', 'b', 6],
        ['DELETED', 'b', 9],
      ];
      assert.deepEqual(live.seen(), expected);
      const left = objectOf(live.events[2]);
      assert.deepEqual(left.metadata.labels, web, 'a DELETED on leaving carries the previous object');
      assert.equal(left.metadata.resourceVersion, '5', '... at the event resourceVersion');
      assert.deepEqual((left.spec as { generation: number }).generation, 2);
      assert.deepEqual(
        objectOf(live.events[4]).metadata.labels,
        web,
        'a deletion matches on the deleted labels',
      );

      const replay = collect(store, {
        labelSelector: parseLabelSelector('app=web'),
        sinceResourceVersion: 1,
      });
      assert.deepEqual(replay.seen(), expected, 'replay converts like live delivery');
      assert.deepEqual(objectOf(replay.events[2]).metadata.labels, web);
      assert.equal(objectOf(replay.events[2]).metadata.resourceVersion, '5');
      assert.equal(objectOf(replay.events[2]).spec, undefined);
      const others = collect(store, { labelSelector: parseLabelSelector('app=db'), sinceResourceVersion: 1 });
      assert.deepEqual(others.seen(), [
        ['ADDED', 'b', 3],
        ['ADDED', 'a', 5],
        ['DELETED', 'b', 6],
        ['MODIFIED', 'a', 7],
        ['DELETED', 'a', 8],
      ]);
    });

    it('filters by namespace and fields', () => {
      const byNamespace = collect(store, { namespace: 'ns1' });
      const byField = collect(store, { fieldSelector: parseFieldSelector('metadata.name=a') });
      const both = collect(store, {
        namespace: 'ns2',
        fieldSelector: parseFieldSelector('metadata.name!=a'),
        labelSelector: parseLabelSelector('!skip'),
      });
      store.create(RESOURCE, manifest('a', { namespace: 'ns1' }));
      store.create(RESOURCE, manifest('a', { namespace: 'ns2' }));
      store.create(RESOURCE, manifest('b', { namespace: 'ns2' }));
      store.create(RESOURCE, manifest('c', { namespace: 'ns2', labels: { skip: 'yes' } }));
      store.delete(RESOURCE, 'ns1', 'a');
      assert.deepEqual(byNamespace.seen(), [
        ['ADDED', 'a', 1],
        ['DELETED', 'a', 5],
      ]);
      assert.deepEqual(byField.seen(), [
        ['ADDED', 'a', 1],
        ['ADDED', 'a', 2],
        ['DELETED', 'a', 5],
      ]);
      assert.deepEqual(both.seen(), [['ADDED', 'b', 3]]);
    });
  });

  it('keeps going when a listener throws', () => {
    const warnings: LogFields[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (_message, fields) => warnings.push(fields ?? {}),
      error() {},
    };
    open({ logger });
    const before = collect(store);
    store.watch(RESOURCE, {}, () => {
      throw new Error('listener bug');
    });
    const after = collect(store);
    store.create(RESOURCE, manifest('a'));
    store.create(RESOURCE, manifest('b'));
    assert.equal(before.seen().length, 2);
    assert.equal(after.seen().length, 2);
    assert.equal(store.count(RESOURCE), 2);
    assert.equal(warnings.length, 2);
    assert.equal(warnings[0]?.error, 'listener bug');
    const stop = store.watch(RESOURCE, { sinceResourceVersion: 1 }, () => {
      throw new Error('replay bug');
    });
    stop();
    assert.equal(warnings.length, 3, 'a throwing replay is reported, not thrown');
  });

  it('delivers every event to 100 concurrent watchers', () => {
    const watchers = Array.from({ length: 100 }, (_, i) =>
      collect(store, i % 2 === 0 ? {} : { fullSpec: true, namespace: 'kubescape' }),
    );
    const expected: Seen[] = [];
    for (let i = 0; i < 50; i++) {
      store.create(RESOURCE, manifest(`o${i}`));
      expected.push(['ADDED', `o${i}`, store.currentResourceVersion()]);
      if (i % 5 === 0) {
        store.update(RESOURCE, manifest(`o${i}`, { generation: 2 }));
        expected.push(['MODIFIED', `o${i}`, store.currentResourceVersion()]);
      }
      if (i % 7 === 0) {
        store.delete(RESOURCE, 'kubescape', `o${i}`);
        expected.push(['DELETED', `o${i}`, store.currentResourceVersion()]);
      }
    }
    for (const watcher of watchers) assert.deepEqual(watcher.seen(), expected);
  });

  it('stops delivering after unsubscribe, also from inside a listener', () => {
    const stopped = collect(store);
    const events: string[] = [];
    const stopSelf: () => void = store.watch(RESOURCE, {}, (event) => {
      events.push(event.record.name);
      stopSelf();
    });
    store.create(RESOURCE, manifest('a'));
    stopped.stop();
    store.create(RESOURCE, manifest('b'));
    assert.deepEqual(stopped.seen(), [['ADDED', 'a', 1]]);
    assert.deepEqual(events, ['a']);
  });

  it('keeps order for everyone when a listener writes', () => {
    const first: Seen[] = [];
    store.watch(RESOURCE, {}, (event) => {
      first.push([event.type, event.record.name, event.record.resourceVersion]);
      if (event.record.name === 'a') store.create(RESOURCE, manifest('child-of-a'));
    });
    const second = collect(store);
    store.create(RESOURCE, manifest('a'));
    const expected: Seen[] = [
      ['ADDED', 'a', 1],
      ['ADDED', 'child-of-a', 2],
    ];
    assert.deepEqual(first, expected);
    assert.deepEqual(second.seen(), expected);

    // A listener that writes during its own replay sees the replay first, then its write.
    const replaying: Seen[] = [];
    store.watch(RESOURCE, { sinceResourceVersion: 0 }, () => {});
    const stop = store.watch(RESOURCE, { sinceResourceVersion: 1 }, (event) => {
      replaying.push([event.type, event.record.name, event.record.resourceVersion]);
      if (event.record.name === 'child-of-a') store.create(RESOURCE, manifest('grandchild'));
    });
    stop();
    assert.deepEqual(replaying, [
      ['ADDED', 'child-of-a', 2],
      ['ADDED', 'grandchild', 3],
    ]);
  });
});
