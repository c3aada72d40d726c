import fs from 'node:fs';
import { ErrorCodes, KubeguardError } from '../../common/index.ts';

/**
 * Where an image comes from, named the way syft and skopeo users write it: a plain reference is a
 * registry image; `docker-archive:FILE[:name:tag]`, `oci-archive:FILE[:tag]`, `oci-dir:DIR[:tag]`
 * (also skopeo's `oci:`) and `dir:DIR` select the others.
 */
export type SourceSpec =
  | { kind: 'registry'; reference: string }
  | { kind: 'docker-archive'; path: string; ref?: string }
  | { kind: 'oci-archive'; path: string; ref?: string }
  | { kind: 'oci-dir'; path: string; ref?: string }
  | { kind: 'dir'; path: string };

const prefixes: [string, SourceSpec['kind']][] = [
  ['docker-archive:', 'docker-archive'],
  ['oci-archive:', 'oci-archive'],
  ['oci-dir:', 'oci-dir'],
  ['oci:', 'oci-dir'],
  ['dir:', 'dir'],
  ['registry:', 'registry'],
  ['docker://', 'registry'],
];

/**
 * Splits "PATH[:REF]". A path that exists as written wins (paths may contain ":"); otherwise the
 * first ":" after the path separates the reference, as skopeo does.
 */
function splitPathRef(rest: string): { path: string; ref?: string } {
  if (fs.existsSync(rest)) return { path: rest };
  const colon = rest.indexOf(':');
  if (colon <= 0) return { path: rest };
  const path = rest.slice(0, colon);
  const ref = rest.slice(colon + 1);
  return ref ? { path, ref } : { path };
}

export function parseSourceSpec(text: string): SourceSpec {
  const spec = text.trim();
  if (spec === '') throw new KubeguardError(ErrorCodes.invalidInput, 'the image source is empty');
  for (const [prefix, kind] of prefixes) {
    if (!spec.startsWith(prefix)) continue;
    const rest = spec.slice(prefix.length);
    if (rest === '') {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `"${spec}" names no ${kind === 'registry' ? 'image' : 'path'}`,
      );
    }
    if (kind === 'registry') return { kind, reference: rest };
    if (kind === 'dir') return { kind, path: rest };
    return { kind, ...splitPathRef(rest) };
  }
  return { kind: 'registry', reference: spec };
}

export function formatSourceSpec(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'registry':
      return spec.reference;
    case 'dir':
      return `dir:${spec.path}`;
    default:
      return `${spec.kind}:${spec.path}${spec.ref ? `:${spec.ref}` : ''}`;
  }
}
