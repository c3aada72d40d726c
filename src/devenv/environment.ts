import fs from 'node:fs';
import type { Logger } from '../common/index.ts';
import { silentLogger } from '../common/index.ts';
import { RegistryClient } from '../sbom/index.ts';
import type { ClusterInfo, ClusterUpOptions } from './cluster.ts';
import { clusterLayout, clusterUp, readClusterConfig } from './cluster.ts';
import { applyCrds } from './crds.ts';
import type { DemoInfo, ResultCounts } from './demo.ts';
import { demoTargets, demoUp, expectedResults, waitForResults } from './demo.ts';
import { buildTestImage, pushLayout, testImages } from './images.ts';
import type { DevPaths } from './paths.ts';
import type { RegistryInfo } from './registry.ts';
import { registryStatus, registryUp } from './registry.ts';
import type { ServicesInfo, ServicesUpOptions, VulnDbResult } from './services.ts';
import { ensureVulnDb, servicesUp, triggerScan } from './services.ts';
import type { StorageInfo } from './storage.ts';
import { storageUp } from './storage.ts';

/** A registry client that trusts and authenticates to a local registry. */
export function registryClientFor(info: RegistryInfo): RegistryClient {
  return new RegistryClient({
    plainHttp: info.tls ? [] : [info.address],
    ...(info.caFile ? { ca: fs.readFileSync(info.caFile) } : {}),
    credentials: (registry) => (registry === info.address && info.auth ? info.auth : undefined),
  });
}

export interface PushedImage {
  reference: string;
  digest: string;
  cached: boolean;
}

/** Builds (or takes from the cache) every test image and pushes it to the registry. */
export async function pushTestImages(
  paths: DevPaths,
  registry: RegistryInfo,
  options: { rebuild?: boolean; only?: string[]; logger?: Logger } = {},
): Promise<PushedImage[]> {
  const logger = options.logger ?? silentLogger;
  const client = registryClientFor(registry);
  const pushed: PushedImage[] = [];
  try {
    for (const image of testImages) {
      if (options.only && !options.only.some((o) => image.name.startsWith(o))) continue;
      const started = Date.now();
      const { dir, cached } = await buildTestImage(paths, image, { rebuild: options.rebuild, logger });
      const reference = `${registry.address}/${image.name}`;
      const digest = await pushLayout(client, dir, reference);
      logger.info(`${reference} ${cached ? 'from cache' : 'built'}, pushed in ${Date.now() - started} ms`, {
        digest,
      });
      pushed.push({ reference, digest, cached });
    }
  } finally {
    await client.close();
  }
  return pushed;
}

export interface DevUpOptions {
  /** Ports of the control plane (default: remembered, else 6443 / 32379 / 32380). */
  clusterPorts?: ClusterUpOptions['ports'];
  /** Port of the default registry (default: remembered, else 5000). */
  registryPort?: number;
  /** Port of the storage (default: remembered, else 8443). */
  storagePort?: number;
  services?: ServicesUpOptions;
  /** Where the OSV test data is (default ../shared/vulndata beside the checkout). */
  vulndata?: string;
  /** Create the demo workloads, trigger both scans and wait for the results (default true). */
  demo?: boolean;
  /** How long to wait for the demo's results (default 5 min). */
  resultsTimeoutMs?: number;
}

export interface DevUpResult {
  cluster: ClusterInfo;
  registry: RegistryInfo;
  images: PushedImage[];
  storage: StorageInfo;
  crds: string[];
  db: VulnDbResult;
  services: ServicesInfo;
  demo?: DemoInfo;
  /** What the demo's scans produced before `dev up` returned. */
  results?: { done: boolean; counts: ResultCounts; expected: ResultCounts; seconds: number };
}

/**
 * The main job: control plane, default registry, test images, Kubeguard's storage, the chart's
 * CRDs, the vulnerability database, the posture / kubevuln / operator roles, and the demo
 * workloads scanned once. Every step reuses what already runs, so a second call is cheap.
 */
export async function devUp(
  paths: DevPaths,
  logger: Logger = silentLogger,
  options: DevUpOptions = {},
): Promise<DevUpResult> {
  const cluster = await clusterUp({ paths, logger, ports: options.clusterPorts });
  const registry = await registryUp(paths, { port: options.registryPort }, logger);
  const images = await pushTestImages(paths, registry, { logger });
  const storage = await storageUp(paths, { port: options.storagePort }, logger);
  const crds = await applyCrds(cluster.kubeconfig);
  logger.info(`CRDs established: ${crds.join(', ')}`);
  const db = await ensureVulnDb(
    paths,
    { dbPath: options.services?.dbPath, vulndata: options.vulndata },
    logger,
  );
  if (db.state === 'missing' && db.hint) logger.warn(db.hint);
  const services = await servicesUp(paths, { ...options.services, dbPath: db.path }, logger);
  const result: DevUpResult = { cluster, registry, images, storage, crds, db, services };
  if (options.demo === false) return result;

  const demo = await demoUp(paths, registry, logger);
  result.demo = demo;
  const operatorUrl = services.services.operator.url;
  // What the two scheduler CronJobs of the chart would send; continuous scanning would get there
  // on its own too, but this is the path a user takes with `kubeguard trigger`.
  logger.info(`trigger: kubescape scan ${await triggerScan(paths, operatorUrl, 'kubescape-scan')}`);
  if (services.dbReady)
    logger.info(`trigger: vulnerability scan ${await triggerScan(paths, operatorUrl, 'vuln-scan')}`);
  const targets = demoTargets(demo);
  const expected = expectedResults(targets);
  if (!services.dbReady) {
    expected.vulnerabilityManifestSummaries = 0;
    expected.vulnerabilityManifests = 0;
  }
  const started = Date.now();
  const waited = await waitForResults(paths, targets, expected, {
    timeoutMs: options.resultsTimeoutMs ?? 300_000,
    onProgress: (c) =>
      logger.info(
        `results: ${c.vulnerabilityManifestSummaries}/${expected.vulnerabilityManifestSummaries} vulnerability summaries, ` +
          `${c.workloadConfigurationScanSummaries}/${expected.workloadConfigurationScanSummaries} posture summaries, ` +
          `${c.vulnerabilityManifests}/${expected.vulnerabilityManifests} image manifests`,
      ),
  });
  result.results = { ...waited, expected, seconds: Math.round((Date.now() - started) / 1000) };
  if (!waited.done) {
    logger.warn('not every result arrived in time; the scans go on in the background', {
      logs: Object.values(services.services)
        .map((s) => s.logFile)
        .join(' '),
    });
  }
  return result;
}

/** Shell exports (like `minikube docker-env`) for the running dev environment. */
export async function envExports(paths: DevPaths): Promise<string> {
  const lines: string[] = [];
  const layout = clusterLayout(paths);
  if (readClusterConfig(layout) && fs.existsSync(layout.kubeconfig)) {
    lines.push(`export KUBECONFIG='${layout.kubeconfig}'`);
  }
  const registry = await registryStatus(paths, 'default');
  if (registry.info) lines.push(`export KUBEGUARD_REGISTRY='${registry.info.address}'`);
  if (process.env.KUBEGUARD_STATE_DIR) lines.push(`export KUBEGUARD_STATE_DIR='${paths.stateDir}'`);
  if (lines.length === 0) {
    lines.push('# no dev environment yet: run `kubeguard dev up` (or `kubeguard dev cluster up`)');
  } else {
    lines.push('# use: eval "$(node bin/kubeguard.js dev env)"');
  }
  return `${lines.join('\n')}\n`;
}
