// Benchmark of the in-cluster system on the local control plane: N workloads over M images.
//   node --import tsx bench/operator.ts [--workloads 500] [--images 50] [--timeout 1800] [--posture-queue N] [--kubevuln-queue N] [--keep]
// Starts everything like `kubeguard dev up` (without the demo) in a temporary state directory on
// free ports, pushes M distinct images (busybox plus one tiny layer each), creates N Deployments
// (each with its ReplicaSet and a Running Pod, as controller-manager and kubelet would), and
// measures: time from the first creation until every VulnerabilityManifestSummary,
// WorkloadConfigurationScanSummary and VulnerabilityManifest exists; image pulls (must equal the
// number of distinct digests); peak memory (VmHWM) of each service process.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { ResultCounts, ResultTargets, RunningWorkload, WorkloadSpec } from '../src/devenv/index.ts';
import {
  DevKubeApi,
  clusterDown,
  clusterStatus,
  containerImage,
  devPaths,
  devUp,
  ensureNamespace,
  expectedResults,
  freePort,
  peakMemory,
  pushImageVariants,
  registryDown,
  resultCounts,
  runWorkload,
  servicesDown,
  servicesStatus,
  storageDown,
  storageStatus,
  waitForResults,
} from '../src/devenv/index.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const workloadCount = option('workloads', 500);
const imageCount = option('images', 50);
const timeoutMs = option('timeout', 1800) * 1000;
const keep = args.includes('--keep');
// Posture scans that may wait before 429 (0: the role's default, 10 as in the chart).
const postureQueue = option('posture-queue', 0);
// kubevuln scans that may wait before 503 (0: the role's default, 100).
const kubevulnQueue = option('kubevuln-queue', 0);
const NS = 'bench';

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-bench-operator-'));
const paths = { ...devPaths(), stateDir };
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'gone' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Lines of a log at a level (warn/error), to show what went wrong where. */
function countLines(file: string, pattern: RegExp): number {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => pattern.test(l)).length;
  } catch {
    return 0;
  }
}

let exitCode = 0;
async function tearDown(): Promise<void> {
  await servicesDown(paths, { wipe: true }).catch(() => undefined);
  await storageDown(paths, { wipe: true }).catch(() => undefined);
  await registryDown(paths, { name: 'default', wipe: true }).catch(() => undefined);
  await clusterDown({ paths, wipe: true }).catch(() => undefined);
  fs.rmSync(stateDir, { recursive: true, force: true });
}

// An interrupted run must not leave daemons behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the environment`);
    void (keep ? Promise.resolve() : tearDown()).finally(() => process.exit(130));
  });
}

try {
  const ports = new Set<number>();
  while (ports.size < 8) ports.add(await freePort());
  const [apiserverPort, etcdPort, etcdPeerPort, registryPort, storagePort, posture, kubevuln, operator] = [
    ...ports,
  ];
  const setupStarted = Date.now();
  const up = await devUp(paths, undefined, {
    clusterPorts: { apiserverPort, etcdPort, etcdPeerPort },
    registryPort,
    storagePort,
    services: {
      ports: { posture, kubevuln, operator },
      ...(postureQueue > 0 ? { postureQueueCapacity: postureQueue } : {}),
      ...(kubevulnQueue > 0 ? { kubevulnMaxQueue: kubevulnQueue } : {}),
    },
    demo: false,
  });
  log(`environment up in ${seconds(Date.now() - setupStarted)} (database ${up.db.state})`);

  const pushStarted = Date.now();
  const images = await pushImageVariants(paths, up.registry, { repository: 'bench/app', count: imageCount });
  log(`${images.length} images pushed in ${seconds(Date.now() - pushStarted)}`);

  const api = new DevKubeApi(paths);
  await ensureNamespace(api, NS);
  const specs: WorkloadSpec[] = Array.from({ length: workloadCount }, (_, i) => {
    const image = images[i % images.length]!;
    return {
      kind: 'Deployment',
      namespace: NS,
      name: `app-${String(i).padStart(4, '0')}`,
      containers: [containerImage('main', image.reference, image.digest)],
      podSpec: { containers: [{ name: 'main', image: image.reference }] },
    };
  });
  const targets: ResultTargets = {
    namespace: NS,
    workloads: specs.map((s) => ({ kind: s.kind, name: s.name, containers: ['main'] })),
    digests: images.map((i) => i.digest),
  };
  const expected = expectedResults(targets);

  const t0 = Date.now();
  const created: RunningWorkload[] = await mapLimited(specs, 8, (spec) => runWorkload(api, spec));
  const createdMs = Date.now() - t0;
  api.close();
  log(`${created.length} Deployments (+ ReplicaSets, Running Pods) created in ${seconds(createdMs)}`);

  const reached: Partial<Record<keyof ResultCounts, number>> = {};
  const waited = await waitForResults(paths, targets, expected, {
    timeoutMs,
    intervalMs: 2000,
    onProgress: (c) => {
      for (const key of Object.keys(expected) as (keyof ResultCounts)[]) {
        if (reached[key] === undefined && c[key] >= expected[key]) reached[key] = Date.now() - t0;
      }
      log(
        `${seconds(Date.now() - t0)}: ${c.vulnerabilityManifestSummaries}/${expected.vulnerabilityManifestSummaries} vulnerability summaries, ` +
          `${c.workloadConfigurationScanSummaries}/${expected.workloadConfigurationScanSummaries} posture summaries, ` +
          `${c.vulnerabilityManifests}/${expected.vulnerabilityManifests} image manifests`,
      );
    },
  });
  const totalMs = Date.now() - t0;
  const diagnostics = (await (await fetch(`${up.services.services.kubevuln.url}/v1/diagnostics`)).json()) as {
    imagesPulled: number;
    scansServedFromCache: number;
    counters: Record<string, unknown>;
  };
  // A few seconds more: duplicates would show up as extra pulls after everything exists.
  await new Promise((r) => setTimeout(r, 10_000));
  const final = (await (await fetch(`${up.services.services.kubevuln.url}/v1/diagnostics`)).json()) as {
    imagesPulled: number;
  };
  const counts = await resultCounts(paths, targets);

  const services = await servicesStatus(paths);
  const memory: Record<string, string> = {};
  for (const s of services) memory[s.role] = mib(s.pid ? peakMemory(s.pid) : undefined);
  memory['storage'] = mib(storageStatus(paths).pid ? peakMemory(storageStatus(paths).pid!) : undefined);
  const apiserverPid = (await clusterStatus(paths)).info?.apiserverPid;
  memory['kube-apiserver'] = mib(apiserverPid ? peakMemory(apiserverPid) : undefined);
  const problems: Record<string, { warn: number; error: number }> = {};
  for (const s of services) {
    problems[s.role] = { warn: countLines(s.logFile, /\bwarn\b/), error: countLines(s.logFile, /\berror\b/) };
  }

  const report = {
    workloads: workloadCount,
    images: imageCount,
    done: waited.done,
    createSeconds: +(createdMs / 1000).toFixed(1),
    secondsUntilEverySummary: waited.done ? +(totalMs / 1000).toFixed(1) : null,
    secondsUntil: Object.fromEntries(Object.entries(reached).map(([k, v]) => [k, +(v / 1000).toFixed(1)])),
    results: counts,
    expected,
    imagePulls: final.imagesPulled,
    imagePullsWhenDone: diagnostics.imagesPulled,
    distinctDigests: new Set(images.map((i) => i.digest)).size,
    scansServedFromCache: diagnostics.scansServedFromCache,
    peakMemory: memory,
    logLines: problems,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!waited.done || final.imagesPulled !== report.distinctDigests) exitCode = 1;
  if (keep) log(`kept the environment: KUBEGUARD_STATE_DIR=${stateDir}`);
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  if (!keep) await tearDown();
}
process.exit(exitCode);
