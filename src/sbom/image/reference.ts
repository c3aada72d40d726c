import { ErrorCodes, KubeguardError } from '../../common/index.ts';

/** A parsed image reference, normalized the way Docker and containerd do it. */
export interface ImageReference {
  /** Registry host[:port]; Docker Hub is "docker.io". */
  registry: string;
  /** Repository path, e.g. "library/nginx". */
  repository: string;
  tag?: string;
  digest?: string;
}

const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses `[registry/]repository[:tag][@digest]`; a missing tag means "latest" unless a digest is given. */
export function parseReference(input: string): ImageReference {
  const fail = (why: string): never => {
    throw new KubeguardError(ErrorCodes.invalidInput, `invalid image reference "${input}": ${why}`);
  };
  let rest = input.trim();
  if (rest === '') fail('it is empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) fail(`"${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) fail(`"${tag}" is not a valid tag`);
  }
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  for (const component of rest.split('/')) {
    if (!componentPattern.test(component))
      fail(`repository component "${component}" must be lowercase letters, digits and separators`);
  }
  if (!tag && !digest) tag = 'latest';
  return { registry, repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
