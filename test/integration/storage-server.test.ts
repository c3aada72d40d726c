import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ObjectStore } from '../../src/storage/index.ts';
import { allowAll, createStorageServer, openSqliteStore } from '../../src/storage/index.ts';
import { client, watchStream } from '../kit/http.ts';
import { selfSignedCert } from '../kit/tls.ts';

const group = 'spdx.softwarecomposition.kubescape.io';
const base = `/apis/${group}/v1beta1`;
const vmPath = (ns: string, name = '') =>
  `${base}/namespaces/${ns}/vulnerabilitymanifests${name ? `/${name}` : ''}`;

function manifest(
  name: string,
  labels: Record<string, string> = {},
  severities: string[] = ['Critical', 'High', 'High'],
) {
  return {
    apiVersion: `${group}/v1beta1`,
    kind: 'VulnerabilityManifest',
    metadata: {
      name,
      labels: { 'kubescape.io/context': 'non-filtered', ...labels },
      annotations: {
        'kubescape.io/image-tag': 'docker.io/library/nginx:1.25',
        'kubescape.io/status': 'ready',
      },
    },
    spec: {
      metadata: {
        withRelevancy: false,
        tool: { name: 'grype', version: 'v0.104.1', databaseVersion: 'x' },
        report: { createdAt: null },
      },
      payload: {
        matches: severities.map((severity, i) => ({
          vulnerability: {
            id: `CVE-2024-${1000 + i}`,
            dataSource: '',
            severity,
            urls: [],
            cvss: [],
            fix: { versions: [], state: 'unknown' },
          },
          relatedVulnerabilities: [],
          matchDetails: [],
          artifact: {
            name: 'openssl',
            version: '3.0.11',
            type: 'deb',
            locations: [],
            language: '',
            licenses: [],
            cpes: [],
            purl: '',
          },
        })),
        source: null,
        distro: { name: 'debian', version: '12', idLike: [] },
        descriptor: { name: 'kubeguard', version: '0.1.0' },
      },
    },
  };
}

describe('storage API server (Kubernetes API conventions)', { timeout: 120_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-storage-server-'));
  const tls = selfSignedCert();
  let store: ObjectStore;
  let server: ReturnType<typeof createStorageServer>;
  let url = '';
  let http: ReturnType<typeof client>;

  before(async () => {
    // A short watch history, so that the 410 Gone test finds versions that are no longer retained.
    store = openSqliteStore({ file: path.join(dir, 'store.sqlite'), watchHistory: { maxEvents: 10 } });
    server = createStorageServer({ store, ...allowAll, tls, bookmarkIntervalMs: 200 });
    const address = await server.listen(0);
    url = `https://127.0.0.1:${address.port}`;
    http = client(url, tls.cert);
  });
  after(async () => {
    http.close();
    await server.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves discovery: legacy and aggregated', async () => {
    const groups = (await http.request('GET', '/apis')).json<{ groups: { name: string }[] }>();
    assert.deepEqual(
      groups.groups.map((g) => g.name),
      [group],
    );
    const resources = (await http.request('GET', base)).json<{
      resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
    }>();
    const byName = new Map(resources.resources.map((r) => [r.name, r]));
    const expected: [string, string, boolean][] = [
      ['configurationscansummaries', 'ConfigurationScanSummary', false],
      ['sbomspdxv2p3filtereds', 'SBOMSPDXv2p3Filtered', true],
      ['sbomspdxv2p3s', 'SBOMSPDXv2p3', true],
      ['sbomsummaries', 'SBOMSummary', true],
      ['vulnerabilitymanifests', 'VulnerabilityManifest', true],
      ['vulnerabilitymanifestsummaries', 'VulnerabilityManifestSummary', true],
      ['vulnerabilitysummaries', 'VulnerabilitySummary', false],
      ['workloadconfigurationscans', 'WorkloadConfigurationScan', true],
      ['workloadconfigurationscansummaries', 'WorkloadConfigurationScanSummary', true],
      ['sbomsyfts', 'SBOMSyft', true],
      ['applicationprofiles', 'ApplicationProfile', true],
      ['knownservers', 'KnownServer', false],
      ['collapseconfigurations', 'CollapseConfiguration', false],
    ];
    for (const [name, kind, namespaced] of expected) {
      assert.equal(byName.get(name)?.kind, kind, name);
      assert.equal(byName.get(name)?.namespaced, namespaced, name);
    }
    assert.deepEqual(byName.get('vulnerabilitysummaries')?.verbs, ['get', 'list', 'watch']);
    const aggregated = await http.request('GET', '/apis', undefined, {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    assert.match(String(aggregated.headers['content-type']), /as=APIGroupDiscoveryList/);
    const doc = aggregated.json<{
      items: { versions: { resources: { resource: string; scope: string }[] }[] }[];
    }>();
    assert.ok(
      doc.items[0]?.versions[0]?.resources.some(
        (r) => r.resource === 'vulnerabilitymanifests' && r.scope === 'Namespaced',
      ),
    );
  });

  it('serves OpenAPI v2 and v3 with a schema per kind', async () => {
    const v2 = (await http.request('GET', '/openapi/v2')).json<{
      definitions: Record<string, { 'x-kubernetes-group-version-kind'?: { kind: string }[] }>;
    }>();
    const kinds = Object.values(v2.definitions)
      .flatMap((d) => d['x-kubernetes-group-version-kind'] ?? [])
      .map((g) => g.kind);
    assert.ok(kinds.includes('VulnerabilityManifest') && kinds.includes('SBOMSyft'));
    const index = (await http.request('GET', '/openapi/v3')).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    const v3url = index.paths[`apis/${group}/v1beta1`]?.serverRelativeURL;
    assert.ok(v3url);
    const v3 = (await http.request('GET', v3url)).json<{
      components: { schemas: Record<string, unknown> };
    }>();
    assert.ok(Object.keys(v3.components.schemas).some((k) => k.endsWith('.VulnerabilityManifest')));
  });

  it('creates, gets (full or metadata only) and lists metadata only unless fullSpec', async () => {
    const created = await http.request('POST', vmPath('kubescape'), manifest('nginx-a', { team: 'a' }));
    assert.equal(created.status, 201, created.text);
    const object = created.json<{
      metadata: { uid: string; resourceVersion: string; creationTimestamp: string; namespace: string };
    }>();
    assert.match(object.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(object.metadata.resourceVersion, /^\d+$/);
    assert.equal(object.metadata.namespace, 'kubescape');
    const full = (await http.request('GET', vmPath('kubescape', 'nginx-a'))).json<{
      spec?: { payload: { matches: unknown[] } };
    }>();
    assert.equal(full.spec?.payload.matches.length, 3);
    const meta = (
      await http.request('GET', `${vmPath('kubescape', 'nginx-a')}?resourceVersion=metadata`)
    ).json<{ spec?: unknown }>();
    assert.equal(meta.spec, undefined);
    const list = (await http.request('GET', vmPath('kubescape'))).json<{
      kind: string;
      items: { spec?: unknown }[];
    }>();
    assert.equal(list.kind, 'VulnerabilityManifestList');
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0]?.spec, undefined);
    const fullList = (await http.request('GET', `${vmPath('kubescape')}?resourceVersion=fullSpec`)).json<{
      items: { spec?: unknown }[];
    }>();
    assert.ok(fullList.items[0]?.spec);
  });

  it('answers kubectl-style Table requests with useful columns', async () => {
    const table = (
      await http.request('GET', `${base}/vulnerabilitymanifests`, undefined, {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      })
    ).json<{ kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>();
    assert.equal(table.kind, 'Table');
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.name),
      ['Name', 'Image', 'Status', 'Critical', 'High', 'Medium', 'Low', 'Age'],
    );
    assert.deepEqual(table.rows[0]?.cells.slice(0, 7), [
      'nginx-a',
      'docker.io/library/nginx:1.25',
      'ready',
      1,
      2,
      0,
      0,
    ]);
  });

  it('refuses a second create, and stale updates, with Status errors', async () => {
    const again = await http.request('POST', vmPath('kubescape'), manifest('nginx-a'));
    assert.equal(again.status, 409);
    assert.equal(again.json().reason, 'AlreadyExists');
    const current = (await http.request('GET', vmPath('kubescape', 'nginx-a'))).json<{
      metadata: { resourceVersion: string };
    }>();
    const body = manifest('nginx-a');
    const ok = await http.request('PUT', vmPath('kubescape', 'nginx-a'), {
      ...body,
      metadata: {
        ...body.metadata,
        labels: { team: 'b' },
        resourceVersion: current.metadata.resourceVersion,
      },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(
      Number(ok.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion) >
        Number(current.metadata.resourceVersion),
    );
    const stale = await http.request('PUT', vmPath('kubescape', 'nginx-a'), {
      ...body,
      metadata: {
        ...body.metadata,
        labels: { team: 'c' },
        resourceVersion: current.metadata.resourceVersion,
      },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, 'Conflict');
  });

  it('applies merge and JSON patches; refuses strategic merge and patches that do not apply', async () => {
    const merge = await http.request(
      'PATCH',
      vmPath('kubescape', 'nginx-a'),
      { metadata: { labels: { patched: 'yes' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(merge.status, 200, merge.text);
    assert.equal(
      merge.json<{ metadata: { labels: Record<string, string> } }>().metadata.labels.patched,
      'yes',
    );
    const json = await http.request(
      'PATCH',
      vmPath('kubescape', 'nginx-a'),
      [{ op: 'replace', path: '/metadata/labels/patched', value: 'again' }],
      {
        'content-type': 'application/json-patch+json',
      },
    );
    assert.equal(json.status, 200, json.text);
    const failing = await http.request(
      'PATCH',
      vmPath('kubescape', 'nginx-a'),
      [{ op: 'test', path: '/metadata/labels/patched', value: 'nope' }],
      {
        'content-type': 'application/json-patch+json',
      },
    );
    assert.equal(failing.status, 422, failing.text);
    const strategic = await http.request(
      'PATCH',
      vmPath('kubescape', 'nginx-a'),
      { metadata: {} },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    assert.equal(strategic.status, 415);
    assert.match(strategic.json<{ message: string }>().message, /--type=merge/);
  });

  it('filters with label and field selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 7; i++) {
      assert.equal(
        (
          await http.request(
            'POST',
            vmPath('paging'),
            manifest(`page-${i}`, { parity: i % 2 ? 'odd' : 'even' }),
          )
        ).status,
        201,
      );
    }
    const odd = (
      await http.request(
        'GET',
        `${base}/vulnerabilitymanifests?labelSelector=${encodeURIComponent('parity=odd')}`,
      )
    ).json<{ items: unknown[] }>();
    assert.equal(odd.items.length, 3);
    const setBased = (
      await http.request(
        'GET',
        `${vmPath('paging')}?labelSelector=${encodeURIComponent('parity in (odd,even),!missing')}`,
      )
    ).json<{ items: unknown[] }>();
    assert.equal(setBased.items.length, 7);
    const byName = (
      await http.request('GET', `${base}/vulnerabilitymanifests?fieldSelector=metadata.name%3Dpage-3`)
    ).json<{ items: { metadata: { name: string } }[] }>();
    assert.deepEqual(
      byName.items.map((i) => i.metadata.name),
      ['page-3'],
    );
    const names: string[] = [];
    let cont = '';
    do {
      const page = (
        await http.request(
          'GET',
          `${vmPath('paging')}?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        )
      ).json<{
        items: { metadata: { name: string } }[];
        metadata: { continue?: string };
      }>();
      names.push(...page.items.map((i) => i.metadata.name));
      cont = page.metadata.continue ?? '';
    } while (cont);
    assert.deepEqual(
      names.sort(),
      [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`),
    );
  });

  it('watches (namespaced too) from a resourceVersion, with bookmarks', async () => {
    const list = (await http.request('GET', vmPath('watched'))).json<{
      metadata: { resourceVersion: string };
    }>();
    const watch = watchStream(
      url,
      tls.cert,
      `${vmPath('watched')}?watch=true&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await http.request('POST', vmPath('watched'), manifest('w1'))).status, 201);
    await http.request(
      'PATCH',
      vmPath('watched', 'w1'),
      { metadata: { labels: { changed: 'yes' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await http.request('DELETE', vmPath('watched', 'w1'));
    await watch.waitFor(3);
    const types = watch.events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type);
    assert.deepEqual(types, ['ADDED', 'MODIFIED', 'DELETED']);
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(
      watch.events.some((e) => e.type === 'BOOKMARK'),
      'bookmark sent',
    );
    watch.stop();
  });

  it('answers a watch from a version it no longer has with 410 Gone', async () => {
    const watch = watchStream(url, tls.cert, `${vmPath('kubescape')}?watch=true&resourceVersion=1`);
    await watch.waitFor(1);
    assert.equal(watch.events[0]?.type, 'ERROR');
    assert.equal((watch.events[0]?.object as { code: number }).code, 410);
    watch.stop();
  });

  it('rejects bad input with a Status and changes nothing', async () => {
    const before = { rv: store.currentResourceVersion(), count: store.count('vulnerabilitymanifests') };
    const cases: [string, string, unknown, Record<string, string>, number][] = [
      ['malformed JSON', vmPath('kubescape'), '{"apiVersion": ', {}, 400],
      ['wrong apiVersion', vmPath('kubescape'), { ...manifest('x1'), apiVersion: 'v1' }, {}, 400],
      ['wrong kind', vmPath('kubescape'), { ...manifest('x2'), kind: 'Pod' }, {}, 400],
      ['invalid name', vmPath('kubescape'), manifest('Not_A_Name'), {}, 422],
      [
        'body over the limit',
        vmPath('kubescape'),
        manifest('huge', {}, Array(200_000).fill('High')),
        {},
        413,
      ],
      [
        'resourceVersion not a number',
        vmPath('kubescape', 'nginx-a'),
        { ...manifest('nginx-a'), metadata: { name: 'nginx-a', resourceVersion: 'abc' } },
        {},
        400,
      ],
      [
        'namespace mismatch',
        vmPath('kubescape'),
        { ...manifest('x3'), metadata: { name: 'x3', namespace: 'other' } },
        {},
        400,
      ],
      [
        'write to a virtual kind',
        `${base}/vulnerabilitysummaries`,
        { apiVersion: `${group}/v1beta1`, kind: 'VulnerabilitySummary', metadata: { name: 'x' } },
        {},
        405,
      ],
      [
        'bad label selector',
        `${vmPath('kubescape')}?labelSelector=${encodeURIComponent('a in (b')}`,
        undefined,
        {},
        400,
      ],
    ];
    for (const [what, target, body, headers, code] of cases) {
      const method = what === 'resourceVersion not a number' ? 'PUT' : body === undefined ? 'GET' : 'POST';
      const res = await http.request(method, target, body, headers);
      assert.equal(res.status, code, `${what}: ${res.text.slice(0, 300)}`);
      const status = res.json<{ kind: string; status: string; code: number; message: string }>();
      assert.equal(status.kind, 'Status', what);
      assert.equal(status.code, code, what);
      assert.ok(status.message.length > 0, what);
    }
    assert.equal(store.currentResourceVersion(), before.rv);
    assert.equal(store.count('vulnerabilitymanifests'), before.count);
    const missing = await http.request('DELETE', vmPath('kubescape', 'does-not-exist'));
    assert.equal(missing.status, 404);
    assert.equal(missing.json().reason, 'NotFound');
  });

  it('honours dryRun and deletes collections by selector', async () => {
    const dry = await http.request('POST', `${vmPath('kubescape')}?dryRun=All`, manifest('dry'));
    assert.equal(dry.status, 201);
    assert.equal((await http.request('GET', vmPath('kubescape', 'dry'))).status, 404);
    const deleted = await http.request('DELETE', `${vmPath('paging')}?labelSelector=parity%3Deven`);
    assert.equal(deleted.status, 200, deleted.text);
    const left = (await http.request('GET', vmPath('paging'))).json<{ items: unknown[] }>();
    assert.equal(left.items.length, 3);
  });

  it('computes VulnerabilitySummary from the namespace summaries and refuses writes to it', async () => {
    const summary = (name: string, critical: number) => ({
      apiVersion: `${group}/v1beta1`,
      kind: 'VulnerabilityManifestSummary',
      metadata: { name },
      spec: {
        severities: {
          critical: { all: critical },
          high: { all: 1 },
          medium: { all: 0 },
          low: { all: 0 },
          negligible: { all: 0 },
          unknown: { all: 0 },
        },
        vulnerabilitiesRef: {
          all: { namespace: 'shop', name: 'img', kind: 'vulnerabilitymanifests' },
          relevant: { namespace: '', name: '', kind: '' },
        },
      },
    });
    for (const [name, critical] of [
      ['deployment-web-app', 2],
      ['deployment-db-db', 3],
    ] as const) {
      const res = await http.request(
        'POST',
        `${base}/namespaces/shop/vulnerabilitymanifestsummaries`,
        summary(name, critical),
      );
      assert.equal(res.status, 201, res.text);
    }
    const got = (await http.request('GET', `${base}/vulnerabilitysummaries/shop`)).json<{
      metadata: { name: string };
      spec: {
        severities: { critical: { all: number }; high: { all: number } };
        vulnerabilitiesRef: unknown[];
      };
    }>();
    assert.equal(got.metadata.name, 'shop');
    assert.equal(got.spec.severities.critical.all, 5);
    assert.equal(got.spec.severities.high.all, 2);
    assert.equal(got.spec.vulnerabilitiesRef.length, 2);
    assert.equal((await http.request('GET', `${base}/vulnerabilitysummaries/nowhere`)).status, 404);
    assert.equal((await http.request('DELETE', `${base}/vulnerabilitysummaries/shop`)).status, 405);
  });
});
