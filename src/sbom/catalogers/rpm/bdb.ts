/**
 * rpm's BerkeleyDB `Packages` file (RHEL/CentOS <= 8, older SUSE): a hash database whose values
 * are header blobs, each stored on a chain of overflow pages. Following go-rpmdb (which syft uses):
 * walk every hash page, take the value half of each key/value pair, and concatenate the overflow
 * chain it points to. Read-only and bounded: page numbers are checked and chains cannot loop.
 */

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_HASH = 13;
const H_OFFPAGE = 3;

export class BdbError extends Error {
  override name = 'BdbError';
}

export function isBerkeleyHash(data: Buffer): boolean {
  if (data.length < 512) return false;
  return data.readUInt32LE(12) === HASH_MAGIC || data.readUInt32BE(12) === HASH_MAGIC;
}

export function readBerkeleyPackages(data: Buffer): Buffer[] {
  if (!isBerkeleyHash(data)) throw new BdbError('not a BerkeleyDB hash database (bad magic)');
  const le = data.readUInt32LE(12) === HASH_MAGIC;
  const u32 = (at: number): number => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const u16 = (at: number): number => (le ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new BdbError(`bad page size ${pageSize}`);
  }
  if (data[24] !== 0) throw new BdbError('encrypted database');
  const lastPage = u32(32);
  const pages = Math.min(lastPage + 1, Math.floor(data.length / pageSize));
  const blobs: Buffer[] = [];

  const overflow = (first: number, length: number): Buffer => {
    const parts: Buffer[] = [];
    let total = 0;
    const seen = new Set<number>();
    for (let page = first; page !== 0;) {
      if (page >= pages || seen.has(page)) throw new BdbError(`overflow chain broken at page ${page}`);
      seen.add(page);
      const start = page * pageSize;
      const next = u32(start + 16);
      // On overflow pages the "free area offset" field holds the bytes used on that page.
      const used = next === 0 ? u16(start + 22) : pageSize - PAGE_HEADER;
      if (used > pageSize - PAGE_HEADER) throw new BdbError(`overflow page ${page} claims ${used} bytes`);
      parts.push(data.subarray(start + PAGE_HEADER, start + PAGE_HEADER + used));
      total += used;
      page = next;
    }
    const value = Buffer.concat(parts, total);
    return length > 0 && length <= value.length ? value.subarray(0, length) : value;
  };

  for (let page = 1; page < pages; page++) {
    const start = page * pageSize;
    const type = data[start + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(start + 20);
    if (PAGE_HEADER + entries * 2 > pageSize)
      throw new BdbError(`hash page ${page} lists ${entries} entries`);
    // Entries alternate key, value: keep the values.
    for (let i = 1; i < entries; i += 2) {
      const offset = u16(start + PAGE_HEADER + i * 2);
      if (offset >= pageSize - 12) continue;
      const item = start + offset;
      if (data[item] !== H_OFFPAGE) continue;
      blobs.push(overflow(u32(item + 4), u32(item + 8)));
    }
  }
  return blobs;
}
