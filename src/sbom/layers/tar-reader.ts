/**
 * A streaming tar reader: ustar, GNU (long names 'L'/'K', old sparse 'S') and pax ('x', 'g')
 * headers, over any async iterable of byte chunks. Bodies are yielded as slices of the input
 * chunks and skipped when not read, so a layer passes through memory once, a chunk at a time.
 * Hand-written rather than tar's Parser because the scan needs pull-style backpressure (read the
 * next entry only when the previous one is handled) and exact errors for truncated input.
 */

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

export interface TarHeader {
  /** Name as stored (after pax/GNU long names), e.g. "./etc/passwd", "usr/bin/", "/". */
  name: string;
  type: TarEntryType;
  typeflag: string;
  /** Bytes of data stored in the archive for this entry. */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  /** A GNU sparse file: stored data is not the file's byte layout. */
  sparse: boolean;
  /** Offset of the header block in the archive. */
  offset: number;
  /** Offset of the entry's data in the archive. */
  dataOffset: number;
}

export interface TarEntry extends TarHeader {
  /**
   * The entry's data, as slices of the input (copy what you keep). Read it before asking for the
   * next entry; whatever is left unread is skipped.
   */
  body(): AsyncGenerator<Buffer>;
}

/** The archive is malformed or ends in the middle of a header or an entry's data. */
export class TarError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly truncated = false,
  ) {
    super(message);
    this.name = 'TarError';
  }
}

const BLOCK = 512;
/** pax and GNU long-name records larger than this are hostile, not paths. */
const MAX_META = 1024 * 1024;

function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}

function parseNumeric(buf: Buffer, start: number, end: number): number {
  const first = buf[start]!;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement; negative values are never valid sizes or ids.
    if (first === 0xff) return -1;
    let value = first & 0x7f;
    for (let i = start + 1; i < end; i++) value = value * 256 + buf[i]!;
    return value;
  }
  let value = 0;
  let i = start;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) return Number.NaN;
    value = value * 8 + (c - 0x30);
  }
  return value;
}

function checksumOk(block: Buffer): boolean {
  const stored = parseNumeric(block, 148, 156);
  let unsigned = 256; // the checksum field itself counts as eight spaces
  let signed = 256;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const b = block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 8) {
    if (block.readBigUInt64LE(i) !== 0n) return false;
  }
  return true;
}

function typeOf(flag: string, name: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
    case 'S':
      // Pre-POSIX archives mark directories only with a trailing slash.
      return name.endsWith('/') ? 'dir' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
    case 'D':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

/** pax records: "<len> <key>=<value>\n", len counting bytes of the whole record. */
export function parsePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(buf.toString('latin1', pos, space));
    if (!Number.isInteger(len) || len <= 0 || pos + len > buf.length) break;
    const record = buf.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Parses one header block (no pax/long-name handling). Undefined for a zero block. */
export function parseHeaderBlock(block: Buffer, offset: number): TarHeader | undefined {
  if (isZeroBlock(block)) return undefined;
  if (!checksumOk(block)) throw new TarError(`invalid tar header checksum at offset ${offset}`, offset);
  const typeflag = String.fromCharCode(block[156]!);
  const ustar = block.toString('latin1', 257, 263) === 'ustar\0';
  let name = cString(block, 0, 100);
  if (ustar) {
    const prefix = cString(block, 345, 500);
    if (prefix) name = `${prefix}/${name}`;
  }
  const size = parseNumeric(block, 124, 136);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new TarError(`invalid size in the tar header of "${name}" at offset ${offset}`, offset);
  }
  const header: TarHeader = {
    name,
    type: typeOf(typeflag, name),
    typeflag,
    size,
    mode: parseNumeric(block, 100, 108) || 0,
    uid: parseNumeric(block, 108, 116) || 0,
    gid: parseNumeric(block, 116, 124) || 0,
    mtime: parseNumeric(block, 136, 148) || 0,
    linkname: cString(block, 157, 257),
    sparse: typeflag === 'S',
    offset,
    dataOffset: offset + BLOCK,
  };
  // Links, directories and devices carry no data whatever their size field says (a hardlink in
  // a pax archive may), except GNU dumpdirs; trust the field only where data follows.
  if (
    header.type === 'symlink' ||
    header.type === 'char' ||
    header.type === 'block' ||
    header.type === 'fifo'
  )
    header.size = 0;
  if (header.type === 'dir' && typeflag !== 'D') header.size = 0;
  return header;
}

/** Applies pax keys (path, linkpath, size, ids, mtime, GNU sparse) to a header. */
export function applyPax(header: TarHeader, pax: Record<string, string>): void {
  if (pax.path !== undefined) header.name = pax.path;
  if (pax.linkpath !== undefined) header.linkname = pax.linkpath;
  if (pax.size !== undefined && /^\d+$/.test(pax.size)) header.size = Number(pax.size);
  if (pax.uid !== undefined && /^\d+$/.test(pax.uid)) header.uid = Number(pax.uid);
  if (pax.gid !== undefined && /^\d+$/.test(pax.gid)) header.gid = Number(pax.gid);
  if (pax.mtime !== undefined) header.mtime = Math.floor(Number(pax.mtime)) || header.mtime;
  if (pax['GNU.sparse.major'] !== undefined || pax['GNU.sparse.map'] !== undefined) {
    header.sparse = true;
    if (pax['GNU.sparse.name']) header.name = pax['GNU.sparse.name'];
  }
}

/** Pull-based reader over an async iterator of chunks, counting consumed bytes. */
class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  /** Bytes consumed so far: the archive offset of the next byte. */
  offset = 0;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async pull(): Promise<boolean> {
    if (this.eof) return false;
    const next = await this.it.next();
    if (next.done) {
      this.eof = true;
      return false;
    }
    this.chunk = next.value;
    this.pos = 0;
    return true;
  }

  /** Exactly n bytes; undefined at a clean end of input, a TarError when it ends within them. */
  async read(n: number): Promise<Buffer | undefined> {
    if (this.chunk.length - this.pos >= n) {
      const out = this.chunk.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.offset += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      if (this.pos >= this.chunk.length && !(await this.pull())) {
        if (filled === 0) return undefined;
        throw new TarError(
          `the archive ends in the middle of a header at offset ${this.offset}`,
          this.offset,
          true,
        );
      }
      const take = Math.min(n - filled, this.chunk.length - this.pos);
      this.chunk.copy(out, filled, this.pos, this.pos + take);
      this.pos += take;
      filled += take;
      this.offset += take;
    }
    return out;
  }

  /** Up to n bytes as slices of the input; returns early at the end of input. */
  async *slices(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.chunk.length && !(await this.pull())) return;
      const take = Math.min(left, this.chunk.length - this.pos);
      const out = this.chunk.subarray(this.pos, this.pos + take);
      this.pos += take;
      this.offset += take;
      left -= take;
      yield out;
    }
  }

  /** Skips n bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.chunk.length && !(await this.pull())) break;
      const take = Math.min(left, this.chunk.length - this.pos);
      this.pos += take;
      this.offset += take;
      left -= take;
    }
    return n - left;
  }

  /** Reads to the end of input (so that checks at the end of the stream, like digests, run). */
  async drain(): Promise<void> {
    this.offset += this.chunk.length - this.pos;
    this.pos = this.chunk.length;
    while (await this.pull()) {
      this.offset += this.chunk.length;
      this.pos = this.chunk.length;
    }
  }
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * Yields the entries of a tar stream in order. pax and GNU meta entries are consumed and applied.
 * After the end-of-archive marker the rest of the input is drained (so that digest and gzip
 * checks at the end of the stream run). Throws TarError for a bad header or a truncated archive.
 */
export async function* readTar(input: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const iterator = input[Symbol.asyncIterator]();
  try {
    yield* entriesOf(new ByteReader(iterator));
  } finally {
    // Whether we stop early, fail or finish: release the source (a socket, a file, zlib).
    await iterator.return?.();
  }
}

async function* entriesOf(reader: ByteReader): AsyncGenerator<TarEntry> {
  let globalPax: Record<string, string> = {};
  let pax: Record<string, string> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;

  const readMeta = async (header: TarHeader): Promise<Buffer> => {
    if (header.size > MAX_META) {
      throw new TarError(
        `a ${header.size}-byte tar meta header at offset ${header.offset} is too large`,
        header.offset,
      );
    }
    const data = await reader.read(header.size);
    if (header.size > 0 && !data)
      throw new TarError('the archive ends inside a meta header', reader.offset, true);
    await reader.skip(padding(header.size));
    return data ?? Buffer.alloc(0);
  };

  for (;;) {
    const offset = reader.offset;
    const block = await reader.read(BLOCK);
    // No end-of-archive marker at all: accepted, like Go's archive/tar (some writers omit it).
    if (!block) return;
    const header = parseHeaderBlock(block, offset);
    if (!header) {
      await reader.drain();
      return;
    }
    switch (header.typeflag) {
      case 'x':
        pax = parsePax(await readMeta(header));
        continue;
      case 'g':
        globalPax = { ...globalPax, ...parsePax(await readMeta(header)) };
        continue;
      case 'L':
        longName = cString(await readMeta(header), 0, MAX_META);
        continue;
      case 'K':
        longLink = cString(await readMeta(header), 0, MAX_META);
        continue;
    }
    if (longName !== undefined) header.name = longName;
    if (longLink !== undefined) header.linkname = longLink;
    const { path: _p, linkpath: _l, ...globals } = globalPax;
    applyPax(header, { ...globals, ...pax });
    if (longName !== undefined || pax?.path !== undefined) header.type = typeOf(header.typeflag, header.name);
    pax = undefined;
    longName = undefined;
    longLink = undefined;

    let remaining = header.size;
    const dataOffset = reader.offset;
    header.dataOffset = dataOffset;
    const entry: TarEntry = {
      ...header,
      async *body() {
        for await (const slice of reader.slices(remaining)) {
          remaining -= slice.length;
          yield slice;
        }
        if (remaining > 0) {
          throw new TarError(
            `the archive ends inside "${header.name}": ${header.size - remaining} of ${header.size} bytes`,
            reader.offset,
            true,
          );
        }
      },
    };
    yield entry;
    if (remaining > 0) {
      const skipped = await reader.skip(remaining);
      if (skipped < remaining) {
        throw new TarError(
          `the archive ends inside "${header.name}": ${header.size - remaining + skipped} of ${header.size} bytes`,
          reader.offset,
          true,
        );
      }
      remaining = 0;
    }
    const pad = padding(header.size);
    if ((await reader.skip(pad)) < pad) {
      throw new TarError(`the archive ends in the padding after "${header.name}"`, reader.offset, true);
    }
  }
}
