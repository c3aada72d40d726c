import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { RegistryCredentials } from './registry.ts';

/** One entry of `auths` in a Docker config.json / `.dockerconfigjson` pull secret. */
export interface DockerAuthEntry {
  /** base64 of "user:password". */
  auth?: string;
  username?: string;
  password?: string;
  /** OAuth2 refresh token, exchanged at the token endpoint (`docker login` with a credential helper). */
  identitytoken?: string;
  /** A bearer token sent as is. */
  registrytoken?: string;
  email?: string;
}

export interface DockerConfig {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** kubevuln's `credentialsList` item (armoapi-go), keyed by `serveraddress`. */
export interface CredentialsListEntry extends DockerAuthEntry {
  serveraddress?: string;
}

const dockerHubAliases = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * The host[:port] a config key names: keys may be URLs ("https://index.docker.io/v1/"), carry a
 * path ("registry.example.com/team") or be a Docker Hub alias; all of Docker Hub is "docker.io".
 */
export function normalizeRegistryHost(key: string): string {
  let host = key.trim().toLowerCase();
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  host = host.split('/')[0] ?? host;
  return dockerHubAliases.has(host) ? 'docker.io' : host;
}

function credentialsOf(entry: DockerAuthEntry, where: string): RegistryCredentials | undefined {
  let username = entry.username || undefined;
  let password = entry.password || undefined;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `Docker config entry ${where}: "auth" is not base64 of user:password`,
      );
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const creds: RegistryCredentials = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}),
    ...(entry.registrytoken ? { token: entry.registrytoken } : {}),
  };
  return Object.keys(creds).length > 0 ? creds : undefined;
}

/**
 * Parses a Docker config.json or a `.dockerconfigjson` secret value (also the legacy `.dockercfg`
 * layout, where the registry entries sit at the top level) into per-host credentials.
 */
export function parseDockerConfig(input: string | Buffer | DockerConfig): Map<string, RegistryCredentials> {
  let config: unknown = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      config = JSON.parse(input.toString());
    } catch (err) {
      throw new KubeguardError(ErrorCodes.invalidInput, 'the Docker config is not valid JSON', {
        cause: err,
      });
    }
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new KubeguardError(ErrorCodes.invalidInput, 'the Docker config must be a JSON object');
  }
  const obj = config as Record<string, unknown>;
  const auths = (obj.auths ?? (obj.credsStore || obj.credHelpers ? {} : obj)) as Record<string, unknown>;
  const result = new Map<string, RegistryCredentials>();
  for (const [key, value] of Object.entries(auths)) {
    if (!value || typeof value !== 'object') continue;
    const creds = credentialsOf(value as DockerAuthEntry, key);
    const host = normalizeRegistryHost(key);
    // The first entry for a host wins, like docker's lookup of an exact key before aliases.
    if (creds && !result.has(host)) result.set(host, creds);
  }
  return result;
}

/** Credentials from kubevuln's `credentialsList` (entries without `serveraddress` apply to any registry). */
export function parseCredentialsList(list: CredentialsListEntry[]): Map<string, RegistryCredentials> {
  const result = new Map<string, RegistryCredentials>();
  for (const [i, entry] of list.entries()) {
    const creds = credentialsOf(entry, `credentialsList[${i}]`);
    const host = entry.serveraddress ? normalizeRegistryHost(entry.serveraddress) : '*';
    if (creds && !result.has(host)) result.set(host, creds);
  }
  return result;
}

/** A `credentials` callback for RegistryClient over a parsed config. */
export function credentialsLookup(
  entries: Map<string, RegistryCredentials>,
): (registry: string) => RegistryCredentials | undefined {
  return (registry) => entries.get(normalizeRegistryHost(registry)) ?? entries.get('*');
}
