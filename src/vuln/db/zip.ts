/**
 * A small, bounded zip reader for OSV's `all.zip` archives (and a writer for tests and the
 * benchmark). It reads the central directory and then one entry at a time with positioned reads,
 * so memory stays at one entry however large the archive is. Zip64 is supported (OSV's larger
 * ecosystems have more than 65,535 entries); encryption and methods other than stored/deflate are
 * not. Nothing is ever extracted to disk, but entry names that would escape a folder are still
 * refused: an archive that carries them is hostile or broken.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

export interface ZipLimits {
  /** Largest inflated entry, bytes (an OSV record is a few KiB; the biggest are a few MiB). */
  maxEntryBytes: number;
  /** Largest total inflated size of one archive, bytes. */
  maxTotalBytes: number;
  /** Most entries one archive may list. */
  maxEntries: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxEntries: 5_000_000,
};

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Why an entry could not be read; the archive as a whole stays usable. */
export class ZipEntryError extends Error {
  readonly reason: 'unsafe-path' | 'too-large' | 'corrupt' | 'unsupported';
  constructor(reason: ZipEntryError['reason'], message: string) {
    super(message);
    this.name = 'ZipEntryError';
    this.reason = reason;
  }
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const MAX_CENTRAL_DIRECTORY = 1024 * 1024 * 1024;

/** Why a name is unsafe, or undefined: absolute, drive-qualified, `..` segments, NUL bytes. */
export function unsafeEntryName(name: string): string | undefined {
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.startsWith('/') || name.startsWith('\\')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'has a drive letter';
  if (name.split(/[\\/]/).includes('..')) return 'escapes with ".."';
  return undefined;
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file at ${position + done}`);
    done += n;
  }
  return buf;
}

/**
 * An open archive: `entries()` walks the central directory (lazily: an archive of a million
 * entries costs its directory's bytes, not a million objects), `read(entry)` inflates one, bounded.
 */
export class ZipReader {
  /** Number of entries the central directory lists. */
  readonly count: number;
  private readonly fd: number;
  private readonly fileSize: number;
  private readonly directory: Buffer;
  private readonly limits: ZipLimits;
  private inflatedTotal = 0;

  private constructor(fd: number, fileSize: number, directory: Buffer, count: number, limits: ZipLimits) {
    this.fd = fd;
    this.fileSize = fileSize;
    this.directory = directory;
    this.count = count;
    this.limits = limits;
  }

  /** Opens an archive and reads its central directory; throws on a file that is not a zip. */
  static open(file: string, limits: Partial<ZipLimits> = {}): ZipReader {
    const all = { ...defaultZipLimits, ...limits };
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const { directory, count } = readCentralDirectory(fd, size, all);
      return new ZipReader(fd, size, directory, count, all);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** The entries in directory order; throws on a damaged directory. */
  *entries(): Generator<ZipEntry> {
    const cd = this.directory;
    let p = 0;
    for (let i = 0; i < this.count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL)
        throw new Error(`bad central directory entry ${i}`);
      const flags = cd.readUInt16LE(p + 8);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const end = p + 46 + nameLength + extraLength + commentLength;
      if (end > cd.length) throw new Error(`central directory entry ${i} is truncated`);
      const entry: ZipEntry = {
        name: cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength),
        method: cd.readUInt16LE(p + 10),
        flags,
        crc: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      applyZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
      p = end;
      yield entry;
    }
  }

  /** Bytes inflated so far; `read` refuses entries once `maxTotalBytes` is reached. */
  get totalInflated(): number {
    return this.inflatedTotal;
  }

  read(entry: ZipEntry): Buffer {
    const unsafe = unsafeEntryName(entry.name);
    if (unsafe) throw new ZipEntryError('unsafe-path', `entry name ${unsafe}`);
    if (entry.flags & 0x1) throw new ZipEntryError('unsupported', 'entry is encrypted');
    if (entry.method !== 0 && entry.method !== 8)
      throw new ZipEntryError('unsupported', `compression method ${entry.method}`);
    const { maxEntryBytes, maxTotalBytes } = this.limits;
    const remaining = maxTotalBytes - this.inflatedTotal;
    if (entry.size > maxEntryBytes)
      throw new ZipEntryError('too-large', `declares ${entry.size} bytes (limit ${maxEntryBytes})`);
    if (entry.size > remaining)
      throw new ZipEntryError(
        'too-large',
        `archive exceeds the total limit of ${maxTotalBytes} inflated bytes`,
      );
    // Deflate can grow incompressible data by a few bytes per 16 KiB block, never more.
    if (entry.compressedSize > maxEntryBytes + 65536)
      throw new ZipEntryError('too-large', `compressed size ${entry.compressedSize} exceeds the entry limit`);
    if (entry.localHeaderOffset + 30 > this.fileSize)
      throw new ZipEntryError('corrupt', 'local header lies outside the file');
    const local = readExactly(this.fd, 30, entry.localHeaderOffset);
    if (local.readUInt32LE(0) !== SIG_LOCAL) throw new ZipEntryError('corrupt', 'bad local header signature');
    const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataStart + entry.compressedSize > this.fileSize)
      throw new ZipEntryError('corrupt', 'entry data lies outside the file');
    const raw = readExactly(this.fd, entry.compressedSize, dataStart);
    let data: Buffer;
    if (entry.method === 0) {
      data = raw;
    } else {
      // The declared size may lie (a zip bomb does): inflation itself is capped.
      const cap = Math.min(maxEntryBytes, remaining);
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(cap, 1) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          // Charged against the total, so many lying entries cannot each inflate up to the cap.
          this.inflatedTotal += cap;
          throw new ZipEntryError('too-large', `inflates beyond ${cap} bytes (declared ${entry.size})`);
        }
        throw new ZipEntryError('corrupt', `cannot inflate: ${(err as Error).message}`);
      }
    }
    this.inflatedTotal += data.length;
    if (data.length !== entry.size)
      throw new ZipEntryError('corrupt', `size ${data.length} differs from the declared ${entry.size}`);
    if (zlib.crc32(data) >>> 0 !== entry.crc) throw new ZipEntryError('corrupt', 'CRC-32 mismatch');
    return data;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function readCentralDirectory(
  fd: number,
  fileSize: number,
  limits: ZipLimits,
): { directory: Buffer; count: number } {
  // The end-of-central-directory record sits in the last 22 bytes + up to 64 KiB of comment.
  const tailLength = Math.min(fileSize, 22 + 65535);
  if (tailLength < 22) throw new Error('not a zip archive (too short)');
  const tailStart = fileSize - tailLength;
  const tail = readExactly(fd, tailLength, tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorPos = tailStart + eocd - 20;
    if (locatorPos < 0) throw new Error('zip64 locator missing');
    const locator = readExactly(fd, 20, locatorPos);
    if (locator.readUInt32LE(0) !== SIG_EOCD64_LOCATOR) throw new Error('zip64 locator missing');
    const eocd64Pos = Number(locator.readBigUInt64LE(8));
    if (eocd64Pos + 56 > fileSize) throw new Error('zip64 end of central directory lies outside the file');
    const eocd64 = readExactly(fd, 56, eocd64Pos);
    if (eocd64.readUInt32LE(0) !== SIG_EOCD64) throw new Error('bad zip64 end of central directory');
    count = Number(eocd64.readBigUInt64LE(32));
    cdSize = Number(eocd64.readBigUInt64LE(40));
    cdOffset = Number(eocd64.readBigUInt64LE(48));
  }
  if (count > limits.maxEntries)
    throw new Error(`archive lists ${count} entries (limit ${limits.maxEntries})`);
  if (cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > fileSize)
    throw new Error('central directory lies outside the file');
  return { directory: readExactly(fd, cdSize, cdOffset), count };
}

/** Zip64 extra field (id 1): the 64-bit values of the fields that hold 0xFFFFFFFF, in order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  let q = 0;
  while (q + 4 <= extra.length) {
    const id = extra.readUInt16LE(q);
    const size = extra.readUInt16LE(q + 2);
    const body = extra.subarray(q + 4, q + 4 + size);
    q += 4 + size;
    if (id !== 0x0001) continue;
    let r = 0;
    const next = (): number => {
      if (r + 8 > body.length) throw new Error(`zip64 extra field of ${entry.name} is truncated`);
      const v = Number(body.readBigUInt64LE(r));
      r += 8;
      return v;
    };
    if (entry.size === 0xffffffff) entry.size = next();
    if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
    if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
    return;
  }
}

export interface ZipWriteEntry {
  name: string;
  data: Buffer | string;
  /** Default: deflate. */
  store?: boolean;
  /** Declare this size instead of the real one (tests of lying archives). */
  declaredSize?: number;
}

/**
 * Writes a zip (tests and the benchmark build OSV archives with it). Zip64 records are written
 * when there are more than 65,535 entries, or always with `zip64`.
 */
export function writeZip(
  file: string,
  entries: Iterable<ZipWriteEntry>,
  options: { zip64?: boolean } = {},
): void {
  const fd = fs.openSync(file, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  const write = (buf: Buffer) => {
    fs.writeSync(fd, buf);
    offset += buf.length;
  };
  try {
    for (const e of entries) {
      const raw = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
      const body = e.store ? raw : zlib.deflateRawSync(raw);
      const name = Buffer.from(e.name, 'utf8');
      const crc = zlib.crc32(raw) >>> 0;
      const size = e.declaredSize ?? raw.length;
      const big = options.zip64 === true;
      if (offset > 0xfffffffe) throw new Error('writeZip: archives over 4 GiB are not supported');
      const localExtra = big ? zip64Extra([size, body.length]) : Buffer.alloc(0);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(SIG_LOCAL, 0);
      local.writeUInt16LE(big ? 45 : 20, 4);
      local.writeUInt16LE(0x800, 6);
      local.writeUInt16LE(e.store ? 0 : 8, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(big ? 0xffffffff : body.length, 18);
      local.writeUInt32LE(big ? 0xffffffff : size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(localExtra.length, 28);
      const localOffset = offset;
      write(Buffer.concat([local, name, localExtra]));
      write(body);
      const cdExtra = big ? zip64Extra([size, body.length, localOffset]) : Buffer.alloc(0);
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(SIG_CENTRAL, 0);
      cd.writeUInt16LE(big ? 45 : 20, 4);
      cd.writeUInt16LE(big ? 45 : 20, 6);
      cd.writeUInt16LE(0x800, 8);
      cd.writeUInt16LE(e.store ? 0 : 8, 10);
      cd.writeUInt32LE(crc, 16);
      cd.writeUInt32LE(big ? 0xffffffff : body.length, 20);
      cd.writeUInt32LE(big ? 0xffffffff : size, 24);
      cd.writeUInt16LE(name.length, 28);
      cd.writeUInt16LE(cdExtra.length, 30);
      cd.writeUInt32LE(big ? 0xffffffff : localOffset, 42);
      central.push(cd, name, cdExtra);
      count++;
    }
    const cdOffset = offset;
    for (let i = 0; i < central.length; i += 256) write(Buffer.concat(central.slice(i, i + 256)));
    const cdSize = offset - cdOffset;
    const zip64 = options.zip64 === true || count > 0xffff;
    if (zip64) {
      const eocd64Offset = offset;
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(SIG_EOCD64, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(count), 24);
      rec.writeBigUInt64LE(BigInt(count), 32);
      rec.writeBigUInt64LE(BigInt(cdSize), 40);
      rec.writeBigUInt64LE(BigInt(cdOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(SIG_EOCD64_LOCATOR, 0);
      locator.writeBigUInt64LE(BigInt(eocd64Offset), 8);
      locator.writeUInt32LE(1, 16);
      write(Buffer.concat([rec, locator]));
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(SIG_EOCD, 0);
    eocd.writeUInt16LE(zip64 ? 0xffff : count, 8);
    eocd.writeUInt16LE(zip64 ? 0xffff : count, 10);
    eocd.writeUInt32LE(zip64 ? 0xffffffff : cdSize, 12);
    eocd.writeUInt32LE(zip64 ? 0xffffffff : cdOffset, 16);
    write(eocd);
  } finally {
    fs.closeSync(fd);
  }
}

function zip64Extra(values: number[]): Buffer {
  const buf = Buffer.alloc(4 + 8 * values.length);
  buf.writeUInt16LE(0x0001, 0);
  buf.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => buf.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return buf;
}
