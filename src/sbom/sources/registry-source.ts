import type { Logger } from '../../common/index.ts';
import type {
  DockerConfig,
  ImageReference,
  Platform,
  RegistryClientOptions,
  RegistryCredentials,
  RetryPolicy,
} from '../image/index.ts';
import {
  RegistryClient,
  credentialsLookup,
  formatReference,
  parseDockerConfig,
  parseReference,
} from '../image/index.ts';
import { MAX_JSON_BLOB, manifestLayers, resolveImage } from './oci-image.ts';
import type { ImageSource } from './types.ts';

/** How to reach registries: credentials, plain HTTP, TLS trust, retries. */
export interface RegistryOptions {
  /** Credentials for every registry, or per registry host. */
  credentials?: RegistryCredentials | ((registry: string) => RegistryCredentials | undefined);
  /** A Docker config.json / `.dockerconfigjson` (text or parsed), used when `credentials` has none. */
  dockerConfig?: string | Buffer | DockerConfig;
  /** true: the image's registry speaks plain HTTP; or a list of such registries (host:port). */
  plainHttp?: boolean | string[];
  /** Extra trusted CA certificates (PEM). */
  ca?: string | Buffer;
  /** Skip TLS verification (testing only). */
  insecureSkipTlsVerify?: boolean;
  retry?: RetryPolicy;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Use this client (the caller closes it) instead of a new one. */
  client?: RegistryClient;
}

function credentialsOption(options: RegistryOptions): RegistryClientOptions['credentials'] {
  const fromConfig = options.dockerConfig
    ? credentialsLookup(parseDockerConfig(options.dockerConfig))
    : undefined;
  const explicit = options.credentials;
  if (!explicit) return fromConfig;
  return (registry) => {
    const creds = typeof explicit === 'function' ? explicit(registry) : explicit;
    return creds ?? fromConfig?.(registry);
  };
}

export async function openRegistrySource(
  userInput: string,
  reference: string,
  options: RegistryOptions & { platform?: Platform; logger?: Logger; signal?: AbortSignal },
): Promise<ImageSource> {
  const ref: ImageReference = parseReference(reference);
  const plainHttp = options.plainHttp === true ? [ref.registry] : options.plainHttp || [];
  const client =
    options.client ??
    new RegistryClient({
      credentials: credentialsOption(options),
      plainHttp,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const ownClient = !options.client;
  try {
    const signal = options.signal;
    const subject = formatReference(ref);
    const root = await client.manifest(ref, undefined, { signal });
    const resolved = await resolveImage(
      {
        subject,
        manifest: async (d) => {
          const m = await client.manifest(ref, d.digest, { signal });
          return { bytes: m.bytes, digest: m.digest, mediaType: m.mediaType };
        },
        blob: (d) => client.blob(ref, d.digest, { maxBytes: MAX_JSON_BLOB, signal }),
      },
      { bytes: root.bytes, digest: root.digest, mediaType: root.mediaType },
      options.platform,
    );
    const name = `${ref.registry}/${ref.repository}`;
    const layers = manifestLayers(resolved.manifest, resolved.config, (d, layerSignal) =>
      client.blobStream(ref, d.digest, { size: d.size, signal: layerSignal ?? signal }),
    );
    return {
      description: {
        type: 'image',
        name,
        ...(ref.tag ? { version: ref.tag } : ref.digest ? { version: ref.digest } : {}),
        digest: resolved.manifestDigest,
      },
      metadata: {
        userInput,
        imageID: resolved.configDigest,
        manifestDigest: resolved.manifestDigest,
        mediaType: resolved.mediaType,
        tags: ref.tag ? [`${name}:${ref.tag}`] : [],
        repoDigests: [`${name}@${root.digest}`],
        ...(resolved.platform ? { platform: resolved.platform } : {}),
        size: layers.reduce((n, l) => n + (l.size ?? 0), 0),
        manifest: resolved.manifestBytes,
        config: resolved.configBytes,
      },
      config: resolved.config,
      layers,
      close: async () => {
        if (ownClient) await client.close();
      },
    };
  } catch (err) {
    if (ownClient) await client.close();
    throw err;
  }
}
