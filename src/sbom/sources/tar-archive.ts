import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { TarHeader } from '../layers/index.ts';
import {
  applyPax,
  detectCompression,
  normalizeEntryName,
  parseHeaderBlock,
  parsePax,
} from '../layers/index.ts';

export interface ArchiveMember {
  /** Name relative to the archive root, normalized ("blobs/sha256/…", "manifest.json"). */
  name: string;
  type: TarHeader['type'];
  size: number;
  dataOffset: number;
  linkname: string;
}

const BLOCK = 512;

/**
 * Random access to the members of a tar file (a docker save or OCI archive): one pass over the
 * headers builds an index, then members are read in place. A gzip-compressed archive is inflated
 * to a temp file first, within `maxBytes`.
 */
export class TarArchive {
  private constructor(
    readonly file: string,
    readonly members: Map<string, ArchiveMember>,
    private readonly tempDir: string | undefined,
  ) {}

  static async open(
    file: string,
    options: { tempDir?: string; maxBytes?: number; signal?: AbortSignal } = {},
  ): Promise<TarArchive> {
    let tarFile = file;
    let tempDir: string | undefined;
    const head = Buffer.alloc(8);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (err) {
      throw new KubeguardError(
        ErrorCodes.notFound,
        `cannot open the archive ${file}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    try {
      await handle.read(head, 0, 8, 0);
    } finally {
      await handle.close();
    }
    const compression = detectCompression(head);
    if (compression === 'gzip') {
      tempDir = fs.mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'kubeguard-archive-'));
      tarFile = path.join(tempDir, 'archive.tar');
      const max = options.maxBytes ?? Infinity;
      let written = 0;
      try {
        await pipeline(
          fs.createReadStream(file),
          zlib.createGunzip(),
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              written += chunk.length;
              if (written > max) {
                throw new KubeguardError(ErrorCodes.tooLarge, `${file} inflates to more than ${max} bytes`);
              }
              yield chunk;
            }
          },
          fs.createWriteStream(tarFile),
          { signal: options.signal },
        );
      } catch (err) {
        fs.rmSync(tempDir, { recursive: true, force: true });
        if (err instanceof KubeguardError) throw err;
        throw new KubeguardError(
          ErrorCodes.invalidInput,
          `${file}: the gzip-compressed archive is corrupt: ${(err as Error).message}`,
          { cause: err },
        );
      }
    } else if (compression !== 'none') {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `${file} is ${compression}-compressed; only plain and gzip archives are read`,
      );
    }
    try {
      return new TarArchive(tarFile, await indexTar(tarFile), tempDir);
    } catch (err) {
      if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** A member by name, symlinks inside the archive followed (docker save links repeated layers). */
  member(name: string): ArchiveMember | undefined {
    let key = normalize(name);
    for (let hops = 0; key !== undefined && hops < 16; hops++) {
      const m = this.members.get(key);
      if (!m || (m.type !== 'symlink' && m.type !== 'hardlink')) return m;
      key =
        m.type === 'hardlink'
          ? normalize(m.linkname)
          : normalize(path.posix.join(path.posix.dirname(m.name), m.linkname));
    }
    return undefined;
  }

  private need(name: string): ArchiveMember {
    const m = this.member(name);
    if (!m || m.type !== 'file') {
      throw new KubeguardError(ErrorCodes.invalidInput, `${this.file} has no file "${name}"`);
    }
    return m;
  }

  async read(name: string, maxBytes: number): Promise<Buffer> {
    const m = this.need(name);
    if (m.size > maxBytes) {
      throw new KubeguardError(
        ErrorCodes.tooLarge,
        `${this.file}: "${name}" is ${m.size} bytes, more than ${maxBytes}`,
      );
    }
    const buf = Buffer.alloc(m.size);
    const handle = await fs.promises.open(this.file, 'r');
    try {
      const { bytesRead } = await handle.read(buf, 0, m.size, m.dataOffset);
      if (bytesRead !== m.size)
        throw new KubeguardError(ErrorCodes.invalidInput, `${this.file}: "${name}" is truncated`);
    } finally {
      await handle.close();
    }
    return buf;
  }

  stream(name: string): Readable {
    const m = this.need(name);
    if (m.size === 0) return Readable.from([], { objectMode: false });
    return fs.createReadStream(this.file, {
      start: m.dataOffset,
      end: m.dataOffset + m.size - 1,
      highWaterMark: 256 * 1024,
    });
  }

  async close(): Promise<void> {
    if (this.tempDir) await fs.promises.rm(this.tempDir, { recursive: true, force: true });
  }
}

function normalize(name: string): string | undefined {
  const n = normalizeEntryName(name.replace(/^\/+/, ''));
  return n.kind === 'path' ? n.path.slice(1) : undefined;
}

async function indexTar(file: string): Promise<Map<string, ArchiveMember>> {
  const members = new Map<string, ArchiveMember>();
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const block = Buffer.alloc(BLOCK);
    let offset = 0;
    let pax: Record<string, string> | undefined;
    let longName: string | undefined;
    let longLink: string | undefined;
    const readData = async (h: TarHeader): Promise<Buffer> => {
      if (h.size > 1024 * 1024)
        throw new KubeguardError(ErrorCodes.invalidInput, `${file}: oversized tar meta header`);
      const data = Buffer.alloc(h.size);
      await handle.read(data, 0, h.size, h.dataOffset);
      return data;
    };
    while (offset + BLOCK <= fileSize) {
      const { bytesRead } = await handle.read(block, 0, BLOCK, offset);
      if (bytesRead < BLOCK) break;
      let header: TarHeader | undefined;
      try {
        header = parseHeaderBlock(block, offset);
      } catch (err) {
        throw new KubeguardError(
          ErrorCodes.invalidInput,
          `${file} is not a tar archive: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      if (!header) break;
      const next = header.dataOffset + header.size + ((BLOCK - (header.size % BLOCK)) % BLOCK);
      if (header.dataOffset + header.size > fileSize) {
        throw new KubeguardError(ErrorCodes.invalidInput, `${file} is truncated inside "${header.name}"`);
      }
      if (header.typeflag === 'x') pax = parsePax(await readData(header));
      else if (header.typeflag === 'L')
        longName = (await readData(header)).toString('utf8').replace(/\0.*$/s, '');
      else if (header.typeflag === 'K')
        longLink = (await readData(header)).toString('utf8').replace(/\0.*$/s, '');
      else if (header.typeflag !== 'g') {
        if (longName !== undefined) header.name = longName;
        if (longLink !== undefined) header.linkname = longLink;
        if (pax) applyPax(header, pax);
        pax = undefined;
        longName = undefined;
        longLink = undefined;
        const name = normalize(header.name);
        if (name !== undefined) {
          members.set(name, {
            name,
            type: header.type,
            size: header.size,
            dataOffset: header.dataOffset,
            linkname: header.linkname,
          });
        }
      }
      offset = next;
    }
  } finally {
    await handle.close();
  }
  return members;
}
