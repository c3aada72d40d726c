/**
 * `scanRegistryV2` (components.md §3.2): the registry comes from `args["registryInfo-v1"]` (armoapi-go
 * ContainerImageRegistry: `provider`, `clusterName`, `guid`), its address and credentials from the
 * Secret named by `args["registry-secret"]`, key `registriesAuth` (JSON). Repositories and tags are
 * listed through the registry HTTP API (`/v2/_catalog`, `/v2/<repo>/tags/list`, bearer or basic
 * auth); every image gets one `POST /v1/scanRegistryImage` under a common registry scan ID.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type { Job, JobResult, OperatorContext } from './context.ts';
import { field, isObject } from './decode.ts';
import type { HttpReply } from './http-client.ts';
import { httpRequest } from './http-client.ts';
import { resourcePath } from './kube-rest.ts';
import type { AuthConfig, Command, RegistryScanCommand } from './types.ts';
import { SECRET_RESOURCE } from './workloads.ts';

export const REGISTRY_INFO_ARG = 'registryInfo-v1';
export const REGISTRY_SECRET_ARG = 'registry-secret';
export const REGISTRY_AUTH_KEY = 'registriesAuth';

/** Per provider: where the registry address and credentials are in `registriesAuth`. */
const PROVIDERS: Record<string, { url: string; username: string; password: string }> = {
  harbor: { url: 'instanceURL', username: 'username', password: 'password' },
  nexus: { url: 'registryURL', username: 'username', password: 'password' },
  azure: { url: 'loginServer', username: 'username', password: 'accessToken' },
  quay: { url: 'containerRegistryName', username: 'robotAccountName', password: 'robotAccountToken' },
  // Not a Kubescape provider: any registry speaking the Docker Registry HTTP API v2.
  generic: { url: 'registryURL', username: 'username', password: 'password' },
};

export interface RegistryTarget {
  /** `http(s)://host[:port]` */
  baseUrl: string;
  /** `host[:port]`, the prefix of image references. */
  host: string;
  displayName: string;
  username: string;
  password: string;
  insecureTls: boolean;
}

function text(obj: Record<string, unknown>, key: string): string {
  const value = field(obj, key);
  return typeof value === 'string' ? value : '';
}

export function registryTarget(
  info: Record<string, unknown>,
  secret: Record<string, unknown>,
): RegistryTarget {
  const provider = (text(info, 'provider') || 'generic').toLowerCase();
  const keys = PROVIDERS[provider];
  if (!keys) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `scanRegistryV2: provider "${provider}" needs its cloud API; supported: ${Object.keys(PROVIDERS).join(', ')}`,
    );
  }
  const address = text(secret, keys.url) || text(info, keys.url) || text(info, 'registryURL');
  if (!address) throw new KubeguardError(ErrorCodes.invalidInput, `scanRegistryV2: ${keys.url} is empty`);
  const insecure = field(info, 'insecure') === true || field(secret, 'insecure') === true;
  const baseUrl = /^https?:\/\//.test(address)
    ? address.replace(/\/+$/, '')
    : `${insecure ? 'http' : 'https'}://${address.replace(/\/+$/, '')}`;
  return {
    baseUrl,
    host: new URL(baseUrl).host,
    displayName: address,
    username: text(secret, keys.username),
    password: text(secret, keys.password),
    insecureTls: field(info, 'skipTLSVerify') === true || field(secret, 'skipTLSVerify') === true,
  };
}

/** `Bearer realm="…",service="…",scope="…"` -> its parameters. */
function challenge(
  header: string | string[] | undefined,
): { scheme: string; params: Record<string, string> } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const space = value.indexOf(' ');
  const params: Record<string, string> = {};
  for (const m of value.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme: value.slice(0, space < 0 ? undefined : space).toLowerCase(), params };
}

/** A minimal registry v2 client: basic auth, or bearer tokens fetched per scope. */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly target: RegistryTarget) {}

  private basic(): Record<string, string> {
    if (!this.target.username && !this.target.password) return {};
    return {
      Authorization: `Basic ${Buffer.from(`${this.target.username}:${this.target.password}`).toString('base64')}`,
    };
  }

  private async get(path: string, scope: string): Promise<HttpReply> {
    const url = path.startsWith('http') ? path : `${this.target.baseUrl}${path}`;
    const token = this.tokens.get(scope);
    const headers = token ? { Authorization: `Bearer ${token}` } : this.basic();
    let reply = await httpRequest({ method: 'GET', url, headers, insecureTls: this.target.insecureTls });
    if (reply.status === 401) {
      const auth = challenge(reply.headers['www-authenticate']);
      if (auth?.scheme === 'bearer' && auth.params['realm']) {
        const tokenUrl = new URL(auth.params['realm']);
        if (auth.params['service']) tokenUrl.searchParams.set('service', auth.params['service']);
        tokenUrl.searchParams.set('scope', auth.params['scope'] ?? scope);
        const tokenReply = await httpRequest({
          method: 'GET',
          url: tokenUrl.href,
          headers: this.basic(),
          insecureTls: this.target.insecureTls,
        });
        if (tokenReply.status !== 200)
          throw new KubeguardError(
            ErrorCodes.unauthorized,
            `registry ${this.target.displayName}: token request answered ${tokenReply.status}`,
          );
        const parsed = JSON.parse(tokenReply.text) as { token?: string; access_token?: string };
        const fresh = parsed.token ?? parsed.access_token ?? '';
        this.tokens.set(scope, fresh);
        reply = await httpRequest({
          method: 'GET',
          url,
          headers: { Authorization: `Bearer ${fresh}` },
          insecureTls: this.target.insecureTls,
        });
      }
    }
    if (reply.status !== 200) {
      throw new KubeguardError(
        reply.status === 401 || reply.status === 403 ? ErrorCodes.unauthorized : ErrorCodes.remote,
        `registry ${this.target.displayName}: GET ${new URL(url).pathname} answered ${reply.status}`,
      );
    }
    return reply;
  }

  /** Follows `Link: <…>; rel="next"` pages. */
  private async paged<T>(path: string, scope: string, pick: (body: T) => string[]): Promise<string[]> {
    const all: string[] = [];
    let next: string | undefined = path;
    for (let pages = 0; next && pages < 1000; pages++) {
      const reply = await this.get(next, scope);
      all.push(...pick(JSON.parse(reply.text) as T));
      const link = reply.headers['link'];
      const m = /<([^>]+)>;\s*rel="next"/.exec(Array.isArray(link) ? link.join(',') : (link ?? ''));
      next = m?.[1];
    }
    return all;
  }

  repositories(): Promise<string[]> {
    return this.paged<{ repositories?: string[] }>(
      '/v2/_catalog?n=1000',
      'registry:catalog:*',
      (b) => b.repositories ?? [],
    );
  }

  tags(repository: string): Promise<string[]> {
    return this.paged<{ tags?: string[] | null }>(
      `/v2/${repository}/tags/list?n=1000`,
      `repository:${repository}:pull`,
      (b) => b.tags ?? [],
    );
  }
}

/** The tag scanned per repository: `latest` when there is one, else the last in lexical order. */
export function tagToScan(tags: string[]): string | undefined {
  if (tags.includes('latest')) return 'latest';
  return [...tags].sort().at(-1);
}

export async function scanRegistryV2(ctx: OperatorContext, command: Command, job: Job): Promise<JobResult> {
  const info = command.args?.[REGISTRY_INFO_ARG];
  const secretName = command.args?.[REGISTRY_SECRET_ARG];
  if (!isObject(info))
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `scanRegistryV2: args["${REGISTRY_INFO_ARG}"] is missing`,
    );
  if (typeof secretName !== 'string' || !secretName) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `scanRegistryV2: args["${REGISTRY_SECRET_ARG}"] is missing`,
    );
  }
  const secret = await ctx.rest.get<{ data?: Record<string, string> }>(
    resourcePath(SECRET_RESOURCE, ctx.config.namespace, secretName),
  );
  if (!secret)
    throw new KubeguardError(
      ErrorCodes.notFound,
      `scanRegistryV2: Secret ${ctx.config.namespace}/${secretName} does not exist`,
    );
  let auth: unknown;
  try {
    auth = JSON.parse(Buffer.from(secret.data?.[REGISTRY_AUTH_KEY] ?? '', 'base64').toString('utf8'));
  } catch (err) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `scanRegistryV2: ${REGISTRY_AUTH_KEY} of Secret ${secretName} is not JSON: ${messageOf(err)}`,
    );
  }
  const target = registryTarget(info, isObject(auth) ? auth : {});
  const client = new RegistryClient(target);
  const images: { repository: string; tag: string }[] = [];
  for (const repository of await client.repositories()) {
    const tag = tagToScan(await client.tags(repository));
    if (tag) images.push({ repository, tag });
  }
  if (images.length === 0) {
    ctx.logger.info('scanRegistryV2: no images to scan', { registry: target.displayName });
    return { payload: '0' };
  }
  const registryScanId = randomUUID();
  const credentials: AuthConfig[] =
    target.username || target.password
      ? [{ username: target.username, password: target.password, serveraddress: target.host }]
      : [];
  const errors: string[] = [];
  for (const { repository, tag } of images) {
    const body: RegistryScanCommand = {
      session: { jobIDs: [], timestamp: job.startedAt.toISOString(), action: 'vulnerability-scan' },
      imageTag: `${target.host}/${repository}:${tag}`,
      jobID: randomUUID(),
      parentJobID: job.id,
      args: {
        registryName: target.displayName,
        repository,
        tag,
        useHTTP: target.baseUrl.startsWith('http://'),
        skipTLSVerify: target.insecureTls,
        sensor: text(info, 'clusterName') || ctx.config.clusterName,
        registryID: text(info, 'guid'),
        registryScanID: registryScanId,
        registryScanImagesCount: String(images.length),
      },
    };
    if (credentials.length > 0) body.credentialsList = credentials;
    try {
      await ctx.kubevuln.scanRegistryImage(body);
    } catch (err) {
      errors.push(messageOf(err));
    }
  }
  if (errors.length > 0)
    throw new KubeguardError(ErrorCodes.remote, `sendAllImagesToRegistryScan errors: ${errors.join('; ')}`);
  ctx.logger.info(`scanRegistryV2: sent ${images.length} images`, {
    registry: target.displayName,
    registryScanID: registryScanId,
  });
  return { payload: registryScanId };
}
