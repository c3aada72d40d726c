import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import YAML from 'yaml';
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError, silentLogger } from '../common/index.ts';
import { clusterLayout, clusterStatus, userKubeconfig } from './cluster.ts';
import type { DevPaths } from './paths.ts';
import { ensureCa, ensureCert, pki } from './pki.ts';
import type { Daemon } from './proc.ts';
import { assertPortFree, pidStatus, run, startDaemon, stopDaemon, waitUntil } from './proc.ts';

/**
 * `kubeguard dev storage`: runs the storage role on 127.0.0.1 against the local control plane and
 * registers it with the aggregator. Endpoints may not hold loopback addresses, so the APIService
 * points at an ExternalName Service ("localhost") and the control plane uses service routing.
 */
export const STORAGE_USER = 'kubeguard-storage';
export const STORAGE_NAMESPACE = 'kubescape';
export const STORAGE_SERVICE = 'kubeguard-storage';
export const APISERVICE_NAME = 'v1beta1.spdx.softwarecomposition.kubescape.io';

export interface StorageLayout {
  dir: string;
  dataDir: string;
  kubeconfig: string;
  settingsFile: string;
  daemon: Daemon;
}

export function storageLayout(paths: DevPaths): StorageLayout {
  const dir = path.join(paths.stateDir, 'storage');
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    kubeconfig: path.join(dir, 'storage.kubeconfig'),
    settingsFile: path.join(dir, 'storage.json'),
    daemon: {
      name: 'storage',
      pidFile: path.join(dir, 'storage.pid'),
      logFile: path.join(dir, 'storage.log'),
    },
  };
}

const daemonMarker = 'kubeguard.js storage';

function manifests(port: number, caBundle: string): string {
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: STORAGE_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: STORAGE_SERVICE,
        namespace: STORAGE_NAMESPACE,
        labels: { 'app.kubernetes.io/name': 'kubeguard-storage' },
      },
      spec: {
        type: 'ExternalName',
        externalName: 'localhost',
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: APISERVICE_NAME },
      spec: {
        group: 'spdx.softwarecomposition.kubescape.io',
        version: 'v1beta1',
        groupPriorityMinimum: 1000,
        versionPriority: 15,
        service: { namespace: STORAGE_NAMESPACE, name: STORAGE_SERVICE, port },
        caBundle,
      },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeguard-storage:system:auth-delegator' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: STORAGE_USER }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'kubeguard-storage-auth-reader', namespace: 'kube-system' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: STORAGE_USER }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'kubeguard-storage' },
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: ['apps'],
          resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeguard-storage' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubeguard-storage' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: STORAGE_USER }],
    },
  ];
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}

async function probeReady(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/readyz', ca, servername: 'localhost', timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

export interface StorageInfo {
  port: number;
  dataDir: string;
  logFile: string;
  pid?: number;
}

export async function storageUp(
  paths: DevPaths,
  options: { port?: number; readyTimeoutMs?: number; cleanup?: boolean } = {},
  logger: Logger = silentLogger,
): Promise<StorageInfo> {
  const cluster = await clusterStatus(paths);
  if (!cluster.ready || !cluster.info) {
    throw new KubeguardError(ErrorCodes.prerequisite, 'the local control plane is not running', {
      hint: 'start it first: kubeguard dev cluster up',
    });
  }
  const admin = clusterLayout(paths).kubeconfig;
  const layout = storageLayout(paths);
  fs.mkdirSync(layout.dataDir, { recursive: true });
  let previous: { port?: number } = {};
  try {
    previous = JSON.parse(fs.readFileSync(layout.settingsFile, 'utf8')) as { port?: number };
  } catch {
    /* first start */
  }
  const port = options.port ?? previous.port ?? 8443;
  const p = pki(path.join(layout.dir, 'pki'));
  await ensureCa(p, 'ca', 'kubeguard-dev-storage-ca');
  await ensureCert(p, 'ca', {
    name: 'serving',
    commonName: `${STORAGE_SERVICE}.${STORAGE_NAMESPACE}.svc`,
    usage: 'server',
    dnsNames: [
      `${STORAGE_SERVICE}.${STORAGE_NAMESPACE}.svc`,
      `${STORAGE_SERVICE}.${STORAGE_NAMESPACE}.svc.cluster.local`,
      'localhost',
    ],
    ips: ['127.0.0.1'],
  });
  fs.writeFileSync(layout.kubeconfig, await userKubeconfig(paths, STORAGE_USER), { mode: 0o600 });
  // RBAC first: the storage reads the authentication config map as soon as it starts.
  const ca = fs.readFileSync(p.file('ca', 'crt'));
  await applyManifests(admin, manifests(port, ca.toString('base64')));

  const status = pidStatus(layout.daemon, daemonMarker);
  if (status.state === 'stale') {
    logger.warn(`removing stale PID file: ${status.reason}`);
    fs.rmSync(layout.daemon.pidFile, { force: true });
  }
  if (status.state !== 'running') {
    await assertPortFree('127.0.0.1', port, 'the storage', '--port');
    startDaemon(layout.daemon, process.execPath, [
      path.join(paths.repoRoot, 'bin', 'kubeguard.js'),
      'storage',
      '--kubeconfig', layout.kubeconfig,
      '--data-dir', layout.dataDir,
      '--bind-address', '127.0.0.1',
      '--secure-port', String(port),
      '--tls-cert-file', p.file('serving', 'crt'),
      '--tls-private-key-file', p.file('serving', 'key'),
      // The dev cluster runs no real workloads: by default only log what cleanup would delete.
      ...(options.cleanup ? ['--cleanup-interval', '10m'] : ['--cleanup-dry-run']),
    ], { env: { ...process.env, MALLOC_ARENA_MAX: '2' } }); // prettier-ignore
    logger.info(`started the storage on https://127.0.0.1:${port}`);
  }
  fs.writeFileSync(layout.settingsFile, `${JSON.stringify({ port }, null, 2)}\n`);
  await waitUntil('storage /readyz', () => probeReady(port, ca), {
    timeoutMs: options.readyTimeoutMs ?? 30_000,
    daemon: layout.daemon,
    expect: daemonMarker,
  });
  await waitUntil(
    `APIService ${APISERVICE_NAME} to become Available`,
    async () => {
      const out = await run('kubectl', [
        '--kubeconfig', admin, 'get', 'apiservice', APISERVICE_NAME,
        '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}',
      ]); // prettier-ignore
      return out.trim() === 'True';
    },
    { timeoutMs: options.readyTimeoutMs ?? 60_000, intervalMs: 500 },
  );
  // kubectl validates with the aggregated OpenAPI document; until the aggregator has downloaded
  // ours, `kubectl apply` fails with "the server is currently unable to handle the request".
  await waitUntil(
    'the aggregated OpenAPI document of the group',
    async () =>
      (await run('kubectl', ['--kubeconfig', admin, 'get', '--raw', '/openapi/v3'])).includes(
        `apis/${'spdx.softwarecomposition.kubescape.io'}/v1beta1`,
      ),
    { timeoutMs: options.readyTimeoutMs ?? 120_000, intervalMs: 500 },
  );
  return {
    port,
    dataDir: layout.dataDir,
    logFile: layout.daemon.logFile,
    pid: pidStatus(layout.daemon, daemonMarker).pid,
  };
}

async function applyManifests(kubeconfig: string, yaml: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new KubeguardError(
              ErrorCodes.processFailed,
              `kubectl apply of the storage registration failed: ${stderr.trim()}`,
            ),
          ),
    );
    child.stdin.end(yaml);
  });
}

export async function storageDown(
  paths: DevPaths,
  options: { wipe?: boolean } = {},
  logger: Logger = silentLogger,
): Promise<void> {
  const layout = storageLayout(paths);
  const cluster = await clusterStatus(paths);
  if (cluster.ready) {
    // Without this, every kubectl command would warn that the group's discovery fails.
    await run('kubectl', [
      '--kubeconfig',
      clusterLayout(paths).kubeconfig,
      'delete',
      'apiservice',
      APISERVICE_NAME,
      '--ignore-not-found',
    ]);
  }
  const result = await stopDaemon(layout.daemon, daemonMarker);
  if (result === 'stopped') logger.info('stopped the storage');
  if (options.wipe) {
    fs.rmSync(layout.dir, { recursive: true, force: true });
    logger.info(`wiped ${layout.dir}`);
  }
}

export function storageStatus(paths: DevPaths): {
  state: 'running' | 'stopped' | 'stale';
  pid?: number;
  port?: number;
} {
  const layout = storageLayout(paths);
  const status = pidStatus(layout.daemon, daemonMarker);
  let port: number | undefined;
  try {
    port = (JSON.parse(fs.readFileSync(layout.settingsFile, 'utf8')) as { port?: number }).port;
  } catch {
    /* never started */
  }
  return { state: status.state, pid: status.pid, port };
}
