/**
 * A minimal ELF reader for binary cataloguers (Go build info, cargo-auditable): headers, section
 * and program header tables, section contents by name, and virtual-address reads through the
 * loadable segments. Everything is bounds-checked against the file; a malformed table is an
 * ElfError, a file that is not ELF at all is `undefined`.
 */

export class ElfError extends Error {
  override name = 'ElfError';
}

export interface ElfSection {
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface Elf {
  is64: boolean;
  littleEndian: boolean;
  machine: number;
  sections: ElfSection[];
  segments: ElfSegment[];
  data: Buffer;
}

const SHT_NOBITS = 8;
export const PT_LOAD = 1;

export function isElf(data: Buffer): boolean {
  return data.length >= 52 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

export function parseElf(data: Buffer): Elf | undefined {
  if (!isElf(data)) return undefined;
  const is64 = data[4] === 2;
  const littleEndian = data[5] !== 2;
  if (data[4] !== 1 && data[4] !== 2) throw new ElfError(`unknown ELF class ${data[4]}`);
  if (is64 && data.length < 64) throw new ElfError('truncated ELF header');
  const u16 = (at: number): number => (littleEndian ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number): number => (littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const u64 = (at: number): number => {
    const v = littleEndian ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`64-bit value too large at ${at}`);
    return Number(v);
  };
  const word = is64 ? u64 : u32;
  const phoff = word(is64 ? 0x20 : 0x1c);
  const shoff = word(is64 ? 0x28 : 0x20);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  const machine = u16(0x12);

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < (is64 ? 56 : 32) || phoff + phnum * phentsize > data.length) {
      throw new ElfError('program header table outside the file');
    }
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      segments.push(
        is64
          ? {
              type: u32(at),
              flags: u32(at + 4),
              offset: u64(at + 8),
              vaddr: u64(at + 16),
              filesz: u64(at + 32),
            }
          : {
              type: u32(at),
              offset: u32(at + 4),
              vaddr: u32(at + 8),
              filesz: u32(at + 16),
              flags: u32(at + 24),
            },
      );
    }
  }

  const sections: ElfSection[] = [];
  if (shnum > 0 && shoff > 0) {
    if (shentsize < (is64 ? 64 : 40) || shoff + shnum * shentsize > data.length) {
      throw new ElfError('section header table outside the file');
    }
    const raw: (ElfSection & { nameOffset: number })[] = [];
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * shentsize;
      raw.push(
        is64
          ? {
              nameOffset: u32(at),
              name: '',
              type: u32(at + 4),
              addr: u64(at + 16),
              offset: u64(at + 24),
              size: u64(at + 32),
            }
          : {
              nameOffset: u32(at),
              name: '',
              type: u32(at + 4),
              addr: u32(at + 12),
              offset: u32(at + 16),
              size: u32(at + 20),
            },
      );
    }
    const strtab = raw[shstrndx];
    for (const s of raw) {
      if (strtab && strtab.offset + strtab.size <= data.length && s.nameOffset < strtab.size) {
        const start = strtab.offset + s.nameOffset;
        const end = data.indexOf(0, start);
        s.name = data.toString(
          'latin1',
          start,
          end < 0 || end > strtab.offset + strtab.size ? strtab.offset + strtab.size : end,
        );
      }
      sections.push({ name: s.name, type: s.type, addr: s.addr, offset: s.offset, size: s.size });
    }
  }
  return { is64, littleEndian, machine, sections, segments, data };
}

/** Contents of a named section (undefined when absent or not stored in the file). */
export function sectionData(elf: Elf, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (!s || s.type === SHT_NOBITS) return undefined;
  if (s.offset + s.size > elf.data.length) throw new ElfError(`section ${name} outside the file`);
  return elf.data.subarray(s.offset, s.offset + s.size);
}

/** Bytes at a virtual address, through the loadable segment (or section) that maps it. */
export function readVirtual(elf: Elf, addr: number, size: number): Buffer | undefined {
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || addr < seg.vaddr || addr + size > seg.vaddr + seg.filesz) continue;
    const off = seg.offset + (addr - seg.vaddr);
    if (off + size > elf.data.length) return undefined;
    return elf.data.subarray(off, off + size);
  }
  for (const s of elf.sections) {
    if (s.type === SHT_NOBITS || s.addr === 0 || addr < s.addr || addr + size > s.addr + s.size) continue;
    const off = s.offset + (addr - s.addr);
    if (off + size > elf.data.length) return undefined;
    return elf.data.subarray(off, off + size);
  }
  return undefined;
}
