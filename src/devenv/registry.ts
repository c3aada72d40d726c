import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import YAML from 'yaml';
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError, silentLogger } from '../common/index.ts';
import type { DevPaths } from './paths.ts';
import { ensureCa, ensureCert, pki } from './pki.ts';
import type { Daemon } from './proc.ts';
import { assertPortFree, pidStatus, run, startDaemon, stopDaemon, waitUntil, which } from './proc.ts';

/**
 * A local OCI registry: Debian's docker-registry (distribution v2) with a config file of ours that
 * listens on 127.0.0.1 only, optionally with htpasswd basic auth and a TLS certificate from a CA of
 * its own. Several can run side by side under different names (e.g. "default" and "secure").
 */
export interface RegistryOptions {
  name?: string;
  port?: number;
  auth?: { username: string; password: string };
  tls?: boolean;
}

export interface RegistryInfo {
  name: string;
  /** host:port, as used in image references. */
  address: string;
  url: string;
  tls: boolean;
  /** CA certificate that signed the registry's TLS certificate. */
  caFile?: string;
  auth?: { username: string; password: string };
  pid?: number;
}

interface RegistryLayout {
  dir: string;
  configFile: string;
  settingsFile: string;
  dataDir: string;
  htpasswd: string;
  daemon: Daemon;
}

const defaultPorts: Record<string, number> = { default: 5000, secure: 5443 };

function registryLayout(paths: DevPaths, name: string): RegistryLayout {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name)) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `registry name "${name}" must be lowercase letters, digits and dashes`,
    );
  }
  const dir = path.join(paths.stateDir, 'registry', name);
  return {
    dir,
    configFile: path.join(dir, 'config.yml'),
    settingsFile: path.join(dir, 'registry.json'),
    dataDir: path.join(dir, 'data'),
    htpasswd: path.join(dir, 'htpasswd'),
    daemon: {
      name: `registry ${name}`,
      pidFile: path.join(dir, 'registry.pid'),
      logFile: path.join(dir, 'registry.log'),
    },
  };
}

function readSettings(layout: RegistryLayout): RegistryInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(layout.settingsFile, 'utf8')) as RegistryInfo;
  } catch {
    return undefined;
  }
}

async function probe(info: RegistryInfo): Promise<boolean> {
  const dispatcher = new Agent({ connect: info.caFile ? { ca: fs.readFileSync(info.caFile) } : {} });
  try {
    const res = await request(`${info.url}/v2/`, { dispatcher, headersTimeout: 2000 });
    await res.body.dump();
    return res.statusCode === 200 || res.statusCode === 401;
  } finally {
    await dispatcher.close();
  }
}

export async function registryUp(
  paths: DevPaths,
  options: RegistryOptions = {},
  logger: Logger = silentLogger,
): Promise<RegistryInfo> {
  const name = options.name ?? 'default';
  const layout = registryLayout(paths, name);
  const previous = readSettings(layout);
  const binary = which('docker-registry', ['/usr/bin']);
  if (!binary) {
    throw new KubeguardError(ErrorCodes.prerequisite, 'docker-registry is not installed', {
      hint: 'apt-get install docker-registry (or run `npm run setup`)',
    });
  }
  const port = options.port ?? previous?.url.match(/:(\d+)$/)?.[1] ?? defaultPorts[name] ?? 5000;
  const tls = options.tls ?? previous?.tls ?? false;
  const auth = options.auth ?? previous?.auth;
  const address = `127.0.0.1:${port}`;
  const info: RegistryInfo = { name, address, url: `${tls ? 'https' : 'http'}://${address}`, tls };
  fs.mkdirSync(layout.dataDir, { recursive: true });

  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: layout.dataDir }, delete: { enabled: true } },
    http: { addr: address, secret: randomBytes(16).toString('hex') },
  };
  if (tls) {
    const p = pki(path.join(layout.dir, 'pki'));
    await ensureCa(p, 'ca', `kubeguard-dev-registry-${name}-ca`);
    await ensureCert(p, 'ca', {
      name: 'server',
      commonName: '127.0.0.1',
      usage: 'server',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
    });
    (config.http as Record<string, unknown>).tls = {
      certificate: p.file('server', 'crt'),
      key: p.file('server', 'key'),
    };
    info.caFile = p.file('ca', 'crt');
  }
  if (auth) {
    const htpasswd = await run('htpasswd', ['-Bbn', auth.username, auth.password]);
    fs.writeFileSync(layout.htpasswd, htpasswd, { mode: 0o600 });
    config.auth = { htpasswd: { realm: `kubeguard-dev-${name}`, path: layout.htpasswd } };
    info.auth = auth;
  }

  const status = pidStatus(layout.daemon, 'docker-registry');
  if (status.state === 'running') {
    const same =
      previous && previous.url === info.url && JSON.stringify(previous.auth) === JSON.stringify(info.auth);
    if (!same) {
      throw new KubeguardError(
        ErrorCodes.conflict,
        `registry "${name}" already runs at ${previous?.url} with other settings`,
        {
          hint: `stop it first: kubeguard dev registry down --name ${name}`,
        },
      );
    }
    return { ...previous, pid: status.pid };
  }
  if (status.state === 'stale') {
    logger.warn(`removing stale PID file: ${status.reason}`);
    fs.rmSync(layout.daemon.pidFile, { force: true });
  }
  await assertPortFree('127.0.0.1', Number(port), `registry "${name}"`, '--port');
  fs.writeFileSync(layout.configFile, YAML.stringify(config), { mode: 0o600 });
  info.pid = startDaemon(layout.daemon, binary, ['serve', layout.configFile]);
  await waitUntil(`registry "${name}" at ${info.url}`, () => probe(info), {
    timeoutMs: 15_000,
    daemon: layout.daemon,
    expect: 'docker-registry',
    intervalMs: 100,
  });
  fs.writeFileSync(layout.settingsFile, `${JSON.stringify({ ...info, pid: undefined }, null, 2)}\n`, {
    mode: 0o600,
  });
  logger.info(`registry "${name}" listens at ${info.url}${auth ? ' (basic auth)' : ''}`);
  return info;
}

export async function registryDown(
  paths: DevPaths,
  options: { name?: string; wipe?: boolean } = {},
  logger: Logger = silentLogger,
): Promise<void> {
  const name = options.name ?? 'default';
  const layout = registryLayout(paths, name);
  const result = await stopDaemon(layout.daemon, 'docker-registry');
  if (result === 'stopped') logger.info(`stopped registry "${name}"`);
  if (result === 'stale') logger.warn(`registry "${name}" was not running; removed its stale PID file`);
  if (options.wipe) {
    fs.rmSync(layout.dir, { recursive: true, force: true });
    logger.info(`wiped ${layout.dir}`);
  }
}

export interface RegistryStatus {
  name: string;
  state: 'running' | 'stopped' | 'stale';
  ready: boolean;
  info?: RegistryInfo;
}

export function registryNames(paths: DevPaths): string[] {
  try {
    return fs.readdirSync(path.join(paths.stateDir, 'registry')).sort();
  } catch {
    return [];
  }
}

export async function registryStatus(paths: DevPaths, name = 'default'): Promise<RegistryStatus> {
  const layout = registryLayout(paths, name);
  const info = readSettings(layout);
  const status = pidStatus(layout.daemon, 'docker-registry');
  let ready = false;
  if (info && status.state === 'running') ready = await probe(info).catch(() => false);
  return { name, state: status.state, ready, ...(info ? { info: { ...info, pid: status.pid } } : {}) };
}
