/**
 * `kubeguard dev services`: the three in-cluster roles of the chart (`kubescape` = posture,
 * `kubevuln`, `operator`) as local daemons on 127.0.0.1, each with a kubeconfig of its own user and
 * the RBAC the chart gives its ServiceAccount, the operator pointed at the local posture and
 * kubevuln. Same pattern as the storage: PID files checked against the command line, idempotent
 * `up` (running daemons are reused), `down` stops exactly what `up` started.
 *
 * The vulnerability database is built offline from the shared OSV test data when it is there (the
 * machines this runs on have no network); otherwise kubevuln starts without one and picks up a
 * database imported later (it re-checks the file every 30 s).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../common/index.ts';
import { clusterLayout, clusterStatus, userKubeconfig } from './cluster.ts';
import type { DevPaths } from './paths.ts';
import type { Daemon } from './proc.ts';
import { assertPortFree, pidStatus, run, startDaemon, stopDaemon, waitUntil } from './proc.ts';
import { storageStatus } from './storage.ts';

export const SERVICE_ROLES = ['kubevuln', 'posture', 'operator'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

/** The cluster name in WLIDs of the dev environment. */
export const DEV_CLUSTER_NAME = 'kubeguard-dev';
/** Where the chart's services keep their objects (operator CronJobs, SBOMs, manifests). */
export const SERVICES_NAMESPACE = 'kubescape';

export const defaultServicePorts: Record<ServiceRole, number> = {
  posture: 8080,
  kubevuln: 8081,
  // The operator's own default port (its REST API in the chart).
  operator: 4002,
};

const STORAGE_GROUP = 'spdx.softwarecomposition.kubescape.io';

export interface ServicesLayout {
  dir: string;
  settingsFile: string;
  dbPath: string;
  layerCacheDir: string;
  kubeconfig: (role: ServiceRole) => string;
  daemon: (role: ServiceRole) => Daemon;
}

export function servicesLayout(paths: DevPaths): ServicesLayout {
  const dir = path.join(paths.stateDir, 'services');
  return {
    dir,
    settingsFile: path.join(dir, 'services.json'),
    dbPath: path.join(dir, 'vulndb.sqlite'),
    layerCacheDir: path.join(dir, 'layer-cache'),
    kubeconfig: (role) => path.join(dir, `${role}.kubeconfig`),
    daemon: (role) => ({
      name: role,
      pidFile: path.join(dir, `${role}.pid`),
      logFile: path.join(dir, `${role}.log`),
    }),
  };
}

/** What must be in a daemon's command line for its PID file to be believed (see pidStatus). */
const marker = (role: ServiceRole): string => `kubeguard.js ${role}`;

/** The user each role authenticates as (client certificate CN), like the chart's ServiceAccounts. */
export const serviceUser = (role: ServiceRole): string => `kubeguard-${role}`;

/** Remembered by `up`, so that a later `up` (e.g. restarting one crashed role) starts it the same way. */
interface Settings {
  ports: Record<ServiceRole, number>;
  clusterName: string;
  dbPath: string;
  registryCa?: string;
}

function readSettings(layout: ServicesLayout): Partial<Settings> {
  try {
    return JSON.parse(fs.readFileSync(layout.settingsFile, 'utf8')) as Partial<Settings>;
  } catch {
    return {};
  }
}

/**
 * RBAC of the chart's ClusterRoles, narrowed to what these roles do: kubescape reads everything
 * and writes posture results; kubevuln reads ContainerProfiles and writes SBOMs and manifests; the
 * operator reads workloads and pull secrets, manages CronJobs and their ConfigMaps, runs
 * OperatorCommands and deletes the results of deleted workloads.
 */
function rbacManifests(): string {
  const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  const read = ['get', 'list', 'watch'];
  const roles: Record<ServiceRole, object[]> = {
    posture: [
      { apiGroups: ['*'], resources: ['*'], verbs: read },
      { apiGroups: [STORAGE_GROUP], resources: ['*'], verbs: all },
    ],
    kubevuln: [{ apiGroups: [STORAGE_GROUP], resources: ['*'], verbs: all }],
    operator: [
      { apiGroups: ['*'], resources: ['*'], verbs: read },
      { apiGroups: [STORAGE_GROUP], resources: ['*'], verbs: all },
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: all },
      { apiGroups: [''], resources: ['configmaps'], verbs: all },
      { apiGroups: ['kubescape.io'], resources: ['operatorcommands', 'operatorcommands/status'], verbs: all },
    ],
  };
  const docs: object[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SERVICES_NAMESPACE } }];
  for (const role of SERVICE_ROLES) {
    const name = serviceUser(role);
    docs.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name },
        rules: roles[role],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name }],
      },
    );
  }
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}

async function kubectlApply(kubeconfig: string, yaml: string): Promise<void> {
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
        : reject(new KubeguardError(ErrorCodes.processFailed, `kubectl apply failed: ${stderr.trim()}`)),
    );
    child.stdin.end(yaml);
  });
}

/** Where the shared OSV test data is: $KUBEGUARD_VULNDATA, else ../shared/vulndata beside the checkout. */
export function vulndataDir(paths: DevPaths, env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEGUARD_VULNDATA ?? path.resolve(paths.repoRoot, '..', 'shared', 'vulndata');
}

export interface VulnDbResult {
  path: string;
  /** What happened: built now, reused, or missing (kubevuln will wait for one). */
  state: 'built' | 'present' | 'missing';
  /** For `missing`: what to run. */
  hint?: string;
}

/**
 * Makes sure the dev database exists: an existing file is kept (`db import` is atomic, so a file
 * there is complete), else it is built from the OSV files of the shared test data with
 * `kubeguard db import` (a child process: the dev layer does not link the vuln engine).
 */
export async function ensureVulnDb(
  paths: DevPaths,
  options: { dbPath?: string; vulndata?: string; rebuild?: boolean } = {},
  logger: Logger = silentLogger,
): Promise<VulnDbResult> {
  const dbPath = options.dbPath ?? servicesLayout(paths).dbPath;
  if (!options.rebuild && fs.existsSync(dbPath)) return { path: dbPath, state: 'present' };
  const osv = path.join(options.vulndata ?? vulndataDir(paths), 'osv');
  if (!fs.existsSync(osv)) {
    return {
      path: dbPath,
      state: 'missing',
      hint:
        `no vulnerability database and no OSV data at ${osv}: import one with ` +
        `\`kubeguard db import BUNDLE_OR_OSV_DIR --db ${dbPath}\` (a bundle from \`kubeguard db bundle\`), ` +
        `or \`kubeguard db update --db ${dbPath}\` where the OSV feeds are reachable; kubevuln picks it up within 30 s`,
    };
  }
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const started = Date.now();
  await run(process.execPath, [
    path.join(paths.repoRoot, 'bin', 'kubeguard.js'),
    'db', 'import', osv, '--db', dbPath, '--name', 'osv', ...(options.rebuild ? ['--replace'] : []),
  ]); // prettier-ignore
  logger.info(`built the vulnerability database from ${osv} in ${Date.now() - started} ms`, { db: dbPath });
  return { path: dbPath, state: 'built' };
}

export interface ServicesUpOptions {
  ports?: Partial<Record<ServiceRole, number>>;
  clusterName?: string;
  dbPath?: string;
  /** PEM CA for registries with a private CA (kubevuln --registry-ca). */
  registryCa?: string;
  /** kubevuln workers and waiting scans (default: the role's, 1 and 100). */
  kubevulnConcurrency?: number;
  kubevulnMaxQueue?: number;
  /** Posture scans that may wait (default: the role's, 10 as in the chart; more get 429). */
  postureQueueCapacity?: number;
  /**
   * The operator's guard time for naked pods (default 0 here): the chart's 1 h keeps short-lived
   * debug pods from being scanned, but the dev cluster's pods are all made by hand and never age.
   */
  podScanGuardTime?: string;
  logLevel?: string;
  readyTimeoutMs?: number;
}

export interface ServiceInfo {
  role: ServiceRole;
  port: number;
  url: string;
  pid?: number;
  logFile: string;
  kubeconfig: string;
}

export interface ServicesInfo {
  clusterName: string;
  dbPath: string;
  /** Whether kubevuln has a database loaded (readiness). */
  dbReady: boolean;
  services: Record<ServiceRole, ServiceInfo>;
}

const healthPath: Record<ServiceRole, { live: string; ready: string }> = {
  posture: { live: '/livez', ready: '/readyz' },
  // kubevuln is ready only with a database; without one it is still alive and accepts nothing.
  kubevuln: { live: '/v1/liveness', ready: '/v1/readiness' },
  // The operator is ready once its watches have listed.
  operator: { live: '/livez', ready: '/readyz' },
};

async function probe(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

function roleArgs(
  role: ServiceRole,
  layout: ServicesLayout,
  ports: Record<ServiceRole, number>,
  clusterName: string,
  dbPath: string,
  options: ServicesUpOptions,
): string[] {
  const common = ['--kubeconfig', layout.kubeconfig(role), '--log-level', options.logLevel ?? 'info'];
  switch (role) {
    case 'posture':
      return [
        ...common, '--host', '127.0.0.1', '--port', String(ports.posture), '--cluster-name', clusterName,
        '--namespace', SERVICES_NAMESPACE,
        ...(options.postureQueueCapacity ? ['--queue-capacity', String(options.postureQueueCapacity)] : []),
      ]; // prettier-ignore
    case 'kubevuln':
      return [
        ...common, '--host', '127.0.0.1', '--port', String(ports.kubevuln), '--namespace', SERVICES_NAMESPACE,
        '--db', dbPath, '--layer-cache', layout.layerCacheDir,
        '--concurrency', String(options.kubevulnConcurrency ?? 1),
        ...(options.kubevulnMaxQueue ? ['--max-queue', String(options.kubevulnMaxQueue)] : []),
        ...(options.registryCa ? ['--registry-ca', options.registryCa] : []),
      ]; // prettier-ignore
    case 'operator':
      return [
        ...common, '--bind-address', '127.0.0.1', '--port', String(ports.operator), '--namespace', SERVICES_NAMESPACE,
        '--cluster-name', clusterName,
        '--posture-url', `http://127.0.0.1:${ports.posture}`,
        '--kubevuln-url', `http://127.0.0.1:${ports.kubevuln}`,
        '--pod-scan-guard-time', options.podScanGuardTime ?? '0',
      ]; // prettier-ignore
  }
}

/** The roles need the control plane and the storage (they write to it). */
export async function assertServicesPrerequisites(paths: DevPaths): Promise<void> {
  const cluster = await clusterStatus(paths);
  if (!cluster.ready) {
    throw new KubeguardError(ErrorCodes.prerequisite, 'the local control plane is not running', {
      hint: 'start it first: kubeguard dev cluster up (or kubeguard dev up)',
    });
  }
  if (storageStatus(paths).state !== 'running') {
    throw new KubeguardError(
      ErrorCodes.prerequisite,
      'the storage is not running; the services write to it',
      {
        hint: 'start it first: kubeguard dev storage up (or kubeguard dev up)',
      },
    );
  }
}

/**
 * Starts posture, kubevuln and the operator (those not running yet) and waits until they answer.
 * Needs the control plane and the storage (the roles write to it).
 */
export async function servicesUp(
  paths: DevPaths,
  options: ServicesUpOptions = {},
  logger: Logger = silentLogger,
): Promise<ServicesInfo> {
  await assertServicesPrerequisites(paths);
  const layout = servicesLayout(paths);
  fs.mkdirSync(layout.dir, { recursive: true });
  const previous = readSettings(layout);
  const ports: Record<ServiceRole, number> = {
    ...defaultServicePorts,
    ...previous.ports,
    ...Object.fromEntries(Object.entries(options.ports ?? {}).filter(([, v]) => v !== undefined)),
  };
  const clusterName = options.clusterName ?? previous.clusterName ?? DEV_CLUSTER_NAME;
  const dbPath = options.dbPath ?? previous.dbPath ?? layout.dbPath;
  const registryCa = options.registryCa ?? previous.registryCa;
  await kubectlApply(clusterLayout(paths).kubeconfig, rbacManifests());
  for (const role of SERVICE_ROLES) {
    fs.writeFileSync(layout.kubeconfig(role), await userKubeconfig(paths, serviceUser(role)), {
      mode: 0o600,
    });
  }
  const settings: Settings = { ports, clusterName, dbPath, ...(registryCa ? { registryCa } : {}) };
  fs.writeFileSync(layout.settingsFile, `${JSON.stringify(settings, null, 2)}\n`);

  // kubevuln and posture first: the operator sends them work as soon as its watches have listed.
  for (const role of SERVICE_ROLES) {
    const daemon = layout.daemon(role);
    const status = pidStatus(daemon, marker(role));
    if (status.state === 'stale') {
      logger.warn(`removing stale PID file: ${status.reason}`);
      fs.rmSync(daemon.pidFile, { force: true });
    }
    if (status.state === 'running') {
      logger.info(`${role} is already running (pid ${status.pid})`);
    } else {
      await assertPortFree('127.0.0.1', ports[role], `the ${role} role`, `--${role}-port`);
      startDaemon(
        daemon,
        process.execPath,
        [
          path.join(paths.repoRoot, 'bin', 'kubeguard.js'),
          role,
          ...roleArgs(role, layout, ports, clusterName, dbPath, { ...options, registryCa }),
        ],
        { env: { ...process.env, MALLOC_ARENA_MAX: '2' } },
      );
      logger.info(`started ${role} on http://127.0.0.1:${ports[role]}`);
    }
  }
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  for (const role of SERVICE_ROLES) {
    await waitUntil(
      `${role} ${healthPath[role].live}`,
      () => probe(`http://127.0.0.1:${ports[role]}${healthPath[role].live}`),
      {
        timeoutMs,
        daemon: layout.daemon(role),
        expect: marker(role),
      },
    );
  }
  await waitUntil(
    'operator watches to sync (/readyz)',
    () => probe(`http://127.0.0.1:${ports.operator}/readyz`),
    {
      timeoutMs,
      daemon: layout.daemon('operator'),
      expect: marker('operator'),
    },
  );
  let dbReady = false;
  if (fs.existsSync(dbPath)) {
    await waitUntil(
      'kubevuln to load the database (/v1/readiness)',
      () => probe(`http://127.0.0.1:${ports.kubevuln}/v1/readiness`),
      {
        timeoutMs,
        daemon: layout.daemon('kubevuln'),
        expect: marker('kubevuln'),
      },
    );
    dbReady = true;
  }
  return { clusterName, dbPath, dbReady, services: servicesInfo(layout, ports) };
}

function servicesInfo(
  layout: ServicesLayout,
  ports: Record<ServiceRole, number>,
): Record<ServiceRole, ServiceInfo> {
  const info = (role: ServiceRole): ServiceInfo => ({
    role,
    port: ports[role],
    url: `http://127.0.0.1:${ports[role]}`,
    pid: pidStatus(layout.daemon(role), marker(role)).pid,
    logFile: layout.daemon(role).logFile,
    kubeconfig: layout.kubeconfig(role),
  });
  return { posture: info('posture'), kubevuln: info('kubevuln'), operator: info('operator') };
}

/** Stops the roles (operator first, so that it sends nothing to a stopped peer). */
export async function servicesDown(
  paths: DevPaths,
  options: { wipe?: boolean; only?: ServiceRole[] } = {},
  logger: Logger = silentLogger,
): Promise<void> {
  const layout = servicesLayout(paths);
  for (const role of [...SERVICE_ROLES].reverse()) {
    if (options.only && !options.only.includes(role)) continue;
    const result = await stopDaemon(layout.daemon(role), marker(role), { graceMs: 15_000 });
    if (result === 'stopped') logger.info(`stopped ${role}`);
    if (result === 'stale') logger.warn(`${role} was not running; removed its stale PID file`);
  }
  if (options.wipe && !options.only) {
    fs.rmSync(layout.dir, { recursive: true, force: true });
    logger.info(`wiped ${layout.dir}`);
  }
}

export interface ServiceStatus {
  role: ServiceRole;
  state: 'running' | 'stopped' | 'stale';
  pid?: number;
  port: number;
  url: string;
  ready: boolean;
  logFile: string;
  detail?: string;
}

/** Each role: its process, port and whether it answers its readiness probe. */
export async function servicesStatus(paths: DevPaths): Promise<ServiceStatus[]> {
  const layout = servicesLayout(paths);
  const ports = { ...defaultServicePorts, ...readSettings(layout).ports };
  return Promise.all(
    SERVICE_ROLES.map(async (role): Promise<ServiceStatus> => {
      const status = pidStatus(layout.daemon(role), marker(role));
      const url = `http://127.0.0.1:${ports[role]}`;
      let ready = false;
      let detail: string | undefined;
      if (status.state === 'running') {
        try {
          ready = await probe(`${url}${healthPath[role].ready}`);
          if (!ready) detail = role === 'kubevuln' ? 'no vulnerability database loaded' : 'not ready';
        } catch (err) {
          detail = messageOf(err);
        }
      }
      return {
        role,
        state: status.state,
        pid: status.pid,
        port: ports[role],
        url,
        ready,
        logFile: layout.daemon(role).logFile,
        detail,
      };
    }),
  );
}

/** Peak resident memory (VmHWM, bytes) of a process, from /proc; undefined when it is gone. */
export function peakMemory(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POSTs one of the schedulers' bodies to the operator's /v1/triggerAction through `kubeguard
 * trigger` (the bodies live with the operator; the dev layer does not link it).
 */
export async function triggerScan(
  paths: DevPaths,
  operatorUrl: string,
  which: 'kubescape-scan' | 'vuln-scan',
): Promise<string> {
  return (
    await run(process.execPath, [
      path.join(paths.repoRoot, 'bin', 'kubeguard.js'),
      'trigger',
      '--url',
      `${operatorUrl}/v1/triggerAction`,
      `--${which}`,
    ])
  ).trim();
}
