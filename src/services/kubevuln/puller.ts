/**
 * The registry side of a scan: resolving a tag to its manifest digest (one small request) and
 * reading + cataloguing an image (the "pull", which the diagnostics count). Behind an interface so
 * unit tests can count pulls without a registry.
 */
import type { Logger } from '../../common/index.ts';
import type {
  CredentialsListEntry,
  GeneratedSbom,
  LayerCache,
  RegistryCredentials,
} from '../../sbom/index.ts';
import {
  RegistryClient,
  credentialsLookup,
  generateSbom,
  parseCredentialsList,
  parseReference,
} from '../../sbom/index.ts';

/** How to reach the registry of one command. */
export interface RegistryAccess {
  credentials: (registry: string) => RegistryCredentials | undefined;
  /** True when the command carried any credentials (a 401 then is not "no credentials"). */
  hasCredentials: boolean;
  plainHttp: boolean;
  insecureSkipTlsVerify: boolean;
  ca?: Buffer;
  platform?: string;
}

export interface PullLimits {
  maxImageSize: number;
  maxSbomSize: number;
  timeoutMs: number;
}

export interface ImagePuller {
  resolveDigest(reference: string, access: RegistryAccess, signal?: AbortSignal): Promise<string>;
  pull(
    reference: string,
    access: RegistryAccess,
    limits: PullLimits,
    signal?: AbortSignal,
  ): Promise<GeneratedSbom>;
}

export function registryAccess(
  list: CredentialsListEntry[],
  args: { useHTTP: boolean; skipTLSVerify: boolean; platform?: string },
  ca?: Buffer,
): RegistryAccess {
  const entries = parseCredentialsList(list);
  return {
    credentials: credentialsLookup(entries),
    hasCredentials: entries.size > 0,
    plainHttp: args.useHTTP,
    insecureSkipTlsVerify: args.skipTLSVerify,
    ...(ca ? { ca } : {}),
    ...(args.platform ? { platform: args.platform } : {}),
  };
}

export class RegistryPuller implements ImagePuller {
  constructor(private readonly options: { logger?: Logger; cache?: LayerCache; tempDir?: string } = {}) {}

  async resolveDigest(reference: string, access: RegistryAccess, signal?: AbortSignal): Promise<string> {
    const ref = parseReference(reference);
    const client = new RegistryClient({
      credentials: access.credentials,
      plainHttp: access.plainHttp ? [ref.registry] : [],
      insecureSkipTlsVerify: access.insecureSkipTlsVerify,
      ...(access.ca ? { ca: access.ca } : {}),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
    });
    try {
      // The digest of what the tag points at (an index for multi-platform images), as the
      // kubelet reports it in a container's imageID.
      return (await client.manifest(ref, undefined, signal ? { signal } : {})).digest;
    } finally {
      await client.close();
    }
  }

  pull(
    reference: string,
    access: RegistryAccess,
    limits: PullLimits,
    signal?: AbortSignal,
  ): Promise<GeneratedSbom> {
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    return generateSbom(reference, {
      credentials: access.credentials,
      plainHttp: access.plainHttp,
      insecureSkipTlsVerify: access.insecureSkipTlsVerify,
      ...(access.ca ? { ca: access.ca } : {}),
      ...(access.platform ? { platform: access.platform } : {}),
      limits: { maxImageSize: limits.maxImageSize, timeoutMs: limits.timeoutMs },
      maxSbomBytes: limits.maxSbomSize,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      ...(this.options.cache ? { cache: this.options.cache } : {}),
      ...(this.options.tempDir ? { tempDir: this.options.tempDir } : {}),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
    });
  }
}
