// Storage store benchmark: node --import tsx bench/storage-store.ts [--keep]
// 10,000 VulnerabilityManifest-like objects of ~20 KB, then growth to 100,000 objects (~2 KB).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { KubeObject } from '../src/api/index.ts';
import { openSqliteStore, parseLabelSelector } from '../src/storage/store/index.ts';
import type { ListOptions, ObjectStore } from '../src/storage/store/index.ts';

const RESOURCE = 'vulnerabilitymanifests';
const LARGE = 10_000;
const TOTAL = 100_000;

const packages = [
  'libc6',
  'openssl',
  'zlib1g',
  'libssl3',
  'curl',
  'libxml2',
  'bash',
  'perl-base',
  'tar',
  'gzip',
];

function match(seed: number): unknown {
  const pkg = packages[seed % packages.length] as string;
  const id = `CVE-20${20 + (seed % 5)}-${10000 + ((seed * 7919) % 89999)}`;
  const version = `1.${seed % 13}.${seed % 7}-${seed % 5}+deb12u${seed % 4}`;
  return {
    vulnerability: {
      id,
      dataSource: `https://security-tracker.debian.org/tracker/${id}`,
      namespace: 'debian:distro:debian:12',
      severity: ['Critical', 'High', 'Medium', 'Low', 'Negligible'][seed % 5],
      urls: [`https://security-tracker.debian.org/tracker/${id}`],
      description: `A flaw was found in ${pkg} where a crafted input could lead to memory corruption (${seed}).`,
      cvss: [],
      fix: { versions: [`${version}.1`], state: seed % 3 === 0 ? 'not-fixed' : 'fixed' },
      advisories: [],
    },
    relatedVulnerabilities: [
      {
        id,
        dataSource: `https://nvd.nist.gov/vuln/detail/${id}`,
        namespace: 'nvd:cpe',
        severity: 'High',
        urls: [],
        cvss: [
          {
            version: '3.1',
            vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            metrics: { baseScore: 9.8, exploitabilityScore: 3.9, impactScore: 5.9 },
            vendorMetadata: {},
          },
        ],
      },
    ],
    matchDetails: [
      {
        type: 'exact-indirect-match',
        matcher: 'dpkg-matcher',
        searchedBy: {
          distro: { type: 'debian', version: '12' },
          namespace: 'debian:distro:debian:12',
          package: { name: pkg, version },
        },
        found: { vulnerabilityID: id, versionConstraint: `< ${version}.1 (deb)` },
      },
    ],
    artifact: {
      name: pkg,
      version,
      type: 'deb',
      locations: [{ path: `/usr/share/doc/${pkg}/copyright`, layerID: `sha256:${'ab'.repeat(32)}` }],
      language: '',
      licenses: ['GPL-2.0-or-later'],
      cpes: [`cpe:2.3:a:${pkg}:${pkg}:${version}:*:*:*:*:*:*:*`],
      purl: `pkg:deb/debian/${pkg}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12`,
      upstreams: [{ name: pkg }],
    },
  };
}

function manifest(index: number, matches: number): KubeObject {
  const image = `registry.example.com/team-${index % 50}/service-${index}`;
  return {
    apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
    kind: 'VulnerabilityManifest',
    metadata: {
      name: `service-${index}-sha256-${(index * 2654435761).toString(16).padStart(12, '0')}`,
      namespace: 'kubescape',
      uid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: {
        'kubescape.io/context': 'non-filtered',
        'kubescape.io/image-name': `service-${index}`,
        'kubescape.io/image-tag': 'latest',
        'kubescape.io/team': `team-${index % 50}`,
      },
      annotations: {
        'kubescape.io/image-id': `${image}@sha256:${'cd'.repeat(32)}`,
        'kubescape.io/image-tag': `${image}:latest`,
        'kubescape.io/status': 'ready',
        'kubescape.io/scan-id': `scan-${index}`,
      },
    },
    spec: {
      metadata: {
        withRelevancy: false,
        tool: { name: '', version: 'v0.104.1-matching-adaptive', databaseVersion: 'sha256:0123' },
        report: { createdAt: null },
      },
      payload: {
        matches: Array.from({ length: matches }, (_, i) => match(index * 31 + i)),
        source: { type: 'image', target: { userInput: `${image}:latest` } },
        distro: { name: 'debian', version: '12', idLike: [] },
        descriptor: { name: 'grype', version: 'v0.104.1' },
      },
    },
  };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function listTime(store: ObjectStore, options: ListOptions, rounds: number): { ms: number; count: number } {
  const runs: number[] = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    const { ms, value } = time(() => store.list(RESOURCE, options));
    runs.push(ms);
    count = value.items.length;
  }
  return { ms: median(runs), count };
}

function pagedListTime(store: ObjectStore, limit: number): { ms: number; count: number } {
  let count = 0;
  const { ms } = time(() => {
    let continueToken: string | undefined;
    do {
      const page = store.list(RESOURCE, { limit, continueToken });
      count += page.items.length;
      continueToken = page.continueToken;
    } while (continueToken);
  });
  return { ms, count };
}

/** Creates objects [from, to) in batches built outside the timed part; returns the ms spent creating. */
function createAll(store: ObjectStore, from: number, to: number, matches: number): number {
  let ms = 0;
  for (let start = from; start < to; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, to - start) }, (_, i) => manifest(start + i, matches));
    ms += time(() => {
      for (const object of batch) store.create(RESOURCE, object);
    }).ms;
  }
  return ms;
}

const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 0)} MiB`;
// A full GC before reading the heap separates what the store retains from garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const rss = () => {
  const peak = mib(process.resourceUsage().maxRSS * 1024);
  const now = mib(process.memoryUsage().rss);
  gc();
  return `${peak} / ${now} / ${mib(process.memoryUsage().heapUsed)}`;
};
const fileSize = (file: string) =>
  ['', '-wal'].reduce(
    (sum, suffix) => sum + (fs.statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0),
    0,
  );

const rows: [string, string][] = [];
const row = (label: string, value: string) => {
  rows.push([label, value]);
  process.stderr.write(`  ${label}: ${value}\n`);
};
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-bench-store-'));
const file = path.join(dir, 'store.db');
const store = openSqliteStore({ file });
try {
  const sample = manifest(0, 16);
  const largeSize = JSON.stringify(sample).length / 1024;
  row('large object', `${fmt(largeSize)} KB, 16 matches`);

  const created = createAll(store, 0, LARGE, 16);
  row(
    `create ${fmt(LARGE, 0)} large`,
    `${fmt(created / 1000, 2)} s = ${fmt((LARGE / created) * 1000, 0)} creates/s`,
  );
  const meta = listTime(store, {}, 7);
  row(`list ${fmt(meta.count, 0)} metadata-only`, `${fmt(meta.ms)} ms (median of 7)`);
  const labelled = listTime(store, { labelSelector: parseLabelSelector('kubescape.io/team=team-7') }, 7);
  row(`list with a label selector (${fmt(labelled.count, 0)} hits)`, `${fmt(labelled.ms)} ms`);
  const paged = pagedListTime(store, 500);
  row(`list ${fmt(paged.count, 0)} in pages of 500`, `${fmt(paged.ms)} ms`);

  const gets = time(() => {
    for (let i = 0; i < 2000; i++)
      store.get(RESOURCE, 'kubescape', manifest((i * 7) % LARGE, 0).metadata.name as string);
  });
  row('get a full large object', `${fmt((gets.ms / 2000) * 1000, 0)} µs`);
  const updates = Array.from({ length: 1000 }, (_, i) => {
    const object = manifest(i, 16);
    (object.metadata.annotations as Record<string, string>)['kubescape.io/scan-id'] = `rescan-${i}`;
    return object;
  });
  const updated = time(() => updates.forEach((object) => store.update(RESOURCE, object))).ms;
  row('update a large object', `${fmt((1000 / updated) * 1000, 0)} updates/s`);
  const unchanged = time(() => updates.forEach((object) => store.update(RESOURCE, object))).ms;
  row('no-op update of a large object', `${fmt((1000 / unchanged) * 1000, 0)} updates/s`);
  row(`RSS peak / now / heap after GC, ${fmt(LARGE, 0)} objects`, rss());

  const full = listTime(store, { fullSpec: true }, 3);
  const fullBytes = store
    .list(RESOURCE, { fullSpec: true })
    .items.reduce((sum, item) => sum + item.json.length, 0);
  row(`list ${fmt(full.count, 0)} fullSpec (${mib(fullBytes)} of JSON)`, `${fmt(full.ms)} ms (median of 3)`);
  row('RSS peak / now / heap after GC, after fullSpec lists', rss());
  row(`database size, ${fmt(LARGE, 0)} objects`, mib(fileSize(file)));

  const grown = createAll(store, LARGE, TOTAL, 1);
  const smallSize = JSON.stringify(manifest(1, 1)).length / 1024;
  row(
    `create ${fmt(TOTAL - LARGE, 0)} small (${fmt(smallSize)} KB)`,
    `${fmt(grown / 1000, 2)} s = ${fmt(((TOTAL - LARGE) / grown) * 1000, 0)} creates/s`,
  );
  const all = listTime(store, {}, 5);
  row(`list ${fmt(all.count, 0)} metadata-only`, `${fmt(all.ms)} ms (median of 5)`);
  const allPaged = pagedListTime(store, 500);
  row(`list ${fmt(allPaged.count, 0)} in pages of 500`, `${fmt(allPaged.ms)} ms`);
  const namespaced = listTime(store, { namespace: 'kubescape', limit: 500 }, 5);
  row('list one page of 500 with remainingItemCount', `${fmt(namespaced.ms)} ms`);
  const counters = Array.from({ length: 100 }, () => {
    let events = 0;
    const stop = store.watch(RESOURCE, {}, () => events++);
    return { events: () => events, stop };
  });
  const deleted = time(() => {
    for (let i = 0; i < 1000; i++) {
      store.delete(RESOURCE, 'kubescape', manifest(TOTAL - 1 - i, 0).metadata.name as string);
    }
  }).ms;
  for (const counter of counters) counter.stop();
  row(
    'delete with 100 watchers',
    `${fmt((1000 / deleted) * 1000, 0)} deletes/s, ${fmt(counters[0]?.events() ?? 0, 0)} events each`,
  );
  row(`RSS peak / now / heap after GC, ${fmt(TOTAL, 0)} objects`, rss());
  row(`database size, ${fmt(TOTAL, 0)} objects`, mib(fileSize(file)));
} finally {
  store.close();
  if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

const width = Math.max(...rows.map(([label]) => label.length));
const valueWidth = Math.max(...rows.map(([, value]) => value.length));
console.log(`\nstorage store benchmark (node ${process.version}, ${os.cpus().length} CPUs, SQLite WAL)\n`);
console.log(`| ${'measure'.padEnd(width)} | ${'result'.padEnd(valueWidth)} |`);
console.log(`|${'-'.repeat(width + 2)}|${'-'.repeat(valueWidth + 2)}|`);
for (const [label, value] of rows) console.log(`| ${label.padEnd(width)} | ${value.padEnd(valueWidth)} |`);
