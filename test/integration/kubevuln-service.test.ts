// The kubevuln role end to end: a real kube-apiserver + etcd with our storage registered, our
// registries (plain, and TLS + htpasswd) holding the project's Debian test image, a vulnerability
// database built from ../shared/vulndata. Scans go through the HTTP API; results are read back
// with kubectl, as a user would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { imageInfoToSlug } from '../../src/api/index.ts';
import type { RegistryInfo } from '../../src/devenv/index.ts';
import {
  clusterDown,
  clusterUp,
  freePort,
  imageLayoutDir,
  pushLayout,
  pushTestImages,
  registryClientFor,
  registryDown,
  registryUp,
  storageDown,
  storageUp,
  testImages,
} from '../../src/devenv/index.ts';
import { runKubevuln } from '../../src/services/index.ts';
import type { RunningKubevuln } from '../../src/services/index.ts';
import { buildDatabase } from '../../src/vuln/index.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';

const VULNDATA =
  process.env.KUBEGUARD_VULNDATA ?? path.resolve(import.meta.dirname, '../../../shared/vulndata');
const skip = fs.existsSync(path.join(VULNDATA, 'osv')) ? false : `vulndata not found at ${VULNDATA}`;

const paths = isolatedPaths('kubevuln');
const DEBIAN = 'test/debian:12-minbase';

interface JobStatusReply {
  state: string;
  phase: string;
  reason?: string;
  outcome?: string;
}

type Json = Record<string, unknown> & {
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: Record<string, unknown>;
};

describe('kubevuln service with kube-apiserver, storage and registries', { skip, timeout: 900_000 }, () => {
  let kubeconfig = '';
  let plain: RegistryInfo;
  let secure: RegistryInfo;
  let digest = '';
  let tmp = '';
  let kv: RunningKubevuln;

  const get = async (kind: string, namespace: string, name: string): Promise<Json> =>
    JSON.parse(await kubectl(kubeconfig, ['-n', namespace, 'get', kind, name, '-o', 'json'])) as Json;

  /** POSTs a command and waits for its job to end. */
  const scan = async (route: string, body: Record<string, unknown>): Promise<JobStatusReply> => {
    const res = await fetch(`${kv.url}${route}`, { method: 'POST', body: JSON.stringify(body) });
    const reply = (await res.json()) as { jobID: string; detail?: string };
    assert.equal(res.status, 200, reply.detail);
    for (const started = Date.now(); Date.now() - started < 300_000;) {
      const status = (await (await fetch(`${kv.url}/v1/scanStatus/${reply.jobID}`)).json()) as JobStatusReply;
      if (status.state !== 'queued' && status.state !== 'running') return status;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`job ${reply.jobID} did not finish`);
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubevuln-it-'));
    const dbPath = path.join(tmp, 'vulndb.sqlite');
    await buildDatabase({ output: dbPath, inputs: [path.join(VULNDATA, 'osv')] });
    const cluster = await clusterUp({
      paths,
      ports: { apiserverPort: await freePort(), etcdPort: await freePort(), etcdPeerPort: await freePort() },
    });
    kubeconfig = cluster.kubeconfig;
    await storageUp(paths, { port: await freePort() });
    plain = await registryUp(paths, { name: 'default', port: await freePort() });
    secure = await registryUp(paths, {
      name: 'secure',
      port: await freePort(),
      tls: true,
      auth: { username: 'puller', password: 'n0t-public' },
    });
    const [pushed] = await pushTestImages(paths, plain, { only: ['test/debian'] });
    digest = pushed!.digest;
    await pushTestImages(paths, secure, { only: ['test/debian'] });
    // A second tag of the same digest.
    const client = registryClientFor(plain);
    try {
      const image = testImages.find((i) => i.name === DEBIAN)!;
      assert.equal(
        await pushLayout(client, imageLayoutDir(paths, image), `${plain.address}/test/debian:stable`),
        digest,
      );
    } finally {
      await client.close();
    }
    kv = await runKubevuln({ port: 0, kubeconfig, dbPath, registryCaFile: secure.caFile! });
  });

  after(async () => {
    await kv?.close();
    await registryDown(paths, { name: 'secure', wipe: true });
    await registryDown(paths, { name: 'default', wipe: true });
    await storageDown(paths, { wipe: true });
    await clusterDown({ paths, wipe: true });
    paths.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is ready once the database is open', async () => {
    assert.equal((await fetch(`${kv.url}/v1/readiness`)).status, 200);
  });

  it('scanImage of the Debian image writes SBOMSyft, SBOMSPDXv2p3, VulnerabilityManifest and its summary', async () => {
    const tag = `${plain.address}/${DEBIAN}`;
    const wlid = 'wlid://cluster-dev/namespace-default/deployment-debian';
    const status = await scan('/v1/scanImage', {
      imageTag: tag,
      imageHash: `docker-pullable://${plain.address}/test/debian@${digest}`,
      wlid,
      containerName: 'debian',
      jobID: 'debian-1',
    });
    assert.equal(status.state, 'succeeded', status.reason);
    assert.equal(status.outcome, 'scanned');

    const slug = imageInfoToSlug(tag, `docker-pullable://${plain.address}/test/debian@${digest}`);
    const imageId = `${plain.address}/test/debian@${digest}`;
    const sbom = await get('sbomsyfts', 'kubescape', slug);
    assert.equal(sbom.metadata.annotations['kubescape.io/status'], 'ready');
    assert.equal(sbom.metadata.annotations['kubescape.io/image-id'], imageId);
    assert.equal(sbom.metadata.annotations['kubescape.io/image-tag'], tag);
    assert.ok(sbom.metadata.annotations['kubescape.io/tool-version']);
    assert.equal(sbom.metadata.labels['kubescape.io/sbom-type'], 'image');
    const syft = sbom.spec.syft as { artifacts: { name: string; foundBy: string }[] };
    assert.ok(syft.artifacts.length > 50, `${syft.artifacts.length} packages`);
    assert.ok(syft.artifacts.some((a) => a.name === 'libc6'));

    const spdx = await get('sbomspdxv2p3s', 'kubescape', slug);
    const spdxDoc = spdx.spec.spdx as { spdxVersion: string; packages: unknown[] };
    assert.equal(spdxDoc.spdxVersion, 'SPDX-2.3');
    assert.ok(spdxDoc.packages.length > 50);

    const manifest = await get('vulnerabilitymanifests', 'kubescape', slug);
    assert.equal(manifest.metadata.labels['kubescape.io/context'], 'non-filtered');
    assert.equal(manifest.metadata.annotations['kubescape.io/image-id'], imageId);
    assert.ok(manifest.metadata.annotations['kubescape.io/scan-id']);
    const meta = manifest.spec.metadata as { withRelevancy: boolean; tool: { databaseVersion: string } };
    assert.equal(meta.withRelevancy, false);
    assert.equal(meta.tool.databaseVersion, kv.db.version);
    const matches = (manifest.spec.payload as { matches: { artifact: { name: string } }[] }).matches;
    assert.ok(matches.length > 0, 'the Debian image has known vulnerabilities in the data set');
    assert.ok(matches.some((m) => m.artifact.name === 'libc6'));

    const summary = await get('vulnerabilitymanifestsummaries', 'default', 'deployment-debian-debian');
    assert.equal(summary.metadata.annotations['kubescape.io/wlid'], wlid);
    assert.equal(summary.metadata.labels['kubescape.io/workload-kind'], 'deployment');
    assert.equal(summary.metadata.labels['kubescape.io/workload-name'], 'debian');
    assert.equal(summary.metadata.labels['kubescape.io/workload-namespace'], 'default');
    assert.equal(summary.metadata.labels['kubescape.io/workload-container-name'], 'debian');
    const spec = summary.spec as {
      severities: Record<string, { all: number }>;
      vulnerabilitiesRef: { all: { name: string; namespace: string; kind: string } };
    };
    assert.deepEqual(spec.vulnerabilitiesRef.all, {
      namespace: 'default',
      name: slug,
      kind: 'vulnerabilitymanifests',
    });
    const counted = Object.values(spec.severities).reduce((n, c) => n + c.all, 0);
    assert.equal(counted, matches.length);
  });

  it('does not pull the same digest again for a second tag', async () => {
    const pulled = kv.counters.imagesPulled;
    const status = await scan('/v1/scanImage', {
      imageTag: `${plain.address}/test/debian:stable`,
      wlid: 'wlid://cluster-dev/namespace-default/deployment-debian-stable',
      containerName: 'debian',
    });
    assert.equal(status.state, 'succeeded', status.reason);
    assert.equal(status.outcome, 'copied');
    assert.equal(kv.counters.imagesPulled, pulled, 'no second pull');
    const slug = imageInfoToSlug(`${plain.address}/test/debian:stable`, digest);
    const manifest = await get('vulnerabilitymanifests', 'kubescape', slug);
    assert.equal(
      manifest.metadata.annotations['kubescape.io/image-tag'],
      `${plain.address}/test/debian:stable`,
    );
    assert.ok((manifest.spec.payload as { matches: unknown[] }).matches.length > 0);
    await get('sbomsyfts', 'kubescape', slug);
    const diagnostics = (await (await fetch(`${kv.url}/v1/diagnostics`)).json()) as {
      imagesPulled: number;
      scansServedFromCache: number;
    };
    assert.equal(diagnostics.imagesPulled, pulled);
    assert.ok(diagnostics.scansServedFromCache >= 1);
  });

  it('a private image ends unauthorize without credentials and scans with them', async () => {
    const tag = `${secure.address}/${DEBIAN}`;
    const denied = await scan('/v1/scanImage', { imageTag: tag, imageHash: digest });
    assert.equal(denied.state, 'failed');
    const slug = imageInfoToSlug(tag, digest);
    const marker = await get('sbomsyfts', 'kubescape', slug);
    assert.equal(marker.metadata.annotations['kubescape.io/status'], 'unauthorize');

    const allowed = await scan('/v1/scanImage', {
      imageTag: tag,
      imageHash: digest,
      credentialsList: [{ username: 'puller', password: 'n0t-public', serveraddress: secure.address }],
    });
    assert.equal(allowed.state, 'succeeded', allowed.reason);
    const sbom = await get('sbomsyfts', 'kubescape', slug);
    assert.equal(sbom.metadata.annotations['kubescape.io/status'], 'ready');
    await get('vulnerabilitymanifests', 'kubescape', slug);
  });
});
