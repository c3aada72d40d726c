/**
 * Registry credentials for kubevuln: the pod's imagePullSecrets (dockerconfigjson or the legacy
 * dockercfg), one AuthConfig per registry entry. `auth` is passed on as given, and split into
 * username/password when those are absent (kubevuln#611: dropping `auth` broke private pulls).
 */
import type { Logger } from '../../common/index.ts';
import { messageOf } from '../../common/index.ts';
import { isObject } from './decode.ts';
import type { KubeRest } from './kube-rest.ts';
import { resourcePath } from './kube-rest.ts';
import type { AuthConfig } from './types.ts';
import type { PodSpecJson } from './workloads.ts';
import { SECRET_RESOURCE } from './workloads.ts';

export interface SecretJson {
  type?: string;
  data?: Record<string, string>;
}

function decodeBase64(value: string | undefined): string {
  return value ? Buffer.from(value, 'base64').toString('utf8') : '';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The AuthConfigs in one pull secret; unreadable secrets yield none. */
export function authConfigsFromSecret(secret: SecretJson): AuthConfig[] {
  let registries: Record<string, unknown> = {};
  try {
    if (secret.data?.['.dockerconfigjson'] !== undefined) {
      const parsed = JSON.parse(decodeBase64(secret.data['.dockerconfigjson'])) as unknown;
      if (isObject(parsed) && isObject(parsed['auths'])) registries = parsed['auths'];
    } else if (secret.data?.['.dockercfg'] !== undefined) {
      const parsed = JSON.parse(decodeBase64(secret.data['.dockercfg'])) as unknown;
      if (isObject(parsed)) registries = parsed;
    }
  } catch {
    return [];
  }
  const configs: AuthConfig[] = [];
  for (const [registry, value] of Object.entries(registries)) {
    if (!isObject(value)) continue;
    let username = text(value['username']);
    let password = text(value['password']);
    const auth = text(value['auth']);
    if (auth && (!username || !password)) {
      const decoded = decodeBase64(auth);
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        username ??= decoded.slice(0, colon);
        password ??= decoded.slice(colon + 1);
      }
    }
    const config: AuthConfig = { serveraddress: registry };
    if (username) config.username = username;
    if (password) config.password = password;
    if (auth) config.auth = auth;
    const identityToken = text(value['identitytoken']);
    if (identityToken) config.identitytoken = identityToken;
    const registryToken = text(value['registrytoken']);
    if (registryToken) config.registrytoken = registryToken;
    configs.push(config);
  }
  return configs;
}

/** Reads the pod's pull secrets from its namespace; secrets that cannot be read are logged and skipped. */
export async function pullSecretCredentials(
  rest: KubeRest,
  namespace: string,
  spec: PodSpecJson | undefined,
  logger: Logger,
): Promise<AuthConfig[]> {
  const configs: AuthConfig[] = [];
  for (const ref of spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    try {
      const secret = await rest.get<SecretJson>(resourcePath(SECRET_RESOURCE, namespace, ref.name));
      if (secret) configs.push(...authConfigsFromSecret(secret));
      else logger.warn('image pull secret not found', { namespace, secret: ref.name });
    } catch (err) {
      logger.warn('cannot read image pull secret', { namespace, secret: ref.name, error: messageOf(err) });
    }
  }
  return configs;
}
