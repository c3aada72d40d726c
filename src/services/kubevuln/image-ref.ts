/**
 * How kubevuln names an image (storage-api.md §5.1): the docker-normalised tag, the image ID as
 * `repo@sha256:<hex>`, the image slug, the scan ID and the sanitised label values.
 */
import { createHash, randomUUID } from 'node:crypto';
import { InstanceId, imageInfoToSlug } from '../../api/index.ts';
import { formatReference, parseReference } from '../../sbom/index.ts';

/** `nginx` -> `docker.io/library/nginx:latest`; a digest reference keeps its digest. */
export function normaliseTag(tag: string): string {
  return formatReference(parseReference(tag));
}

/** `docker.io/library/nginx:1.25` -> `docker.io/library/nginx`. */
export function repositoryOf(reference: string): string {
  const ref = parseReference(reference);
  return `${ref.registry}/${ref.repository}`;
}

const HEX64 = /^[a-f0-9]{64}$/;

/**
 * The image ID as `repo@sha256:<hex>`: a digest reference is normalised and kept; a bare or garbled
 * ID gets the tag's repository and a `sha256:` prefix; an empty one is the tag itself. Runtime
 * prefixes such as `docker-pullable://` are dropped first.
 */
export function normaliseImageId(imageHash: string, normalisedTag: string): string {
  const raw = imageHash.trim().replace(/^[a-z-]+:\/\//, '');
  if (!raw) return normalisedTag;
  if (raw.includes('@')) {
    try {
      const ref = parseReference(raw);
      if (ref.digest) return `${ref.registry}/${ref.repository}@${ref.digest}`;
    } catch {
      // Not a reference after all: treated as a garbled ID below.
    }
  }
  const bare = raw.slice(raw.lastIndexOf('@') + 1).replace(/^sha256:/, '');
  return `${repositoryOf(normalisedTag)}@sha256:${bare}`;
}

/** The manifest digest (`sha256:<64 hex>`) an image ID names, if it names a valid one. */
export function digestOf(imageId: string): string | undefined {
  const at = imageId.lastIndexOf('@');
  const digest = at >= 0 ? imageId.slice(at + 1) : imageId;
  const hex = digest.replace(/^sha256:/, '');
  return digest.startsWith('sha256:') && HEX64.test(hex) ? digest : undefined;
}

/** Name of an image's SBOMSyft and VulnerabilityManifest. */
export function imageSlug(normalisedTag: string, rawHash: string): string {
  return imageInfoToSlug(normalisedTag, rawHash);
}

/**
 * Annotation `scan-id`: the instance ID with the scanner version (dots as dashes) when it is a valid
 * instance ID, else the SHA-256 of tag + hash + version, else a UUID.
 */
export function scanIdOf(
  instanceID: string,
  normalisedTag: string,
  rawHash: string,
  version: string,
): string {
  if (instanceID) {
    try {
      InstanceId.parse(instanceID);
      return `${instanceID}-${version}`.replaceAll('.', '-');
    } catch {
      // Not an instance ID: fall back to the content hash.
    }
  }
  if (normalisedTag || rawHash) {
    return createHash('sha256').update(`${normalisedTag}${rawHash}${version}`).digest('hex');
  }
  return randomUUID();
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * A label value from an image string: lower-case, characters outside `[a-z0-9-]` become `-`, cut to
 * 63, trimmed to alphanumerics at both ends; undefined when nothing valid is left (the label is then
 * left out, as kubevuln drops invalid ones).
 */
export function labelValue(value: string): string | undefined {
  const cut = value
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return cut && LABEL_VALUE.test(cut) ? cut : undefined;
}
