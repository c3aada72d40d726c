/**
 * A small in-memory zip reader for Java archives: the central directory (Zip64 included), entries
 * inflated with zlib's raw inflate under an output limit. Data before the archive (Spring Boot's
 * "fully executable" jars carry a launch script) is tolerated by measuring where the central
 * directory really starts. Nothing is written anywhere; names are only used as labels.
 */
import zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipError extends Error {
  override name = 'ZipError';
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;

function findEocd(data: Buffer): number {
  const min = Math.max(0, data.length - 22 - 0xffff);
  for (let i = data.length - 22; i >= min; i--) {
    if (data.readUInt32LE(i) === SIG_EOCD) return i;
  }
  throw new ZipError('no end of central directory record (not a zip archive, or truncated)');
}

export function readCentralDirectory(data: Buffer, maxEntries = 200_000): ZipEntry[] {
  const eocd = findEocd(data);
  let count = data.readUInt16LE(eocd + 10);
  let cdSize = data.readUInt32LE(eocd + 12);
  let cdOffset = data.readUInt32LE(eocd + 16);
  let cdEnd = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc >= 0 && data.readUInt32LE(loc) === SIG_EOCD64_LOCATOR) {
      const at = Number(data.readBigUInt64LE(loc + 8));
      if (at + 56 > data.length || data.readUInt32LE(at) !== SIG_EOCD64)
        throw new ZipError('bad Zip64 end record');
      count = Number(data.readBigUInt64LE(at + 32));
      cdSize = Number(data.readBigUInt64LE(at + 40));
      cdOffset = Number(data.readBigUInt64LE(at + 48));
      cdEnd = at;
    }
  }
  if (count > maxEntries) throw new ZipError(`${count} entries (limit ${maxEntries})`);
  const cdStart = cdEnd - cdSize;
  if (cdStart < 0) throw new ZipError('central directory larger than the file');
  // Bytes prepended to the archive shift every stored offset by the same amount.
  const shift = cdStart - cdOffset;
  const entries: ZipEntry[] = [];
  let p = cdStart;
  for (let i = 0; i < count; i++) {
    if (p + 46 > data.length || data.readUInt32LE(p) !== SIG_CENTRAL)
      throw new ZipError(`bad central directory entry ${i}`);
    const nameLen = data.readUInt16LE(p + 28);
    const extraLen = data.readUInt16LE(p + 30);
    const commentLen = data.readUInt16LE(p + 32);
    if (p + 46 + nameLen + extraLen + commentLen > data.length)
      throw new ZipError(`truncated central directory entry ${i}`);
    const e: ZipEntry = {
      flags: data.readUInt16LE(p + 8),
      method: data.readUInt16LE(p + 10),
      compressedSize: data.readUInt32LE(p + 20),
      size: data.readUInt32LE(p + 24),
      localHeaderOffset: data.readUInt32LE(p + 42),
      name: data.toString('utf8', p + 46, p + 46 + nameLen),
    };
    // Zip64 extended information: only the fields whose 32-bit value is saturated, in order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = data.readUInt16LE(x);
      const len = data.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const next = (): number => {
          const v = q + 8 <= x + 4 + len ? Number(data.readBigUInt64LE(q)) : -1;
          q += 8;
          return v;
        };
        if (e.size === 0xffffffff) e.size = next();
        if (e.compressedSize === 0xffffffff) e.compressedSize = next();
        if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
      }
      x += 4 + len;
    }
    e.localHeaderOffset += shift;
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** An entry's contents; throws ZipError when it is encrypted, unsupported, corrupt or over `maxSize`. */
export function readEntry(data: Buffer, e: ZipEntry, maxSize: number): Buffer {
  if (e.flags & 0x1) throw new ZipError(`${e.name}: encrypted`);
  if (e.size > maxSize) throw new ZipError(`${e.name}: ${e.size} bytes (limit ${maxSize})`);
  const h = e.localHeaderOffset;
  if (h < 0 || h + 30 > data.length || data.readUInt32LE(h) !== SIG_LOCAL)
    throw new ZipError(`${e.name}: bad local header`);
  const start = h + 30 + data.readUInt16LE(h + 26) + data.readUInt16LE(h + 28);
  const end = start + e.compressedSize;
  if (end > data.length) throw new ZipError(`${e.name}: data past the end of the archive`);
  const raw = data.subarray(start, end);
  if (e.method === 0) return raw;
  if (e.method !== 8) throw new ZipError(`${e.name}: compression method ${e.method} not supported`);
  try {
    return zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, maxSize) });
  } catch (err) {
    throw new ZipError(`${e.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
