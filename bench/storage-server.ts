// Benchmark of the storage API server, talking HTTPS to it as a client would.
//   node --import tsx bench/storage-server.ts [--objects 10000] [--grow 100000]
// Prints create throughput, list latency, watch fan-out and the server's peak RSS.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { ClientRequest } from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { selfSignedCert } from '../test/kit/tls.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const objects = option('objects', 10_000);
const grow = option('grow', 100_000);
const concurrency = option('concurrency', 32);
const watchers = option('watchers', 100);
const watchEvents = option('watch-events', 1000);

// The server runs the compiled code, as deployed: build it first.
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
  cwd: path.join(import.meta.dirname, '..'),
  stdio: 'inherit',
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-bench-storage-'));
const tls = selfSignedCert();
fs.writeFileSync(path.join(dir, 'cert.pem'), tls.cert);
fs.writeFileSync(path.join(dir, 'key.pem'), tls.key);
const child = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []),
    path.join(import.meta.dirname, 'storage-server-child.mjs'),
    dir,
    path.join(dir, 'cert.pem'),
    path.join(dir, 'key.pem'),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    // As deployed: fewer glibc malloc arenas keep the RSS of a many-threaded Node process down.
    env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
  },
);
const port = await new Promise<number>((resolve) =>
  child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
);
const agent = new https.Agent({ keepAlive: true, ca: tls.cert, maxSockets: concurrency });
const base = `https://127.0.0.1:${port}/apis/spdx.softwarecomposition.kubescape.io/v1beta1`;

function request(method: string, url: string, body?: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        agent,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function serverMemory(): { rssMiB: number; peakMiB: number } {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

function manifest(name: string, matches: number): string {
  return JSON.stringify({
    apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
    kind: 'VulnerabilityManifest',
    metadata: {
      name,
      labels: { 'kubescape.io/context': 'non-filtered', 'kubescape.io/image-name': `image-${name}` },
      annotations: {
        'kubescape.io/image-tag': `registry.example/app/${name}:1.0`,
        'kubescape.io/status': 'ready',
      },
    },
    spec: {
      metadata: {
        withRelevancy: false,
        tool: { name: 'grype', version: 'v0.104.1', databaseVersion: 'bench' },
        report: { createdAt: null },
      },
      payload: {
        matches: Array.from({ length: matches }, (_, i) => ({
          vulnerability: {
            id: `CVE-2024-${10000 + i}`,
            dataSource: `https://security-tracker.debian.org/tracker/CVE-2024-${10000 + i}`,
            namespace: 'debian:distro:debian:12',
            severity: ['Critical', 'High', 'Medium', 'Low'][i % 4],
            urls: [],
            cvss: [
              {
                version: '3.1',
                vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
                metrics: { baseScore: 9.8 },
              },
            ],
            fix: { versions: ['3.0.13-1~deb12u1'], state: 'fixed' },
          },
          relatedVulnerabilities: [],
          matchDetails: [
            {
              type: 'exact-indirect-match',
              matcher: 'dpkg-matcher',
              searchedBy: { distro: { type: 'debian', version: '12' } },
            },
          ],
          artifact: {
            name: 'openssl',
            version: '3.0.11-1~deb12u2',
            type: 'deb',
            locations: [{ path: '/var/lib/dpkg/status' }],
            language: '',
            licenses: ['Apache-2.0'],
            cpes: [],
            purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12',
          },
        })),
        source: null,
        distro: { name: 'debian', version: '12', idLike: [] },
        descriptor: { name: 'kubeguard', version: '0.1.0' },
      },
    },
  });
}

async function createMany(
  count: number,
  offset: number,
  matches: number,
  ns: (i: number) => string,
): Promise<{ seconds: number; bytes: number }> {
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const body = manifest(`vm-${offset + i}`, matches);
        bytes += body.length;
        const res = await request('POST', `${base}/namespaces/${ns(i)}/vulnerabilitymanifests`, body);
        if (res.status !== 201) throw new Error(`create vm-${offset + i}: HTTP ${res.status}`);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, bytes };
}

async function timeList(url: string): Promise<{ ms: number; bytes: number }> {
  let best = Infinity;
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await request('GET', url);
    if (res.status !== 200) throw new Error(`list: HTTP ${res.status}`);
    best = Math.min(best, performance.now() - started);
    bytes = res.bytes;
  }
  return { ms: best, bytes };
}

const rows: [string, string][] = [];
const namespaces = (i: number) => `ns-${i % 20}`;
// 27 matches make a manifest of about 20 KiB.
const created = await createMany(objects, 0, 27, namespaces);
rows.push([
  `create ${objects} VulnerabilityManifests (~${Math.round(created.bytes / objects / 1024)} KiB each, ${concurrency} in flight)`,
  `${Math.round(objects / created.seconds)} /s (${created.seconds.toFixed(1)} s)`,
]);
const metaList = await timeList(`${base}/vulnerabilitymanifests`);
rows.push([
  `list ${objects} metadata-only (best of 3)`,
  `${metaList.ms.toFixed(0)} ms, ${(metaList.bytes / 1048576).toFixed(1)} MiB`,
]);
const nsList = await timeList(`${base}/namespaces/ns-3/vulnerabilitymanifests`);
rows.push([`list one namespace (${objects / 20}) metadata-only`, `${nsList.ms.toFixed(0)} ms`]);
const fullList = await timeList(`${base}/vulnerabilitymanifests?resourceVersion=fullSpec&limit=500`);
rows.push([
  'list fullSpec, one page of 500',
  `${fullList.ms.toFixed(0)} ms, ${(fullList.bytes / 1048576).toFixed(1)} MiB`,
]);

// Watch fan-out: every watcher must receive every event.
const counts = new Array<number>(watchers).fill(0);
const streams: ClientRequest[] = [];
const watchAgent = new https.Agent({ keepAlive: false, ca: tls.cert, maxSockets: watchers + 1 });
const listRv = await new Promise<string>((resolve, reject) => {
  https
    .get(`${base}/vulnerabilitymanifests?limit=1`, { agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve((JSON.parse(text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion),
      );
    })
    .on('error', reject);
});
await Promise.all(
  Array.from(
    { length: watchers },
    (_, w) =>
      new Promise<void>((resolve) => {
        const req = https.get(
          `${base}/vulnerabilitymanifests?watch=true&resourceVersion=${listRv}`,
          { agent: watchAgent },
          (res) => {
            let buffer = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buffer += chunk;
              let nl: number;
              while ((nl = buffer.indexOf('\n')) >= 0) {
                if (buffer.slice(0, nl).includes('"ADDED"')) counts[w]! += 1;
                buffer = buffer.slice(nl + 1);
              }
            });
            resolve();
          },
        );
        streams.push(req);
      }),
  ),
);
const watchStarted = performance.now();
await createMany(watchEvents, objects, 5, () => 'watched');
const deadline = Date.now() + 60_000;
while (counts.some((c) => c < watchEvents) && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 20));
const complete = counts.filter((c) => c === watchEvents).length;
rows.push([
  `${watchers} watchers x ${watchEvents} events`,
  `${complete}/${watchers} watchers got all ${watchEvents} in ${((performance.now() - watchStarted) / 1000).toFixed(1)} s`,
]);
for (const s of streams) s.destroy();
rows.push([
  `server memory after ${objects + watchEvents} objects`,
  `RSS ${serverMemory().rssMiB.toFixed(0)} MiB, peak ${serverMemory().peakMiB.toFixed(0)} MiB`,
]);

const total = objects + watchEvents;
if (grow > total) {
  const extra = grow - total;
  const grown = await createMany(extra, total, 3, namespaces);
  rows.push([`grow to ${grow} objects (+${extra} small ones)`, `${Math.round(extra / grown.seconds)} /s`]);
  const bigList = await timeList(`${base}/vulnerabilitymanifests?limit=500`);
  rows.push([`list first page of 500 out of ${grow}`, `${bigList.ms.toFixed(0)} ms`]);
  const all = await timeList(`${base}/vulnerabilitymanifests`);
  rows.push([
    `list all ${grow} metadata-only`,
    `${all.ms.toFixed(0)} ms, ${(all.bytes / 1048576).toFixed(0)} MiB`,
  ]);
  rows.push([
    `server memory with ${grow} objects`,
    `RSS ${serverMemory().rssMiB.toFixed(0)} MiB, peak ${serverMemory().peakMiB.toFixed(0)} MiB`,
  ]);
}

child.kill('SIGUSR2');
await new Promise((r) => setTimeout(r, 500));
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\nKubeguard storage server benchmark (${os.cpus().length} cores, Node ${process.version})`);
for (const [what, value] of rows) console.log(`${what.padEnd(width)}  ${value}`);
agent.destroy();
watchAgent.destroy();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
fs.rmSync(dir, { recursive: true, force: true });
