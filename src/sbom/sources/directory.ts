import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type { ScanEntry, TarEntryType } from '../layers/index.ts';
import { EntryReadError } from '../layers/index.ts';
import type { ImageSource } from './types.ts';

const CHUNK = 256 * 1024;

function typeOf(stat: fs.Stats): TarEntryType {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char';
  if (stat.isBlockDevice()) return 'block';
  if (stat.isFIFO()) return 'fifo';
  return 'other';
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`);
}

/**
 * Reads a file of the walk without ever leaving the root: the last component is opened with
 * O_NOFOLLOW, its parent must still resolve inside the root, and the inode must be the one the
 * walk saw (a file swapped for a link between lstat and open is refused).
 */
async function* readInside(root: string, abs: string, seen: fs.Stats, rel: string): AsyncGenerator<Buffer> {
  let handle: fs.promises.FileHandle;
  try {
    const parent = await fs.promises.realpath(path.dirname(abs));
    if (!inside(root, parent)) throw new EntryReadError(`${rel} now resolves outside ${root}; not read`);
    handle = await fs.promises.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if (err instanceof EntryReadError) throw err;
    throw new EntryReadError(`cannot read ${rel}: ${messageOf(err)}`);
  }
  try {
    const stat = await handle.stat();
    if (stat.ino !== seen.ino || stat.dev !== seen.dev || !stat.isFile()) {
      throw new EntryReadError(`${rel} changed while it was being read; not read`);
    }
    let left = seen.size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(left, CHUNK));
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buf, 0, buf.length, null));
      } catch (err) {
        throw new EntryReadError(`cannot read ${rel}: ${messageOf(err)}`);
      }
      if (bytesRead === 0) break;
      left -= bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Walks a root file system without following symlinks, as tar-like entries ("./etc/passwd"). */
export async function* walkDirectory(root: string, signal?: AbortSignal): AsyncGenerator<ScanEntry> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const rel = stack.pop()!;
    const absDir = rel ? path.join(root, rel) : root;
    let names: string[];
    try {
      names = (await fs.promises.readdir(absDir)).sort();
    } catch (err) {
      yield problemEntry(rel, `cannot list ${rel || '/'}: ${messageOf(err)}`);
      continue;
    }
    const subdirs: string[] = [];
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = path.join(absDir, name);
      let stat: fs.Stats;
      try {
        stat = await fs.promises.lstat(abs);
      } catch (err) {
        yield problemEntry(childRel, `cannot stat /${childRel}: ${messageOf(err)}`);
        continue;
      }
      const type = typeOf(stat);
      let linkname = '';
      if (type === 'symlink') {
        try {
          linkname = await fs.promises.readlink(abs);
        } catch (err) {
          yield problemEntry(childRel, `cannot read the link /${childRel}: ${messageOf(err)}`);
          continue;
        }
      }
      if (type === 'dir') subdirs.push(childRel);
      yield {
        name: `./${childRel}`,
        type,
        size: type === 'file' ? stat.size : 0,
        mode: stat.mode & 0o7777,
        linkname,
        sparse: false,
        body: () =>
          type === 'file' ? readInside(root, abs, stat, `/${childRel}`) : (async function* () {})(),
      };
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

function problemEntry(rel: string, problem: string): ScanEntry {
  return {
    name: `./${rel}`,
    type: 'other',
    size: 0,
    mode: 0,
    linkname: '',
    sparse: false,
    body: async function* () {},
    problem,
  };
}

/** A root file system directory, read as a single layer without a diffID (never cached). */
export async function openDirectorySource(userInput: string, dir: string): Promise<ImageSource> {
  let root: string;
  try {
    root = await fs.promises.realpath(dir);
    if (!(await fs.promises.stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new KubeguardError(
      ErrorCodes.notFound,
      `dir:${dir} is not a readable directory: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
  const openTar = async (): Promise<Readable> =>
    Readable.from(tar.c({ cwd: root, portable: true, follow: false }, ['.']) as AsyncIterable<Buffer>, {
      objectMode: false,
    });
  return {
    description: { type: 'directory', name: dir },
    metadata: { userInput, tags: [], repoDigests: [], path: root },
    config: { diffIDs: [] },
    layers: [
      {
        index: 0,
        openBlob: openTar,
        openTar,
        walk: (signal) => walkDirectory(root, signal),
      },
    ],
    close: async () => {},
  };
}
