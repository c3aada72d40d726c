import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchKeyOf, decodePostScanRequest, InvalidScanRequestError, toScanPlan } from './scan-request.ts';

const defaults = { excludeNamespaces: ['kube-system'], includeNamespaces: [] };

describe('PostScanRequest', () => {
  it('decodes keys case-insensitively, ignores unknown keys and credentials', () => {
    const request = decodePostScanRequest({
      TargetType: 'Framework',
      targetnames: ['NSA'],
      account: 'acct',
      accessKey: 'secret',
      somethingNew: 1,
      hostScanner: false,
      failThreshold: 12.5,
    });
    assert.deepEqual(request, {
      targetType: 'Framework',
      targetNames: ['NSA'],
      hostScanner: false,
      failThreshold: 12.5,
    });
  });

  it('names the field of a wrong type', () => {
    assert.throws(() => decodePostScanRequest({ submit: 'yes' }), /submit: expected true or false/);
    assert.throws(() => decodePostScanRequest([1]), InvalidScanRequestError);
    assert.throws(() => decodePostScanRequest({ exceptions: [{}] }), /exceptions\[0\]\.name/);
  });

  it('plans Kubescape targets: empty and "all" scan every framework, Control scans controls, Rule scans all', () => {
    assert.deepEqual(toScanPlan({}, defaults).frameworks, ['all']);
    assert.deepEqual(
      toScanPlan({ targetType: 'Framework', targetNames: ['nsa', 'all'] }, defaults).frameworks,
      ['all'],
    );
    assert.deepEqual(
      toScanPlan({ targetType: 'framework', targetNames: ['nsa', 'mitre'] }, defaults).frameworks,
      ['nsa', 'mitre'],
    );
    const controls = toScanPlan({ targetType: 'Control', targetNames: ['C-0017', 'c-57'] }, defaults);
    assert.deepEqual(controls.controls, ['C-0017', 'c-57']);
    assert.equal(controls.frameworks, undefined);
    assert.deepEqual(toScanPlan({ targetType: 'Rule', targetNames: ['x'] }, defaults).frameworks, ['all']);
    assert.throws(
      () => toScanPlan({ targetType: 'Control', targetNames: ['C-9999'] }, defaults),
      /unknown control "C-9999"/,
    );
  });

  it('applies default namespaces only when the request names none', () => {
    assert.deepEqual(toScanPlan({}, defaults).excludeNamespaces, ['kube-system']);
    const included = toScanPlan({ includeNamespaces: ['kube-system'] }, defaults);
    assert.deepEqual([included.includeNamespaces, included.excludeNamespaces], [['kube-system'], []]);
  });

  it('reads scanObject and batches only live single-object scans with equal settings', () => {
    const scanObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
    };
    const plan = toScanPlan(decodePostScanRequest({ scanObject, isDeletedScanObject: false }), defaults);
    assert.deepEqual(plan.scanObject, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
      namespace: 'shop',
    });
    const other = toScanPlan(
      decodePostScanRequest({ scanObject: { ...scanObject, metadata: { name: 'api' } } }),
      defaults,
    );
    assert.equal(batchKeyOf(plan), batchKeyOf(other));
    assert.equal(batchKeyOf(toScanPlan({}, defaults)), undefined);
    const deleted = toScanPlan(decodePostScanRequest({ scanObject, isDeletedScanObject: true }), defaults);
    assert.equal(deleted.deleted, true);
    assert.equal(batchKeyOf(deleted), undefined);
    assert.throws(
      () => decodePostScanRequest({ scanObject: { kind: 'Pod', metadata: {} } }),
      /needs kind and metadata.name/,
    );
  });
});
