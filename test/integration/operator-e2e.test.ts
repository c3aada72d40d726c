// The in-cluster system end to end, started the way `kubeguard dev up` starts it (devUp: control
// plane, registry, test images, storage, CRDs, vulnerability database, the posture / kubevuln /
// operator daemons, the demo workloads and both scheduler triggers), on free ports in a state
// directory of its own. Results are read back with kubectl, as a user would; the test plays
// controller-manager and kubelet for new workloads (runWorkload) and restarts processes under the
// services to check what survives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { streamLogger } from '../../src/common/index.ts';
import type { DevUpResult, RegistryInfo, RunningWorkload, WorkloadSpec } from '../../src/devenv/index.ts';
import {
  DevKubeApi,
  clusterDown,
  clusterStatus,
  clusterUp,
  containerImage,
  deleteWorkload,
  devUp,
  freePort,
  imageLayoutDir,
  pushImageVariants,
  pushLayout,
  registryClientFor,
  registryDown,
  registryUp,
  runWorkload,
  servicesDown,
  servicesStatus,
  servicesUp,
  storageDown,
  storageStatus,
  storageUp,
  testImages,
  triggerScan,
  vulndataDir,
} from '../../src/devenv/index.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';

const paths = isolatedPaths('operator-e2e');
const skip = fs.existsSync(path.join(vulndataDir(paths), 'osv'))
  ? false
  : `vulndata not found at ${vulndataDir(paths)}`;
const logger = process.env.KUBEGUARD_TEST_LOGS ? streamLogger({ prefix: 'e2e' }) : undefined;

const NS = 'demo';
const CLUSTER = 'kubeguard-dev';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Meta = {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
type Obj = { metadata: Meta; spec?: Record<string, unknown> };

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${lastError ? ` (${lastError})` : ''}`);
    await sleep(500);
  }
}

describe('the in-cluster system on the local control plane', { skip, timeout: 1_500_000 }, () => {
  let up: DevUpResult;
  let kubeconfig = '';
  let registry: RegistryInfo;
  let privateRegistry: RegistryInfo;
  let api: DevKubeApi;
  const created: RunningWorkload[] = [];

  const list = async (kind: string, namespace: string): Promise<Obj[]> =>
    (JSON.parse(await kubectl(kubeconfig, ['-n', namespace, 'get', kind, '-o', 'json'])) as { items: Obj[] })
      .items;
  const get = async (kind: string, namespace: string, name: string): Promise<Obj | undefined> => {
    try {
      return JSON.parse(await kubectl(kubeconfig, ['-n', namespace, 'get', kind, name, '-o', 'json'])) as Obj;
    } catch (err) {
      if (/NotFound|not found/.test((err as Error).message)) return undefined;
      throw err;
    }
  };
  const diagnostics = async () =>
    (await (await fetch(`${up.services.services.kubevuln.url}/v1/diagnostics`)).json()) as {
      imagesPulled: number;
      scansServedFromCache: number;
      queue: { queued: number; running: number };
    };
  /** The non-filtered manifests in kubescape whose image-id names this digest. */
  const manifestsOf = async (digest: string) =>
    (await list('vulnerabilitymanifests', 'kubescape')).filter(
      (m) =>
        m.metadata.labels?.['kubescape.io/context'] === 'non-filtered' &&
        m.metadata.annotations?.['kubescape.io/image-id']?.endsWith(`@${digest}`),
    );
  const deployment = (
    name: string,
    image: string,
    digest: string,
    extra: Partial<WorkloadSpec> = {},
  ): WorkloadSpec => ({
    kind: 'Deployment',
    namespace: NS,
    name,
    containers: [containerImage('main', image, digest)],
    podSpec: { containers: [{ name: 'main', image }] },
    ...extra,
  });
  const start = async (spec: WorkloadSpec) => {
    const running = await runWorkload(api, spec);
    created.push(running);
    return running;
  };
  /** Waits for the workload's summaries and its image's manifest. */
  const scanned = async (name: string, digest: string, timeoutMs = 120_000) => {
    const summary = await eventually(`VulnerabilityManifestSummary deployment-${name}-main`, () => get('vulnerabilitymanifestsummaries', NS, `deployment-${name}-main`), timeoutMs);
    const posture = await eventually(`WorkloadConfigurationScanSummary deployment-${name}`, () => get('workloadconfigurationscansummaries', NS, `deployment-${name}`), timeoutMs);
    const [manifest] = await eventually(`the VulnerabilityManifest of ${digest}`, async () => {
      const found = await manifestsOf(digest);
      return found.length > 0 ? found : undefined;
    }, timeoutMs);
    return { summary, posture, manifest: manifest! };
  }; // prettier-ignore

  before(async () => {
    const ports = new Set<number>();
    while (ports.size < 10) ports.add(await freePort());
    const [
      apiserverPort,
      etcdPort,
      etcdPeerPort,
      registryPort,
      privatePort,
      storagePort,
      posture,
      kubevuln,
      operator,
    ] = [...ports] as number[];
    // Basic auth over plain HTTP on loopback: the private registry of the "unauthorize" case.
    privateRegistry = await registryUp(paths, {
      name: 'private',
      port: privatePort!,
      auth: { username: 'puller', password: 'n0t-public' },
    });
    up = await devUp(paths, logger, {
      clusterPorts: { apiserverPort, etcdPort, etcdPeerPort },
      registryPort,
      storagePort,
      services: { ports: { posture, kubevuln, operator } },
      resultsTimeoutMs: 300_000,
    });
    kubeconfig = up.cluster.kubeconfig;
    registry = up.registry;
    api = new DevKubeApi(paths);
  });

  after(async () => {
    api?.close();
    if (process.env.KUBEGUARD_KEEP_E2E) return;
    await servicesDown(paths, { wipe: true });
    await storageDown(paths, { wipe: true });
    await registryDown(paths, { name: 'private', wipe: true });
    await registryDown(paths, { name: 'default', wipe: true });
    await clusterDown({ paths, wipe: true });
    paths.cleanup();
  });

  it('dev up: one VulnerabilityManifestSummary per workload container, one WorkloadConfigurationScanSummary per workload, one VulnerabilityManifest per image', async () => {
    assert.ok(up.results?.done, `demo results: ${JSON.stringify(up.results)}`);
    assert.equal(up.services.dbReady, true);
    const demo = up.demo!;
    assert.equal(demo.images.length, 4);

    const summaries = await list('vulnerabilitymanifestsummaries', NS);
    assert.deepEqual(
      summaries.map((s) => s.metadata.name).sort(),
      ['deployment-cache-cache', 'deployment-shop-backend', 'deployment-shop-frontend', 'deployment-web-app', 'pod-debug-debug'],
    );
    for (const s of summaries) {
      const labels = s.metadata.labels ?? {};
      const [kind, name, container] = [labels['kubescape.io/workload-kind'], labels['kubescape.io/workload-name'], labels['kubescape.io/workload-container-name']];
      assert.equal(s.metadata.name, `${kind}-${name}-${container}`);
      assert.equal(labels['kubescape.io/workload-namespace'], NS);
      assert.equal(labels['kubescape.io/context'], 'non-filtered');
      assert.equal(s.metadata.annotations?.['kubescape.io/wlid'], `wlid://cluster-${CLUSTER}/namespace-${NS}/${kind}-${name}`);
    } // prettier-ignore

    // One posture summary per workload; owned ReplicaSets and Pods are scanned through their Deployment.
    const posture = await list('workloadconfigurationscansummaries', NS);
    const byName = new Map(posture.map((p) => [p.metadata.name, p]));
    for (const [kind, name] of [['deployment', 'web'], ['deployment', 'cache'], ['deployment', 'shop'], ['pod', 'debug']] as const) {
      const summary = byName.get(`${kind}-${name}`);
      assert.ok(summary, `no WorkloadConfigurationScanSummary ${kind}-${name} in ${[...byName.keys()].join(', ')}`);
      assert.equal(summary.metadata.labels?.['kubescape.io/workload-kind'], kind);
      assert.equal(summary.metadata.labels?.['kubescape.io/workload-name'], name);
      assert.equal(summary.metadata.labels?.['kubescape.io/workload-namespace'], NS);
    } // prettier-ignore
    // Lists carry metadata only (Kubescape's storage convention): read the objects for their spec.
    type Controls = { controls: Record<string, { status: { status: string } }> };
    const statusOf = async (name: string, control: string) =>
      ((await get('workloadconfigurationscansummaries', NS, name))!.spec as Controls).controls[control]?.status.status;
    assert.equal(await statusOf('deployment-web', 'C-0057'), 'failed', 'the privileged web container fails C-0057');
    assert.equal(await statusOf('deployment-cache', 'C-0057'), 'passed');
    const full = await get('workloadconfigurationscans', NS, 'deployment-web');
    assert.ok(full, 'the full WorkloadConfigurationScan is stored too');

    const manifests = (await list('vulnerabilitymanifests', 'kubescape')).filter((m) => m.metadata.labels?.['kubescape.io/context'] === 'non-filtered');
    for (const digest of demo.images) {
      const of = manifests.filter((m) => m.metadata.annotations?.['kubescape.io/image-id']?.endsWith(`@${digest}`));
      assert.equal(of.length, 1, `one manifest for ${digest}`);
      assert.equal(of[0]!.metadata.annotations?.['kubescape.io/status'], 'ready');
    }
    for (const item of summaries) {
      const s = (await get('vulnerabilitymanifestsummaries', NS, item.metadata.name))!;
      const ref = (s.spec as { vulnerabilitiesRef: { all: { name: string; kind: string } } }).vulnerabilitiesRef.all;
      assert.ok(manifests.some((m) => m.metadata.name === ref.name), `${s.metadata.name} points at a stored manifest (${ref.name})`);
    }
    // Continuous scanning and the scheduled scan both saw the pods: still one pull per digest.
    assert.equal((await diagnostics()).imagesPulled, demo.images.length);
    const table = await kubectl(kubeconfig, ['get', 'vulnerabilitysummaries']);
    assert.match(table, new RegExp(`^${NS}\\s`, 'm'));
  }); // prettier-ignore

  it('a new Deployment with a new image gets its results without any trigger; deleting it removes them', async () => {
    const pulled = (await diagnostics()).imagesPulled;
    const [variant] = await pushImageVariants(paths, registry, { repository: 'e2e/extra', count: 1 });
    const workload = await start(deployment('extra', variant!.reference, variant!.digest));
    const { summary, manifest } = await scanned('extra', variant!.digest);
    assert.equal(summary.metadata.labels?.['kubescape.io/workload-name'], 'extra');
    assert.equal(manifest.metadata.annotations?.['kubescape.io/image-tag'], variant!.reference);
    assert.equal((await diagnostics()).imagesPulled, pulled + 1);

    await deleteWorkload(api, workload);
    await eventually('the results of the deleted Deployment to go', async () => {
      const left = await Promise.all([
        get('vulnerabilitymanifestsummaries', NS, 'deployment-extra-main'),
        get('workloadconfigurationscansummaries', NS, 'deployment-extra'),
        get('workloadconfigurationscans', NS, 'deployment-extra'),
      ]);
      return left.every((o) => o === undefined);
    });
  });

  it('an image pushed under two tags is pulled once', async () => {
    const debian = testImages.find((i) => i.name === 'test/debian:12-minbase')!;
    const client = registryClientFor(registry);
    const stable = `${registry.address}/test/debian:stable`;
    let digest = '';
    try {
      digest = await pushLayout(client, imageLayoutDir(paths, debian), stable);
    } finally {
      await client.close();
    }
    assert.ok(up.demo!.images.includes(digest), 'the same digest as the demo web image');
    const before = await diagnostics();
    await start(deployment('stable', stable, digest));
    await scanned('stable', digest);
    const manifests = await manifestsOf(digest);
    assert.deepEqual(manifests.map((m) => m.metadata.annotations?.['kubescape.io/image-tag']).sort(), [
      `${registry.address}/test/debian:12-minbase`,
      stable,
    ]);
    const after = await diagnostics();
    assert.equal(after.imagesPulled, before.imagesPulled, 'no second pull of the same digest');
    assert.ok(after.scansServedFromCache > before.scansServedFromCache);
  });

  it('a private image reports unauthorize without its imagePullSecret and scans with it', async () => {
    const [image] = await pushImageVariants(paths, privateRegistry, {
      repository: 'private/app',
      count: 1,
      tagPrefix: 'p',
    });
    const sbomOf = async () =>
      (await list('sbomsyfts', 'kubescape')).find(
        (s) => s.metadata.annotations?.['kubescape.io/image-tag'] === image!.reference,
      );
    await start(deployment('private-denied', image!.reference, image!.digest));
    const marker = await eventually('the unauthorize marker', async () => {
      const sbom = await sbomOf();
      return sbom?.metadata.annotations?.['kubescape.io/status'] === 'unauthorize' ? sbom : undefined;
    });
    assert.ok(marker);
    assert.equal(
      await get('vulnerabilitymanifestsummaries', NS, 'deployment-private-denied-main'),
      undefined,
    );

    const auth = Buffer.from('puller:n0t-public').toString('base64');
    await kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'private-pull', namespace: NS },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [privateRegistry.address]: { auth } } })).toString('base64') },
    })); // prettier-ignore
    const spec = deployment('private-ok', image!.reference, image!.digest);
    spec.podSpec = { ...spec.podSpec, imagePullSecrets: [{ name: 'private-pull' }] };
    await start(spec);
    const { manifest } = await scanned('private-ok', image!.digest);
    assert.equal(manifest.metadata.annotations?.['kubescape.io/status'], 'ready');
    const sbom = await sbomOf();
    assert.equal(sbom?.metadata.annotations?.['kubescape.io/status'], 'ready');
  });

  it('SIGKILL of kubevuln in the middle of a scan leaves no half-written object, and the restarted one finishes it', async () => {
    // A Debian variant: a few seconds of reading and matching, long enough to be killed mid-scan.
    const [image] = await pushImageVariants(paths, registry, { base: 'test/debian:12-minbase', repository: 'e2e/crash', count: 1 });
    const kubevuln = (await servicesStatus(paths)).find((s) => s.role === 'kubevuln')!;
    const others = (await servicesStatus(paths)).filter((s) => s.role !== 'kubevuln').map((s) => s.pid);
    await start(deployment('crash', image!.reference, image!.digest));
    await eventually('kubevuln to be scanning', async () => (await diagnostics()).queue.running > 0, 60_000);
    await sleep(300);
    assert.equal((await diagnostics()).queue.running, 1, 'still scanning when killed');
    process.kill(kubevuln.pid!, 'SIGKILL');
    await eventually('kubevuln to be gone', async () => !fs.existsSync(`/proc/${kubevuln.pid}`) || fs.readFileSync(`/proc/${kubevuln.pid}/stat`, 'utf8').includes(') Z'), 10_000);

    // Every object present is complete: parseable, with a final status and its payload.
    const finalStatuses = new Set(['ready', 'completed', 'incomplete', 'too-large', 'unauthorize']);
    for (const [kind, payload] of [['sbomsyfts', 'syft'], ['sbomspdxv2p3s', 'spdx'], ['vulnerabilitymanifests', 'payload']] as const) {
      for (const item of await list(kind, 'kubescape')) {
        const full = await get(kind, 'kubescape', item.metadata.name);
        assert.ok(full, `${kind}/${item.metadata.name} can be read`);
        const status = full.metadata.annotations?.['kubescape.io/status'] ?? '';
        assert.ok(finalStatuses.has(status), `${kind}/${item.metadata.name} has a final status ("${status}")`);
        if (status === 'ready') assert.ok(full.spec?.[payload] ?? (full.spec?.['metadata'] && full.spec?.['payload']), `${kind}/${item.metadata.name} has its ${payload}`);
      }
    }
    for (const item of await list('vulnerabilitymanifestsummaries', NS)) {
      const full = await get('vulnerabilitymanifestsummaries', NS, item.metadata.name);
      assert.ok((full?.spec as { vulnerabilitiesRef?: unknown } | undefined)?.vulnerabilitiesRef, `${item.metadata.name} is complete`);
    }

    // `dev services up` again starts only what is not running.
    const restarted = await servicesUp(paths);
    assert.notEqual(restarted.services.kubevuln.pid, kubevuln.pid);
    assert.deepEqual([restarted.services.posture.pid, restarted.services.operator.pid], others);
    // The operator sent the scan before the crash (it answered 200); the next scheduled scan sends it again.
    await triggerScan(paths, up.services.services.operator.url, 'vuln-scan');
    const { manifest, summary } = await scanned('crash', image!.digest);
    assert.equal(manifest.metadata.annotations?.['kubescape.io/status'], 'ready');
    assert.ok((await get('vulnerabilitymanifests', 'kubescape', manifest.metadata.name))?.spec?.['payload']);
    assert.ok(summary.spec?.['vulnerabilitiesRef']);
  }); // prettier-ignore

  it('after a kube-apiserver restart the watches resume and nothing is scanned twice', async () => {
    const before = await diagnostics();
    const logs = Object.fromEntries((await servicesStatus(paths)).map((s) => [s.role, s.logFile]));
    const lines = (role: string, pattern: string) =>
      fs
        .readFileSync(logs[role]!, 'utf8')
        .split('\n')
        .filter((l) => l.includes(pattern));
    const posture0 = lines('posture', 'scan requested').length;
    const kubevuln0 = lines('kubevuln', 'scan accepted').length;
    const status = await clusterStatus(paths);
    const pid = status.info!.apiserverPid!;
    process.kill(pid, 'SIGTERM');
    await eventually('kube-apiserver to stop', async () => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), 60_000); // prettier-ignore
    await sleep(2000);
    await clusterUp({ paths });
    // The informers relist after the reconnect (backoff up to 30 s) and the cooldown (5 s) passes.
    const [image] = await pushImageVariants(paths, registry, { repository: 'e2e/after-restart', count: 1 });
    await start(deployment('after-restart', image!.reference, image!.digest));
    await scanned('after-restart', image!.digest, 180_000);
    await sleep(8000);
    const after = await diagnostics();
    assert.equal(after.imagesPulled, before.imagesPulled + 1, 'only the new image was pulled');
    // The relist after the reconnect sent nothing for objects that did not change.
    const postureScans = lines('posture', 'scan requested').slice(posture0);
    assert.deepEqual(
      postureScans.filter((l) => !l.includes('after-restart')),
      [],
      'no posture rescan of unchanged objects',
    );
    assert.ok(postureScans.length >= 1);
    const imageScans = lines('kubevuln', 'scan accepted').slice(kubevuln0);
    assert.deepEqual(
      imageScans.filter((l) => !l.includes('after-restart')),
      [],
      'no image scan request for unchanged pods',
    );
  });

  it('after a storage restart the writes made meanwhile are retried and nothing is lost', async () => {
    const storage = storageStatus(paths);
    process.kill(storage.pid!, 'SIGTERM');
    await eventually('the storage to stop', async () => storageStatus(paths).state !== 'running', 30_000);
    const [image] = await pushImageVariants(paths, registry, { repository: 'e2e/during-storage', count: 1 });
    await start(deployment('during-storage', image!.reference, image!.digest));
    // Cooldown (5 s) plus a few seconds of failing writes before the storage comes back.
    await sleep(10_000);
    await storageUp(paths);
    await scanned('during-storage', image!.digest, 180_000);
    // Everything written before the restart is still there.
    for (const name of ['deployment-web-app', 'deployment-private-ok-main', 'deployment-crash-main']) {
      assert.ok(await get('vulnerabilitymanifestsummaries', NS, name), `${name} survived`);
    }
  });
});
