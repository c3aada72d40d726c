/**
 * The `kubeguard kubevuln` role in process: database handle, storage client, scanner, job queue and
 * HTTP server, with a close() that stops accepting, abandons queued jobs, lets running ones finish
 * (within a grace period) and closes the database.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../common/index.ts';
import { silentLogger } from '../../common/index.ts';
import { loadKubeConfig } from '../../k8s/index.ts';
import { DirectoryLayerCache } from '../../sbom/index.ts';
import { defaultDbPath } from '../../vuln/index.ts';
import { AdvisoryDbHandle } from './advisory-db.ts';
import type { Endpoint, ScanCommand } from './commands.ts';
import type { Counters, PipelineContext } from './context.ts';
import { emptyCounters, engineVersions } from './context.ts';
import type { JobContext } from './jobs.ts';
import { JobQueue } from './jobs.ts';
import type { ObjectStore } from './object-store.ts';
import { kubeObjectStore } from './object-store.ts';
import type { ImagePuller } from './puller.ts';
import { RegistryPuller } from './puller.ts';
import type { JobResult } from './scanner.ts';
import { Scanner } from './scanner.ts';
import { createKubevulnServer } from './server.ts';
import { RateLimitCooldown } from './sync.ts';

const MiB = 1024 * 1024;

export interface KubevulnOptions {
  /** Default 127.0.0.1 and 8080; port 0 picks a free one. */
  host?: string;
  port?: number;
  kubeconfig?: string;
  /** Storage namespace of SBOMs and manifests (default `kubescape`). */
  namespace?: string;
  /** Vulnerability database file (default: the vuln engine's default path). */
  dbPath?: string;
  /** Workers (default 1) and queued jobs beyond them (default 100). */
  concurrency?: number;
  maxQueue?: number;
  /** kubevuln maxImageSize (512 MiB), maxSBOMSize (20 MiB), scanTimeout (5 min). */
  maxImageSize?: number;
  maxSbomSize?: number;
  scanTimeoutMs?: number;
  /** Cache of layer reads by diffID, shared by scans of images with common layers. */
  layerCacheDir?: string;
  /** PEM CA trusted for registries. */
  registryCaFile?: string;
  storeFilteredSbom?: boolean;
  partialRelevancy?: boolean;
  /** How often the database file is checked for replacement (default 30 s). */
  dbRefreshMs?: number;
  /** Time running jobs get to finish on close (default 30 s). */
  shutdownGraceMs?: number;
  logger?: Logger;
  /** Injected in tests instead of the Kubernetes API and the registry. */
  store?: ObjectStore;
  puller?: ImagePuller;
}

export interface RunningKubevuln {
  host: string;
  port: number;
  url: string;
  counters: Counters;
  jobs: JobQueue;
  db: AdvisoryDbHandle;
  close(): Promise<void>;
}

export async function runKubevuln(options: KubevulnOptions = {}): Promise<RunningKubevuln> {
  const logger = options.logger ?? silentLogger;
  const db = new AdvisoryDbHandle(options.dbPath ?? defaultDbPath(), logger);
  db.refresh();
  const store = options.store ?? kubeObjectStore(loadKubeConfig(options.kubeconfig));
  const puller =
    options.puller ??
    new RegistryPuller({
      logger,
      ...(options.layerCacheDir ? { cache: new DirectoryLayerCache(options.layerCacheDir) } : {}),
    });
  const counters = emptyCounters();
  const cooldown = new RateLimitCooldown();
  const limits = {
    maxImageSize: options.maxImageSize ?? 512 * MiB,
    maxSbomSize: options.maxSbomSize ?? 20 * MiB,
    timeoutMs: options.scanTimeoutMs ?? 5 * 60_000,
  };
  const ctx: PipelineContext = {
    store,
    puller,
    db,
    namespace: options.namespace ?? 'kubescape',
    limits,
    cooldown,
    counters,
    logger,
    ...(options.registryCaFile ? { registryCa: fs.readFileSync(options.registryCaFile) } : {}),
    storeFilteredSbom: options.storeFilteredSbom ?? false,
    partialRelevancy: options.partialRelevancy ?? false,
    now: () => new Date(),
  };
  const scanner = new Scanner(ctx);
  const jobs = new JobQueue({
    concurrency: options.concurrency ?? 1,
    maxQueue: options.maxQueue ?? 100,
    logger,
  });
  const run = (endpoint: Endpoint, cmd: ScanCommand, job: JobContext): Promise<JobResult> => {
    switch (endpoint) {
      case 'scanImage':
        return scanner.scanImage(cmd, job);
      case 'generateSBOM':
        return scanner.generateSbom(cmd, job);
      case 'scanRegistryImage':
        return scanner.scanRegistryImage(cmd, job);
      case 'scanApplicationProfile':
        return scanner.scanContainerProfile(cmd, job);
    }
  };
  const server = createKubevulnServer({
    jobs,
    db,
    cooldown,
    counters,
    run,
    logger,
    diagnostics: () => {
      const v = engineVersions(db.version);
      return {
        scanMode: 'storage',
        sbomCreatorVersion: v.sbom,
        cveScannerVersion: v.cve,
        cveMatchingMode: v.matchingMode,
        dbPath: db.path,
        dbError: db.error || undefined,
        dbOpens: db.opens,
        scanTimeout: `${limits.timeoutMs / 1000}s`,
        maxImageSize: limits.maxImageSize,
        maxSBOMSize: limits.maxSbomSize,
        storageEnabled: true,
        riskAcceptanceEnabled: false,
        vexGenerationEnabled: false,
        namespace: ctx.namespace,
        scanConcurrency: options.concurrency ?? 1,
        maxQueueDepth: options.maxQueue ?? 100,
      };
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const refresh = setInterval(() => db.refresh(), options.dbRefreshMs ?? 30_000);
  refresh.unref();
  logger.info(`kubevuln serves http://${host}:${port}`, {
    namespace: ctx.namespace,
    db: db.path,
    ready: db.ready,
  });
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${host}:${port}`,
    counters,
    jobs,
    db,
    close: () =>
      (closing ??= (async () => {
        clearInterval(refresh);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await jobs.close(options.shutdownGraceMs ?? 30_000);
        await stopped;
        db.close();
        logger.info('kubevuln stopped');
      })()),
  };
}
