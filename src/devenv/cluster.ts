import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import YAML from 'yaml';
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError, silentLogger } from '../common/index.ts';
import { ensureKubeApiserver, KUBE_VERSION } from './kube-apiserver-build.ts';
import type { DevPaths } from './paths.ts';
import type { Pki } from './pki.ts';
import { ensureCa, ensureCert, ensureKeyPair, pki } from './pki.ts';
import type { Daemon } from './proc.ts';
import { assertPortFree, pidStatus, startDaemon, stopDaemon, waitUntil, which } from './proc.ts';

/**
 * The local control plane: Debian's etcd and a real kube-apiserver built from source, both on
 * 127.0.0.1. There is no kubelet, scheduler or controller-manager: whatever needs them (pod status,
 * service-account tokens controller, namespace finalization) is done by the tests themselves.
 */
export interface ClusterConfig {
  kubeVersion: string;
  apiserverPort: number;
  etcdPort: number;
  etcdPeerPort: number;
}

export const defaultClusterConfig: ClusterConfig = {
  kubeVersion: KUBE_VERSION,
  apiserverPort: 6443,
  etcdPort: 32379,
  etcdPeerPort: 32380,
};

export interface ClusterLayout {
  dir: string;
  configFile: string;
  pki: Pki;
  etcdDataDir: string;
  kubeconfig: string;
  etcd: Daemon;
  apiserver: Daemon;
}

export function clusterLayout(paths: DevPaths): ClusterLayout {
  const dir = path.join(paths.stateDir, 'cluster');
  return {
    dir,
    configFile: path.join(dir, 'cluster.json'),
    pki: pki(path.join(dir, 'pki')),
    etcdDataDir: path.join(dir, 'etcd'),
    kubeconfig: path.join(dir, 'admin.kubeconfig'),
    etcd: { name: 'etcd', pidFile: path.join(dir, 'etcd.pid'), logFile: path.join(dir, 'logs', 'etcd.log') },
    apiserver: {
      name: 'kube-apiserver',
      pidFile: path.join(dir, 'kube-apiserver.pid'),
      logFile: path.join(dir, 'logs', 'kube-apiserver.log'),
    },
  };
}

export function readClusterConfig(layout: ClusterLayout): ClusterConfig | undefined {
  try {
    return { ...defaultClusterConfig, ...(JSON.parse(fs.readFileSync(layout.configFile, 'utf8')) as object) };
  } catch {
    return undefined;
  }
}

export interface ClusterUpOptions {
  paths: DevPaths;
  logger?: Logger;
  /** Ports to use; remembered in the state directory for later `up`, `status` and `env`. */
  ports?: Partial<Pick<ClusterConfig, 'apiserverPort' | 'etcdPort' | 'etcdPeerPort'>>;
  readyTimeoutMs?: number;
}

export interface ClusterInfo {
  server: string;
  kubeconfig: string;
  config: ClusterConfig;
  etcdPid?: number;
  apiserverPid?: number;
}

const serviceCidr = '10.96.0.0/12';

async function ensurePki(layout: ClusterLayout): Promise<void> {
  const p = layout.pki;
  await ensureCa(p, 'ca', 'kubeguard-dev-ca');
  await ensureCert(p, 'ca', {
    name: 'apiserver',
    commonName: 'kube-apiserver',
    usage: 'server',
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
    ips: ['127.0.0.1', '10.96.0.1'],
  });
  await ensureCert(p, 'ca', {
    name: 'admin',
    commonName: 'kubeguard-admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  await ensureCa(p, 'front-proxy-ca', 'kubeguard-dev-front-proxy-ca');
  await ensureCert(p, 'front-proxy-ca', {
    name: 'front-proxy-client',
    commonName: 'front-proxy-client',
    usage: 'client',
  });
  await ensureKeyPair(p, 'sa');
}

function kubeApiserverArgs(layout: ClusterLayout, config: ClusterConfig): string[] {
  const f = layout.pki.file;
  return [
    `--etcd-servers=http://127.0.0.1:${config.etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${config.apiserverPort}`,
    `--cert-dir=${layout.pki.dir}`,
    `--tls-cert-file=${f('apiserver', 'crt')}`,
    `--tls-private-key-file=${f('apiserver', 'key')}`,
    `--client-ca-file=${f('ca', 'crt')}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${f('sa', 'pub')}`,
    `--service-account-signing-key-file=${f('sa', 'key')}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--authorization-mode=RBAC',
    // Aggregated API servers (Kubeguard's storage) run on 127.0.0.1. Endpoints may not hold loopback
    // addresses, so endpoint routing (--enable-aggregator-routing=true) cannot reach them; service
    // routing resolves an ExternalName Service ("localhost") instead.
    '--enable-aggregator-routing=false',
    `--requestheader-client-ca-file=${f('front-proxy-ca', 'crt')}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${f('front-proxy-client', 'crt')}`,
    `--proxy-client-key-file=${f('front-proxy-client', 'key')}`,
    '--allow-privileged=true',
    // Without a controller-manager nobody creates the "default" ServiceAccount of a namespace, and
    // the ServiceAccount admission plugin would then refuse every Pod.
    '--disable-admission-plugins=ServiceAccount',
    // The endpoint reconciler would publish 127.0.0.1 in Endpoints, which validation refuses.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ];
}

function adminKubeconfig(layout: ClusterLayout, config: ClusterConfig): string {
  return kubeconfigFor(layout, config, 'admin', 'kubeguard-admin');
}

/** A kubeconfig with the CA and a client certificate embedded, so it works from any directory. */
export function kubeconfigFor(
  layout: ClusterLayout,
  config: ClusterConfig,
  certName: string,
  userName: string,
): string {
  const b64 = (file: string) => fs.readFileSync(file).toString('base64');
  const f = layout.pki.file;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'kubeguard-dev',
        cluster: {
          server: `https://127.0.0.1:${config.apiserverPort}`,
          'certificate-authority-data': b64(f('ca', 'crt')),
        },
      },
    ],
    users: [
      {
        name: userName,
        user: {
          'client-certificate-data': b64(f(certName, 'crt')),
          'client-key-data': b64(f(certName, 'key')),
        },
      },
    ],
    contexts: [{ name: 'kubeguard-dev', context: { cluster: 'kubeguard-dev', user: userName } }],
    'current-context': 'kubeguard-dev',
  });
}

/**
 * Mints a client certificate for a (non-admin) user and returns a kubeconfig for it: the way to
 * test RBAC as somebody other than cluster-admin.
 */
export async function userKubeconfig(paths: DevPaths, user: string, groups: string[] = []): Promise<string> {
  const layout = clusterLayout(paths);
  const config = readClusterConfig(layout);
  if (!config || !fs.existsSync(layout.pki.file('ca', 'key'))) {
    throw new KubeguardError(ErrorCodes.notFound, `no local control plane in ${layout.dir}`, {
      hint: 'run `kubeguard dev cluster up` first',
    });
  }
  if (
    !/^[A-Za-z0-9][A-Za-z0-9:@._-]*$/.test(user) ||
    groups.some((g) => !/^[A-Za-z0-9][A-Za-z0-9:@._-]*$/.test(g))
  ) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `user "${user}" or groups ${JSON.stringify(groups)} contain characters not allowed in a certificate subject`,
    );
  }
  const certName = `user-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}-${groups.join('+').replace(/[^A-Za-z0-9_.+-]/g, '_')}`;
  await ensureCert(layout.pki, 'ca', {
    name: certName,
    commonName: user,
    organizations: groups,
    usage: 'client',
  });
  return kubeconfigFor(layout, config, certName, user);
}

async function probeHttps(
  layout: ClusterLayout,
  config: ClusterConfig,
  urlPath: string,
): Promise<{ status: number; body: string }> {
  const f = layout.pki.file;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: config.apiserverPort,
        path: urlPath,
        ca: fs.readFileSync(f('ca', 'crt')),
        cert: fs.readFileSync(f('admin', 'crt')),
        key: fs.readFileSync(f('admin', 'key')),
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function etcdHealthy(config: ClusterConfig): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${config.etcdPort}/health`, {
    signal: AbortSignal.timeout(2000),
  });
  return res.ok && ((await res.json()) as { health?: string }).health === 'true';
}

function findEtcd(): string {
  const etcd = which('etcd', ['/usr/bin', '/usr/local/bin']);
  if (!etcd) {
    throw new KubeguardError(ErrorCodes.prerequisite, 'etcd is not installed', {
      hint: 'install it with `apt-get install etcd-server` (or run `npm run setup`)',
    });
  }
  return etcd;
}

function handleStale(daemon: Daemon, expect: string, logger: Logger): 'running' | 'stopped' {
  const status = pidStatus(daemon, expect);
  if (status.state === 'stale') {
    logger.warn(`removing stale PID file: ${status.reason}`);
    fs.rmSync(daemon.pidFile, { force: true });
    return 'stopped';
  }
  return status.state === 'running' ? 'running' : 'stopped';
}

export async function clusterUp(options: ClusterUpOptions): Promise<ClusterInfo> {
  const logger = options.logger ?? silentLogger;
  const layout = clusterLayout(options.paths);
  const config: ClusterConfig = {
    ...defaultClusterConfig,
    ...readClusterConfig(layout),
    ...Object.fromEntries(Object.entries(options.ports ?? {}).filter(([, v]) => v !== undefined)),
    kubeVersion: KUBE_VERSION,
  };
  const etcd = findEtcd();
  const binary = await ensureKubeApiserver(options.paths, logger, config.kubeVersion);
  fs.mkdirSync(layout.dir, { recursive: true });
  await ensurePki(layout);
  fs.writeFileSync(layout.configFile, `${JSON.stringify(config, null, 2)}\n`);

  if (handleStale(layout.etcd, 'etcd', logger) === 'stopped') {
    await assertPortFree('127.0.0.1', config.etcdPort, 'etcd', '--etcd-port');
    await assertPortFree('127.0.0.1', config.etcdPeerPort, 'etcd peers', '--etcd-peer-port');
    const client = `http://127.0.0.1:${config.etcdPort}`;
    const peer = `http://127.0.0.1:${config.etcdPeerPort}`;
    startDaemon(layout.etcd, etcd, [
      '--name=kubeguard-dev',
      `--data-dir=${layout.etcdDataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=kubeguard-dev=${peer}`,
      '--listen-metrics-urls=',
      '--log-level=warn',
    ]);
    logger.info(`started etcd on 127.0.0.1:${config.etcdPort}`);
  }
  await waitUntil('etcd', () => etcdHealthy(config), {
    timeoutMs: 20_000,
    daemon: layout.etcd,
    expect: 'etcd',
  });

  if (handleStale(layout.apiserver, 'kube-apiserver', logger) === 'stopped') {
    await assertPortFree('127.0.0.1', config.apiserverPort, 'kube-apiserver', '--apiserver-port');
    startDaemon(layout.apiserver, binary, kubeApiserverArgs(layout, config));
    logger.info(`started kube-apiserver ${config.kubeVersion} on https://127.0.0.1:${config.apiserverPort}`);
  }
  await waitUntil(
    'kube-apiserver /readyz',
    async () => (await probeHttps(layout, config, '/readyz')).status === 200,
    { timeoutMs: options.readyTimeoutMs ?? 90_000, daemon: layout.apiserver, expect: 'kube-apiserver' },
  );
  fs.writeFileSync(layout.kubeconfig, adminKubeconfig(layout, config), { mode: 0o600 });
  return clusterInfo(layout, config);
}

function clusterInfo(layout: ClusterLayout, config: ClusterConfig): ClusterInfo {
  return {
    server: `https://127.0.0.1:${config.apiserverPort}`,
    kubeconfig: layout.kubeconfig,
    config,
    etcdPid: pidStatus(layout.etcd, 'etcd').pid,
    apiserverPid: pidStatus(layout.apiserver, 'kube-apiserver').pid,
  };
}

export async function clusterDown(options: {
  paths: DevPaths;
  wipe?: boolean;
  logger?: Logger;
}): Promise<void> {
  const logger = options.logger ?? silentLogger;
  const layout = clusterLayout(options.paths);
  for (const [daemon, expect] of [
    [layout.apiserver, 'kube-apiserver'],
    [layout.etcd, 'etcd'],
  ] as const) {
    const result = await stopDaemon(daemon, expect);
    if (result === 'stopped') logger.info(`stopped ${daemon.name}`);
    if (result === 'stale') logger.warn(`${daemon.name} was not running; removed its stale PID file`);
  }
  if (options.wipe) {
    fs.rmSync(layout.dir, { recursive: true, force: true });
    logger.info(`wiped ${layout.dir}`);
  }
}

export interface ClusterStatus {
  etcd: 'running' | 'stopped' | 'stale';
  apiserver: 'running' | 'stopped' | 'stale';
  ready: boolean;
  /** Why it is not ready, when it is not. */
  detail?: string;
  info?: ClusterInfo;
}

export async function clusterStatus(paths: DevPaths): Promise<ClusterStatus> {
  const layout = clusterLayout(paths);
  const config = readClusterConfig(layout);
  const etcd = pidStatus(layout.etcd, 'etcd').state;
  const apiserver = pidStatus(layout.apiserver, 'kube-apiserver').state;
  if (!config) return { etcd, apiserver, ready: false, detail: 'never started (no cluster.json)' };
  let ready = false;
  let detail: string | undefined;
  if (apiserver === 'running') {
    try {
      const res = await probeHttps(layout, config, '/readyz');
      ready = res.status === 200;
      if (!ready) detail = `/readyz answered ${res.status}: ${res.body.slice(0, 300)}`;
    } catch (err) {
      detail = `/readyz: ${(err as Error).message}`;
    }
  }
  return { etcd, apiserver, ready, detail, info: clusterInfo(layout, config) };
}
