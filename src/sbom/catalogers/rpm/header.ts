/**
 * The rpm header format as rpmdb stores it (rpm's lib/header.c "header blob"): a big-endian count
 * of index entries `il`, the data store length `dl`, `il` 16-byte entries `{tag, type, offset,
 * count}`, then the data store. Every offset and count is checked against the store: a corrupt
 * blob throws a HeaderError the cataloguer records, it never reads out of bounds.
 */

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILEMODES: 1030,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIRENAME: 1049,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

const TYPE = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
};
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8 };
/** Sanity bounds: rpm itself refuses headers with more than 0xffff entries or 256 MiB of data. */
const MAX_ENTRIES = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;

export class HeaderError extends Error {
  override name = 'HeaderError';
}

export type TagValue = string | string[] | number[] | Buffer;

export class RpmHeader {
  private constructor(private readonly values: Map<number, TagValue>) {}

  static parse(blob: Buffer): RpmHeader {
    if (blob.length < 8) throw new HeaderError(`header blob of ${blob.length} bytes`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il === 0 || il > MAX_ENTRIES || dl > MAX_DATA)
      throw new HeaderError(`implausible header (${il} entries, ${dl} data bytes)`);
    const storeStart = 8 + il * 16;
    if (storeStart + dl > blob.length) {
      throw new HeaderError(`header needs ${storeStart + dl} bytes, blob has ${blob.length}`);
    }
    const store = blob.subarray(storeStart, storeStart + dl);
    const values = new Map<number, TagValue>();
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = blob.readUInt32BE(at);
      const type = blob.readUInt32BE(at + 4);
      const offset = blob.readInt32BE(at + 8);
      const count = blob.readUInt32BE(at + 12);
      // Region tags (61-63) and signature-range tags carry nothing a cataloguer needs.
      if (tag < 1000) continue;
      if (offset < 0 || offset > dl)
        throw new HeaderError(`tag ${tag}: offset ${offset} outside ${dl}-byte store`);
      values.set(tag, readValue(store, tag, type, offset, count));
    }
    return new RpmHeader(values);
  }

  string(tag: number): string | undefined {
    const v = this.values.get(tag);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    return undefined;
  }

  strings(tag: number): string[] {
    const v = this.values.get(tag);
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return [];
  }

  numbers(tag: number): number[] {
    const v = this.values.get(tag);
    return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : [];
  }

  number(tag: number): number | undefined {
    return this.numbers(tag)[0];
  }

  has(tag: number): boolean {
    return this.values.has(tag);
  }
}

function readStrings(store: Buffer, tag: number, offset: number, count: number): string[] {
  const out: string[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const end = store.indexOf(0, at);
    if (end < 0) throw new HeaderError(`tag ${tag}: string ${i} not terminated`);
    out.push(store.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}

function readValue(store: Buffer, tag: number, type: number, offset: number, count: number): TagValue {
  switch (type) {
    case TYPE.STRING:
      return readStrings(store, tag, offset, 1)[0] as string;
    case TYPE.STRING_ARRAY:
    case TYPE.I18NSTRING:
      if (count > store.length)
        throw new HeaderError(`tag ${tag}: ${count} strings in ${store.length} bytes`);
      return readStrings(store, tag, offset, count);
    case TYPE.BIN:
      if (offset + count > store.length) throw new HeaderError(`tag ${tag}: ${count} bytes past the store`);
      return store.subarray(offset, offset + count);
    case TYPE.CHAR:
    case TYPE.INT8:
    case TYPE.INT16:
    case TYPE.INT32:
    case TYPE.INT64: {
      const size = TYPE_SIZE[type] as number;
      if (offset + count * size > store.length)
        throw new HeaderError(`tag ${tag}: ${count} numbers past the store`);
      const out: number[] = new Array<number>(count);
      for (let i = 0; i < count; i++) {
        const at = offset + i * size;
        out[i] =
          size === 1
            ? store.readUInt8(at)
            : size === 2
              ? store.readUInt16BE(at)
              : size === 4
                ? store.readUInt32BE(at)
                : Number(store.readBigUInt64BE(at));
      }
      return out;
    }
    case TYPE.NULL:
      return [];
    default:
      throw new HeaderError(`tag ${tag}: unknown type ${type}`);
  }
}
