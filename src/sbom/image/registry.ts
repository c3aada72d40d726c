import { createHash } from 'node:crypto';
import { Agent, interceptors, request } from 'undici';
import type { Dispatcher } from 'undici';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { manifestAccept } from './media-types.ts';
import type { ImageReference } from './reference.ts';
import { formatReference } from './reference.ts';

/** Credentials for one registry, as found in a pull secret or given on the command line. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A bearer token to send as is (registry token / identity token). */
  token?: string;
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

/**
 * A client for the OCI distribution API (registry v2): manifests and blobs, pull and push, with
 * Basic and Bearer-token authentication and digest verification of everything it reads.
 */
export class RegistryClient {
  private readonly dispatcher: Dispatcher;
  private readonly tokens = new Map<string, string>();
  private readonly schemes = new Map<string, 'https' | 'http'>();

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.dispatcher = new Agent({
      connect: {
        ...(options.ca ? { ca: options.ca } : {}),
        rejectUnauthorized: !options.insecureSkipTlsVerify,
      },
      headersTimeout: options.timeoutMs ?? 60_000,
      bodyTimeout: options.timeoutMs ?? 300_000,
    }).compose(interceptors.redirect({ maxRedirections: 5 }));
    for (const r of options.plainHttp ?? []) this.schemes.set(r, 'http');
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** GET a manifest (or index) by tag or digest. */
  async manifest(
    ref: ImageReference,
    reference = ref.digest ?? ref.tag ?? 'latest',
  ): Promise<FetchedManifest> {
    const res = await this.send(ref, 'GET', `/manifests/${reference}`, { accept: manifestAccept }, 'pull');
    const bytes = Buffer.from(await res.body.arrayBuffer());
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

  /** GET a blob whole, verifying its digest. */
  async blob(ref: ImageReference, digest: string): Promise<Buffer> {
    const res = await this.send(ref, 'GET', `/blobs/${digest}`, {}, 'pull');
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const actual = sha256Digest(bytes);
    if (actual !== digest) {
      throw new KubeguardError(
        ErrorCodes.integrity,
        `${ref.registry}/${ref.repository}: blob ${digest} arrived with digest ${actual} (${bytes.length} bytes); it is truncated or corrupt`,
      );
    }
    return bytes;
  }

  async hasBlob(ref: ImageReference, digest: string): Promise<boolean> {
    const res = await this.send(ref, 'HEAD', `/blobs/${digest}`, {}, 'pull', [404]);
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
    const start = await this.send(ref, 'POST', '/blobs/uploads/', { 'content-length': '0' }, 'push');
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
    const res = await this.send(
      ref,
      'PUT',
      url.toString(),
      { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
      'push',
      [],
      bytes,
    );
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
    const res = await this.send(
      ref,
      'PUT',
      `/manifests/${reference}`,
      { 'content-type': mediaType, 'content-length': String(bytes.length) },
      'push',
      [],
      bytes,
    );
    await res.body.dump();
    return header(res, 'docker-content-digest') ?? sha256Digest(bytes);
  }

  private scheme(registry: string): 'https' | 'http' {
    return this.schemes.get(registry) ?? 'https';
  }

  private async send(
    ref: ImageReference,
    method: 'GET' | 'HEAD' | 'POST' | 'PUT',
    pathOrUrl: string,
    headers: Record<string, string>,
    action: 'pull' | 'push',
    okStatuses: number[] = [],
    body?: Buffer,
  ): Promise<Dispatcher.ResponseData> {
    const scope = `repository:${ref.repository}:${action === 'push' ? 'pull,push' : 'pull'}`;
    const name = `${ref.registry}/${ref.repository}`;
    const attempt = async (): Promise<Dispatcher.ResponseData> => {
      const url = pathOrUrl.startsWith('/')
        ? `${this.scheme(ref.registry)}://${ref.registry}/v2/${ref.repository}${pathOrUrl}`
        : pathOrUrl;
      const auth = this.authorization(ref.registry, scope);
      return request(url, {
        method,
        headers: {
          'user-agent': this.options.userAgent ?? 'kubeguard',
          ...headers,
          ...(auth ? { authorization: auth } : {}),
        },
        body,
        dispatcher: this.dispatcher,
      });
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await attempt();
    } catch (err) {
      // Like Docker, a loopback registry may speak plain HTTP; but one that answered with a
      // certificate we do not trust speaks TLS, and that is the error to report.
      if (this.scheme(ref.registry) === 'https' && isLoopback(ref.registry) && !isCertificateError(err)) {
        this.schemes.set(ref.registry, 'http');
        try {
          res = await attempt();
        } catch (again) {
          throw this.networkError(name, again);
        }
      } else {
        throw this.networkError(name, err);
      }
    }
    if (res.statusCode === 401) {
      const challenge = parseChallenge(header(res, 'www-authenticate'));
      await res.body.dump();
      if (challenge && (await this.authenticate(ref.registry, scope, challenge))) res = await attempt();
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    if (okStatuses.includes(res.statusCode)) return res;
    const text = method === 'HEAD' ? '' : (await res.body.text()).slice(0, 500);
    throw this.statusError(name, method, pathOrUrl, res.statusCode, text);
  }

  private authorization(registry: string, scope: string): string | undefined {
    const token = this.tokens.get(`${registry} ${scope}`) ?? this.tokens.get(`${registry} *`);
    return token;
  }

  private async authenticate(registry: string, scope: string, challenge: Challenge): Promise<boolean> {
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
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', challenge.params.scope ?? scope);
    const headers: Record<string, string> = {};
    if (creds?.username) {
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
    }
    const res = await request(url, { headers, dispatcher: this.dispatcher });
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
  ): KubeguardError {
    const target = what.startsWith('/') ? what.slice(1) : 'upload';
    if (status === 401 || status === 403) {
      return new KubeguardError(
        ErrorCodes.unauthorized,
        `${name}: ${method} ${target} was refused (${status}): ${status === 401 ? 'authentication required or credentials wrong' : 'access denied'}`,
        { hint: `check the credentials for ${name.split('/')[0]} (image pull secret or --registry-auth)` },
      );
    }
    if (status === 404) {
      return new KubeguardError(ErrorCodes.notFound, `${name}: ${target} not found (404)`, {
        hint: 'check the image name, tag and digest',
      });
    }
    return new KubeguardError(
      ErrorCodes.remote,
      `${name}: ${method} ${target} failed with HTTP ${status}: ${body}`,
    );
  }
}
