import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeConfig, V1OwnerReference } from '@kubernetes/client-node';
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/api/index.ts';
import { InstanceId, formatWlid } from '../../src/api/index.ts';
import type { LogFields, Logger } from '../../src/common/index.ts';
import { clusterDown, clusterUp, freePort } from '../../src/devenv/index.ts';
import { loadKubeConfig } from '../../src/k8s/index.ts';
import { collectRunningState, runCleanup, startCleanupLoop } from '../../src/services/storage/cleanup.ts';
import type { ObjectStore, RunningState } from '../../src/storage/index.ts';
import { listCleanupObjects, openSqliteStore, planCleanup } from '../../src/storage/index.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';

const paths = isolatedPaths('storage-cleanup');
const ns = 'shop';
const hash = '5d9c7b8f6';
const rsName = `web-${hash}`;
const image = '127.0.0.1:5000/test/busybox:1.35';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
/** As kubelets report them: the web pod's with a repository, the others in the runtime's spellings. */
const webImageId = `127.0.0.1:5000/test/busybox@${digest('1')}`;
const initImageId = `docker-pullable://127.0.0.1:5000/test/debian@${digest('2')}`;
const jobImageId = digest('3');

let kubeconfig = '';
let kc: KubeConfig;
let storeDir = '';
let store: ObjectStore;
let state: RunningState;

function ownerRef(
  kind: string,
  apiVersion: string,
  metadata: { name?: string; uid?: string },
): V1OwnerReference {
  return { apiVersion, kind, name: metadata.name!, uid: metadata.uid!, controller: true };
}

/** Plays kubelet: pods get container statuses through the status subresource. */
async function setStatus(pod: string, statuses: Record<string, unknown>): Promise<void> {
  const status = (name: string, imageID: string) => ({
    name, image, imageID, ready: true, restartCount: 0, started: true,
    state: { running: { startedAt: new Date().toISOString() } },
  }); // prettier-ignore
  const body: Record<string, unknown> = { phase: 'Running' };
  for (const [field, list] of Object.entries(statuses)) {
    body[field] = (list as [string, string][]).map(([name, imageID]) => status(name, imageID));
  }
  await kubectl(kubeconfig, ['-n', ns, 'patch', 'pod', pod, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: body })]); // prettier-ignore
}

async function createWorkloads(): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const webSpec = {
    initContainers: [{ name: 'init', image }],
    containers: [{ name: 'app', image }],
  };
  const deployment = await apps.createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: webSpec },
      },
    },
  });
  // No controller-manager: the ReplicaSet and pods are created the way the controllers would.
  const labels = { app: 'web', 'pod-template-hash': hash };
  const replicaSet = await apps.createNamespacedReplicaSet({
    namespace: ns,
    body: {
      metadata: {
        name: rsName,
        labels,
        ownerReferences: [ownerRef('Deployment', 'apps/v1', deployment.metadata!)],
      },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: webSpec } },
    },
  });
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: {
        name: `${rsName}-x7k2p`,
        labels,
        ownerReferences: [ownerRef('ReplicaSet', 'apps/v1', replicaSet.metadata!)],
      },
      spec: webSpec,
    },
  });
  await setStatus(`${rsName}-x7k2p`, {
    containerStatuses: [['app', webImageId]],
    initContainerStatuses: [['init', initImageId]],
  });

  const jobSpec = { restartPolicy: 'Never', containers: [{ name: 'report', image }] };
  const cronJob = await batch.createNamespacedCronJob({
    namespace: ns,
    body: {
      metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: jobSpec } } } },
    },
  });
  const job = await batch.createNamespacedJob({
    namespace: ns,
    body: {
      metadata: {
        name: 'nightly-29000000',
        ownerReferences: [ownerRef('CronJob', 'batch/v1', cronJob.metadata!)],
      },
      spec: { template: { spec: jobSpec } },
    },
  });
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: {
        name: 'nightly-29000000-q9z4t',
        ownerReferences: [ownerRef('Job', 'batch/v1', job.metadata!)],
      },
      spec: jobSpec,
    },
  });
  await setStatus('nightly-29000000-q9z4t', { containerStatuses: [['report', jobImageId]] });

  await core.createNamespacedPod({
    namespace: ns,
    body: { metadata: { name: 'debug' }, spec: { containers: [{ name: 'shell', image }] } },
  });
  await setStatus('debug', { containerStatuses: [['shell', `docker-pullable://busybox@${digest('4')}`]] });
}

async function instanceIdsOf(pod: string): Promise<string[]> {
  const object = JSON.parse(
    await kubectl(kubeconfig, ['-n', ns, 'get', 'pod', pod, '-o', 'json']),
  ) as KubeObject;
  return InstanceId.fromPod(object).map((id) => id.toString());
}

const webApp = `apiVersion-apps/v1/namespace-${ns}/kind-ReplicaSet/name-${rsName}/containerName-app`;
const oldApp = `apiVersion-apps/v1/namespace-${ns}/kind-ReplicaSet/name-web-7f8d9c6b5/containerName-app`;
const wlid = (kind: string, name: string) => formatWlid('kubeguard-dev', ns, kind, name);

interface Fixture {
  resource: string;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  orphan: boolean;
}

// prettier-ignore
const fixtures: Fixture[] = [
  { resource: 'sbomsyfts', name: 'busybox-111111', annotations: { 'kubescape.io/image-id': webImageId }, orphan: false },
  { resource: 'sbomsyfts', name: 'debian-222222', annotations: { 'kubescape.io/image-id': `127.0.0.1:5000/test/debian@${digest('2')}` }, orphan: false },
  { resource: 'sbomsyfts', name: 'report-333333', annotations: { 'kubescape.io/image-id': `docker.io/library/report@${digest('3')}` }, orphan: false },
  { resource: 'sbomsyfts', name: 'nginx-999999', annotations: { 'kubescape.io/image-id': `docker.io/library/nginx@${digest('9')}` }, orphan: true },
  { resource: 'sbomsyfts', name: 'host-node-1', labels: { 'kubescape.io/sbom-type': 'host' }, orphan: false },
  { resource: 'sbomsyftfiltereds', name: 'replicaset-web-app', annotations: { 'kubescape.io/instance-id': webApp }, orphan: false },
  { resource: 'sbomsyftfiltereds', name: 'replicaset-web-old-app', annotations: { 'kubescape.io/instance-id': oldApp }, orphan: true },
  { resource: 'vulnerabilitymanifests', name: 'busybox-111111', annotations: { 'kubescape.io/image-id': webImageId }, orphan: false },
  { resource: 'vulnerabilitymanifests', name: 'replicaset-web-old-app', annotations: { 'kubescape.io/instance-id': oldApp, 'kubescape.io/image-id': webImageId }, orphan: true },
  { resource: 'openvulnerabilityexchangecontainers', name: 'replicaset-web-app', annotations: { 'kubescape.io/instance-id': webApp }, orphan: false },
  { resource: 'openvulnerabilityexchangecontainers', name: 'unlabelled', orphan: true },
  { resource: 'vulnerabilitymanifestsummaries', namespace: ns, name: 'deployment-web-app', annotations: { 'kubescape.io/wlid': wlid('Deployment', 'web'), 'kubescape.io/workload-container-name': 'app' }, orphan: false },
  { resource: 'vulnerabilitymanifestsummaries', namespace: ns, name: 'deployment-web-init', annotations: { 'kubescape.io/wlid': wlid('Deployment', 'web'), 'kubescape.io/workload-container-name': 'init' }, orphan: false },
  { resource: 'vulnerabilitymanifestsummaries', namespace: ns, name: 'deployment-web-sidecar', annotations: { 'kubescape.io/wlid': wlid('Deployment', 'web'), 'kubescape.io/workload-container-name': 'sidecar' }, orphan: true },
  { resource: 'vulnerabilitymanifestsummaries', namespace: ns, name: 'cronjob-nightly-report', annotations: { 'kubescape.io/wlid': wlid('CronJob', 'nightly'), 'kubescape.io/workload-container-name': 'report' }, orphan: false },
  { resource: 'vulnerabilitymanifestsummaries', namespace: ns, name: 'deployment-api-app', annotations: { 'kubescape.io/wlid': wlid('Deployment', 'api'), 'kubescape.io/workload-container-name': 'app' }, orphan: true },
  { resource: 'workloadconfigurationscans', namespace: ns, name: 'deployment-web', annotations: { 'kubescape.io/wlid': wlid('Deployment', 'web') }, orphan: false },
  { resource: 'workloadconfigurationscans', namespace: ns, name: 'pod-debug', annotations: { 'kubescape.io/wlid': wlid('Pod', 'debug') }, orphan: false },
  { resource: 'workloadconfigurationscans', namespace: ns, name: 'service-web', annotations: { 'kubescape.io/wlid': wlid('Service', 'web') }, orphan: false },
  { resource: 'workloadconfigurationscans', namespace: ns, name: 'statefulset-db', annotations: { 'kubescape.io/wlid': wlid('StatefulSet', 'db') }, orphan: true },
  { resource: 'workloadconfigurationscansummaries', namespace: ns, name: 'job-nightly-29000000', annotations: { 'kubescape.io/wlid': wlid('Job', 'nightly-29000000') }, orphan: false },
  { resource: 'applicationprofiles', namespace: ns, name: `replicaset-${rsName}`, labels: { 'kubescape.io/instance-template-hash': hash, 'kubescape.io/workload-kind': 'Deployment' }, orphan: false },
  { resource: 'applicationprofiles', namespace: ns, name: 'replicaset-web-7f8d9c6b5', labels: { 'kubescape.io/instance-template-hash': '7f8d9c6b5', 'kubescape.io/workload-kind': 'Deployment' }, orphan: true },
  { resource: 'applicationprofiles', namespace: ns, name: 'ug-web', labels: { 'kubescape.io/instance-template-hash': '7f8d9c6b5' }, annotations: { 'kubescape.io/managed-by': 'User' }, orphan: false },
  { resource: 'networkneighborhoods', namespace: ns, name: 'job-nightly', labels: { 'kubescape.io/instance-template-hash': 'x', 'kubescape.io/workload-kind': 'CronJob' }, annotations: { 'kubescape.io/wlid': wlid('CronJob', 'nightly') }, orphan: false },
  { resource: 'containerprofiles', namespace: ns, name: 'pod-gone-shell', annotations: { 'kubescape.io/wlid': wlid('Pod', 'gone') }, orphan: true },
  { resource: 'seccompprofiles', namespace: ns, name: `replicaset-${rsName}`, labels: { 'kubescape.io/instance-template-hash': hash, 'kubescape.io/workload-kind': 'Deployment' }, orphan: false },
  { resource: 'sbomsummaries', name: 'legacy', orphan: true },
  { resource: 'knownservers', namespace: '', name: 'dns', orphan: false },
];

const keyOf = (f: { resource: string; namespace?: string; name: string }) =>
  `${f.resource}/${f.namespace ?? 'kubescape'}/${f.name}`;
const orphans = fixtures
  .filter((f) => f.orphan)
  .map(keyOf)
  .sort();

function fillStore(): void {
  for (const f of fixtures) {
    store.create(f.resource, {
      apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
      metadata: {
        name: f.name,
        ...(f.namespace === '' ? {} : { namespace: f.namespace ?? 'kubescape' }),
        ...(f.labels ? { labels: f.labels } : {}),
        ...(f.annotations ? { annotations: f.annotations } : {}),
      },
      spec: {},
    });
  }
}

function storedKeys(): string[] {
  const resources = [...new Set(fixtures.map((f) => f.resource))];
  return resources
    .flatMap((r) =>
      store.list(r).items.map((i) => keyOf({ resource: r, namespace: i.namespace, name: i.name })),
    )
    .sort();
}

/** A logger that keeps its lines and lets a test wait for one. */
function recordingLogger() {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; count: number; resolve: () => void }[] = [];
  const matching = (pattern: RegExp) => lines.filter((l) => pattern.test(l)).length;
  const write = (message: string, fields?: LogFields) => {
    lines.push(fields ? `${message} ${JSON.stringify(fields)}` : message);
    for (const w of waiters.splice(0)) {
      if (matching(w.pattern) >= w.count) w.resolve();
      else waiters.push(w);
    }
  };
  const logger: Logger = { debug: write, info: write, warn: write, error: write };
  // The loop's timers are unref'd (the server keeps a process alive); this timeout stands in.
  const until = (pattern: RegExp, count = 1) =>
    new Promise<void>((resolve, reject) => {
      if (matching(pattern) >= count) return resolve();
      const timeout = setTimeout(
        () => reject(new Error(`no log line ${pattern}:\n${lines.join('\n')}`)),
        60_000,
      );
      waiters.push({ pattern, count, resolve: () => (clearTimeout(timeout), resolve()) });
    });
  return { logger, lines, until };
}

describe('storage garbage collection against a real kube-apiserver', { timeout: 600_000 }, () => {
  before(async () => {
    const ports = {
      apiserverPort: await freePort(),
      etcdPort: await freePort(),
      etcdPeerPort: await freePort(),
    };
    kubeconfig = (await clusterUp({ paths, ports })).kubeconfig;
    kc = loadKubeConfig(kubeconfig);
    await createWorkloads();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-cleanup-store-'));
    store = openSqliteStore({ file: path.join(storeDir, 'storage.sqlite') });
  });
  after(async () => {
    store?.close();
    if (storeDir) fs.rmSync(storeDir, { recursive: true, force: true });
    await clusterDown({ paths, wipe: true });
    paths.cleanup();
  });

  it('collects instance IDs, image IDs, template hashes and top-owner WLIDs from pods and workloads', async () => {
    state = await collectRunningState(kc);
    const expectedIds = [
      ...(await instanceIdsOf(`${rsName}-x7k2p`)),
      ...(await instanceIdsOf('nightly-29000000-q9z4t')),
      ...(await instanceIdsOf('debug')),
    ];
    assert.ok(expectedIds.includes(webApp));
    assert.ok(expectedIds.some((id) => id.endsWith('/initContainerName-init')));
    assert.deepEqual([...state.instanceIDs].sort(), expectedIds.sort());
    for (const id of [webImageId, initImageId, jobImageId, `docker-pullable://busybox@${digest('4')}`]) {
      assert.ok(state.imageIDs.has(id), `image ID ${id}`);
    }
    assert.deepEqual([...(state.templateHashes.get(ns) ?? [])], [hash]);
    const wlids = Object.fromEntries(
      [...state.wlids].filter(([w]) => w.includes(`namespace-${ns}/`)).map(([w, c]) => [w, [...c].sort()]),
    );
    assert.deepEqual(wlids, {
      [formatWlid('', ns, 'Deployment', 'web')]: ['app', 'init'],
      [formatWlid('', ns, 'ReplicaSet', rsName)]: ['app', 'init'],
      [formatWlid('', ns, 'CronJob', 'nightly')]: ['report'],
      [formatWlid('', ns, 'Job', 'nightly-29000000')]: ['report'],
      [formatWlid('', ns, 'Pod', 'debug')]: ['shell'],
    });
  });

  it('plans to delete exactly the orphans', () => {
    fillStore();
    const actions = planCleanup(state, listCleanupObjects(store));
    assert.deepEqual(actions.map(keyOf).sort(), orphans);
    for (const a of actions) assert.ok(a.reason.length > 0 && a.resourceVersion !== undefined);
  });

  it('deletes nothing in a dry run and says what it would delete', async () => {
    const before = storedKeys();
    const { logger, lines } = recordingLogger();
    const result = await runCleanup({ store, kc, dryRun: true, logger });
    assert.equal(result?.deleted, orphans.length);
    assert.deepEqual(storedKeys(), before);
    assert.equal(lines.filter((l) => l.startsWith('cleanup: would delete ')).length, orphans.length);
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(`^cleanup: ${orphans.length} would be deleted, \\d+ kept, took \\d+ ms$`),
    );

    const loop = recordingLogger();
    const stop = startCleanupLoop({
      store,
      kc,
      intervalMs: 3_600_000,
      initialDelayMs: 0,
      dryRun: true,
      logger: loop.logger,
    });
    await loop.until(/^cleanup: \d+ would be deleted/);
    stop();
    assert.deepEqual(storedKeys(), before);
  });

  it('runs from the loop, deletes exactly the orphans, one log line each, then nothing more', async () => {
    const expectedKept = storedKeys().filter((k) => !orphans.includes(k));
    const { logger, lines, until } = recordingLogger();
    const stop = startCleanupLoop({ store, kc, intervalMs: 3_600_000, initialDelayMs: 0, logger });
    await until(/^cleanup: \d+ deleted/);
    stop();
    assert.deepEqual(storedKeys(), expectedKept);
    assert.equal(lines.filter((l) => l.startsWith('cleanup: deleted ')).length, orphans.length);
    const kept = storedKeys().length - 1; // knownservers have no rule: not looked at
    assert.ok(
      lines.some((l) =>
        new RegExp(`^cleanup: ${orphans.length} deleted, ${kept} kept, took \\d+ ms$`).test(l),
      ),
      lines.join('\n'),
    );

    const again = await runCleanup({ store, kc });
    assert.equal(again?.deleted, 0);
  });

  it('survives API errors: logs them and tries again next interval', async () => {
    const unreachable = loadKubeConfig(kubeconfig);
    const cluster = unreachable.getCurrentCluster()!;
    const port = await freePort();
    unreachable.clusters = unreachable.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${port}` } : c,
    );
    const { logger, lines, until } = recordingLogger();
    const stop = startCleanupLoop({ store, kc: unreachable, intervalMs: 1000, initialDelayMs: 0, logger });
    await until(/^cleanup failed; next try in 1s/, 2);
    stop();
    assert.match(lines.join('\n'), /cannot list/);
    const count = lines.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(lines.length, count, 'no run after stop');
  });
});
