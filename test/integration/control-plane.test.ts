import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { isKubeguardError } from '../../src/common/index.ts';
import type { ClusterInfo } from '../../src/devenv/index.ts';
import {
  clusterDown,
  clusterLayout,
  clusterStatus,
  clusterUp,
  freePort,
  userKubeconfig,
} from '../../src/devenv/index.ts';
import { loadKubeConfig } from '../../src/k8s/index.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';

const paths = isolatedPaths('control-plane');
let ports: { apiserverPort: number; etcdPort: number; etcdPeerPort: number };
let cluster: ClusterInfo;

describe('local control plane (real etcd + kube-apiserver)', { timeout: 600_000 }, () => {
  before(async () => {
    ports = { apiserverPort: await freePort(), etcdPort: await freePort(), etcdPeerPort: await freePort() };
    cluster = await clusterUp({ paths, ports });
  });
  after(async () => {
    await clusterDown({ paths, wipe: true });
    paths.cleanup();
  });

  it('serves kubectl with the built-in namespaces and API resources', async () => {
    const namespaces = await kubectl(cluster.kubeconfig, ['get', 'namespaces', '-o', 'name']);
    for (const ns of ['default', 'kube-system', 'kube-public'])
      assert.match(namespaces, new RegExp(`namespace/${ns}\\b`));
    const resources = await kubectl(cluster.kubeconfig, ['api-resources', '-o', 'name']);
    for (const r of [
      'pods',
      'deployments.apps',
      'cronjobs.batch',
      'apiservices.apiregistration.k8s.io',
      'customresourcedefinitions.apiextensions.k8s.io',
    ]) {
      assert.ok(resources.split('\n').includes(r), `api-resources lacks ${r}`);
    }
    const version = await kubectl(cluster.kubeconfig, ['version', '-o', 'json']);
    assert.equal(
      (JSON.parse(version) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion,
      cluster.config.kubeVersion,
    );
  });

  it('publishes the front-proxy CA that aggregated API servers trust', async () => {
    const cm = await kubectl(cluster.kubeconfig, [
      '-n',
      'kube-system',
      'get',
      'configmap',
      'extension-apiserver-authentication',
      '-o',
      'json',
    ]);
    const data = (JSON.parse(cm) as { data: Record<string, string> }).data;
    assert.match(data['requestheader-client-ca-file'] ?? '', /BEGIN CERTIFICATE/);
    assert.equal(data['requestheader-username-headers'], '["X-Remote-User"]');
    assert.equal(data['requestheader-allowed-names'], '["front-proxy-client"]');
  });

  it("works with the project's own client and lets tests play kubelet through pods/status", async () => {
    const core = loadKubeConfig(cluster.kubeconfig).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'demo' } } });
    await core.createNamespacedConfigMap({
      namespace: 'demo',
      body: { metadata: { name: 'keep-me' }, data: { a: '1' } },
    });
    await kubectl(
      cluster.kubeconfig,
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'demo' },
        spec: { containers: [{ name: 'app', image: '127.0.0.1:5000/test/busybox:1.35' }] },
      }),
    );
    const imageID = `127.0.0.1:5000/test/busybox@sha256:${'1'.repeat(64)}`;
    await kubectl(cluster.kubeconfig, [
      '-n', 'demo', 'patch', 'pod', 'web', '--subresource=status', '--type=merge', '-p',
      JSON.stringify({
        status: {
          phase: 'Running',
          containerStatuses: [
            { name: 'app', image: '127.0.0.1:5000/test/busybox:1.35', imageID, ready: true, restartCount: 0, started: true, state: { running: { startedAt: new Date().toISOString() } } },
          ],
        },
      }),
    ]); // prettier-ignore
    const pod = await core.readNamespacedPod({ name: 'web', namespace: 'demo' });
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status?.containerStatuses?.[0]?.imageID, imageID);
  });

  it('refuses a user without RBAC permission', async () => {
    const file = `${paths.stateDir}/nobody.kubeconfig`;
    fs.writeFileSync(file, await userKubeconfig(paths, 'nobody'));
    await assert.rejects(kubectl(file, ['get', 'pods', '-n', 'demo']), /Forbidden|forbidden/);
    assert.equal(
      (await kubectl(file, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim(),
      'nobody',
    );
  });

  it('keeps objects when killed and restarted with the same data directory', async () => {
    const layout = clusterLayout(paths);
    for (const daemon of [layout.apiserver, layout.etcd]) {
      process.kill(Number(fs.readFileSync(daemon.pidFile, 'utf8')), 'SIGKILL');
    }
    while ((await clusterStatus(paths)).etcd === 'running') await new Promise((r) => setTimeout(r, 20));
    const down = await clusterStatus(paths);
    assert.equal(down.ready, false);
    cluster = await clusterUp({ paths });
    assert.equal(cluster.config.apiserverPort, ports.apiserverPort, 'ports are remembered');
    const cm = await kubectl(cluster.kubeconfig, [
      '-n',
      'demo',
      'get',
      'configmap',
      'keep-me',
      '-o',
      'jsonpath={.data.a}',
    ]);
    assert.equal(cm, '1');
  });

  it('says which port is taken and how to choose another', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port }, resolve));
    const other = isolatedPaths('port-clash');
    try {
      await assert.rejects(
        clusterUp({
          paths: other,
          ports: { apiserverPort: port, etcdPort: await freePort(), etcdPeerPort: await freePort() },
        }),
        (err) =>
          isKubeguardError(err, 'KG_ERR_PORT_IN_USE') &&
          err.message.includes(`127.0.0.1:${port}`) &&
          (err.hint ?? '').includes('--apiserver-port'),
      );
    } finally {
      blocker.close();
      await clusterDown({ paths: other, wipe: true });
      other.cleanup();
    }
  });

  it('replaces a stale PID file instead of trusting it', async () => {
    const layout = clusterLayout(paths);
    await clusterDown({ paths });
    fs.writeFileSync(layout.apiserver.pidFile, '999999\n');
    const status = await clusterStatus(paths);
    assert.equal(status.apiserver, 'stale');
    cluster = await clusterUp({ paths });
    assert.equal((await clusterStatus(paths)).ready, true);
  });

  it('stops exactly the processes it started', async () => {
    const layout = clusterLayout(paths);
    const pids = [layout.apiserver, layout.etcd].map((d) => Number(fs.readFileSync(d.pidFile, 'utf8')));
    await clusterDown({ paths });
    for (const pid of pids) assert.equal(fs.existsSync(`/proc/${pid}`), false, `process ${pid} still runs`);
    const status = await clusterStatus(paths);
    assert.deepEqual([status.etcd, status.apiserver, status.ready], ['stopped', 'stopped', false]);
  });
});
