export { MediaTypes, isForeignLayer, isIndexMediaType, manifestAccept } from './media-types.ts';
export type { Descriptor, ImageIndex, ImageManifest } from './media-types.ts';
export { formatReference, parseReference } from './reference.ts';
export type { ImageReference } from './reference.ts';
export { RegistryClient, RegistryError, sha256Digest } from './registry.ts';
export type {
  BlobStreamOptions,
  FetchedManifest,
  RegistryClientOptions,
  RegistryCredentials,
} from './registry.ts';
export {
  credentialsLookup,
  normalizeRegistryHost,
  parseCredentialsList,
  parseDockerConfig,
} from './docker-config.ts';
export type { CredentialsListEntry, DockerAuthEntry, DockerConfig } from './docker-config.ts';
export {
  defaultPlatform,
  formatPlatform,
  normalizePlatform,
  parsePlatform,
  platformMatches,
  selectPlatformManifest,
} from './platform.ts';
export type { Platform } from './platform.ts';
export { defaultRetryPolicy } from './retry.ts';
export type { RetryPolicy } from './retry.ts';
