/**
 * rpm's NDB `Packages.db` (SUSE since 15.3, rpm's own lib/backend/ndb): slot pages that map a
 * package index to a block offset, then blobs `{magic "BlbS", pkgIdx, checksum, length}` + header
 * blob. Layout and limits as go-rpmdb reads them.
 */

const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLOCK_SIZE = 16;
const HEADER_MAGIC = 0x506d7052; // 'RpmP' little-endian
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_MAGIC = 0x53626c42; // 'BlbS'
const MAX_SLOT_PAGES = 2048;

export class NdbError extends Error {
  override name = 'NdbError';
}

export function isNdb(data: Buffer): boolean {
  return data.length >= 32 && data.readUInt32LE(0) === HEADER_MAGIC;
}

export function readNdbPackages(data: Buffer): Buffer[] {
  if (!isNdb(data)) throw new NdbError('not an rpm NDB database (bad magic)');
  const version = data.readUInt32LE(4);
  const slotPages = data.readUInt32LE(12);
  if (version !== 0) throw new NdbError(`unsupported NDB version ${version}`);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw new NdbError(`bad slot page count ${slotPages}`);
  const slots = (slotPages * PAGE_SIZE) / SLOT_SIZE - 2;
  if ((slots + 2) * SLOT_SIZE > data.length) throw new NdbError('truncated slot pages');
  const blobs: Buffer[] = [];
  for (let i = 0; i < slots; i++) {
    const at = (i + 2) * SLOT_SIZE;
    if (data.readUInt32LE(at) !== SLOT_MAGIC) throw new NdbError(`bad slot magic at slot ${i}`);
    const pkgIndex = data.readUInt32LE(at + 4);
    if (pkgIndex === 0) continue;
    const blob = data.readUInt32LE(at + 8) * BLOCK_SIZE;
    if (blob + 16 > data.length) throw new NdbError(`package ${pkgIndex}: blob outside the file`);
    if (data.readUInt32LE(blob) !== BLOB_MAGIC) throw new NdbError(`package ${pkgIndex}: bad blob magic`);
    if (data.readUInt32LE(blob + 4) !== pkgIndex)
      throw new NdbError(`package ${pkgIndex}: blob index mismatch`);
    const length = data.readUInt32LE(blob + 12);
    if (blob + 16 + length > data.length) throw new NdbError(`package ${pkgIndex}: blob truncated`);
    blobs.push(data.subarray(blob + 16, blob + 16 + length));
  }
  return blobs;
}
