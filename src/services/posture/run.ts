/**
 * The `posture` role (Kubescape's `kubescape` Deployment, `ksserver`): the scan API on port 8080,
 * a bounded queue running one scan at a time, results written to the storage API group.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import { loadKubeConfig } from '../../k8s/index.ts';
import { ClusterReader } from './collect.ts';
import { createPostureApi } from './http-api.ts';
import { PostureScanner } from './posture-scanner.ts';
import { ScanResultWriter } from './result-writer.ts';
import { KubeObjects } from '../shared/kube-objects.ts';
import type { ScanExecutor } from './scan-queue.ts';
import { ScanQueue } from './scan-queue.ts';
import { batchKeyOf, toScanPlan } from './scan-request.ts';

/** Namespaces Kubescape's chart excludes by default. */
export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = [
  'kubescape',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

export interface PostureServiceOptions {
  kubeconfig?: string;
  context?: string;
  /** A ready KubeConfig (tests); wins over kubeconfig/context. */
  kubeConfig?: KubeConfig;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Cluster name in WLIDs (default: the kubeconfig context). */
  clusterName?: string;
  /** Namespace of cluster-scoped and RBAC results. */
  namespace?: string;
  queueCapacity?: number;
  apiToken?: string;
  /** Defaults for requests naming no namespaces. */
  excludeNamespaces?: readonly string[];
  includeNamespaces?: readonly string[];
  writeConcurrency?: number;
  snapshotTtlMs?: number;
  maxStoredResults?: number;
  maxBodyBytes?: number;
  summariesOnly?: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Replaces the real scanner (tests of the HTTP contract). */
  executor?: ScanExecutor;
  logger?: Logger;
}

export interface RunningPostureService {
  url: string;
  port: number;
  queue: ScanQueue;
  /** Stops accepting requests; the running scan finishes unless `abandon`. */
  close(options?: { abandon?: boolean }): Promise<void>;
}

function readTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  try {
    return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
  } catch (err) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `cannot read the TLS certificate or key: ${messageOf(err)}`,
      {
        hint: 'pass both --tls-cert-file and --tls-key-file (PEM), or neither for plain HTTP',
      },
    );
  }
}

/** Ready once the API server answered; then it stays ready (a blip must not restart scans). */
function readiness(reader: ClusterReader, logger: Logger): () => Promise<boolean> {
  let ready = false;
  return async () => {
    if (ready) return true;
    try {
      await reader.version({ timeoutMs: 2_000 });
      ready = true;
      logger.info('the API server is reachable: ready');
    } catch (err) {
      logger.debug('not ready', { error: messageOf(err) });
    }
    return ready;
  };
}

export async function runPostureService(options: PostureServiceOptions = {}): Promise<RunningPostureService> {
  const logger = options.logger ?? silentLogger;
  const kc = options.kubeConfig ?? loadKubeConfig(options.kubeconfig, options.context);
  const reader = new ClusterReader(kc);
  const clusterName = options.clusterName || kc.getCurrentContext();
  const operatorNamespace = options.namespace || 'kubescape';
  const executor =
    options.executor ??
    new PostureScanner({
      reader,
      writer: new ScanResultWriter(new KubeObjects(kc), {
        concurrency: options.writeConcurrency ?? 8,
        summariesOnly: options.summariesOnly ?? false,
        logger,
      }),
      clusterName,
      operatorNamespace,
      snapshotTtlMs: options.snapshotTtlMs ?? 5_000,
      logger,
    }).execute;
  const queue = new ScanQueue({
    capacity: options.queueCapacity ?? 10,
    executor,
    batchKey: batchKeyOf,
    maxStoredResults: options.maxStoredResults ?? 20,
    logger,
  });
  const defaults = {
    excludeNamespaces: options.excludeNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES,
    includeNamespaces: options.includeNamespaces ?? [],
  };
  const listener = createPostureApi({
    queue,
    planOf: (request) => toScanPlan(request, defaults),
    ready: readiness(reader, logger),
    logger,
    ...(options.apiToken ? { apiToken: options.apiToken } : {}),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  if (!!options.tlsCertFile !== !!options.tlsKeyFile) {
    throw new KubeguardError(ErrorCodes.invalidInput, 'TLS needs both a certificate and a key file');
  }
  const tls =
    options.tlsCertFile && options.tlsKeyFile ? readTls(options.tlsCertFile, options.tlsKeyFile) : undefined;
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new KubeguardError(ErrorCodes.portInUse, `port ${options.port ?? 8080} on ${host} is in use`, {
              hint: 'choose another with --port',
            })
          : err,
      ),
    );
    server.listen(options.port ?? 8080, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('posture service listening', {
    url,
    cluster: clusterName,
    namespace: operatorNamespace,
    auth: options.apiToken ? 'bearer token' : 'none',
  });
  if (!options.apiToken) {
    logger.warn(
      'no API token: /v1 endpoints are unauthenticated; do not expose the service beyond the cluster',
    );
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    queue,
    close(closeOptions = {}) {
      // A second call may escalate a graceful close to abandoning the running scan.
      if (closing && closeOptions.abandon) void queue.close({ abandon: true });
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await queue.close(closeOptions);
        // Requests waiting on scans (`wait=true`) are being answered now; keep-alive connections
        // become idle once they are and would otherwise hold the server open.
        const deadline = Date.now() + 2_000;
        let closed = false;
        void serverClosed.then(() => (closed = true));
        while (!closed && Date.now() < deadline) {
          server.closeIdleConnections();
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        server.closeAllConnections();
        await serverClosed;
        logger.info('posture service stopped');
      })();
      return closing;
    },
  };
}
