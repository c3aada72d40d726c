import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import type {
  AuthorizationAttributes,
  Authenticator,
  Authorizer,
  Decision,
  UserInfo,
} from '../../storage/index.ts';
import { StatusError } from '../../storage/index.ts';

/**
 * Authentication and authorization delegated to the Kubernetes API server, the way every
 * aggregated API server does it (k8s.io/apiserver's DelegatingAuthenticationOptions):
 * - requests proxied by kube-apiserver carry a front-proxy client certificate; the user and groups
 *   come from the request headers named in kube-system/extension-apiserver-authentication;
 * - client certificates signed by the cluster's client CA name the user directly;
 * - bearer tokens are checked with a TokenReview;
 * - every request is authorized with a SubjectAccessReview (decisions cached briefly).
 */
export interface AuthenticationConfig {
  clientCA?: string;
  requestHeaderCA?: string;
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

function jsonList(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/** Reads kube-system/extension-apiserver-authentication, as published by kube-apiserver. */
export async function loadAuthenticationConfig(kc: KubeConfig): Promise<AuthenticationConfig> {
  let data: Record<string, string>;
  try {
    const cm = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: 'extension-apiserver-authentication', namespace: 'kube-system' });
    data = cm.data ?? {};
  } catch (err) {
    throw new KubeguardError(
      ErrorCodes.prerequisite,
      `cannot read kube-system/extension-apiserver-authentication: ${messageOf(err)}`,
      {
        hint: 'bind the role extension-apiserver-authentication-reader (namespace kube-system) to the storage identity',
        cause: err,
      },
    );
  }
  return {
    clientCA: data['client-ca-file'],
    requestHeaderCA: data['requestheader-client-ca-file'],
    allowedNames: jsonList(data['requestheader-allowed-names']),
    usernameHeaders: jsonList(data['requestheader-username-headers']),
    groupHeaders: jsonList(data['requestheader-group-headers']),
    extraHeaderPrefixes: jsonList(data['requestheader-extra-headers-prefix']),
  };
}

/** The CAs the TLS server should request client certificates from. */
export function clientCAs(config: AuthenticationConfig): string[] {
  return [config.requestHeaderCA, config.clientCA].filter((c): c is string => !!c);
}

function fingerprints(pemBundle: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const pem of pemBundle?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    out.add(new X509Certificate(pem).fingerprint256);
  }
  return out;
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === lower) values.push(req.rawHeaders[i + 1]!);
  }
  return values;
}

interface CacheEntry<T> {
  value: T;
  expires: number;
}

class TtlCache<T> {
  private readonly entries = new Map<string, CacheEntry<T>>();
  constructor(private readonly max: number) {}
  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: T, ttlMs: number): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expires: Date.now() + ttlMs });
  }
}

export class DelegatedAuthenticator implements Authenticator {
  private requestHeaderCAs = new Set<string>();
  private clientCAs = new Set<string>();
  private readonly tokens = new TtlCache<UserInfo | null>(10_000);
  private readonly authn: AuthenticationV1Api;

  constructor(
    kc: KubeConfig,
    private config: AuthenticationConfig,
    private readonly logger: Logger = silentLogger,
  ) {
    this.authn = kc.makeApiClient(AuthenticationV1Api);
    this.update(config);
  }

  update(config: AuthenticationConfig): void {
    this.config = config;
    this.requestHeaderCAs = fingerprints(config.requestHeaderCA);
    this.clientCAs = fingerprints(config.clientCA);
  }

  /** Like k8s.io/apiserver's AuthenticatedGroupAdder: every authenticated user is in system:authenticated. */
  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const user = await this.identify(req);
    if (user && !user.groups.includes('system:authenticated')) user.groups.push('system:authenticated');
    return user;
  }

  private async identify(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    if (socket.authorized && typeof socket.getPeerCertificate === 'function') {
      const cert = socket.getPeerCertificate(true);
      const issuer = cert.issuerCertificate?.fingerprint256;
      if (issuer && this.requestHeaderCAs.has(issuer)) {
        const cn = cert.subject?.CN;
        const allowed =
          this.config.allowedNames.length === 0 ||
          (typeof cn === 'string' && this.config.allowedNames.includes(cn));
        const username = this.config.usernameHeaders.map((h) => headerValues(req, h)[0]).find((v) => v);
        if (allowed && username) {
          const groups = this.config.groupHeaders.flatMap((h) => headerValues(req, h));
          const extra: Record<string, string[]> = {};
          for (const prefix of this.config.extraHeaderPrefixes) {
            for (let i = 0; i < req.rawHeaders.length; i += 2) {
              const name = req.rawHeaders[i]!;
              if (name.toLowerCase().startsWith(prefix.toLowerCase())) {
                const key = decodeURIComponent(name.slice(prefix.length)).toLowerCase();
                (extra[key] ??= []).push(req.rawHeaders[i + 1]!);
              }
            }
          }
          return { username, groups, extra };
        }
      } else if (issuer && this.clientCAs.has(issuer)) {
        const subject = cert.subject ?? {};
        const cn = Array.isArray(subject.CN) ? subject.CN[0] : subject.CN;
        const o = subject.O;
        if (cn) return { username: cn, groups: Array.isArray(o) ? [...o] : o ? [o] : [] };
      }
    }
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const user = await this.reviewToken(authorization.slice(7).trim());
      if (!user)
        throw new StatusError(401, 'Unauthorized', 'Unauthorized: the bearer token is invalid or expired');
      return user;
    }
    return undefined;
  }

  private async reviewToken(token: string): Promise<UserInfo | null> {
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.tokens.get(key);
    if (cached !== undefined) return cached;
    try {
      const review = await this.authn.createTokenReview({ body: { spec: { token } } });
      const status = review.status;
      const user: UserInfo | null =
        status?.authenticated && status.user?.username
          ? {
              username: status.user.username,
              uid: status.user.uid,
              groups: status.user.groups ?? [],
              extra: status.user.extra,
            }
          : null;
      this.tokens.set(key, user, user ? 10_000 : 2_000);
      return user;
    } catch (err) {
      this.logger.warn('TokenReview failed', { error: messageOf(err) });
      throw new StatusError(
        500,
        'InternalError',
        `cannot verify the bearer token with the Kubernetes API server: ${messageOf(err)}`,
      );
    }
  }
}

export class SubjectAccessReviewAuthorizer implements Authorizer {
  private readonly decisions = new TtlCache<Decision>(50_000);
  private readonly authz: AuthorizationV1Api;

  constructor(
    kc: KubeConfig,
    private readonly options: { allowedTtlMs?: number; deniedTtlMs?: number } = {},
  ) {
    this.authz = kc.makeApiClient(AuthorizationV1Api);
  }

  async authorize(attributes: AuthorizationAttributes): Promise<Decision> {
    const { user } = attributes;
    const key = JSON.stringify([
      user.username,
      user.groups,
      user.extra,
      attributes.verb,
      attributes.resource,
      attributes.path,
    ]);
    const cached = this.decisions.get(key);
    if (cached) return cached;
    const review = await this.authz.createSubjectAccessReview({
      body: {
        spec: {
          user: user.username,
          uid: user.uid,
          groups: user.groups,
          extra: user.extra,
          ...(attributes.resource
            ? {
                resourceAttributes: {
                  verb: attributes.verb,
                  group: attributes.resource.group,
                  version: attributes.resource.version,
                  resource: attributes.resource.resource,
                  subresource: attributes.resource.subresource || undefined,
                  namespace: attributes.resource.namespace || undefined,
                  name: attributes.resource.name || undefined,
                },
              }
            : { nonResourceAttributes: { path: attributes.path, verb: attributes.verb } }),
        },
      },
    });
    const decision: Decision = {
      allowed: review.status?.allowed === true,
      reason: review.status?.reason || review.status?.evaluationError,
    };
    this.decisions.set(
      key,
      decision,
      decision.allowed ? (this.options.allowedTtlMs ?? 10_000) : (this.options.deniedTtlMs ?? 5_000),
    );
    return decision;
  }
}
