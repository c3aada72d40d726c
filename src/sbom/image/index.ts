export { MediaTypes, isIndexMediaType, manifestAccept } from './media-types.ts';
export type { Descriptor, ImageIndex, ImageManifest } from './media-types.ts';
export { formatReference, parseReference } from './reference.ts';
export type { ImageReference } from './reference.ts';
export { RegistryClient, sha256Digest } from './registry.ts';
export type { FetchedManifest, RegistryClientOptions, RegistryCredentials } from './registry.ts';
