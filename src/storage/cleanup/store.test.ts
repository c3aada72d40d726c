import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import type { ObjectStore } from '../store/index.ts';
import { openSqliteStore } from '../store/index.ts';
import { CLEANUP_RESOURCES } from './plan.ts';
import { applyCleanupAction, listCleanupObjects } from './store.ts';

const sbom = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
  kind: 'SBOMSyft',
  metadata: { name, namespace: 'kubescape', annotations },
  spec: { syft: { artifacts: [] } },
});

describe('listCleanupObjects / applyCleanupAction', () => {
  let store: ObjectStore;
  beforeEach(() => {
    store = openSqliteStore({ file: ':memory:' });
  });
  afterEach(() => store.close());

  it('lists metadata of every resource with a rule, with the stored resourceVersion', () => {
    store.create('sbomsyfts', sbom('a', { 'kubescape.io/image-id': 'x@sha256:1' }));
    store.create('knownservers', { metadata: { name: 'k' }, spec: [] });
    const objects = listCleanupObjects(store);
    assert.deepEqual([...objects.keys()], [...CLEANUP_RESOURCES]);
    const [listed] = objects.get('sbomsyfts') ?? [];
    assert.equal(listed?.metadata.name, 'a');
    assert.equal(listed?.metadata.namespace, 'kubescape');
    assert.equal(listed?.metadata.annotations?.['kubescape.io/image-id'], 'x@sha256:1');
    assert.equal(listed?.metadata.resourceVersion, '1');
    assert.equal(listed?.['spec'], undefined, 'metadata only');
    assert.equal(objects.has('knownservers'), false);
  });

  it('deletes, and skips objects gone or written since they were listed', () => {
    const rv = store.create('sbomsyfts', sbom('a')).resourceVersion;
    store.create('sbomsyfts', sbom('b'));
    const action = { resource: 'sbomsyfts', namespace: 'kubescape', reason: 'test' };
    store.update('sbomsyfts', sbom('b', { 'kubescape.io/status': 'ready' }));
    assert.equal(applyCleanupAction(store, { ...action, name: 'b', resourceVersion: 2 }), 'changed');
    assert.ok(store.get('sbomsyfts', 'kubescape', 'b'));
    assert.equal(applyCleanupAction(store, { ...action, name: 'a', resourceVersion: rv }), 'deleted');
    assert.equal(store.get('sbomsyfts', 'kubescape', 'a'), undefined);
    assert.equal(applyCleanupAction(store, { ...action, name: 'a' }), 'gone');
    assert.equal(applyCleanupAction(store, { ...action, name: 'b' }), 'deleted');
  });
});
