import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { K8sObject } from '../model.ts';
import { ExceptionMatcher } from './exceptions.ts';
import { reportToJson } from './json.ts';
import { scan } from './scan.ts';
import { mergeStatusInfo } from './status.ts';
import { mergeWorkloadConfigurationScan, toLabelValue, toStoredScanResults } from './storage-objects.ts';

const deployment = (name: string, privileged: boolean, replicas = 1): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'nginx:1.27', securityContext: { privileged } }] },
    },
  },
});

test('status merge follows §3.1', () => {
  assert.deepEqual(mergeStatusInfo({ status: 'passed' }, { status: 'failed' }), {
    status: 'failed',
    subStatus: '',
  });
  assert.deepEqual(
    mergeStatusInfo(
      { status: 'passed', subStatus: 'irrelevant' },
      { status: 'passed', subStatus: 'w/exceptions' },
    ),
    {
      status: 'passed',
      subStatus: 'w/exceptions',
    },
  );
  assert.equal(
    mergeStatusInfo(
      { status: 'skipped', subStatus: 'manual review' },
      { status: 'skipped', subStatus: 'configuration' },
    ).subStatus,
    'configuration',
  );
});

test('privileged control: counters, compliance and replica-weighted risk score', () => {
  const report = scan({
    objects: [{ object: deployment('bad', true, 3) }, { object: deployment('good', false) }],
    target: 'file',
    controls: ['C-0057'],
  });
  const control = report.summaryDetails.controls['C-0057']!;
  assert.equal(control.status, 'failed');
  assert.deepEqual(control.ResourceCounters, {
    passedResources: 1,
    failedResources: 1,
    skippedResources: 0,
    excludedResources: 0,
  });
  assert.equal(control.complianceScore, 50);
  // weights: 3 replicas → 3.3, 1 replica → 1
  assert.ok(Math.abs(control.score - (100 * 3.3) / 4.3) < 1e-9);
  assert.equal(control.severity, 'High');
  assert.equal(report.summaryDetails.controlsSeverityCounters.highSeverity, 1);
  assert.equal(report.summaryDetails.resourcesSeverityCounters.highSeverity, 1);
  const bad = report.results.find((r) => r.resourceID === 'apps/v1/shop/Deployment/bad')!;
  const rule = bad.controls[0]!.rules[0]!;
  assert.equal(rule.status, 'failed');
  assert.ok(
    rule.paths?.some((p) => p.failedPath === 'spec.template.spec.containers[0].securityContext.privileged'),
  );
  const parsed = JSON.parse(reportToJson(report)) as typeof report;
  // The streamed serialization equals plain JSON.stringify.
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(report)));
  assert.equal(parsed.results.length, 2);
  assert.equal(parsed.resources.length, 2);
});

test('an exception turns the failure into passed w/exceptions and is reported', () => {
  const report = scan({
    objects: [{ object: deployment('bad', true) }, { object: deployment('good', false) }],
    target: 'file',
    controls: ['C-0057'],
    exceptions: [
      {
        name: 'accept-bad',
        resources: [{ designatorType: 'Attributes', attributes: { kind: 'Deployment', name: 'ba.*' } }],
        posturePolicies: [{ controlID: 'c-0057' }],
      },
    ],
  });
  const control = report.summaryDetails.controls['C-0057']!;
  assert.equal(control.status, 'passed');
  assert.equal(control.statusInfo.subStatus, 'w/exceptions');
  assert.equal(control.subStatusCounters.ignoredResources, 1);
  assert.equal(control.complianceScore, 100);
  const rule = report.results.find((r) => r.resourceID.endsWith('/bad'))!.controls[0]!.rules[0]!;
  assert.equal(rule.subStatus, 'w/exceptions');
  assert.equal(rule.exception?.[0]?.name, 'accept-bad');
});

test('inline skip annotations except a control on file scans', () => {
  const object = deployment('bad', true);
  object.metadata!.annotations = { 'kubescape.io/skip-controls': 'C-0057, C-0017' };
  const report = scan({ objects: [{ object }], target: 'file', controls: ['C-0057'] });
  assert.equal(report.summaryDetails.controls['C-0057']!.statusInfo.subStatus, 'w/exceptions');
});

test('configuration controls are skipped while their inputs are empty, evaluated once configured', () => {
  const objects = [{ object: deployment('a', false) }];
  const skipped = scan({ objects, target: 'file', controls: ['C-0078'] });
  assert.equal(skipped.summaryDetails.controls['C-0078']!.status, 'skipped');
  assert.equal(skipped.summaryDetails.controls['C-0078']!.statusInfo.subStatus, 'configuration');
  const configured = scan({
    objects,
    target: 'file',
    controls: ['C-0078'],
    config: { imageRepositoryAllowList: ['registry.example.com/'] },
  });
  assert.equal(configured.summaryDetails.controls['C-0078']!.status, 'failed');
});

test('host-sensor controls are skipped with a reason when no node data was collected', () => {
  const report = scan({
    objects: [{ object: deployment('a', false) }],
    target: 'cluster',
    controls: ['C-0069'],
  });
  const control = report.summaryDetails.controls['C-0069']!;
  assert.equal(control.status, 'skipped');
  assert.match(control.statusInfo.info ?? '', /node data/);
  assert.equal(control.complianceScore, 0);
});

test('manual-review controls are skipped / manual review', () => {
  const report = scan({ objects: [], target: 'cluster', controls: ['C-0246'] });
  assert.equal(report.summaryDetails.controls['C-0246']!.statusInfo.subStatus, 'manual review');
});

test('exception matcher: anchored regexes, expiry, labels or annotations, RBAC related objects', () => {
  const now = new Date('2026-11-27T00:00:00Z');
  const matcher = new ExceptionMatcher(
    [
      {
        name: 'expired',
        expirationDate: '2026-01-01T00:00:00Z',
        resources: [{ attributes: { name: '.*' } }],
      },
      {
        name: 'by-label',
        resources: [{ attributes: { team: 'pay.*' } }],
        posturePolicies: [{ controlID: 'C-00.*' }],
      },
      { name: 'by-subject', resources: [{ attributes: { kind: 'User', name: 'system:kube-scheduler' } }] },
      { name: 'empty', resources: [{ attributes: {} }] },
    ],
    'prod',
    now,
  );
  const obj: K8sObject = { kind: 'Pod', metadata: { name: 'p', annotations: { team: 'payments' } } };
  assert.deepEqual(
    matcher.match('C-0017', 'r', { resourceID: 'x', object: obj }).map((p) => p.name),
    ['by-label'],
  );
  assert.deepEqual(matcher.match('C-1017', 'r', { resourceID: 'x', object: obj }), []);
  const binding: K8sObject = { kind: 'ClusterRoleBinding', metadata: { name: 'b' } };
  const role: K8sObject = { kind: 'ClusterRole', metadata: { name: 'r' } };
  const vector = {
    kind: 'User',
    name: 'system:kube-scheduler',
    relatedObjects: [binding, role],
  } as unknown as K8sObject;
  assert.deepEqual(
    matcher
      .match('C-0035', 'r', { resourceID: 'v', object: vector, relatedObjects: [binding, role] })
      .map((p) => p.name),
    ['by-subject'],
  );
});

test('stored objects: names, namespaces, labels and the merge rule', () => {
  const clusterRole: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'all' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  };
  const binding: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'all-binding' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'all' },
    subjects: [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }],
  };
  const report = scan({
    objects: [{ object: deployment('web', true) }, { object: clusterRole }, { object: binding }],
    target: 'cluster',
    controls: ['C-0057', 'C-0035'],
    cluster: { name: 'dev' },
  });
  const stored = toStoredScanResults(report, { clusterName: 'dev', operatorNamespace: 'kubescape' });
  const web = stored.find((s) => s.resourceID === 'apps/v1/shop/Deployment/web')!;
  assert.equal(web.scan.metadata.name, 'deployment-web');
  assert.equal(web.scan.metadata.namespace, 'shop');
  assert.equal(web.scan.metadata.labels?.['kubescape.io/workload-kind'], 'deployment');
  assert.equal(
    web.scan.metadata.annotations?.['kubescape.io/wlid'],
    'wlid://cluster-dev/namespace-shop/deployment-web',
  );
  assert.equal(web.summary.spec.severities.high, 1);
  const vector = stored.find((s) => s.scan.metadata.labels?.['kubescape.io/rbac-resource'] === 'true')!;
  assert.equal(vector.scan.metadata.namespace, 'kubescape');
  assert.equal(vector.scan.metadata.labels?.['kubescape.io/clusterrole-name'], 'all');
  assert.equal(vector.scan.spec.relatedObjects.length, 2);
  const merged = mergeWorkloadConfigurationScan(web.scan, {
    ...web.scan,
    spec: { ...web.scan.spec, controls: {} },
  });
  assert.deepEqual(merged.spec.controls, {});
  assert.equal(toLabelValue('Weird Name/With:Chars'), 'weird-name-with-chars');
});

test('objects owned by a kind the rule reads are evaluated through their owner only', () => {
  const owner = deployment('web', true);
  const replicaSet: K8sObject = {
    ...deployment('web-5d8f7c', true),
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-5d8f7c',
      namespace: 'shop',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
    },
  };
  const report = scan({
    objects: [{ object: owner }, { object: replicaSet }],
    target: 'file',
    controls: ['C-0057'],
  });
  assert.deepEqual(
    report.results.map((r) => r.resourceID),
    ['apps/v1/shop/Deployment/web'],
  );
});

test('reportResource limits results and resources, not the summaries', () => {
  const objects = [{ object: deployment('bad', true) }, { object: deployment('good', false) }];
  const report = scan({
    objects,
    target: 'file',
    controls: ['C-0057'],
    reportResource: ({ resourceID }) => resourceID.endsWith('/good'),
  });
  assert.deepEqual(
    report.results.map((r) => r.resourceID),
    ['apps/v1/shop/Deployment/good'],
  );
  assert.deepEqual(
    report.resources.map((r) => r.resourceID),
    ['apps/v1/shop/Deployment/good'],
  );
  assert.equal(report.summaryDetails.controls['C-0057']!.ResourceCounters.failedResources, 1);
});
