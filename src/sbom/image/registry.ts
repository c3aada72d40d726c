import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Dispatcher, request as undiciRequest } from 'undici';
import type { ErrorCode, KubeguardErrorOptions, Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import { manifestAccept } from './media-types.ts';
import type { ImageReference } from './reference.ts';
import { formatReference } from './reference.ts';
import type { RetryPolicy } from './retry.ts';
import {
  backoffDelay,
  defaultRetryPolicy,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  sleep,
} from './retry.ts';

/** Credentials for one registry, as found in a pull secret or given on the command line. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A bearer token to send as is (Docker config `registrytoken`). */
  token?: string;
  /** An OAuth2 refresh token exchanged for a bearer token (Docker config `identitytoken`). */
  identityToken?: string;
}

export interface RegistryClientOptions {
  /** Credentials for a registry host, or undefined for anonymous access. */
  credentials?: (registry: string) => RegistryCredentials | undefined;
  /** Extra trusted CA certificates (PEM), e.g. a private registry's self-signed CA. */
  ca?: string | Buffer;
  /** Registries reached over plain HTTP. Loopback registries fall back to HTTP when HTTPS fails. */
  plainHttp?: string[];
  /** Skip TLS verification (never the default). */
  insecureSkipTlsVerify?: boolean;
  timeoutMs?: number;
  userAgent?: string;
  /** Retries of 429/5xx answers and network errors (Retry-After is honoured within maxDelayMs). */
  retry?: RetryPolicy;
  logger?: Logger;
}

/** A registry answered with an error: the HTTP status and the distribution error code, when known. */
export class RegistryError extends KubeguardError {
  readonly status: number | undefined;
  /** The distribution API's error code, e.g. MANIFEST_UNKNOWN, NAME_UNKNOWN, TOOMANYREQUESTS. */
  readonly registryCode: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: KubeguardErrorOptions & { status?: number; registryCode?: string } = {},
  ) {
    super(code, message, options);
    this.name = 'RegistryError';
    this.status = options.status;
    this.registryCode = options.registryCode;
  }
}

interface SendOptions {
  headers?: Record<string, string>;
  okStatuses?: number[];
  body?: Buffer;
  signal?: AbortSignal;
}

/** Options of a streamed blob download. */
export interface BlobStreamOptions {
  /** Size from the descriptor: a longer or shorter blob is an error. */
  size?: number;
  signal?: AbortSignal;
}

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g))
    params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
}

function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
}

export function sha256Digest(bytes: Buffer | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function header(res: Dispatcher.ResponseData, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The distribution API's error body: `{"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}`. */
function registryErrorCode(body: string): { code?: string; message?: string } {
  try {
    const first = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    return { code: first?.code, message: first?.message };
  } catch {
    return {};
  }
}

function hashFor(digest: string): ReturnType<typeof createHash> {
  const algorithm = digest.split(':')[0];
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new KubeguardError(ErrorCodes.invalidInput, `unsupported digest algorithm in ${digest}`);
  }
  return createHash(algorithm);
}

/**
 * A client for the OCI distribution API (registry v2): manifests and blobs, pull and push, with
 * Basic and Bearer-token authentication, bounded retries and digest verification of everything it
 * reads.
 */
export class RegistryClient {
  private http: Promise<{ dispatcher: Dispatcher; request: typeof undiciRequest }> | undefined;
  private readonly tokens = new Map<string, string>();
  private readonly schemes = new Map<string, 'https' | 'http'>();
  private readonly retry: Required<RetryPolicy>;
  private readonly logger: Logger;
  /** Bodies of 401 answers, read while handling the challenge (a body can be read only once). */
  private readonly challengeBodies = new WeakMap<Dispatcher.ResponseData, string>();

  constructor(private readonly options: RegistryClientOptions = {}) {
    for (const r of options.plainHttp ?? []) this.schemes.set(r, 'http');
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * undici is loaded on the first request: it costs about 20 MiB of memory, which scans of
   * archives and directories never need.
   */
  private connection(): Promise<{ dispatcher: Dispatcher; request: typeof undiciRequest }> {
    this.http ??= import('undici').then(({ Agent, interceptors, request }) => ({
      request,
      dispatcher: new Agent({
        connect: {
          ...(this.options.ca ? { ca: this.options.ca } : {}),
          rejectUnauthorized: !this.options.insecureSkipTlsVerify,
        },
        headersTimeout: this.options.timeoutMs ?? 60_000,
        bodyTimeout: this.options.timeoutMs ?? 300_000,
      }).compose(interceptors.redirect({ maxRedirections: 5 })),
    }));
    return this.http;
  }

  async close(): Promise<void> {
    if (this.http) await (await this.http).dispatcher.close();
  }

  /** GET a manifest (or index) by tag or digest. */
  async manifest(
    ref: ImageReference,
    reference = ref.digest ?? ref.tag ?? 'latest',
    options: { signal?: AbortSignal } = {},
  ): Promise<FetchedManifest> {
    const res = await this.send(ref, 'GET', `/manifests/${reference}`, 'pull', {
      headers: { accept: manifestAccept },
      signal: options.signal,
    });
    const bytes = await this.readBody(ref, res, 8 * 1024 * 1024, `manifest ${reference}`);
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new KubeguardError(
        ErrorCodes.integrity,
        `${formatReference(ref)}: manifest digest ${digest} does not match the requested ${reference}`,
      );
    }
    const contentType = header(res, 'content-type')?.split(';')[0]?.trim();
    let mediaType = contentType ?? '';
    try {
      mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? mediaType;
    } catch {
      throw new KubeguardError(ErrorCodes.invalidInput, `${formatReference(ref)}: the manifest is not JSON`);
    }
    return { mediaType, digest, bytes };
  }

  /** GET a blob whole, verifying its digest; `maxBytes` guards against hostile sizes. */
  async blob(
    ref: ImageReference,
    digest: string,
    options: { maxBytes?: number; signal?: AbortSignal } = {},
  ): Promise<Buffer> {
    const res = await this.send(ref, 'GET', `/blobs/${digest}`, 'pull', { signal: options.signal });
    const bytes = await this.readBody(ref, res, options.maxBytes ?? Infinity, `blob ${digest}`);
    const actual = sha256Digest(bytes);
    if (actual !== digest) {
      throw new KubeguardError(
        ErrorCodes.integrity,
        `${ref.registry}/${ref.repository}: blob ${digest} arrived with digest ${actual} (${bytes.length} bytes); it is truncated or corrupt`,
      );
    }
    return bytes;
  }

  /**
   * Streams a blob. The digest (and the size, when given) is checked as the bytes pass: the stream
   * errors instead of ending when the blob is corrupt, truncated or too long. A connection that
   * breaks mid-body is resumed with a Range request (a bounded number of times).
   */
  async blobStream(ref: ImageReference, digest: string, options: BlobStreamOptions = {}): Promise<Readable> {
    const hash = hashFor(digest);
    const name = `${ref.registry}/${ref.repository}`;
    const path = `/blobs/${digest}`;
    const first = await this.send(ref, 'GET', path, 'pull', { signal: options.signal });
    const expected = options.size;
    const retry = this.retry;
    const logger = this.logger;
    const send = this.send.bind(this);
    async function* body(): AsyncGenerator<Buffer> {
      let res = first;
      let offset = 0;
      let skip = 0;
      for (let resumes = 0; ;) {
        try {
          for await (const raw of res.body as AsyncIterable<Buffer>) {
            let chunk = raw;
            if (skip > 0) {
              // The server ignored our Range header and starts over: drop what we already have.
              const drop = Math.min(skip, chunk.length);
              skip -= drop;
              chunk = chunk.subarray(drop);
              if (chunk.length === 0) continue;
            }
            offset += chunk.length;
            if (expected !== undefined && offset > expected) {
              throw new KubeguardError(
                ErrorCodes.integrity,
                `${name}: blob ${digest} is longer than the ${expected} bytes its descriptor says`,
              );
            }
            hash.update(chunk);
            yield chunk;
          }
          break;
        } catch (err) {
          if (options.signal?.aborted || !isRetryableNetworkError(err) || resumes >= retry.retries) {
            if (err instanceof KubeguardError) throw err;
            throw new KubeguardError(
              ErrorCodes.remote,
              `${name}: download of blob ${digest} broke after ${offset} bytes: ${messageOf(err)}`,
              { cause: err },
            );
          }
          await sleep(backoffDelay(retry, resumes), options.signal);
          resumes++;
          logger.warn('resuming a blob download', { blob: digest, offset, attempt: resumes });
          res = await send(ref, 'GET', path, 'pull', {
            headers: { range: `bytes=${offset}-` },
            signal: options.signal,
          });
          skip = res.statusCode === 206 ? 0 : offset;
        }
      }
      if (expected !== undefined && offset !== expected) {
        throw new KubeguardError(
          ErrorCodes.integrity,
          `${name}: blob ${digest} is truncated: ${offset} of ${expected} bytes arrived`,
        );
      }
      const actual = `${digest.split(':')[0]}:${hash.digest('hex')}`;
      if (actual !== digest) {
        throw new KubeguardError(
          ErrorCodes.integrity,
          `${name}: blob ${digest} arrived with digest ${actual} (${offset} bytes); it is truncated or corrupt`,
        );
      }
    }
    return Readable.from(body(), { objectMode: false, highWaterMark: 256 * 1024 });
  }

  async hasBlob(ref: ImageReference, digest: string): Promise<boolean> {
    const res = await this.send(ref, 'HEAD', `/blobs/${digest}`, 'pull', { okStatuses: [404] });
    await res.body.dump();
    return res.statusCode === 200;
  }

  /** Uploads a blob (monolithic upload) unless the registry has it already. */
  async pushBlob(
    ref: ImageReference,
    bytes: Buffer,
    digest = sha256Digest(bytes),
  ): Promise<'pushed' | 'exists'> {
    if (await this.hasBlob(ref, digest)) return 'exists';
    const start = await this.send(ref, 'POST', '/blobs/uploads/', 'push', {
      headers: { 'content-length': '0' },
    });
    await start.body.dump();
    const location = header(start, 'location');
    if (!location) {
      throw new KubeguardError(
        ErrorCodes.remote,
        `${ref.registry}/${ref.repository}: upload started without a Location header`,
      );
    }
    const base = `${this.scheme(ref.registry)}://${ref.registry}`;
    const url = new URL(location, base);
    url.searchParams.set('digest', digest);
    const res = await this.send(ref, 'PUT', url.toString(), 'push', {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
      body: bytes,
    });
    await res.body.dump();
    return 'pushed';
  }

  /** PUTs a manifest under a tag or its digest; returns the digest the registry reports. */
  async pushManifest(
    ref: ImageReference,
    reference: string,
    mediaType: string,
    bytes: Buffer,
  ): Promise<string> {
    const res = await this.send(ref, 'PUT', `/manifests/${reference}`, 'push', {
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: bytes,
    });
    await res.body.dump();
    return header(res, 'docker-content-digest') ?? sha256Digest(bytes);
  }

  private scheme(registry: string): 'https' | 'http' {
    return this.schemes.get(registry) ?? 'https';
  }

  private async readBody(
    ref: ImageReference,
    res: Dispatcher.ResponseData,
    maxBytes: number,
    what: string,
  ): Promise<Buffer> {
    const declared = Number(header(res, 'content-length') ?? NaN);
    if (declared > maxBytes) {
      res.body.destroy();
      throw new KubeguardError(
        ErrorCodes.tooLarge,
        `${ref.registry}/${ref.repository}: ${what} is ${declared} bytes, more than the ${maxBytes} allowed`,
      );
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        res.body.destroy();
        throw new KubeguardError(
          ErrorCodes.tooLarge,
          `${ref.registry}/${ref.repository}: ${what} is more than the ${maxBytes} bytes allowed`,
        );
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /**
   * One request with retries: 429 and 5xx answers and transient network errors are retried with
   * exponential backoff (or after the server's Retry-After), within the retry policy's bounds.
   */
  private async send(
    ref: ImageReference,
    method: 'GET' | 'HEAD' | 'POST' | 'PUT',
    pathOrUrl: string,
    action: 'pull' | 'push',
    options: SendOptions = {},
  ): Promise<Dispatcher.ResponseData> {
    const name = `${ref.registry}/${ref.repository}`;
    const okStatuses = options.okStatuses ?? [];
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await this.exchange(ref, method, pathOrUrl, action, options);
      } catch (err) {
        if (options.signal?.aborted) throw err;
        if (
          isRetryableNetworkError(err) &&
          (await this.waitToRetry(name, attempt, started, undefined, err, options))
        )
          continue;
        throw err instanceof KubeguardError ? err : this.networkError(name, err);
      }
      if ((res.statusCode >= 200 && res.statusCode < 300) || okStatuses.includes(res.statusCode)) return res;
      const consumed = this.challengeBodies.get(res);
      const text = consumed ?? (method === 'HEAD' ? '' : (await res.body.text()).slice(0, 2000));
      if (method === 'HEAD' && consumed === undefined) await res.body.dump();
      if (isRetryableStatus(res.statusCode)) {
        const retryAfter = parseRetryAfter(header(res, 'retry-after'));
        if (await this.waitToRetry(name, attempt, started, retryAfter, `HTTP ${res.statusCode}`, options))
          continue;
      }
      throw this.statusError(name, method, pathOrUrl, res.statusCode, text, attempt);
    }
  }

  private async waitToRetry(
    name: string,
    attempt: number,
    started: number,
    retryAfterMs: number | undefined,
    why: unknown,
    options: SendOptions,
  ): Promise<boolean> {
    if (attempt >= this.retry.retries) return false;
    const delay = retryAfterMs ?? backoffDelay(this.retry, attempt);
    // A server asking for a longer pause than we are willing to wait gets a clear error instead.
    if (delay > this.retry.maxDelayMs) return false;
    if (Date.now() - started + delay > this.retry.maxTotalMs) return false;
    this.logger.debug('retrying a registry request', {
      registry: name,
      attempt: attempt + 1,
      delayMs: delay,
      reason: typeof why === 'string' ? why : messageOf(why),
    });
    await sleep(delay, options.signal);
    return true;
  }

  /** One attempt, including the plain-HTTP fallback for loopback registries and the 401 challenge. */
  private async exchange(
    ref: ImageReference,
    method: 'GET' | 'HEAD' | 'POST' | 'PUT',
    pathOrUrl: string,
    action: 'pull' | 'push',
    options: SendOptions,
  ): Promise<Dispatcher.ResponseData> {
    const scope = `repository:${ref.repository}:${action === 'push' ? 'pull,push' : 'pull'}`;
    const attempt = async (): Promise<Dispatcher.ResponseData> => {
      const url = pathOrUrl.startsWith('/')
        ? `${this.scheme(ref.registry)}://${ref.registry}/v2/${ref.repository}${pathOrUrl}`
        : pathOrUrl;
      const auth = this.authorization(ref.registry, scope);
      const { request, dispatcher } = await this.connection();
      return request(url, {
        method,
        headers: {
          'user-agent': this.options.userAgent ?? 'kubeguard',
          ...options.headers,
          ...(auth ? { authorization: auth } : {}),
        },
        body: options.body,
        signal: options.signal,
        dispatcher,
      });
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await attempt();
    } catch (err) {
      // Like Docker, a loopback registry may speak plain HTTP; but one that answered with a
      // certificate we do not trust speaks TLS, and that is the error to report.
      if (
        this.scheme(ref.registry) === 'https' &&
        isLoopback(ref.registry) &&
        !isCertificateError(err) &&
        !options.signal?.aborted
      ) {
        this.schemes.set(ref.registry, 'http');
        res = await attempt();
      } else {
        throw err;
      }
    }
    if (res.statusCode === 401) {
      const challenge = parseChallenge(header(res, 'www-authenticate'));
      const text = method === 'HEAD' ? '' : (await res.body.text()).slice(0, 2000);
      if (method === 'HEAD') await res.body.dump();
      if (challenge && (await this.authenticate(ref.registry, scope, challenge, options.signal))) {
        res = await attempt();
      } else {
        this.challengeBodies.set(res, text);
      }
    }
    return res;
  }

  private authorization(registry: string, scope: string): string | undefined {
    const token = this.tokens.get(`${registry} ${scope}`) ?? this.tokens.get(`${registry} *`);
    return token;
  }

  private async authenticate(
    registry: string,
    scope: string,
    challenge: Challenge,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const creds = this.options.credentials?.(registry);
    if (challenge.scheme === 'basic') {
      if (!creds?.username) return false;
      const basic = Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64');
      this.tokens.set(`${registry} *`, `Basic ${basic}`);
      return true;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) return false;
    if (creds?.token && !creds.username) {
      this.tokens.set(`${registry} ${scope}`, `Bearer ${creds.token}`);
      return true;
    }
    const url = new URL(challenge.params.realm);
    const wantedScope = challenge.params.scope ?? scope;
    let res: Dispatcher.ResponseData;
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant, as docker and go-containerregistry do for identity tokens.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'kubeguard',
        scope: wantedScope,
        ...(challenge.params.service ? { service: challenge.params.service } : {}),
      });
      const { request, dispatcher } = await this.connection();
      res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal,
        dispatcher,
      });
    } else {
      if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
      url.searchParams.set('scope', wantedScope);
      const headers: Record<string, string> = {};
      if (creds?.username) {
        headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
      }
      const { request, dispatcher } = await this.connection();
      res = await request(url, { headers, signal, dispatcher });
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      return false;
    }
    const json = (await res.body.json()) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) return false;
    this.tokens.set(`${registry} ${scope}`, `Bearer ${token}`);
    return true;
  }

  private networkError(name: string, err: unknown): KubeguardError {
    if (isCertificateError(err)) {
      return new KubeguardError(
        ErrorCodes.remote,
        `${name}: the registry's TLS certificate is not trusted: ${messageOf(err)}`,
        {
          cause: err,
          hint: 'pass the CA that signed it (--registry-ca) or, for testing only, skip verification',
        },
      );
    }
    return new KubeguardError(ErrorCodes.remote, `${name}: cannot reach the registry: ${messageOf(err)}`, {
      cause: err,
      hint: 'check the registry address, that it runs, and its TLS settings (a private CA needs --registry-ca)',
    });
  }

  private statusError(
    name: string,
    method: string,
    what: string,
    status: number,
    body: string,
    retries: number,
  ): RegistryError {
    const target = what.startsWith('/') ? what.slice(1) : 'upload';
    const { code: registryCode, message: registryMessage } = registryErrorCode(body);
    const codeText = registryCode ? ` (${registryCode})` : '';
    const details = { status, registryCode };
    if (status === 401 || status === 403) {
      return new RegistryError(
        ErrorCodes.unauthorized,
        `${name}: ${method} ${target} was refused (${status}${registryCode ? ` ${registryCode}` : ''}): ${status === 401 ? 'authentication required, credentials wrong, or the repository does not exist' : 'access denied'}`,
        {
          ...details,
          hint: `check the credentials for ${name.split('/')[0]} (image pull secret or --registry-auth)`,
        },
      );
    }
    if (status === 404 || registryCode === 'MANIFEST_UNKNOWN' || registryCode === 'NAME_UNKNOWN') {
      const subject =
        registryCode === 'NAME_UNKNOWN'
          ? 'the repository is unknown to the registry'
          : target.startsWith('manifests/')
            ? `manifest ${target.slice('manifests/'.length)} is unknown to the registry`
            : `${target} not found`;
      return new RegistryError(
        ErrorCodes.notFound,
        `${name}: ${subject} (${status}${registryCode ? ` ${registryCode}` : ''})`,
        {
          ...details,
          hint: 'check the image name, tag and digest',
        },
      );
    }
    if (status === 429) {
      return new RegistryError(
        ErrorCodes.remote,
        `${name}: the registry is rate-limiting requests (HTTP 429${codeText})${retries > 0 ? ` and still was after ${retries} retries` : ''}`,
        { ...details, hint: 'wait before scanning again; authenticated pulls usually get higher limits' },
      );
    }
    const detail = registryMessage ?? body;
    return new RegistryError(
      ErrorCodes.remote,
      `${name}: ${method} ${target} failed with HTTP ${status}${codeText}${retries > 0 ? ` after ${retries} retries` : ''}: ${detail}`,
      details,
    );
  }
}
