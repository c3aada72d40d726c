import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { KubeObject } from '../../api/index.ts';
import { ErrorCodes, isKubeguardError } from '../../common/index.ts';
import type { ErrorCode } from '../../common/index.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { openSqliteStore } from './sqlite.ts';
import { RESOURCE, manifest, tempDir } from './testdata/fixtures.ts';
import type { ListOptions, ObjectStore, StoredRecord, WatchEvent } from './types.ts';

function rejects(fn: () => unknown, code: ErrorCode, fragment?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isKubeguardError(err, code), `expected ${code}, got ${String(err)}`);
    if (fragment) assert.ok(err.message.includes(fragment), `"${err.message}" should include "${fragment}"`);
    return true;
  });
}

const parse = (record: StoredRecord | undefined): KubeObject => {
  assert.ok(record);
  return JSON.parse(record.json) as KubeObject;
};

/** Every page of a list, concatenated. */
function listAll(
  store: ObjectStore,
  options: ListOptions,
): { names: string[]; pages: number; versions: number[] } {
  const names: string[] = [];
  const versions: number[] = [];
  let continueToken: string | undefined;
  let pages = 0;
  do {
    const page = store.list(RESOURCE, { ...options, continueToken });
    pages++;
    versions.push(page.resourceVersion);
    names.push(...page.items.map((item) => item.name));
    continueToken = page.continueToken;
  } while (continueToken);
  return { names, pages, versions };
}

describe('sqlite store', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let store: ObjectStore;

  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'nested', 'store.db');
    store = openSqliteStore({ file });
  });
  afterEach(() => {
    store.close();
    tmp.remove();
  });

  describe('create and get', () => {
    it('stores the object with the next resourceVersion in both forms', () => {
      assert.equal(store.currentResourceVersion(), 0);
      const input = manifest('nginx', { labels: { app: 'web' } });
      input.metadata.managedFields = [{ manager: 'kubevuln', operation: 'Update' }];
      input.metadata.resourceVersion = '999';
      const record = store.create(RESOURCE, input);
      assert.deepEqual(
        { ...record, json: undefined },
        { resource: RESOURCE, namespace: 'kubescape', name: 'nginx', resourceVersion: 1, json: undefined },
      );
      assert.equal(store.currentResourceVersion(), 1);
      assert.equal(input.metadata.resourceVersion, '999', 'the caller object is not mutated');
      const full = parse(store.get(RESOURCE, 'kubescape', 'nginx'));
      assert.deepEqual(full, { ...input, metadata: { ...input.metadata, resourceVersion: '1' } });
      const slim = store.get(RESOURCE, 'kubescape', 'nginx', { metadataOnly: true });
      assert.equal(slim?.resourceVersion, 1);
      const { managedFields: _managedFields, ...metadata } = input.metadata;
      assert.deepEqual(parse(slim), {
        apiVersion: input.apiVersion,
        kind: input.kind,
        metadata: { ...metadata, resourceVersion: '1' },
      });
      assert.equal(store.get(RESOURCE, 'kubescape', 'other'), undefined);
      assert.equal(store.get(RESOURCE, 'other', 'nginx'), undefined);
      assert.equal(store.get('sbomsyfts', 'kubescape', 'nginx'), undefined);
    });

    it('refuses an existing key with AlreadyExists naming resource ns/name, without a new version', () => {
      store.create(RESOURCE, manifest('nginx'));
      rejects(
        () => store.create(RESOURCE, manifest('nginx')),
        ErrorCodes.alreadyExists,
        `${RESOURCE} kubescape/nginx`,
      );
      assert.equal(store.currentResourceVersion(), 1);
      store.create('knownservers', { metadata: { name: 'dns' } });
      rejects(
        () => store.create('knownservers', { metadata: { name: 'dns' } }),
        ErrorCodes.alreadyExists,
        'knownservers dns',
      );
      store.create(RESOURCE, manifest('nginx', { namespace: 'default' }));
      store.create('sbomsyfts', manifest('nginx'));
      assert.equal(store.count(RESOURCE), 2);
      assert.equal(store.count(RESOURCE, 'default'), 1);
      assert.equal(store.count('knownservers', ''), 1);
    });

    it('refuses objects without a name', () => {
      rejects(() => store.create(RESOURCE, { metadata: {} }), ErrorCodes.invalidInput, 'metadata.name');
      rejects(() => store.create(RESOURCE, { metadata: { name: '' } }), ErrorCodes.invalidInput);
      rejects(() => store.create(RESOURCE, {} as KubeObject), ErrorCodes.invalidInput, 'metadata');
      rejects(() => store.create('', manifest('a')), ErrorCodes.invalidInput);
      assert.equal(store.currentResourceVersion(), 0);
    });
  });

  describe('update', () => {
    it('replaces the object with a new resourceVersion', () => {
      store.create(RESOURCE, manifest('nginx', { labels: { app: 'web' } }));
      const { record, changed } = store.update(
        RESOURCE,
        manifest('nginx', { labels: { app: 'db' }, generation: 2 }),
        {
          expectedResourceVersion: 1,
        },
      );
      assert.equal(changed, true);
      assert.equal(record.resourceVersion, 2);
      const stored = parse(store.get(RESOURCE, 'kubescape', 'nginx'));
      assert.equal(stored.metadata.resourceVersion, '2');
      assert.deepEqual(stored.metadata.labels, { app: 'db' });
      assert.deepEqual((stored.spec as { generation: number }).generation, 2);
      assert.deepEqual(
        parse(store.get(RESOURCE, 'kubescape', 'nginx', { metadataOnly: true })).metadata.labels,
        {
          app: 'db',
        },
      );
      assert.equal(store.list(RESOURCE, { labelSelector: parseLabelSelector('app=db') }).items.length, 1);
    });

    it('writes nothing when only the resourceVersion (or key order) differs', () => {
      store.create(RESOURCE, manifest('nginx'));
      const events: WatchEvent[] = [];
      store.watch(RESOURCE, {}, (event) => events.push(event));
      const same = manifest('nginx');
      same.metadata.resourceVersion = '12345';
      const { record, changed } = store.update(RESOURCE, same);
      assert.equal(changed, false);
      assert.equal(record.resourceVersion, 1);
      assert.equal(parse(record).metadata.resourceVersion, '1');
      const reordered = manifest('nginx');
      const spec = reordered.spec as Record<string, unknown>;
      reordered.spec = { payload: spec.payload, generation: spec.generation };
      assert.equal(store.update(RESOURCE, reordered, { expectedResourceVersion: 1 }).changed, false);
      assert.equal(store.currentResourceVersion(), 1);
      assert.deepEqual(events, []);
    });

    it('fails with NotFound and Conflict', () => {
      rejects(
        () => store.update(RESOURCE, manifest('nginx')),
        ErrorCodes.notFound,
        `${RESOURCE} kubescape/nginx`,
      );
      store.create(RESOURCE, manifest('nginx'));
      store.update(RESOURCE, manifest('nginx', { generation: 2 }));
      rejects(
        () => store.update(RESOURCE, manifest('nginx', { generation: 3 }), { expectedResourceVersion: 1 }),
        ErrorCodes.conflict,
        `${RESOURCE} kubescape/nginx`,
      );
      rejects(
        () => store.update(RESOURCE, manifest('nginx'), { expectedResourceVersion: -1 }),
        ErrorCodes.invalidInput,
      );
      assert.equal(store.currentResourceVersion(), 2);
      assert.equal(
        (parse(store.get(RESOURCE, 'kubescape', 'nginx')).spec as { generation: number }).generation,
        2,
      );
    });
  });

  describe('delete', () => {
    it('returns the deleted object at the deletion resourceVersion', () => {
      store.create(RESOURCE, manifest('nginx'));
      store.create(RESOURCE, manifest('redis'));
      const deleted = store.delete(RESOURCE, 'kubescape', 'nginx', { expectedResourceVersion: 1 });
      assert.equal(deleted.resourceVersion, 3);
      const object = parse(deleted);
      assert.equal(object.metadata.resourceVersion, '3');
      assert.deepEqual(object.spec, manifest('nginx').spec);
      assert.equal(store.get(RESOURCE, 'kubescape', 'nginx'), undefined);
      assert.equal(store.count(RESOURCE), 1);
      assert.equal(store.currentResourceVersion(), 3);
      store.create(RESOURCE, manifest('nginx'));
      assert.equal(store.get(RESOURCE, 'kubescape', 'nginx')?.resourceVersion, 4);
    });

    it('fails with NotFound and Conflict', () => {
      rejects(
        () => store.delete(RESOURCE, 'kubescape', 'nginx'),
        ErrorCodes.notFound,
        `${RESOURCE} kubescape/nginx`,
      );
      rejects(() => store.delete('knownservers', '', 'dns'), ErrorCodes.notFound, 'knownservers dns');
      store.create(RESOURCE, manifest('nginx'));
      rejects(
        () => store.delete(RESOURCE, 'kubescape', 'nginx', { expectedResourceVersion: 7 }),
        ErrorCodes.conflict,
        'kubescape/nginx',
      );
      assert.equal(store.count(RESOURCE), 1);
      assert.equal(store.currentResourceVersion(), 1);
    });
  });

  describe('list', () => {
    beforeEach(() => {
      store.create(RESOURCE, manifest('a', { namespace: 'ns1', labels: { app: 'web', tier: 'front' } }));
      store.create(RESOURCE, manifest('b', { namespace: 'ns2', labels: { app: 'db' } }));
      store.create(RESOURCE, manifest('c', { namespace: 'ns1' }));
      store.create('sbomsyfts', manifest('x', { namespace: 'ns1' }));
      store.create(RESOURCE, manifest('d', { namespace: 'ns2', labels: { app: 'web' } }));
    });
    const names = (options: ListOptions = {}) => store.list(RESOURCE, options).items.map((item) => item.name);

    it('lists metadata-only objects in creation order, with the store resourceVersion', () => {
      const result = store.list(RESOURCE);
      assert.deepEqual(
        result.items.map((item) => [item.namespace, item.name, item.resourceVersion]),
        [
          ['ns1', 'a', 1],
          ['ns2', 'b', 2],
          ['ns1', 'c', 3],
          ['ns2', 'd', 5],
        ],
      );
      assert.equal(result.resourceVersion, 5);
      assert.equal(result.continueToken, undefined);
      assert.equal(result.remainingItemCount, undefined);
      for (const item of result.items) assert.equal(parse(item).spec, undefined);
      store.update(RESOURCE, manifest('a', { namespace: 'ns1', generation: 5 }));
      assert.deepEqual(names(), ['a', 'b', 'c', 'd'], 'an update keeps the position');
    });

    it('joins payloads with fullSpec', () => {
      const items = store.list(RESOURCE, { fullSpec: true, namespace: 'ns1' }).items;
      assert.deepEqual(
        items.map((item) => parse(item)),
        ['a', 'c'].map((name) => {
          const object = manifest(name, {
            namespace: 'ns1',
            labels: name === 'a' ? { app: 'web', tier: 'front' } : undefined,
          });
          object.metadata.resourceVersion = String(name === 'a' ? 1 : 3);
          return object;
        }),
      );
    });

    it('filters by namespace, labels and fields', () => {
      assert.deepEqual(names({ namespace: 'ns1' }), ['a', 'c']);
      assert.deepEqual(names({ namespace: 'none' }), []);
      assert.deepEqual(names({ labelSelector: parseLabelSelector('app=web') }), ['a', 'd']);
      assert.deepEqual(names({ labelSelector: parseLabelSelector('app') }), ['a', 'b', 'd']);
      assert.deepEqual(names({ labelSelector: parseLabelSelector('!app') }), ['c']);
      assert.deepEqual(names({ labelSelector: parseLabelSelector('app notin (web)') }), ['b', 'c']);
      assert.deepEqual(names({ labelSelector: parseLabelSelector('app=web,tier=front') }), ['a']);
      assert.deepEqual(names({ labelSelector: parseLabelSelector('app=web'), namespace: 'ns2' }), ['d']);
      assert.deepEqual(names({ fieldSelector: parseFieldSelector('metadata.name=b') }), ['b']);
      assert.deepEqual(names({ fieldSelector: parseFieldSelector('metadata.name!=b') }), ['a', 'c', 'd']);
      assert.deepEqual(names({ fieldSelector: parseFieldSelector('metadata.namespace=ns2') }), ['b', 'd']);
      assert.deepEqual(
        names({ fieldSelector: parseFieldSelector('metadata.namespace!=ns2,metadata.name!=a') }),
        ['c'],
      );
      assert.deepEqual(
        names({ fieldSelector: parseFieldSelector('metadata.namespace=ns2'), namespace: 'ns1' }),
        [],
        'namespace and field selector both apply',
      );
      assert.deepEqual(
        names({
          fieldSelector: parseFieldSelector('metadata.namespace=ns1'),
          labelSelector: parseLabelSelector('app'),
        }),
        ['a'],
      );
      assert.deepEqual(names({ labelSelector: [] }), ['a', 'b', 'c', 'd']);
    });

    it('refuses a bad limit or continue token', () => {
      rejects(() => store.list(RESOURCE, { limit: -1 }), ErrorCodes.invalidInput, 'limit');
      rejects(() => store.list(RESOURCE, { limit: 1.5 }), ErrorCodes.invalidInput, 'limit');
      rejects(
        () => store.list(RESOURCE, { continueToken: 'garbage!' }),
        ErrorCodes.invalidInput,
        '"garbage!"',
      );
      const token = Buffer.from('{"rv":-1,"id":2}').toString('base64url');
      rejects(() => store.list(RESOURCE, { continueToken: token }), ErrorCodes.invalidInput, 'continue');
    });
  });

  describe('pagination', () => {
    const total = 250;
    beforeEach(() => {
      for (let i = 0; i < total; i++) {
        const labels = { parity: i % 2 === 0 ? 'even' : 'odd' };
        store.create(
          RESOURCE,
          manifest(`o${String(i).padStart(3, '0')}`, { namespace: `ns${i % 3}`, labels }),
        );
      }
    });

    it('pages concatenate to the full list, with continue tokens and remainingItemCount', () => {
      const everything = store.list(RESOURCE).items.map((item) => item.name);
      assert.equal(everything.length, total);
      for (const limit of [1, 7, 50, 249, 250, 251, 1000]) {
        const { names, pages, versions } = listAll(store, { limit });
        assert.deepEqual(names, everything, `limit ${limit}`);
        assert.equal(pages, Math.max(1, Math.ceil(total / limit)), `limit ${limit}`);
        assert.ok(versions.every((version) => version === total));
      }
      const first = store.list(RESOURCE, { limit: 100 });
      assert.equal(first.items.length, 100);
      assert.equal(first.remainingItemCount, 150);
      const second = store.list(RESOURCE, { limit: 100, continueToken: first.continueToken });
      assert.equal(second.remainingItemCount, 50);
      const last = store.list(RESOURCE, { limit: 100, continueToken: second.continueToken });
      assert.equal(last.items.length, 50);
      assert.equal(last.continueToken, undefined);
      assert.equal(last.remainingItemCount, undefined);
    });

    it('paginates filtered lists', () => {
      for (const options of [
        { namespace: 'ns1' },
        { labelSelector: parseLabelSelector('parity=odd') },
        { labelSelector: parseLabelSelector('parity=odd'), namespace: 'ns2' },
        { fieldSelector: parseFieldSelector('metadata.namespace!=ns0') },
        { fieldSelector: parseFieldSelector('metadata.namespace=ns0'), fullSpec: true },
      ] satisfies ListOptions[]) {
        const expected = store.list(RESOURCE, options).items.map((item) => item.name);
        assert.ok(expected.length > 0);
        assert.deepEqual(listAll(store, { ...options, limit: 9 }).names, expected, JSON.stringify(options));
      }
      const page = store.list(RESOURCE, { namespace: 'ns0', limit: 10 });
      assert.equal(page.remainingItemCount, 84 - 10);
      const labelled = store.list(RESOURCE, { labelSelector: parseLabelSelector('parity=odd'), limit: 10 });
      assert.equal(labelled.remainingItemCount, undefined, 'not cheap with a label selector');
      assert.ok(labelled.continueToken);
    });

    it('stays stable when objects change between pages', () => {
      const seen: string[] = [];
      let page = store.list(RESOURCE, { limit: 40 });
      const listVersion = page.resourceVersion;
      seen.push(...page.items.map((item) => item.name));
      let round = 0;
      while (page.continueToken) {
        round++;
        // An update of a listed and of an unlisted object, a deletion ahead, a creation, and a
        // listed object deleted and re-created.
        store.update(RESOURCE, manifest('o000', { namespace: 'ns0', generation: round }));
        store.update(RESOURCE, manifest('o248', { namespace: 'ns2', generation: round }));
        const ahead = total - 2 - round;
        store.delete(RESOURCE, `ns${ahead % 3}`, `o${String(ahead).padStart(3, '0')}`);
        store.create(RESOURCE, manifest(`new${round}`));
        const again = `o${String(round).padStart(3, '0')}`;
        store.delete(RESOURCE, `ns${round % 3}`, again);
        store.create(RESOURCE, manifest(again, { namespace: `ns${round % 3}` }));
        page = store.list(RESOURCE, { limit: 40, continueToken: page.continueToken });
        assert.equal(page.resourceVersion, listVersion);
        seen.push(...page.items.map((item) => item.name));
      }
      assert.equal(round, 6);
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      const untouched = Array.from({ length: total }, (_, i) => i)
        .filter((i) => i > round && (i < total - 2 - round || i >= total - 2))
        .map((i) => `o${String(i).padStart(3, '0')}`);
      for (const name of untouched) assert.ok(seen.includes(name), `${name} was listed`);
      assert.ok(seen.includes('o248'), 'an updated object keeps its place');
      assert.ok(
        !seen.some((name) => name.startsWith('new')),
        'objects created after the first page come by watch',
      );
      assert.deepEqual(seen, [...seen].sort(), 'creation order');
      const watched: string[] = [];
      store.watch(RESOURCE, { sinceResourceVersion: listVersion }, (event) => {
        if (event.type === 'ADDED') watched.push(event.record.name);
      });
      assert.ok(watched.includes('new1') && watched.includes('o001'));
    });
  });

  describe('undecodable payloads', () => {
    function damage(statements: string[]): void {
      store.close();
      const raw = new Database(file);
      for (const sql of statements) raw.exec(sql);
      raw.close();
      store = openSqliteStore({ file });
    }
    const idOf = (name: string) => `(SELECT id FROM objects WHERE name = '${name}')`;

    beforeEach(() => {
      for (const name of ['good1', 'truncated', 'missing', 'binary', 'good2']) {
        store.create(RESOURCE, manifest(name, { labels: { app: 'x' } }));
      }
      damage([
        `UPDATE payloads SET json = substr(json, 1, 40) WHERE id = ${idOf('truncated')}`,
        `DELETE FROM payloads WHERE id = ${idOf('missing')}`,
        `UPDATE payloads SET json = x'00ff10' WHERE id = ${idOf('binary')}`,
      ]);
    });

    it('skips them in fullSpec lists and keeps them in metadata-only lists', () => {
      assert.deepEqual(
        store.list(RESOURCE, { fullSpec: true }).items.map((item) => item.name),
        ['good1', 'good2'],
      );
      assert.deepEqual(
        store
          .list(RESOURCE, { fullSpec: true, labelSelector: parseLabelSelector('app=x') })
          .items.map((i) => i.name),
        ['good1', 'good2'],
      );
      assert.equal(store.list(RESOURCE).items.length, 5);
      assert.equal(store.get(RESOURCE, 'kubescape', 'truncated', { metadataOnly: true })?.name, 'truncated');
    });

    it('get reports them absent and deletes them, telling watchers', () => {
      const events: WatchEvent[] = [];
      store.watch(RESOURCE, { labelSelector: parseLabelSelector('app=x') }, (event) => events.push(event));
      for (const name of ['truncated', 'missing', 'binary']) {
        assert.equal(store.get(RESOURCE, 'kubescape', name), undefined);
        assert.equal(store.get(RESOURCE, 'kubescape', name, { metadataOnly: true }), undefined);
      }
      assert.equal(store.count(RESOURCE), 2);
      assert.deepEqual(
        events.map((event) => [event.type, event.record.name, event.record.resourceVersion]),
        [
          ['DELETED', 'truncated', 6],
          ['DELETED', 'missing', 7],
          ['DELETED', 'binary', 8],
        ],
      );
      assert.equal(parse(events[0]?.record).metadata.resourceVersion, '6');
      assert.equal(parse(store.get(RESOURCE, 'kubescape', 'good2')).metadata.name, 'good2');
    });

    it('can still be deleted, updated and recreated', () => {
      const deleted = store.delete(RESOURCE, 'kubescape', 'truncated');
      assert.equal(parse(deleted).metadata.resourceVersion, '6');
      const { changed } = store.update(RESOURCE, manifest('missing', { labels: { app: 'x' } }));
      assert.equal(changed, true);
      assert.equal(parse(store.get(RESOURCE, 'kubescape', 'missing')).metadata.resourceVersion, '7');
      store.create(RESOURCE, manifest('truncated'));
      assert.equal(store.list(RESOURCE, { fullSpec: true }).items.length, 4);
    });
  });

  describe('lifecycle', () => {
    it('keeps objects and the resourceVersion across a reopen', () => {
      store.create(RESOURCE, manifest('a'));
      store.create(RESOURCE, manifest('b'));
      store.delete(RESOURCE, 'kubescape', 'a');
      store.close();
      store = openSqliteStore({ file });
      assert.equal(store.currentResourceVersion(), 3);
      assert.deepEqual(
        store.list(RESOURCE).items.map((item) => item.name),
        ['b'],
      );
      assert.equal(store.create(RESOURCE, manifest('c')).resourceVersion, 4);
      const raw = new Database(file, { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
    });

    it('refuses calls after close', () => {
      store.close();
      store.close();
      rejects(() => store.list(RESOURCE), ErrorCodes.prerequisite, 'closed');
      rejects(() => store.create(RESOURCE, manifest('a')), ErrorCodes.prerequisite, 'closed');
      rejects(() => store.watch(RESOURCE, {}, () => {}), ErrorCodes.prerequisite, 'closed');
      store = openSqliteStore({ file });
    });

    it('refuses files that are not stores of this schema', () => {
      const garbage = path.join(tmp.dir, 'garbage.db');
      fs.writeFileSync(garbage, 'this is not a database'.repeat(1000));
      rejects(() => openSqliteStore({ file: garbage }), ErrorCodes.integrity, garbage);
      store.close();
      const raw = new Database(file);
      raw.prepare("UPDATE meta SET value = 99 WHERE key = 'schemaVersion'").run();
      raw.close();
      rejects(() => openSqliteStore({ file }), ErrorCodes.integrity, 'schema version 99');
      const again = new Database(file);
      again.prepare("UPDATE meta SET value = 1 WHERE key = 'schemaVersion'").run();
      again.close();
      store = openSqliteStore({ file });
    });
  });

  it('lists 10,000 metadata-only records well under 100 ms', () => {
    const spec = {
      payload: {
        matches: Array.from({ length: 50 }, (_, i) => ({ id: `CVE-2024-${i}`, x: 'y'.repeat(200) })),
      },
    };
    for (let i = 0; i < 10_000; i++) {
      const object = manifest(`workload-${i}`, { labels: { 'kubescape.io/workload-name': `w${i}` } });
      object.spec = spec;
      store.create(RESOURCE, object);
    }
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      const { items } = store.list(RESOURCE);
      best = Math.min(best, performance.now() - started);
      assert.equal(items.length, 10_000);
    }
    assert.ok(best < 100, `listing took ${best.toFixed(1)} ms`);
  });
});
