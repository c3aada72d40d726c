import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ContainerProfile,
  SBOMSyft,
  VulnerabilityManifest,
  VulnerabilityManifestSummary,
} from '../../api/index.ts';
import { silentLogger } from '../../common/index.ts';
import { decodeCommand } from './commands.ts';
import type { PipelineContext } from './context.ts';
import { emptyCounters } from './context.ts';
import type { JobContext } from './jobs.ts';
import { MemoryObjectStore } from './object-store.ts';
import { Scanner } from './scanner.ts';
import { RateLimitCooldown } from './sync.ts';
import type { FakeImage } from './testing.ts';
import { FakeDb, FakePuller } from './testing.ts';

const D1 = `sha256:${'a'.repeat(58)}d9f7a1`;
const REG = 'registry.test:5000';

function setup(images: Record<string, FakeImage>, over: Partial<PipelineContext> = {}) {
  const store = new MemoryObjectStore();
  const puller = new FakePuller(images);
  const db = new FakeDb();
  const counters = emptyCounters();
  const ctx: PipelineContext = {
    store,
    puller,
    db,
    namespace: 'kubescape',
    limits: { maxImageSize: 1000, maxSbomSize: 1000, timeoutMs: 1000 },
    cooldown: new RateLimitCooldown(),
    counters,
    logger: silentLogger,
    storeFilteredSbom: true,
    partialRelevancy: false,
    now: () => new Date('2026-02-03T04:05:06Z'),
    ...over,
  };
  return { store, puller, db, counters, ctx, scanner: new Scanner(ctx) };
}

const job = (): JobContext => ({ jobID: 'job-1', signal: new AbortController().signal, setPhase: () => {} });

const WLID = 'wlid://cluster-dev/namespace-shop/deployment-cart';

describe('Scanner.scanImage', () => {
  it('writes SBOMSyft, SBOMSPDXv2p3, VulnerabilityManifest and summary with kubevuln names and labels, in that order', async () => {
    const { scanner, store, puller } = setup({ [`${REG}/app/cart:1.0`]: { digest: D1 } });
    const result = await scanner.scanImage(
      decodeCommand({ imageTag: `${REG}/app/cart:1.0`, imageHash: D1, wlid: WLID, containerName: 'Cart' }),
      job(),
    );
    assert.equal(result.outcome, 'scanned');
    assert.deepEqual(puller.pulls, [`${REG}/app/cart:1.0@${D1}`]);
    const slug = 'registry.test-5000-app-cart-1.0-d9f7a1';
    assert.deepEqual(
      store.writes.map((w) => `${w.plural}/${w.namespace}/${w.name}`),
      [
        `sbomsyfts/kubescape/${slug}`,
        `sbomspdxv2p3s/kubescape/${slug}`,
        `vulnerabilitymanifests/kubescape/${slug}`,
        'vulnerabilitymanifestsummaries/shop/deployment-cart-cart',
      ],
    );
    const sbom = (await store.get<SBOMSyft>('sbomsyfts', 'kubescape', slug))!;
    assert.equal(sbom.kind, 'SBOMSyft');
    assert.equal(sbom.metadata.annotations?.['kubescape.io/status'], 'ready');
    assert.equal(sbom.metadata.annotations?.['kubescape.io/image-id'], `${REG}/app/cart@${D1}`);
    assert.equal(sbom.metadata.annotations?.['kubescape.io/image-tag'], `${REG}/app/cart:1.0`);
    assert.equal(sbom.metadata.annotations?.['kubescape.io/resolved-platform'], 'linux/amd64');
    assert.equal(sbom.metadata.labels?.['kubescape.io/sbom-type'], 'image');
    assert.equal(sbom.metadata.labels?.['kubescape.io/image-name'], 'registry-test-5000-app-cart');
    assert.deepEqual(
      sbom.spec.syft.artifacts.map((a) => [a.name, a.foundBy]),
      [
        ['bash', ''],
        ['libc6', ''],
      ],
    );

    const manifest = (await store.get<VulnerabilityManifest>('vulnerabilitymanifests', 'kubescape', slug))!;
    assert.equal(manifest.metadata.labels?.['kubescape.io/context'], 'non-filtered');
    assert.ok(manifest.metadata.annotations?.['kubescape.io/scan-id']);
    assert.equal(manifest.spec.metadata.withRelevancy, false);
    assert.equal(manifest.spec.metadata.tool.databaseVersion, 'db-v1');
    assert.deepEqual(
      manifest.spec.payload.matches?.map((m) => [m.vulnerability.id, m.artifact.name]),
      [['CVE-2023-6246', 'libc6']],
    );

    const summary = (await store.get<VulnerabilityManifestSummary>(
      'vulnerabilitymanifestsummaries',
      'shop',
      'deployment-cart-cart',
    ))!;
    assert.equal(summary.spec.severities.high.all, 1);
    assert.deepEqual(summary.spec.vulnerabilitiesRef.all, {
      namespace: 'shop',
      name: slug,
      kind: 'vulnerabilitymanifests',
    });
    assert.equal(summary.spec.vulnerabilitiesRef.relevant, undefined);
    const labels = summary.metadata.labels ?? {};
    assert.equal(labels['kubescape.io/workload-kind'], 'deployment');
    assert.equal(labels['kubescape.io/workload-name'], 'cart');
    assert.equal(labels['kubescape.io/workload-namespace'], 'shop');
    assert.equal(labels['kubescape.io/workload-api-group'], 'apps');
    assert.equal(labels['kubescape.io/workload-api-version'], 'v1');
    assert.equal(labels['kubescape.io/workload-container-name'], 'cart');
    assert.equal(labels['kubescape.io/context'], 'non-filtered');
    assert.equal(summary.metadata.annotations?.['kubescape.io/wlid'], WLID);
    assert.equal(summary.metadata.annotations?.['kubescape.io/workload-container-name'], 'Cart');
    assert.equal(
      summary.metadata.annotations?.['kubescape.io/timestamp'],
      String(Date.UTC(2026, 1, 3, 4, 5, 6) / 1000),
    );
  });

  it('scans a digest once: a second tag copies the stored manifest, the same tag reuses it', async () => {
    const { scanner, store, puller, counters } = setup({
      [`${REG}/app/cart:1.0`]: { digest: D1 },
      [`${REG}/app/cart:stable`]: { digest: D1 },
    });
    await scanner.scanImage(decodeCommand({ imageTag: `${REG}/app/cart:1.0` }), job());
    const second = await scanner.scanImage(decodeCommand({ imageTag: `${REG}/app/cart:stable` }), job());
    const third = await scanner.scanImage(
      decodeCommand({ imageTag: `${REG}/app/cart:stable`, imageHash: D1 }),
      job(),
    );
    assert.equal(second.outcome, 'copied');
    assert.equal(third.outcome, 'cached');
    assert.equal(puller.pulls.length, 1, 'one pull for one digest');
    assert.equal(puller.resolutions, 2, 'tags without an image ID are resolved to their digest');
    assert.equal(counters.imagesPulled, 1);
    assert.equal(counters.scansCopied, 1);
    assert.equal(counters.scansFromCache, 1);
    const copy = (await store.get<VulnerabilityManifest>(
      'vulnerabilitymanifests',
      'kubescape',
      'registry.test-5000-app-cart-stable-d9f7a1',
    ))!;
    assert.equal(copy.metadata.annotations?.['kubescape.io/image-tag'], `${REG}/app/cart:stable`);
    assert.equal(copy.spec.payload.matches?.length, 1);
    assert.ok(await store.get('sbomsyfts', 'kubescape', 'registry.test-5000-app-cart-stable-d9f7a1'));
  });

  it('runs concurrent requests of one digest one after another, still with one pull', async () => {
    const { scanner, puller } = setup({
      [`${REG}/app/cart:1.0`]: { digest: D1 },
      [`${REG}/app/cart:stable`]: { digest: D1 },
    });
    puller.hold();
    const a = scanner.scanImage(decodeCommand({ imageTag: `${REG}/app/cart:1.0`, imageHash: D1 }), job());
    const b = scanner.scanImage(decodeCommand({ imageTag: `${REG}/app/cart:stable`, imageHash: D1 }), job());
    await new Promise((r) => setTimeout(r, 20));
    puller.release();
    const outcomes = (await Promise.all([a, b])).map((r) => r.outcome);
    assert.deepEqual(outcomes, ['scanned', 'copied']);
    assert.equal(puller.pulls.length, 1);
  });

  it("does not copy another repository's result of the same digest (its registry may be private)", async () => {
    const { scanner, puller } = setup({
      [`${REG}/app/cart:1.0`]: { digest: D1 },
      [`mirror.test/app/cart:1.0`]: { digest: D1 },
    });
    await scanner.scanImage(decodeCommand({ imageTag: `${REG}/app/cart:1.0`, imageHash: D1 }), job());
    const other = await scanner.scanImage(
      decodeCommand({ imageTag: 'mirror.test/app/cart:1.0', imageHash: D1 }),
      job(),
    );
    assert.equal(other.outcome, 'scanned');
    assert.equal(puller.pulls.length, 2);
  });

  it('an aborted job writes nothing; a restart after a partial write finishes without pulling again', async () => {
    const { scanner, store, puller } = setup({ [`${REG}/app/cart:1.0`]: { digest: D1 } });
    const cmd = decodeCommand({
      imageTag: `${REG}/app/cart:1.0`,
      imageHash: D1,
      wlid: WLID,
      containerName: 'cart',
    });
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(scanner.scanImage(cmd, { ...job(), signal: aborted.signal }), /service stopped/);
    assert.equal(store.writes.length, 0);
    // As if killed after the SBOM write: only the SBOM is stored.
    await scanner.generateSbom(cmd, job());
    assert.deepEqual(
      store.writes.map((w) => w.plural),
      ['sbomsyfts', 'sbomspdxv2p3s'],
    );
    const resumed = await scanner.scanImage(cmd, job());
    assert.equal(resumed.outcome, 'scanned-stored-sbom');
    assert.equal(
      puller.pulls.length,
      2,
      'the aborted job pulled once, the SBOM job once; the resumed scan none',
    );
    assert.ok(await store.get('vulnerabilitymanifestsummaries', 'shop', 'deployment-cart-cart'));
  });

  it('rescans from the stored SBOM when the database changed, without pulling', async () => {
    const { scanner, puller, db, counters } = setup({ [`${REG}/app/cart:1.0`]: { digest: D1 } });
    const cmd = decodeCommand({ imageTag: `${REG}/app/cart:1.0`, imageHash: D1 });
    await scanner.scanImage(cmd, job());
    db.version = 'db-v2';
    const again = await scanner.scanImage(cmd, job());
    assert.equal(again.outcome, 'scanned-stored-sbom');
    assert.equal(puller.pulls.length, 1);
    assert.equal(counters.sbomsFromCache, 1);
  });

  it('records unauthorize (no credentials, 401) and succeeds with the credentials', async () => {
    const user = { username: 'ci', password: 's3cret' };
    const { scanner, store } = setup({ [`${REG}/private/app:1`]: { digest: D1, user } });
    await assert.rejects(
      scanner.scanImage(decodeCommand({ imageTag: `${REG}/private/app:1`, imageHash: D1 }), job()),
      /authentication required/,
    );
    const slug = 'registry.test-5000-private-app-1-d9f7a1';
    const marker = (await store.get<SBOMSyft>('sbomsyfts', 'kubescape', slug))!;
    assert.equal(marker.metadata.annotations?.['kubescape.io/status'], 'unauthorize');
    assert.equal(marker.spec.syft.artifacts.length, 0);
    assert.equal(await store.get('vulnerabilitymanifests', 'kubescape', slug), undefined);

    const ok = await scanner.scanImage(
      decodeCommand({
        imageTag: `${REG}/private/app:1`,
        imageHash: D1,
        credentialslist: [{ username: 'ci', password: 's3cret', serveraddress: `https://${REG}` }],
      }),
      job(),
    );
    assert.equal(ok.outcome, 'scanned');
    const sbom = (await store.get<SBOMSyft>('sbomsyfts', 'kubescape', slug))!;
    assert.equal(sbom.metadata.annotations?.['kubescape.io/status'], 'ready');
  });

  it('records unauthorize under the nohash slug when the digest cannot even be resolved', async () => {
    const { scanner, store } = setup({ [`${REG}/private/app:1`]: { digest: D1, fail: 401 } });
    await assert.rejects(scanner.scanImage(decodeCommand({ imageTag: `${REG}/private/app:1` }), job()));
    const marker = await store.get<SBOMSyft>(
      'sbomsyfts',
      'kubescape',
      'registry.test-5000-private-app-1-nohash',
    );
    assert.equal(marker?.metadata.annotations?.['kubescape.io/status'], 'unauthorize');
  });

  it('records too-large with its limits and does not pull again while they hold', async () => {
    const { scanner, store, puller } = setup({ [`${REG}/big/app:1`]: { digest: D1, status: 'too-large' } });
    const cmd = decodeCommand({ imageTag: `${REG}/big/app:1`, imageHash: D1 });
    await assert.rejects(scanner.scanImage(cmd, job()), /too-large/);
    const marker = (await store.get<SBOMSyft>(
      'sbomsyfts',
      'kubescape',
      'registry.test-5000-big-app-1-d9f7a1',
    ))!;
    assert.equal(marker.metadata.annotations?.['kubescape.io/status'], 'too-large');
    assert.equal(marker.metadata.annotations?.['kubescape.io/status-reason'], 'image-too-large');
    assert.equal(marker.metadata.annotations?.['kubescape.io/max-image-size'], '1000');
    await assert.rejects(scanner.scanImage(cmd, job()), /too large/);
    assert.equal(puller.pulls.length, 1);
  });

  it('a 429 fails the scan and starts the image cooldown', async () => {
    const cooldown = new RateLimitCooldown();
    const { scanner } = setup({ [`${REG}/busy/app:1`]: { digest: D1, fail: 429 } }, { cooldown });
    await assert.rejects(
      scanner.scanImage(decodeCommand({ imageTag: `${REG}/busy/app:1`, imageHash: D1 }), job()),
      /too-many-requests/,
    );
    assert.ok(cooldown.coolingDown(`${REG}/busy/app:1`));
  });
});

describe('Scanner.scanContainerProfile (relevancy)', () => {
  const profile = (annotations: Record<string, string>): ContainerProfile => ({
    apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
    kind: 'ContainerProfile',
    metadata: {
      name: 'replicaset-cart-7d9f-cart-1a2b-3c4d',
      namespace: 'shop',
      labels: { 'kubescape.io/workload-container-name': 'cart', 'kubescape.io/workload-kind': 'Deployment' },
      annotations,
    },
    spec: {
      architectures: ['amd64'],
      capabilities: [],
      execs: [{ path: '/usr/bin/bash' }],
      opens: [{ path: '/usr/lib/⋯/libc.so.6', flags: ['O_RDONLY'] }],
      syscalls: [],
      seccompProfile: { spec: { defaultAction: '' } },
      endpoints: [],
      imageID: D1,
      imageTag: `${REG}/app/cart:1.0`,
      rulePolicies: {},
      identifiedCallStacks: [],
      ingress: [],
      egress: [],
    },
  });
  const instance = 'apiVersion-apps/v1/namespace-shop/kind-ReplicaSet/name-cart-7d9f/containerName-cart';

  it('writes the filtered SBOM, the relevant manifest and a summary with relevant counts', async () => {
    const { scanner, store } = setup({ [`${REG}/app/cart:1.0`]: { digest: D1 } });
    await store.upsert(
      'containerprofiles',
      profile({
        'kubescape.io/completion': 'complete',
        'kubescape.io/status': 'completed',
        'kubescape.io/instance-id': instance,
        'kubescape.io/wlid': WLID,
      }),
    );
    const result = await scanner.scanContainerProfile(
      decodeCommand({ args: { name: 'replicaset-cart-7d9f-cart-1a2b-3c4d', namespace: 'shop' } }),
      job(),
    );
    assert.equal(result.outcome, 'relevant');
    const relevantName = store.writes.find(
      (w) => w.plural === 'vulnerabilitymanifests' && w.name.startsWith('replicaset-'),
    )?.name;
    assert.match(relevantName ?? '', /^replicaset-cart-7d9f-cart-[0-9a-f]{4}-[0-9a-f]{4}$/);
    const relevant = (await store.get<VulnerabilityManifest>(
      'vulnerabilitymanifests',
      'kubescape',
      relevantName!,
    ))!;
    assert.equal(relevant.spec.metadata.withRelevancy, true);
    assert.equal(relevant.metadata.labels?.['kubescape.io/context'], 'filtered');
    assert.equal(relevant.metadata.annotations?.['kubescape.io/instance-id'], instance);
    assert.equal(relevant.spec.payload.matches?.length, 1, 'libc6 is used (its file was opened)');
    const filtered = (await store.get<SBOMSyft>('sbomsyftfiltereds', 'kubescape', relevantName!))!;
    assert.deepEqual(filtered.spec.syft.artifacts.map((a) => a.name).sort(), ['bash', 'libc6']);
    const summary = (await store.get<VulnerabilityManifestSummary>(
      'vulnerabilitymanifestsummaries',
      'shop',
      'deployment-cart-cart',
    ))!;
    assert.deepEqual(summary.spec.severities.high, { all: 1, relevant: 1 });
    assert.equal(summary.spec.vulnerabilitiesRef.relevant?.name, relevantName);
    assert.equal(summary.metadata.labels?.['kubescape.io/context'], 'filtered');
  });

  it('fails with a clear reason without a ContainerProfile, or with an unfinished one', async () => {
    const { scanner, store } = setup({});
    await assert.rejects(
      scanner.scanContainerProfile(decodeCommand({ args: { name: 'nope', namespace: 'shop' } }), job()),
      /ContainerProfile shop\/nope does not exist/,
    );
    await store.upsert(
      'containerprofiles',
      profile({ 'kubescape.io/completion': 'partial', 'kubescape.io/status': 'ready' }),
    );
    await assert.rejects(
      scanner.scanContainerProfile(
        decodeCommand({ args: { name: 'replicaset-cart-7d9f-cart-1a2b-3c4d', namespace: 'shop' } }),
        job(),
      ),
      /is not complete/,
    );
  });
});
