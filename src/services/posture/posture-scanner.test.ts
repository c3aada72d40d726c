import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { K8sObject, StoredScanResult } from '../../posture/index.ts';
import type { CollectOptions, CollectResult } from './collect.ts';
import { PostureScanner, rbacSelectorsFor } from './posture-scanner.ts';
import type { ScanOutcome, ScanTask } from './scan-queue.ts';
import type { ScanPlan } from './scan-request.ts';

const deployment = (name: string, privileged: boolean, namespace = 'shop'): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        serviceAccountName: 'builder',
        containers: [{ name: 'main', image: 'nginx:1.27', securityContext: { privileged } }],
      },
    },
  },
});

const rbac: K8sObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'shop' } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'secret-reader', namespace: 'shop' },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'builder-reads-secrets', namespace: 'shop' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: 'shop' }],
  },
];

class FakeCluster {
  objects: K8sObject[] = [deployment('web', true), deployment('api', false), ...structuredClone(rbac)];
  collections = 0;
  async collect(_options: CollectOptions): Promise<CollectResult> {
    this.collections++;
    return {
      objects: structuredClone(this.objects),
      failedKinds: [],
      serverVersion: null,
      clusterName: 'dev',
    };
  }
  async get(ref: { kind: string; name: string; namespace?: string }): Promise<K8sObject | undefined> {
    const found = this.objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata?.name === ref.name &&
        (o.metadata?.namespace ?? '') === (ref.namespace ?? ''),
    );
    return found && structuredClone(found);
  }
  refreshDiscovery(): void {}
}

class FakeWriter {
  readonly stored = new Map<string, StoredScanResult>();
  readonly removed: string[] = [];
  async write(results: readonly StoredScanResult[]) {
    for (const r of results) this.stored.set(`${r.summary.metadata.namespace}/${r.summary.metadata.name}`, r);
    return { written: results.length, failed: [] };
  }
  async known() {
    return undefined;
  }
  async remove(namespace: string, name: string) {
    this.removed.push(`${namespace}/${name}`);
    return this.stored.delete(`${namespace}/${name}`);
  }
  async namesMatching(namespace: string, selector: string) {
    const wanted = selector.split(',').map((pair) => pair.split('=') as [string, string]);
    return [...this.stored.values()]
      .filter((r) => r.summary.metadata.namespace === namespace)
      .filter((r) => wanted.every(([k, v]) => r.summary.metadata.labels?.[k] === v))
      .map((r) => r.summary.metadata.name ?? '');
  }
}

const basePlan: ScanPlan = {
  frameworks: ['all'],
  excludeControls: [],
  includeNamespaces: [],
  excludeNamespaces: ['kube-system'],
  exceptions: [],
  deleted: false,
};

function task(id: string, plan: Partial<ScanPlan> = {}): ScanTask {
  return { id, plan: { ...basePlan, ...plan }, signal: new AbortController().signal };
}

function setup() {
  const cluster = new FakeCluster();
  const writer = new FakeWriter();
  const scanner = new PostureScanner({
    reader: cluster,
    writer,
    clusterName: 'dev',
    operatorNamespace: 'kubescape',
    snapshotTtlMs: 60_000,
  });
  return { cluster, writer, scanner };
}

const done = (outcome: ScanOutcome | undefined): string => {
  assert.equal(outcome?.kind, 'done', outcome?.kind === 'failed' ? outcome.message : 'no outcome');
  return (outcome as { json: string }).json;
};

describe('PostureScanner', () => {
  it('a full scan writes every result with names, namespaces, labels and WLIDs', async () => {
    const { writer, scanner } = setup();
    const outcomes = await scanner.execute([task('full-1')]);
    const report = JSON.parse(done(outcomes.get('full-1'))) as { results: unknown[] };
    assert.ok(report.results.length > 0);
    const web = writer.stored.get('shop/deployment-web');
    assert.ok(web, `stored: ${[...writer.stored.keys()].join(', ')}`);
    assert.equal(
      web.summary.metadata.annotations?.['kubescape.io/wlid'],
      'wlid://cluster-dev/namespace-shop/deployment-web',
    );
    assert.equal(web.summary.metadata.labels?.['kubescape.io/workload-kind'], 'deployment');
    assert.equal(web.summary.spec.controls['C-0057']?.status.status, 'failed');
    assert.equal(
      writer.stored.get('shop/deployment-api')?.summary.spec.controls['C-0057']?.status.status,
      'passed',
    );
    const vector = [...writer.stored.values()].find(
      (r) => r.summary.metadata.labels?.['kubescape.io/rbac-resource'] === 'true',
    );
    assert.ok(vector, 'an RBAC vector result');
    assert.equal(vector.summary.metadata.namespace, 'kubescape');
    assert.equal(vector.summary.metadata.labels?.['kubescape.io/rolebinding-name'], 'builder-reads-secrets');
    assert.equal(vector.summary.metadata.labels?.['kubescape.io/workload-kind'], 'serviceaccount');
    assert.equal(
      vector.summary.metadata.annotations?.['kubescape.io/wlid'],
      'wlid://cluster-dev/namespace-shop/rolebinding-builder-reads-secrets',
    );
    assert.ok(
      writer.stored.has('kubescape/namespace-shop'),
      'cluster-scoped results go to the operator namespace',
    );
  });

  it('single-object scans share one collection, read the object fresh and write only its results', async () => {
    const { cluster, writer, scanner } = setup();
    await scanner.execute([
      task('warm', { scanObject: { apiVersion: 'v1', kind: 'Namespace', name: 'shop', namespace: '' } }),
    ]);
    assert.equal(cluster.collections, 1);
    writer.stored.clear();
    // The deployment is fixed after the collection: the fresh copy must be the one evaluated.
    cluster.objects[0] = deployment('web', false);
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };
    const outcomes = await scanner.execute([
      task('one', { scanObject: ref }),
      task('two', {
        scanObject: { apiVersion: 'v1', kind: 'ServiceAccount', name: 'builder', namespace: 'shop' },
      }),
      task('gone', { scanObject: { ...ref, name: 'nope' } }),
    ]);
    assert.equal(cluster.collections, 1, 'the cached collection served the burst');
    const own = JSON.parse(done(outcomes.get('one'))) as { results: { resourceID: string }[] };
    assert.deepEqual(
      own.results.map((r) => r.resourceID),
      ['apps/v1/shop/Deployment/web'],
    );
    assert.equal(
      writer.stored.get('shop/deployment-web')?.summary.spec.controls['C-0057']?.status.status,
      'passed',
    );
    assert.ok(!writer.stored.has('shop/deployment-api'), 'other objects are not written');
    done(outcomes.get('two'));
    const vectors = [...writer.stored.values()].filter(
      (r) => r.summary.metadata.labels?.['kubescape.io/rbac-resource'],
    );
    assert.ok(vectors.length > 0, 'the service account brings its RBAC vectors');
    assert.equal(outcomes.get('gone')?.kind, 'failed');
    assert.match((outcomes.get('gone') as { message: string }).message, /Deployment shop\/nope not found/);
  });

  it('a deleted object loses its results and its RBAC vectors', async () => {
    const { writer, scanner } = setup();
    done((await scanner.execute([task('full')])).get('full'));
    const before = writer.stored.size;
    const outcomes = await scanner.execute([
      task('del', {
        deleted: true,
        scanObject: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          name: 'builder-reads-secrets',
          namespace: 'shop',
        },
      }),
    ]);
    const result = JSON.parse(done(outcomes.get('del'))) as { deleted: { name: string }[] };
    assert.ok(result.deleted.length >= 2, JSON.stringify(result));
    assert.ok(writer.removed.includes('shop/rolebinding-builder-reads-secrets'));
    assert.ok(
      ![...writer.stored.values()].some((r) => r.summary.metadata.labels?.['kubescape.io/rbac-resource']),
    );
    assert.equal(writer.stored.size, before - result.deleted.length);
    await scanner.execute([
      task('del2', {
        deleted: true,
        scanObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      }),
    ]);
    assert.ok(!writer.stored.has('shop/deployment-web'));
  });

  it('builds label selectors for RBAC objects', () => {
    assert.deepEqual(
      rbacSelectorsFor({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        name: 'Admin',
        namespace: '',
      }),
      ['kubescape.io/clusterrole-name=admin'],
    );
    assert.deepEqual(
      rbacSelectorsFor({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', namespace: 'y' }),
      [],
    );
  });
});
