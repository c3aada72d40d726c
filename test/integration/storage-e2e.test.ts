import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  clusterDown,
  clusterUp,
  freePort,
  storageDown,
  storageLayout,
  storageUp,
  userKubeconfig,
} from '../../src/devenv/index.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';
import { client } from '../kit/http.ts';

const paths = isolatedPaths('storage-e2e');
let kubeconfig = '';
let storagePort = 0;

const manifestYaml = (name: string, critical = 1) => `
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: VulnerabilityManifest
metadata:
  name: ${name}
  namespace: kubescape
  labels:
    kubescape.io/context: non-filtered
    kubescape.io/image-name: docker-io-library-nginx
  annotations:
    kubescape.io/image-tag: docker.io/library/nginx:1.25
    kubescape.io/status: ready
spec:
  metadata:
    withRelevancy: false
    tool: {name: grype, version: v0.104.1, databaseVersion: test}
    report: {createdAt: null}
  payload:
    matches:
${Array.from(
  { length: critical },
  (
    _,
    i,
  ) => `    - vulnerability: {id: CVE-2024-${i + 1}, dataSource: "", severity: Critical, urls: [], cvss: [], fix: {versions: ["1.2"], state: fixed}}
      relatedVulnerabilities: []
      matchDetails: []
      artifact: {name: openssl, version: "3.0.11", type: deb, locations: [], language: "", licenses: [], cpes: [], purl: "pkg:deb/debian/openssl@3.0.11"}`,
).join('\n')}
    source: null
    distro: {name: debian, version: "12", idLike: []}
    descriptor: {name: kubeguard, version: 0.1.0}
`;

describe('storage registered with the real kube-apiserver, used with kubectl', { timeout: 600_000 }, () => {
  before(async () => {
    const cluster = await clusterUp({
      paths,
      ports: { apiserverPort: await freePort(), etcdPort: await freePort(), etcdPeerPort: await freePort() },
    });
    kubeconfig = cluster.kubeconfig;
    storagePort = (await storageUp(paths, { port: await freePort() })).port;
  });
  after(async () => {
    await storageDown(paths, { wipe: true });
    await clusterDown({ paths, wipe: true });
    paths.cleanup();
  });

  it('lists the kinds in kubectl api-resources', async () => {
    const out = await kubectl(kubeconfig, [
      'api-resources',
      '--api-group=spdx.softwarecomposition.kubescape.io',
      '--no-headers',
    ]);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    const byName = new Map(rows.map((r) => [r[0], r]));
    for (const [name, namespaced, kind] of [
      ['configurationscansummaries', 'false', 'ConfigurationScanSummary'],
      ['sbomspdxv2p3filtereds', 'true', 'SBOMSPDXv2p3Filtered'],
      ['sbomspdxv2p3s', 'true', 'SBOMSPDXv2p3'],
      ['sbomsummaries', 'true', 'SBOMSummary'],
      ['vulnerabilitymanifests', 'true', 'VulnerabilityManifest'],
      ['vulnerabilitymanifestsummaries', 'true', 'VulnerabilityManifestSummary'],
      ['vulnerabilitysummaries', 'false', 'VulnerabilitySummary'],
      ['workloadconfigurationscans', 'true', 'WorkloadConfigurationScan'],
      ['workloadconfigurationscansummaries', 'true', 'WorkloadConfigurationScanSummary'],
      ['sbomsyfts', 'true', 'SBOMSyft'],
      ['applicationprofiles', 'true', 'ApplicationProfile'],
      ['networkneighborhoods', 'true', 'NetworkNeighborhood'],
    ]) {
      const row = byName.get(name);
      assert.ok(row, `api-resources lacks ${name}:\n${out}`);
      assert.equal(row.at(-1), kind);
      assert.equal(row.at(-2), namespaced);
    }
  });

  it('kubectl apply, get -A, -o yaml, -l, --field-selector, explain', async () => {
    assert.match(
      await kubectl(kubeconfig, ['apply', '-f', '-'], manifestYaml('nginx-1-25-abc123', 2)),
      /created/,
    );
    assert.match(
      await kubectl(kubeconfig, ['apply', '-f', '-'], manifestYaml('redis-7-def456', 1)),
      /created/,
    );
    const table = await kubectl(kubeconfig, ['get', 'vulnerabilitymanifests', '-A']);
    assert.match(table, /NAMESPACE\s+NAME\s+IMAGE\s+STATUS\s+CRITICAL\s+HIGH/);
    assert.match(table, /kubescape\s+nginx-1-25-abc123\s+docker.io\/library\/nginx:1.25\s+ready\s+2\s+0/);
    const yaml = await kubectl(kubeconfig, [
      '-n',
      'kubescape',
      'get',
      'vulnerabilitymanifest',
      'nginx-1-25-abc123',
      '-o',
      'yaml',
    ]);
    assert.match(yaml, /CVE-2024-2/);
    assert.match(yaml, /kind: VulnerabilityManifest/);
    const selected = await kubectl(kubeconfig, [
      'get',
      'vulnerabilitymanifests',
      '-A',
      '-l',
      'kubescape.io/context=non-filtered',
      '-o',
      'name',
    ]);
    assert.equal(selected.trim().split('\n').length, 2);
    const none = await kubectl(kubeconfig, [
      'get',
      'vulnerabilitymanifests',
      '-A',
      '-l',
      'kubescape.io/context=filtered',
      '-o',
      'name',
    ]);
    assert.equal(none.trim(), '');
    const byField = await kubectl(kubeconfig, [
      'get',
      'vulnerabilitymanifests',
      '-A',
      '--field-selector',
      'metadata.name=redis-7-def456',
      '-o',
      'name',
    ]);
    assert.equal(
      byField.trim(),
      'vulnerabilitymanifest.spdx.softwarecomposition.kubescape.io/redis-7-def456',
    );
    // The aggregator downloads the OpenAPI document in the background after registration.
    let explain = '';
    for (let i = 0; i < 60 && !explain; i++) {
      explain = await kubectl(kubeconfig, ['explain', 'vulnerabilitymanifests.spec.payload']).catch(
        async () => {
          await new Promise((r) => setTimeout(r, 500));
          return '';
        },
      );
    }
    assert.match(explain, /matches\s+<\[\]Object>/);
  });

  it('kubectl get -w sees a later update', async () => {
    const watcher = spawn('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      'kubescape',
      'get',
      'vulnerabilitymanifests',
      '-w',
      '--output-watch-events',
    ]);
    let out = '';
    watcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const deadline = Date.now() + 15_000;
      while (!out.includes('ADDED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await kubectl(kubeconfig, [
        '-n',
        'kubescape',
        'label',
        'vulnerabilitymanifest',
        'redis-7-def456',
        'reviewed=yes',
      ]);
      while (!out.includes('MODIFIED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /EVENT\s+NAME\s+IMAGE/);
      assert.match(out, /MODIFIED\s+redis-7-def456\s+docker.io\/library\/nginx:1.25\s+ready\s+1/);
    } finally {
      watcher.kill();
    }
  });

  it('kubectl delete removes the object', async () => {
    assert.match(
      await kubectl(kubeconfig, ['-n', 'kubescape', 'delete', 'vulnerabilitymanifest', 'redis-7-def456']),
      /deleted/,
    );
    await assert.rejects(
      kubectl(kubeconfig, ['-n', 'kubescape', 'get', 'vulnerabilitymanifest', 'redis-7-def456']),
      /NotFound|not found/,
    );
  });

  it('authenticates bearer tokens with TokenReview and authorizes with SubjectAccessReview when called directly', async () => {
    await kubectl(kubeconfig, ['-n', 'kubescape', 'create', 'serviceaccount', 'reader']);
    await kubectl(kubeconfig, ['-n', 'kubescape', 'create', 'serviceaccount', 'stranger']);
    await kubectl(kubeconfig, [
      'create',
      'clusterrole',
      'vm-reader',
      '--verb=get,list,watch',
      '--resource=vulnerabilitymanifests.spdx.softwarecomposition.kubescape.io',
    ]);
    await kubectl(kubeconfig, [
      '-n',
      'kubescape',
      'create',
      'rolebinding',
      'reader',
      '--clusterrole=vm-reader',
      '--serviceaccount=kubescape:reader',
    ]);
    const token = (name: string) =>
      kubectl(kubeconfig, ['-n', 'kubescape', 'create', 'token', name]).then((t) => t.trim());
    const ca = fs.readFileSync(path.join(storageLayout(paths).dir, 'pki', 'ca.crt'));
    const http = client(`https://127.0.0.1:${storagePort}`, ca);
    const list =
      '/apis/spdx.softwarecomposition.kubescape.io/v1beta1/namespaces/kubescape/vulnerabilitymanifests';
    try {
      const ok = await http.request('GET', list, undefined, {
        authorization: `Bearer ${await token('reader')}`,
      });
      assert.equal(ok.status, 200, ok.text);
      const otherNamespace = await http.request('GET', list.replace('/kubescape/', '/default/'), undefined, {
        authorization: `Bearer ${await token('reader')}`,
      });
      assert.equal(otherNamespace.status, 403);
      const denied = await http.request('GET', list, undefined, {
        authorization: `Bearer ${await token('stranger')}`,
      });
      assert.equal(denied.status, 403);
      assert.match(denied.json<{ message: string }>().message, /system:serviceaccount:kubescape:stranger/);
      const bogus = await http.request('GET', list, undefined, { authorization: 'Bearer not-a-token' });
      assert.equal(bogus.status, 401);
      const anonymous = await http.request('GET', list);
      assert.equal(anonymous.status, 401);
      assert.equal((await http.request('GET', '/readyz')).status, 200);
    } finally {
      http.close();
    }
  });

  it('keeps stored results across a kill -9 and restart of the storage', async () => {
    const pid = Number(fs.readFileSync(storageLayout(paths).daemon.pidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    while (fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    storagePort = (await storageUp(paths, { port: storagePort })).port;
    const yaml = await kubectl(kubeconfig, [
      '-n',
      'kubescape',
      'get',
      'vulnerabilitymanifest',
      'nginx-1-25-abc123',
      '-o',
      'yaml',
    ]);
    assert.match(yaml, /CVE-2024-2/);
  });

  it('refuses a user without RBAC permission with 403', async () => {
    const file = `${paths.stateDir}/nobody.kubeconfig`;
    fs.writeFileSync(file, await userKubeconfig(paths, 'nobody'));
    await assert.rejects(kubectl(file, ['get', 'vulnerabilitymanifests', '-n', 'kubescape']), /forbidden/i);
  });
});
