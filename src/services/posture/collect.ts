/**
 * Collects the objects a posture scan reads from a live cluster: API discovery, then a paginated
 * LIST per kind (500 per page, a few kinds at a time), cluster-wide or per included namespace.
 * Kinds that cannot be listed (RBAC, missing CRDs) are reported, not fatal: their controls become
 * notEvaluated. A `ClusterReader` keeps its discovery for a while, so the posture service can list
 * and fetch single objects (continuous scanning) without rediscovering the API each time.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type { K8sObject } from '../../posture/index.ts';

export interface CollectOptions {
  kinds: ReadonlySet<string>;
  includeNamespaces?: readonly string[];
  excludeNamespaces?: readonly string[];
  pageSize?: number;
  onProgress?: (event: { kind: string; count: number; done: number; total: number }) => void;
  /** Stops the collection between pages (the scan was cancelled). */
  signal?: AbortSignal;
}

export interface CollectResult {
  objects: K8sObject[];
  failedKinds: { kind: string; error: string }[];
  serverVersion: Record<string, string> | null;
  clusterName: string;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

export interface ResourceLocation {
  groupVersion: string;
  resource: ApiResource;
}

/** How many kinds are listed at once: enough to hide round trips, few enough not to flood the API server. */
const PARALLEL_LISTS = 4;
/** Discovery rarely changes; CRDs installed later are picked up after this long. */
const DISCOVERY_TTL_MS = 5 * 60_000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class ApiClient {
  private readonly server: URL;
  private options: https.RequestOptions | undefined;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeguardError(ErrorCodes.invalidInput, 'kubeconfig names no current cluster');
    this.server = new URL(cluster.server);
  }

  get serverUrl(): string {
    return this.server.toString();
  }

  async get<T>(path: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
    if (!this.options) {
      const requestOptions: https.RequestOptions = {};
      await this.kc.applyToHTTPSOptions(requestOptions);
      this.options = requestOptions;
    }
    const url = new URL(path, this.server);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          ...this.options,
          method: 'GET',
          headers: { ...(this.options?.headers ?? {}), Accept: 'application/json' },
          timeout: options.timeoutMs ?? 60_000,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 400) {
              let message = body.slice(0, 300);
              try {
                message = (JSON.parse(body) as { message?: string }).message ?? message;
              } catch {
                // not a Status object
              }
              reject(new HttpError(res.statusCode ?? 0, `GET ${url.pathname}: ${res.statusCode} ${message}`));
              return;
            }
            try {
              resolve(JSON.parse(body) as T);
            } catch (err) {
              reject(new Error(`GET ${url.pathname}: invalid JSON: ${messageOf(err)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${url.pathname}: timed out`)));
      req.on('error', reject);
      req.end();
    });
  }
}

async function discover(
  client: ApiClient,
  kinds: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<Map<string, ResourceLocation>> {
  const found = new Map<string, ResourceLocation>();
  const addAll = (groupVersion: string, resources: ApiResource[]): void => {
    for (const resource of resources) {
      if (resource.name.includes('/') || !kinds.has(resource.kind) || found.has(resource.kind)) continue;
      if (resource.verbs && !resource.verbs.includes('list')) continue;
      found.set(resource.kind, { groupVersion, resource });
    }
  };
  const core = await client.get<{ resources: ApiResource[] }>('/api/v1', { signal });
  addAll('v1', core.resources);
  const groups = await client.get<{
    groups: {
      name: string;
      preferredVersion?: { groupVersion: string };
      versions: { groupVersion: string }[];
    }[];
  }>('/apis', { signal });
  for (const group of groups.groups) {
    const versions = [
      group.preferredVersion?.groupVersion,
      ...group.versions.map((v) => v.groupVersion),
    ].filter((v, i, all): v is string => !!v && all.indexOf(v) === i);
    for (const groupVersion of versions) {
      try {
        const list = await client.get<{ resources: ApiResource[] }>(`/apis/${groupVersion}`, { signal });
        addAll(groupVersion, list.resources);
      } catch {
        // An unavailable aggregated API (e.g. metrics) must not stop discovery.
        if (signal?.aborted) throw signal.reason;
      }
    }
  }
  return found;
}

function collectionPath(location: ResourceLocation, namespace: string | undefined): string {
  const { groupVersion, resource } = location;
  const base = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
  return namespace && resource.namespaced
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.name}`
    : `${base}/${resource.name}`;
}

async function listAll(
  client: ApiClient,
  location: ResourceLocation,
  namespace: string | undefined,
  pageSize: number,
  signal: AbortSignal | undefined,
): Promise<K8sObject[]> {
  const path = collectionPath(location, namespace);
  const objects: K8sObject[] = [];
  let continueToken: string | undefined;
  do {
    signal?.throwIfAborted();
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (continueToken) query.set('continue', continueToken);
    const page = await client.get<{ items?: K8sObject[]; metadata?: { continue?: string } }>(
      `${path}?${query}`,
      { signal },
    );
    for (const item of page.items ?? []) {
      // LIST responses omit the type of their items.
      item.apiVersion = location.groupVersion;
      item.kind = location.resource.kind;
      objects.push(item);
    }
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return objects;
}

/** Keeps what the namespace filters allow; Namespace objects are filtered by their own name. */
export function inNamespaceFilter(
  object: K8sObject,
  namespaced: boolean,
  include: ReadonlySet<string>,
  exclude: ReadonlySet<string>,
): boolean {
  const namespace = namespaced
    ? (object.metadata?.namespace ?? '')
    : object.kind === 'Namespace'
      ? (object.metadata?.name ?? '')
      : undefined;
  if (namespace === undefined) return true;
  if (exclude.has(namespace)) return false;
  return include.size === 0 || include.has(namespace);
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Reads a cluster for posture scans: discovery (cached), server version, LIST per kind, GET one object. */
export class ClusterReader {
  private readonly client: ApiClient;
  private discovery:
    { at: number; kinds: ReadonlySet<string>; locations: Map<string, ResourceLocation> } | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.client = new ApiClient(kc);
  }

  get clusterName(): string {
    return this.kc.getCurrentContext();
  }

  /** `/version` of the API server; throws a KubeguardError naming the server when it cannot be reached. */
  async version(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Record<string, string>> {
    try {
      return await this.client.get<Record<string, string>>('/version', options);
    } catch (err) {
      throw new KubeguardError(
        ErrorCodes.remote,
        `cannot reach the cluster at ${this.client.serverUrl}: ${messageOf(err)}`,
        {
          cause: err,
          hint: 'check the kubeconfig and context (kubectl cluster-info), or scan files instead: kubeguard scan <path>',
        },
      );
    }
  }

  /** Where each of `kinds` is served (kinds the cluster does not serve are absent). */
  async locations(kinds: ReadonlySet<string>, signal?: AbortSignal): Promise<Map<string, ResourceLocation>> {
    const cached = this.discovery;
    if (cached && this.now() - cached.at < DISCOVERY_TTL_MS && [...kinds].every((k) => cached.kinds.has(k))) {
      return cached.locations;
    }
    const locations = await discover(this.client, kinds, signal);
    this.discovery = { at: this.now(), kinds, locations };
    return locations;
  }

  /** Forgets the discovery, e.g. before a full scan, so new CRDs are seen. */
  refreshDiscovery(): void {
    this.discovery = undefined;
  }

  async collect(options: CollectOptions): Promise<CollectResult> {
    const pageSize = options.pageSize ?? 500;
    const serverVersion = await this.version({ signal: options.signal });
    const locations = await this.locations(options.kinds, options.signal);
    const kinds = [...locations.keys()].filter((k) => options.kinds.has(k)).sort();
    const include = new Set(options.includeNamespaces?.filter(Boolean) ?? []);
    const exclude = new Set(options.excludeNamespaces?.filter(Boolean) ?? []);
    const failedKinds: { kind: string; error: string }[] = [];
    let done = 0;
    const perKind = await mapLimited(kinds, PARALLEL_LISTS, async (kind) => {
      const location = locations.get(kind)!;
      let items: K8sObject[] = [];
      try {
        if (include.size > 0 && location.resource.namespaced) {
          for (const ns of include) {
            items.push(...(await listAll(this.client, location, ns, pageSize, options.signal)));
          }
        } else {
          items = await listAll(this.client, location, undefined, pageSize, options.signal);
        }
        items = items.filter((o) => inNamespaceFilter(o, location.resource.namespaced, include, exclude));
      } catch (err) {
        if (options.signal?.aborted) throw options.signal.reason;
        failedKinds.push({ kind, error: messageOf(err) });
        items = [];
      }
      options.onProgress?.({ kind, count: items.length, done: ++done, total: kinds.length });
      return items;
    });
    failedKinds.sort((a, b) => a.kind.localeCompare(b.kind));
    return { objects: perKind.flat(), failedKinds, serverVersion, clusterName: this.clusterName };
  }

  /** One object, read now; undefined when it does not exist or its kind is not served. */
  async get(
    ref: { kind: string; name: string; namespace?: string },
    kinds: ReadonlySet<string>,
    signal?: AbortSignal,
  ): Promise<K8sObject | undefined> {
    const location = (await this.locations(kinds, signal)).get(ref.kind);
    if (!location) return undefined;
    const path = `${collectionPath(location, location.resource.namespaced ? ref.namespace || 'default' : undefined)}/${encodeURIComponent(ref.name)}`;
    try {
      const object = await this.client.get<K8sObject>(path, { signal });
      object.apiVersion ??= location.groupVersion;
      object.kind ??= location.resource.kind;
      return object;
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return undefined;
      throw err;
    }
  }
}

export async function collectClusterObjects(kc: KubeConfig, options: CollectOptions): Promise<CollectResult> {
  return new ClusterReader(kc).collect(options);
}
