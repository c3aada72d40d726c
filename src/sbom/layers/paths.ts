/**
 * Path rules for layer entries. Tar names come as "./x", "x", "x/" or "/" (umoci puts a root
 * entry named "/" first; mmdebstrap tars start with "./"). Inside the image every path is
 * absolute and normalized ("/etc/passwd"); nothing here ever touches the host file system.
 */
export type EntryPath =
  { kind: 'root' } | { kind: 'path'; path: string } | { kind: 'invalid'; reason: string };

/** Linux's PATH_MAX: longer names are hostile, and bound the depth of the tree we build. */
export const MAX_PATH_LENGTH = 4096;

/** Normalizes a tar entry name; absolute names, ".." escapes and overlong names are rejected. */
export function normalizeEntryName(name: string): EntryPath {
  if (name.length > MAX_PATH_LENGTH) {
    return {
      kind: 'invalid',
      reason: `path "${name.slice(0, 64)}…" is longer than ${MAX_PATH_LENGTH} bytes`,
    };
  }
  if (/^\/+$/.test(name)) return { kind: 'root' };
  if (name.startsWith('/')) return { kind: 'invalid', reason: `absolute path "${name}" in a layer` };
  return normalizeSegments(name, name);
}

/** Normalizes a hardlink target (an archive path like an entry name; a leading "/" is tolerated). */
export function normalizeLinkName(name: string): EntryPath {
  if (name.length > MAX_PATH_LENGTH)
    return { kind: 'invalid', reason: `link target is longer than ${MAX_PATH_LENGTH} bytes` };
  return normalizeSegments(name.replace(/^\/+/, ''), name);
}

function normalizeSegments(relative: string, original: string): EntryPath {
  const out: string[] = [];
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0)
        return { kind: 'invalid', reason: `path "${original}" escapes the root with ".."` };
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return out.length === 0 ? { kind: 'root' } : { kind: 'path', path: `/${out.join('/')}` };
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The segments of an absolute path ("/" has none). */
export function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/**
 * Where a symlink points, resolved lexically as inside a chroot: absolute targets start at the
 * image root and ".." stops at the root, so no target ever leaves the image.
 */
export function symlinkTarget(linkPath: string, target: string): string {
  const out = target.startsWith('/') ? [] : segments(dirname(linkPath));
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

export type Whiteout =
  { kind: 'opaque'; dir: string } | { kind: 'delete'; path: string } | { kind: 'meta' } | { kind: 'none' };

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** OCI/AUFS whiteouts: ".wh.<name>" deletes a sibling from lower layers, ".wh..wh..opq" hides a directory's lower contents. */
export function whiteoutOf(path: string): Whiteout {
  const base = basename(path);
  if (!base.startsWith(WH)) return { kind: 'none' };
  if (base === OPAQUE) return { kind: 'opaque', dir: dirname(path) };
  // Other ".wh..wh." names are AUFS bookkeeping (hardlink dirs), not whiteouts of a file.
  if (base.startsWith(`${WH}${WH}`)) return { kind: 'meta' };
  const parent = dirname(path);
  return { kind: 'delete', path: `${parent === '/' ? '' : parent}/${base.slice(WH.length)}` };
}
