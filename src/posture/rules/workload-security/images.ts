/**
 * Container image references: Docker's normalization (`nginx` → `docker.io/library/nginx`), digest
 * pinning and tag checks, as Kubescape's rules apply them.
 */

// Grammar of github.com/docker/distribution/reference (the version Kubescape links).
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const IMAGE_ID = /^[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

/** Digest algorithms go-digest can verify, with their hex length. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Docker's `splitDockerDomain`: the registry part defaults to docker.io and official images gain `library/`. */
function splitDockerDomain(image: string): [domain: string, remainder: string] {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  let domain = 'docker.io';
  let remainder = image;
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost')) {
    domain = first;
    remainder = image.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return [domain, remainder];
}

function isVerifiableDigest(digest: string): boolean {
  const colon = digest.indexOf(':');
  const expectedLength = DIGEST_HEX_LENGTH[digest.slice(0, colon)];
  const encoded = digest.slice(colon + 1);
  return expectedLength !== undefined && encoded.length === expectedLength && /^[a-f0-9]+$/.test(encoded);
}

/**
 * Kubescape's `image.parse_normalized_name`: the fully qualified reference (tag and digest kept), or
 * undefined when the reference is invalid (rules then skip the container).
 */
export function normalizeImageName(image: unknown): string | undefined {
  if (typeof image !== 'string' || IMAGE_ID.test(image)) return undefined;
  const [domain, remainder] = splitDockerDomain(image);
  const colon = remainder.indexOf(':');
  const repository = colon < 0 ? remainder : remainder.slice(0, colon);
  if (repository.toLowerCase() !== repository) return undefined;
  const reference = `${domain}/${remainder}`;
  const match = REFERENCE.exec(reference);
  if (!match) return undefined;
  const [, name = '', tag, digest] = match;
  if (name.length > MAX_NAME_LENGTH) return undefined;
  if (digest !== undefined && !isVerifiableDigest(digest)) return undefined;
  return name + (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : '');
}

/**
 * Whether the reference ends with a pinned digest: the registered OCI algorithms with their exact
 * lowercase hex length (so truncated digests fail), any other algorithm per the generic digest
 * grammar `algorithm:encoded`.
 */
export function hasPinnedDigest(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  if (/@sha512:[a-f0-9]{128}$/.test(image)) return true;
  if (/@blake3:[a-f0-9]{64}$/.test(image)) return true;
  return (
    /@[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(image) && !/@(?:sha256|sha512|blake3):/.test(image)
  );
}

/**
 * Whether the image lies under a repository prefix: the prefix followed by the end of the reference
 * or a separator (`/`, `:`, `@`), so `registry` does not cover `registry-other/app`.
 */
export function isUnderRepository(image: string, repository: string): boolean {
  if (!image.startsWith(repository)) return false;
  const rest = image.slice(repository.length);
  return rest === '' || rest.startsWith('/') || rest.startsWith(':') || rest.startsWith('@');
}

/** `:tag` candidates as the pull-policy rule finds them (a registry port matches with a trailing `/`). */
const TAG_CANDIDATE = /:[\w][\w.-]{0,127}(\/)?/g;

/** Whether the reference carries an explicit tag or digest (a `:` part not followed by `/`). */
export function hasTagOrDigest(image: string): boolean {
  for (const match of image.matchAll(TAG_CANDIDATE)) {
    if (!match[0].endsWith('/')) return true;
  }
  return false;
}

/** Whether the reference is explicitly tagged `:latest`. */
export function hasLatestTag(image: string): boolean {
  for (const match of image.matchAll(TAG_CANDIDATE)) {
    if (match[0] === ':latest') return true;
  }
  return false;
}

/** The tag of the last path segment (`repo:tag`), for references without a digest. */
export function tagOf(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const parts = last.split(':');
  return parts.length === 2 ? parts[1] : undefined;
}
