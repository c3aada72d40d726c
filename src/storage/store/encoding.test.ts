import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { encodeParts, sameJson, splitObject, withResourceVersion } from './encoding.ts';

const object: KubeObject = {
  apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
  kind: 'VulnerabilityManifest',
  metadata: {
    name: 'nginx',
    namespace: 'kubescape',
    uid: 'u-1',
    labels: { app: 'web' },
    annotations: { note: '"metadata":{"resourceVersion":"x"}' },
    managedFields: [{ manager: 'kubevuln', operation: 'Apply' }],
  },
  spec: { payload: { matches: [{ id: 'CVE-1', metadata: { resourceVersion: '9' } }] } },
};

describe('encodeParts', () => {
  it('writes the resourceVersion into both forms and strips managedFields from the metadata-only one', () => {
    const encoded = encodeParts(splitObject(object), 42);
    const full = JSON.parse(encoded.full) as KubeObject;
    assert.deepEqual(full, { ...object, metadata: { ...object.metadata, resourceVersion: '42' } });
    const { managedFields: _managedFields, ...metadata } = object.metadata;
    assert.deepEqual(JSON.parse(encoded.metadataOnly), {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { ...metadata, resourceVersion: '42' },
    });
    assert.equal(encoded.labels, '{"app":"web"}');
    assert.equal(encoded.uid, 'u-1');
  });

  it('puts apiVersion, kind and metadata first whatever the input order', () => {
    const encoded = encodeParts(
      splitObject({ spec: {}, metadata: { name: 'a' }, kind: 'K', apiVersion: 'v' }),
      1,
    );
    assert.equal(
      encoded.full,
      '{"apiVersion":"v","kind":"K","metadata":{"name":"a","resourceVersion":"1"},"spec":{}}',
    );
  });

  it('handles objects without type or other fields, and no labels', () => {
    const encoded = encodeParts(splitObject({ metadata: { name: 'a', labels: {} } }), 3);
    assert.equal(encoded.full, '{"metadata":{"name":"a","labels":{},"resourceVersion":"3"}}');
    assert.equal(encoded.labels, null);
    assert.equal(encoded.uid, null);
  });
});

describe('withResourceVersion', () => {
  it('rewrites only the top-level metadata', () => {
    const json = encodeParts(splitObject(object), 5).full;
    const rewritten = JSON.parse(withResourceVersion(json, 77)) as KubeObject;
    assert.equal(rewritten.metadata.resourceVersion, '77');
    assert.deepEqual(rewritten.spec, object.spec);
    assert.equal(rewritten.metadata.annotations?.note, object.metadata.annotations?.note);
  });

  it('falls back to a full parse for foreign layouts', () => {
    const json =
      '{"spec":{"metadata":{"resourceVersion":"1"}},"metadata":{"name":"a","resourceVersion":"1"}}';
    assert.deepEqual(JSON.parse(withResourceVersion(json, 2)), {
      spec: { metadata: { resourceVersion: '1' } },
      metadata: { name: 'a', resourceVersion: '2' },
    });
  });

  it('throws on undecodable input', () => {
    assert.throws(() => withResourceVersion('{"metadata":{"name":"a"', 2));
    assert.throws(() => withResourceVersion('garbage', 2));
  });
});

describe('sameJson', () => {
  const rows: [string, string, boolean][] = [
    ['{"a":1,"b":2}', '{"a":1,"b":2}', true],
    ['{"a":1,"b":2}', '{"b":2,"a":1}', true],
    ['{"a":1,"b":2}', '{"a":1,"b":3}', false],
    ['{"a":1}', '{"a":10}', false],
    ['{"a":1}', '{"a":1', false],
  ];
  for (const [a, b, expected] of rows) {
    it(`${a} vs ${b}`, () => assert.equal(sameJson(a, b), expected));
  }
});
