/**
 * A small JSON client for the Kubernetes API. The operator handles objects as plain JSON (CronJob
 * templates from YAML, posture `scanObject`s, watch events), which the typed client would rename
 * (`_exec`, `x-kubernetes-*`) or convert (dates); this keeps them byte for byte as the server has
 * them. TLS and credentials come from the kubeconfig (client-node's applyToHTTPSOptions).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { JsonObject } from './types.ts';

/** A failed API call; `status` is the HTTP status (0: no answer), `reason` the Status reason. */
export class KubeApiError extends KubeguardError {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    cause?: unknown,
  ) {
    super(
      status === 404 ? ErrorCodes.notFound : status === 409 ? ErrorCodes.conflict : ErrorCodes.remote,
      message,
      {
        cause,
      },
    );
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

/** A resource type: `group` empty for the core API. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export function resourcePath(
  ref: ResourceRef,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let path = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  if (ref.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${ref.plural}`;
  if (name) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

export type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface WatchEvent<T = JsonObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** How long the cached TLS options (with their keep-alive agent) are reused: tokens rotate. */
const OPTIONS_TTL_MS = 5 * 60_000;

export class KubeRest {
  private readonly server: URL;
  private options: { value: https.RequestOptions; at: number } | undefined;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeguardError(ErrorCodes.invalidInput, 'kubeconfig names no current cluster');
    this.server = new URL(cluster.server);
  }

  private async requestOptions(): Promise<https.RequestOptions> {
    if (!this.options || Date.now() - this.options.at > OPTIONS_TTL_MS) {
      const value: https.RequestOptions = {};
      await this.kc.applyToHTTPSOptions(value);
      this.options = { value, at: Date.now() };
    }
    return this.options.value;
  }

  private async open(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string,
    timeoutMs: number,
  ): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    const options = await this.requestOptions();
    const url = new URL(path, this.server);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, {
        ...options,
        method,
        timeout: timeoutMs,
        headers: {
          ...(options.headers ?? {}),
          Accept: 'application/json',
          ...(body !== undefined
            ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }
            : {}),
        },
      });
      req.on('response', (res) => resolve({ req, res }));
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on('error', (err) =>
        reject(new KubeApiError(0, 'ConnectionFailed', `${method} ${url.pathname}: ${err.message}`, err)),
      );
      req.end(body);
    });
  }

  /** One request; the JSON reply, or a KubeApiError carrying the Status message. */
  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; query?: Query; timeoutMs?: number } = {},
  ): Promise<T> {
    // A kube-apiserver (or aggregated storage) that is restarting refuses connections or answers
    // 429/503 without having acted: retry those briefly. Other failures surface at once.
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, options);
      } catch (err) {
        if (attempt >= REQUEST_ATTEMPTS || !isRetryable(err, method)) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  private async requestOnce<T>(
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; query?: Query; timeoutMs?: number },
  ): Promise<T> {
    const full = withQuery(path, options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const { res } = await this.open(
      method,
      full,
      body,
      options.contentType ?? 'application/json',
      options.timeoutMs ?? 60_000,
    );
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    const status = res.statusCode ?? 0;
    if (status >= 400) throw statusError(method, path, status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** GET of one object; undefined when it does not exist. */
  async get<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** DELETE; false when it did not exist. */
  async delete(path: string): Promise<boolean> {
    try {
      await this.request('DELETE', path);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** A paginated LIST (500 per page); the resourceVersion to start a watch from. */
  async list<T>(path: string, query: Query = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.request<{
        items?: T[];
        metadata?: { continue?: string; resourceVersion?: string };
      }>('GET', path, { query: { ...query, limit: 500, continue: token } });
      items.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (token);
    return { items, resourceVersion };
  }

  /**
   * A watch: calls `onEvent` per event line until the server ends the stream (resolves), the
   * signal aborts (resolves) or the connection fails (rejects). An HTTP error status rejects with
   * a KubeApiError (410 Gone: the resourceVersion is too old).
   */
  async watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    idleTimeoutMs: number,
  ): Promise<void> {
    if (signal.aborted) return;
    const full = withQuery(path, { ...query, watch: 1 });
    const { req, res } = await this.open('GET', full, undefined, 'application/json', idleTimeoutMs);
    const status = res.statusCode ?? 0;
    if (status >= 400) {
      const text = await new Promise<string>((resolve) => {
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (t += c));
        res.on('end', () => resolve(t));
        res.on('error', () => resolve(t));
      });
      throw statusError('WATCH', path, status, text);
    }
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      let settled = false;
      const abort = () => req.destroy();
      signal.addEventListener('abort', abort, { once: true });
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', abort);
        if (err && !signal.aborted) reject(err);
        else resolve();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent);
          } catch (err) {
            // The handler refused the event (e.g. an ERROR event with 410): end this watch with it.
            finish(err instanceof Error ? err : new Error(String(err)));
            req.destroy();
            return;
          }
        }
      });
      res.on('end', () => finish());
      res.on('aborted', () => finish(new Error(`watch ${path}: connection aborted`)));
      res.on('error', (err) => finish(new Error(`watch ${path}: ${err.message}`)));
      req.on('error', (err) => finish(err));
      res.on('close', () => finish());
    });
  }
}

const REQUEST_ATTEMPTS = 6;

/**
 * Whether a failed request may be sent again: refused connections never reached the server; 429
 * and 503 were answered without acting. A reset connection may have been acted on, so only
 * idempotent methods are retried then.
 */
function isRetryable(err: unknown, method: string): boolean {
  if (!(err instanceof KubeApiError)) return false;
  if (err.status === 429 || err.status === 503) return true;
  if (err.status !== 0) return false;
  return /ECONNREFUSED/.test(err.message) || method !== 'POST';
}

function statusError(method: string, path: string, status: number, text: string): KubeApiError {
  let message = text.slice(0, 500);
  let reason = '';
  try {
    const parsed = JSON.parse(text) as { message?: string; reason?: string };
    message = parsed.message ?? message;
    reason = parsed.reason ?? '';
  } catch {
    // not a Status object
  }
  return new KubeApiError(status, reason, `${method} ${path}: ${status} ${message}`.trim());
}
