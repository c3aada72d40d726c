/**
 * Go build information embedded in binaries (Go's debug/buildinfo): a 32-byte header starting
 * `\xff Go buildinf:` (16-byte aligned, in `.go.buildinfo` or a data segment), pointer size and
 * flags; Go >= 1.18 stores the version and module strings inline as varint-prefixed strings,
 * older toolchains (1.13-1.17) store pointers to Go string headers. The module text is framed by
 * 16-byte sentinels and lists `path`, `mod`, `dep`, `=>` (replacement) and `build` lines.
 */
import { ElfError, parseElf, readVirtual, sectionData } from '../elf.ts';
import type { Elf } from '../elf.ts';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE = 0x2;
/** Module text larger than this is not build info (cmd/go writes a few KiB; huge binaries ~100 KiB). */
const MAX_MODINFO = 4 * 1024 * 1024;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  goVersion: string;
  path: string;
  main?: GoModule;
  deps: GoModule[];
  settings: { key: string; value: string }[];
}

function uvarint(buf: Buffer, at: number): [number, number] | undefined {
  let x = 0;
  let shift = 0;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i] as number;
    x += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [x, i + 1];
    shift += 7;
  }
  return undefined;
}

function findHeader(elf: Elf): Buffer | undefined {
  const section = sectionData(elf, '.go.buildinfo');
  if (section && section.length >= HEADER_SIZE && section.subarray(0, MAGIC.length).equals(MAGIC))
    return section;
  // Stripped section headers: search the file at 16-byte alignment, as debug/buildinfo searches data.
  for (let at = elf.data.indexOf(MAGIC); at >= 0; at = elf.data.indexOf(MAGIC, at + 1)) {
    if (at % 16 === 0 && at + HEADER_SIZE <= elf.data.length) return elf.data.subarray(at);
  }
  return undefined;
}

function readPointerBytes(elf: Elf, addr: number, ptrSize: number, bigEndian: boolean): Buffer | undefined {
  const readPtr = (b: Buffer): number =>
    ptrSize === 8
      ? Number(bigEndian ? b.readBigUInt64BE(0) : b.readBigUInt64LE(0))
      : bigEndian
        ? b.readUInt32BE(0)
        : b.readUInt32LE(0);
  const hdr = readVirtual(elf, addr, 2 * ptrSize);
  if (!hdr) return undefined;
  const dataAddr = readPtr(hdr);
  const len = readPtr(hdr.subarray(ptrSize));
  if (len > MAX_MODINFO) return undefined;
  return readVirtual(elf, dataAddr, len);
}

/** Strips the 16-byte sentinel framing (cmd/go's modload infoStart/infoEnd), bytes not characters. */
function unframe(mod: Buffer): string {
  return mod.length >= 33 && mod[mod.length - 17] === 0x0a ? mod.toString('utf8', 16, mod.length - 16) : '';
}

export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const info: Omit<GoBuildInfo, 'goVersion'> = { path: '', deps: [], settings: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const [kind, ...f] = line.split('\t');
    switch (kind) {
      case 'path':
        info.path = f[0] ?? '';
        break;
      case 'mod':
        info.main = { path: f[0] ?? '', version: f[1] ?? '', ...(f[2] ? { sum: f[2] } : {}) };
        last = info.main;
        break;
      case 'dep':
        last = { path: f[0] ?? '', version: f[1] ?? '', ...(f[2] ? { sum: f[2] } : {}) };
        info.deps.push(last);
        break;
      case '=>':
        if (last) last.replace = { path: f[0] ?? '', version: f[1] ?? '', ...(f[2] ? { sum: f[2] } : {}) };
        break;
      case 'build': {
        const kv = f.join('\t');
        const eq = kv.indexOf('=');
        if (eq > 0)
          info.settings.push({ key: kv.slice(0, eq), value: kv.slice(eq + 1).replace(/^"(.*)"$/, '$1') });
        break;
      }
      default:
        break;
    }
  }
  return info;
}

/** Build info of a Go ELF binary; undefined for non-Go or non-ELF files. */
export function readGoBuildInfo(data: Buffer): GoBuildInfo | undefined {
  const elf = parseElf(data);
  if (!elf) return undefined;
  const header = findHeader(elf);
  if (!header) return undefined;
  const ptrSize = header[14] as number;
  const flags = header[15] as number;
  let version: string | undefined;
  let mod: Buffer | undefined;
  if (flags & FLAG_INLINE) {
    const v = uvarint(header, HEADER_SIZE);
    if (!v || v[1] + v[0] > header.length) throw new ElfError('build info version string truncated');
    version = header.toString('utf8', v[1], v[1] + v[0]);
    const m = uvarint(header, v[1] + v[0]);
    if (!m || m[0] > MAX_MODINFO || m[1] + m[0] > header.length)
      throw new ElfError('build info module text truncated');
    mod = header.subarray(m[1], m[1] + m[0]);
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) throw new ElfError(`build info pointer size ${ptrSize}`);
    const big = (flags & FLAG_BIG_ENDIAN) !== 0;
    const ptr = (at: number): number =>
      ptrSize === 8
        ? Number(big ? header.readBigUInt64BE(at) : header.readBigUInt64LE(at))
        : big
          ? header.readUInt32BE(at)
          : header.readUInt32LE(at);
    version = readPointerBytes(elf, ptr(16), ptrSize, big)?.toString('utf8');
    mod = readPointerBytes(elf, ptr(16 + ptrSize), ptrSize, big);
  }
  if (!version || !version.startsWith('go')) return undefined;
  return { goVersion: version, ...parseModInfo(mod ? unframe(mod) : '') };
}
