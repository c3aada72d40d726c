// The posture role (Kubescape's `kubescape` service) against a real kube-apiserver + etcd with our
// storage registered as the aggregated API: objects created with kubectl, scans requested over
// HTTP as the operator does, results checked with kubectl as a user would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import {
  clusterDown,
  clusterUp,
  freePort,
  storageDown,
  storageLayout,
  storageUp,
} from '../../src/devenv/index.ts';
import { runPostureService } from '../../src/services/index.ts';
import type { RunningPostureService } from '../../src/services/index.ts';
import { streamLogger } from '../../src/common/index.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';

const paths = isolatedPaths('posture-service');
let kubeconfig = '';
let service: RunningPostureService;
let storagePort = 0;

const deploymentYaml = (name: string, privileged: boolean) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop, labels: {app: ${name}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: builder
      containers:
      - name: main
        image: nginx:1.27
        securityContext: {privileged: ${privileged}}
`;

const FIXTURES = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: shop}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: builder-reads-secrets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: builder, namespace: shop}
---
${deploymentYaml('web', true)}
---
${deploymentYaml('api', false)}
`;

interface ScanReply {
  id: string;
  type: string;
  response?: unknown;
}

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ScanReply }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as ScanReply };
}

async function waitUntilIdle(id: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const status = await api('GET', `/v1/status?ID=${id}`);
    if (status.json.type === 'notBusy') return;
    assert.ok(Date.now() < deadline, 'the scan did not finish in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Requests a scan and polls its status the way the operator does (faster), then returns its results. */
async function scanAndWait(body: unknown): Promise<ScanReply> {
  const posted = await api('POST', '/v1/scan?keep=false', body);
  assert.equal(posted.status, 200, JSON.stringify(posted.json));
  assert.equal(posted.json.type, 'busy');
  await waitUntilIdle(posted.json.id);
  const results = await api('GET', `/v1/results?id=${posted.json.id}`);
  assert.equal(results.status, 200, JSON.stringify(results.json));
  assert.equal(results.json.type, 'v1results');
  return results.json;
}

interface StoredSummary {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    severities: Record<string, number>;
    controls: Record<
      string,
      { controlID: string; severity: { severity: string }; status: { status: string } }
    >;
  };
}

async function summary(namespace: string, name: string): Promise<StoredSummary> {
  return JSON.parse(
    await kubectl(kubeconfig, [
      '-n',
      namespace,
      'get',
      'workloadconfigurationscansummaries',
      name,
      '-o',
      'json',
    ]),
  ) as StoredSummary;
}

describe('posture service: scans written to storage, read with kubectl', { timeout: 600_000 }, () => {
  before(async () => {
    const cluster = await clusterUp({
      paths,
      ports: { apiserverPort: await freePort(), etcdPort: await freePort(), etcdPeerPort: await freePort() },
    });
    kubeconfig = cluster.kubeconfig;
    storagePort = (await storageUp(paths, { port: await freePort() })).port;
    await kubectl(kubeconfig, ['apply', '-f', '-'], FIXTURES);
    service = await runPostureService({
      kubeconfig,
      port: 0,
      clusterName: 'dev',
      namespace: 'kubescape',
      logger: streamLogger({ level: 'warn', prefix: 'posture' }),
    });
  });
  after(async () => {
    await service?.close({ abandon: true });
    await storageDown(paths, { wipe: true });
    await clusterDown({ paths, wipe: true });
    paths.cleanup();
  });

  it('is ready once it reaches the API server', async () => {
    assert.equal((await fetch(`${service.url}/livez`)).status, 200);
    assert.equal((await fetch(`${service.url}/readyz`)).status, 200);
  });

  it('a cluster scan writes a summary and a full scan per resource', async () => {
    const results = await scanAndWait({ targetType: 'Framework', targetNames: ['all'] });
    const report = results.response as { clusterName: string; results: { resourceID: string }[] };
    assert.equal(report.clusterName, 'dev');
    assert.ok(report.results.some((r) => r.resourceID === 'apps/v1/shop/Deployment/web'));

    const table = await kubectl(kubeconfig, ['get', 'workloadconfigurationscansummaries', '-A']);
    assert.match(table, /shop\s+deployment-web\b/);
    assert.match(table, /shop\s+deployment-api\b/);
    assert.match(
      table,
      /kubescape\s+namespace-shop\b/,
      'cluster-scoped results live in the operator namespace',
    );
    assert.doesNotMatch(table, /kube-system/, 'excluded namespaces are not scanned');

    const web = await summary('shop', 'deployment-web');
    assert.deepEqual(
      {
        group: web.metadata.labels?.['kubescape.io/workload-api-group'],
        version: web.metadata.labels?.['kubescape.io/workload-api-version'],
        kind: web.metadata.labels?.['kubescape.io/workload-kind'],
        name: web.metadata.labels?.['kubescape.io/workload-name'],
        namespace: web.metadata.labels?.['kubescape.io/workload-namespace'],
        wlid: web.metadata.annotations?.['kubescape.io/wlid'],
      },
      {
        group: 'apps',
        version: 'v1',
        kind: 'deployment',
        name: 'web',
        namespace: 'shop',
        wlid: 'wlid://cluster-dev/namespace-shop/deployment-web',
      },
    );
    const privileged = web.spec.controls['C-0057'];
    assert.equal(privileged?.status.status, 'failed');
    assert.equal(privileged?.severity.severity, 'High');
    const failedHigh = Object.values(web.spec.controls).filter(
      (c) => c.status.status === 'failed' && c.severity.severity === 'High',
    ).length;
    assert.equal(web.spec.severities.high, failedHigh);
    assert.equal((await summary('shop', 'deployment-api')).spec.controls['C-0057']?.status.status, 'passed');

    const full = JSON.parse(
      await kubectl(kubeconfig, [
        '-n',
        'shop',
        'get',
        'workloadconfigurationscans',
        'deployment-web',
        '-o',
        'json',
      ]),
    ) as {
      spec: {
        controls: Record<
          string,
          { status: { status: string }; rules: { paths: { failedPath: string }[] }[] }
        >;
      };
    };
    const paths = full.spec.controls['C-0057']?.rules.flatMap((r) => r.paths.map((p) => p.failedPath)) ?? [];
    assert.ok(
      paths.some((p) => p.includes('privileged')),
      `failed paths: ${paths.join(', ')}`,
    );

    const vectors = JSON.parse(
      await kubectl(kubeconfig, [
        '-n',
        'kubescape',
        'get',
        'workloadconfigurationscansummaries',
        '-l',
        'kubescape.io/rbac-resource=true,kubescape.io/rolebinding-name=builder-reads-secrets',
        '-o',
        'json',
      ]),
    ) as { items: StoredSummary[] };
    assert.ok(vectors.items.length > 0, 'the RBAC vector of the binding is stored');
    assert.equal(
      vectors.items[0]!.metadata.annotations?.['kubescape.io/wlid'],
      'wlid://cluster-dev/namespace-shop/rolebinding-builder-reads-secrets',
    );
  });

  it('a re-scan after fixing a resource updates its results', async () => {
    await kubectl(kubeconfig, ['apply', '-f', '-'], deploymentYaml('web', false));
    await scanAndWait({});
    const web = await summary('shop', 'deployment-web');
    assert.equal(web.spec.controls['C-0057']?.status.status, 'passed');
  });

  it('a single-object scan rewrites only that object', async () => {
    const before = await summary('shop', 'deployment-web');
    await kubectl(kubeconfig, ['apply', '-f', '-'], deploymentYaml('api', true));
    const scanObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
    };
    const results = await scanAndWait({ scanObject, isDeletedScanObject: false, hostScanner: false });
    const report = results.response as { results: { resourceID: string }[] };
    assert.deepEqual(
      report.results.map((r) => r.resourceID),
      ['apps/v1/shop/Deployment/api'],
    );
    const api = await summary('shop', 'deployment-api');
    assert.equal(api.spec.controls['C-0057']?.status.status, 'failed');
    assert.ok(api.spec.severities.high! >= 1);
    const after = await summary('shop', 'deployment-web');
    assert.equal(
      after.metadata.annotations?.['kubescape.io/scan-id'],
      before.metadata.annotations?.['kubescape.io/scan-id'],
      'other objects are not rewritten',
    );
  });

  it('a deleted object loses its WorkloadConfigurationScan and summary', async () => {
    await kubectl(kubeconfig, ['-n', 'shop', 'delete', 'deployment', 'api']);
    const scanObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
    };
    await scanAndWait({ scanObject, isDeletedScanObject: true });
    for (const kind of ['workloadconfigurationscansummaries', 'workloadconfigurationscans']) {
      await assert.rejects(
        kubectl(kubeconfig, ['-n', 'shop', 'get', kind, 'deployment-api']),
        /NotFound|not found/,
      );
    }
    await kubectl(kubeconfig, ['-n', 'shop', 'get', 'workloadconfigurationscansummaries', 'deployment-web']);
  });

  it('loses no result when the storage restarts during a scan', async () => {
    await kubectl(kubeconfig, ['apply', '-f', '-'], deploymentYaml('web', true));
    const posted = await api('POST', '/v1/scan', {});
    const pid = Number(fs.readFileSync(storageLayout(paths).daemon.pidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    while (fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 1_000));
    await storageUp(paths, { port: storagePort });
    await waitUntilIdle(posted.json.id);
    const results = await api('GET', `/v1/results?id=${posted.json.id}`);
    assert.equal(results.json.type, 'v1results', JSON.stringify(results.json).slice(0, 500));
    const web = await summary('shop', 'deployment-web');
    assert.equal(web.metadata.annotations?.['kubescape.io/scan-id'], posted.json.id);
    assert.equal(web.spec.controls['C-0057']?.status.status, 'failed');
  });
});
