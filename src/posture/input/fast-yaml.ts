/**
 * A fast reader for the YAML most manifests are written in: block mappings and sequences, one-line
 * plain, quoted and flow scalars/collections, literal block scalars. Anything else (anchors,
 * aliases, tags, folded or multi-line scalars, unusual indentation, duplicate keys, errors) makes
 * it give up, and the caller reads the document with js-yaml instead; where it answers, it answers
 * what js-yaml would (the same core-schema resolver is used for plain scalars). It is 3-4x faster
 * than js-yaml's general parser on typical manifests.
 */
import { CORE_SCHEMA } from 'js-yaml';
import { MAX_DEPTH } from './limits.ts';

/** Thrown internally to abandon the fast path; never escapes `fastParseDocument`. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp();

export interface FastDocument {
  value: unknown;
  /** 0-based index (within the text) of the line where the root node starts. */
  rootLine: number;
  /** Lines of a root sequence's items, or of a root mapping's `items:` sequence. */
  itemLines: number[] | undefined;
}

interface Line {
  /** Offset of the first character of the line. */
  begin: number;
  /** Offset of the first non-space character (== end for blank lines). */
  start: number;
  /** Offset of the end of the line, before `\r\n` / `\n`. */
  end: number;
  indent: number;
  /** Blank, or nothing but a comment. */
  empty: boolean;
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const CR = 13;

/** Characters a plain scalar (or key) may not start with. */
const INDICATORS = new Set(',[]{}#&*!|>\'"%@`');
/** May start a plain scalar only when followed by a "safe" character (`-Xmx1g`, `--port=80`). */
const LEADING = new Set('-?:');

/** Whether a plain scalar may start at `start` (in flow context `,[]{}` are not safe either). */
function canStartPlain(text: string, start: number, end: number, flow: boolean): boolean {
  const c = text[start] as string;
  if (INDICATORS.has(c)) return false;
  if (!LEADING.has(c)) return true;
  const next = text[start + 1];
  if (start + 1 >= end || next === undefined || next === ' ' || next === '\t') return false;
  return !(flow && ',[]{}'.includes(next));
}

function resolvePlain(text: string): unknown {
  return CORE_SCHEMA.resolveImplicitScalarTag(text).value;
}

function keyOf(text: string): string {
  const key = String(resolvePlain(text));
  // `<<` merges and `__proto__` needs care: leave both to js-yaml.
  if (key === '<<' || key === '__proto__') throw GIVE_UP;
  return key;
}

class FastReader {
  private readonly lines: Line[] = [];
  /** Index of the next line with content. */
  private cursor = 0;

  constructor(private readonly text: string) {
    let begin = 0;
    while (begin <= text.length) {
      const newline = text.indexOf('\n', begin);
      let end = newline < 0 ? text.length : newline;
      if (end > begin && text.charCodeAt(end - 1) === CR) end--;
      let start = begin;
      while (start < end && text.charCodeAt(start) === SPACE) start++;
      if (start < end && text.charCodeAt(start) === TAB) throw GIVE_UP;
      const empty = start === end || text.charCodeAt(start) === HASH;
      this.lines.push({ begin, start, end, indent: start - begin, empty });
      if (newline < 0) break;
      begin = newline + 1;
    }
  }

  read(): FastDocument {
    this.skipHeader();
    const first = this.peek();
    if (!first) throw GIVE_UP;
    const rootLine = this.cursor;
    const itemLines: number[] = [];
    const value = this.block(first.indent, 1, itemLines);
    if (this.peek()) throw GIVE_UP; // left-over lines: an indentation js-yaml should judge
    const items = Array.isArray(value)
      ? value
      : value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>).items
        : undefined;
    if (!Array.isArray(items)) return { value, rootLine, itemLines: undefined };
    // Items written in flow style (`items: [...]`) have no lines here: js-yaml knows them.
    if (itemLines.length !== items.length) throw GIVE_UP;
    return { value, rootLine, itemLines };
  }

  /** Comments, blank lines and one `---` marker may precede the document; directives may not. */
  private skipHeader(): void {
    let markers = 0;
    while (this.cursor < this.lines.length) {
      const line = this.lines[this.cursor] as Line;
      if (line.empty) {
        this.cursor++;
        continue;
      }
      const c = this.text.charCodeAt(line.start);
      if (c === 37 /* % */ && line.indent === 0) throw GIVE_UP;
      if (line.indent === 0 && this.text.startsWith('---', line.start)) {
        const after = this.text.charCodeAt(line.start + 3);
        if (line.start + 3 < line.end && after !== SPACE && after !== TAB) break; // `---x` is content
        if (++markers > 1) throw GIVE_UP;
        const rest = this.skipSpaces(line.start + 3, line.end);
        if (rest < line.end && this.text.charCodeAt(rest) !== HASH) throw GIVE_UP;
        this.cursor++;
        continue;
      }
      if (line.indent === 0 && this.text.startsWith('...', line.start)) throw GIVE_UP;
      break;
    }
    // A later `---` or `...` at column 0 means another document in this text.
    for (let i = this.cursor; i < this.lines.length; i++) {
      const line = this.lines[i] as Line;
      if (
        line.indent === 0 &&
        !line.empty &&
        (this.text.startsWith('---', line.start) || this.text.startsWith('...', line.start))
      )
        throw GIVE_UP;
    }
  }

  private peek(): Line | undefined {
    while (this.cursor < this.lines.length && (this.lines[this.cursor] as Line).empty) this.cursor++;
    return this.lines[this.cursor];
  }

  private skipSpaces(from: number, end: number): number {
    let i = from;
    while (i < end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  private isSequenceEntry(line: Line): boolean {
    if (this.text.charCodeAt(line.start) !== DASH) return false;
    const next = line.start + 1;
    return next === line.end || this.text.charCodeAt(next) === SPACE;
  }

  /**
   * A block node whose lines are indented exactly `indent`. `itemLines` collects the lines of a
   * sequence's entries (root sequence), or of the `items:` entries of a mapping (root mapping).
   */
  private block(indent: number, depth: number, itemLines?: number[]): unknown {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const line = this.peek() as Line;
    if (this.isSequenceEntry(line)) return this.sequence(indent, depth, itemLines);
    return this.mapping(indent, line.start, depth, itemLines);
  }

  /**
   * A block mapping whose keys sit at column `indent`. The first key may start later in its line
   * (`- name: x`): `firstStart` is where it starts.
   */
  private mapping(
    indent: number,
    firstStart: number,
    depth: number,
    itemLines?: number[],
  ): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let keyStart = firstStart;
    for (;;) {
      const line = this.lines[this.cursor] as Line;
      const { key, valueStart } = this.key(keyStart, line.end);
      if (Object.prototype.hasOwnProperty.call(map, key)) throw GIVE_UP;
      this.cursor++;
      const rest = this.skipSpaces(valueStart, line.end);
      if (rest === line.end || this.text.charCodeAt(rest) === HASH) {
        // The value is on the following lines: a nested block, a sequence at the same indent, or null.
        const next = this.peek();
        const lines = key === 'items' ? itemLines : undefined;
        if (next && next.indent > indent) {
          map[key] = this.isSequenceEntry(next)
            ? this.sequence(next.indent, depth + 1, lines)
            : this.block(next.indent, depth + 1);
        } else if (next && next.indent === indent && this.isSequenceEntry(next))
          map[key] = this.sequence(indent, depth + 1, lines);
        else map[key] = null;
      } else {
        map[key] = this.inline(rest, line, indent, depth + 1);
        const next = this.peek();
        if (next && next.indent > indent) throw GIVE_UP; // a continuation: multi-line scalar or error
      }
      const next = this.peek();
      if (!next || next.indent < indent) return map;
      if (next.indent > indent || this.isSequenceEntry(next)) throw GIVE_UP;
      keyStart = next.start;
    }
  }

  /** `key:` at `start`: the key's text and where its value starts. */
  private key(start: number, end: number): { key: string; valueStart: number } {
    const text = this.text;
    const c = text[start] as string;
    if (c === '"' || c === "'") {
      const { value, next } = this.quoted(start, end);
      if (text.charCodeAt(next) !== COLON) throw GIVE_UP;
      const after = next + 1;
      if (after < end && text.charCodeAt(after) !== SPACE) throw GIVE_UP;
      if (value === '<<' || value === '__proto__') throw GIVE_UP;
      return { key: value, valueStart: after };
    }
    if (!canStartPlain(text, start, end, false)) throw GIVE_UP;
    let colon = text.indexOf(':', start);
    while (colon >= 0 && colon < end && colon + 1 < end && text.charCodeAt(colon + 1) !== SPACE)
      colon = text.indexOf(':', colon + 1);
    if (colon < 0 || colon >= end) throw GIVE_UP;
    const raw = text.slice(start, colon).trimEnd();
    if (raw === '' || /[\t"'{}[\],#&*!|>%@`]/.test(raw)) throw GIVE_UP;
    return { key: keyOf(raw), valueStart: colon + 1 };
  }

  /** A block sequence with its `-` at column `indent`. */
  private sequence(indent: number, depth: number, itemLines?: number[]): unknown[] {
    const list: unknown[] = [];
    for (;;) {
      const line = this.lines[this.cursor] as Line;
      itemLines?.push(this.cursor);
      const rest = this.skipSpaces(line.start + 1, line.end);
      if (rest === line.end || this.text.charCodeAt(rest) === HASH) {
        this.cursor++;
        const next = this.peek();
        list.push(next && next.indent > indent ? this.block(next.indent, depth + 1) : null);
      } else if (this.isSequenceEntry({ ...line, start: rest })) {
        throw GIVE_UP; // `- - a`
      } else if (this.startsMapping(rest, line.end)) {
        // `- key: value`: a mapping whose keys are at the column of `key`.
        list.push(this.mapping(rest - line.begin, rest, depth + 1));
      } else {
        this.cursor++;
        list.push(this.inline(rest, line, indent, depth + 1));
        const next = this.peek();
        if (next && next.indent > indent) throw GIVE_UP;
      }
      const next = this.peek();
      // A key at the same indent ends a sequence nested `key:\n- a` style; the parent judges it.
      if (!next || next.indent < indent || (next.indent === indent && !this.isSequenceEntry(next)))
        return list;
      if (next.indent > indent) throw GIVE_UP;
    }
  }

  /** Whether the text at `start` is `key:` followed by a space or the end of the line. */
  private startsMapping(start: number, end: number): boolean {
    const c = this.text[start] as string;
    if (c === '"' || c === "'") {
      try {
        const { next } = this.quoted(start, end);
        return this.text.charCodeAt(next) === COLON;
      } catch {
        return false;
      }
    }
    if (c === '{' || c === '[') return false;
    for (let i = this.text.indexOf(':', start); i >= 0 && i < end; i = this.text.indexOf(':', i + 1)) {
      if (i + 1 === end || this.text.charCodeAt(i + 1) === SPACE) return true;
    }
    return false;
  }

  /** A value that starts on the current line at `start` (the line is already consumed). */
  private inline(start: number, line: Line, parentIndent: number, depth: number): unknown {
    const text = this.text;
    const c = text[start] as string;
    if (c === '"' || c === "'") {
      const { value, next } = this.quoted(start, line.end);
      this.expectLineEnd(next, line.end);
      return value;
    }
    if (c === '{' || c === '[') {
      const reader = new FlowReader(text, start, line.end, depth);
      const value = reader.node();
      this.expectLineEnd(reader.position, line.end);
      return value;
    }
    if (c === '|') return this.literal(start, line, parentIndent);
    if (!canStartPlain(text, start, line.end, false)) throw GIVE_UP;
    // A ` #` comment ends the value; search this line only (indexOf would scan the rest of the file).
    let end = line.end;
    for (let i = start; i < end - 1; i++) {
      if (text.charCodeAt(i) === SPACE && text.charCodeAt(i + 1) === HASH) {
        end = i;
        break;
      }
    }
    const raw = text.slice(start, end).trimEnd();
    if (raw.includes(': ') || raw.endsWith(':') || raw.includes('\t')) throw GIVE_UP;
    return resolvePlain(raw);
  }

  private expectLineEnd(from: number, end: number): void {
    const rest = this.skipSpaces(from, end);
    if (rest < end && !(this.text.charCodeAt(rest) === HASH && rest > from)) throw GIVE_UP;
  }

  /** A quoted scalar ending on this line: its value and the offset after the closing quote. */
  quoted(start: number, end: number): { value: string; next: number } {
    const text = this.text;
    if (text[start] === "'") {
      let i = start + 1;
      for (;;) {
        const close = text.indexOf("'", i);
        if (close < 0 || close >= end) throw GIVE_UP;
        if (text[close + 1] === "'") {
          i = close + 2;
          continue;
        }
        return { value: text.slice(start + 1, close).replaceAll("''", "'"), next: close + 1 };
      }
    }
    return doubleQuoted(text, start, end);
  }

  /** `|`, `|-` (no `|+`, no indentation indicator): the more-indented lines that follow. */
  private literal(start: number, line: Line, parentIndent: number): string {
    const text = this.text;
    let i = start + 1;
    const strip = text[i] === '-';
    if (strip) i++;
    else if (i < line.end && text[i] !== ' ') throw GIVE_UP; // `|+`, `|2`
    this.expectLineEnd(i, line.end);
    const parts: string[] = [];
    let contentIndent = -1;
    let consumed = this.cursor;
    for (let index = this.cursor; index < this.lines.length; index++) {
      const current = this.lines[index] as Line;
      if (current.start === current.end) {
        // Whitespace beyond the indentation would be content: leave such lines to js-yaml.
        if (contentIndent >= 0 && current.end - current.begin > contentIndent) throw GIVE_UP;
        parts.push('');
        continue;
      }
      if (current.indent <= parentIndent) break;
      if (contentIndent < 0) {
        contentIndent = current.indent;
        for (let j = this.cursor; j < index; j++) {
          const blank = this.lines[j] as Line;
          if (blank.end - blank.begin > contentIndent) throw GIVE_UP;
        }
      } else if (current.indent < contentIndent) throw GIVE_UP;
      parts.push(text.slice(current.begin + contentIndent, current.end));
      consumed = index + 1;
    }
    // Trailing blank lines are not content (clip and strip chomping); the parent skips them.
    const kept = parts.slice(0, consumed - this.cursor);
    this.cursor = consumed;
    if (kept.length === 0) return '';
    const body = kept.join('\n');
    return strip ? body : `${body}\n`;
  }
}

/** A double-quoted scalar on one line; escapes JSON lacks (`\x41`, `\e`, line folds) give up. */
function doubleQuoted(text: string, start: number, end: number): { value: string; next: number } {
  let i = start + 1;
  let escaped = false;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      const e = text[i + 1];
      if (e === undefined || !'"\\/bfnrtu'.includes(e)) throw GIVE_UP;
      escaped = true;
      i += 2;
      continue;
    }
    if (c === 34 /* " */) {
      const raw = text.slice(start + 1, i);
      if (!escaped) return { value: raw, next: i + 1 };
      // Control characters are legal raw in YAML but not in JSON strings.
      for (let k = 0; k < raw.length; k++) if (raw.charCodeAt(k) < 32) throw GIVE_UP;
      try {
        return { value: JSON.parse(`"${raw}"`) as string, next: i + 1 };
      } catch {
        throw GIVE_UP;
      }
    }
    i++;
  }
  throw GIVE_UP;
}

/** Flow collections on one line: `{cpu: 500m, memory: 256Mi}`, `["--port", "9090"]`. */
class FlowReader {
  position: number;

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
    private readonly depth: number,
  ) {
    this.position = start;
  }

  private skip(): void {
    while (this.position < this.end && this.text.charCodeAt(this.position) === SPACE) this.position++;
  }

  node(depth = this.depth): unknown {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    this.skip();
    const c = this.text[this.position];
    if (c === '{') return this.mapping(depth);
    if (c === '[') return this.sequence(depth);
    if (c === '"' || c === "'") {
      const { value, next } =
        c === '"' ? doubleQuoted(this.text, this.position, this.end) : this.singleQuoted();
      this.position = next;
      return value;
    }
    return resolvePlain(this.plain());
  }

  private singleQuoted(): { value: string; next: number } {
    let i = this.position + 1;
    for (;;) {
      const close = this.text.indexOf("'", i);
      if (close < 0 || close >= this.end) throw GIVE_UP;
      if (this.text[close + 1] === "'") {
        i = close + 2;
        continue;
      }
      return { value: this.text.slice(this.position + 1, close).replaceAll("''", "'"), next: close + 1 };
    }
  }

  /** A plain scalar in flow context: ends at `,`, `]`, `}` or `: `. */
  private plain(): string {
    const start = this.position;
    if (!canStartPlain(this.text, start, this.end, true)) throw GIVE_UP;
    let i = start;
    for (; i < this.end; i++) {
      const c = this.text[i] as string;
      if (c === ',' || c === ']' || c === '}' || c === '[' || c === '{') break;
      if (c === ':' && (i + 1 >= this.end || ' ,]}'.includes(this.text[i + 1] as string))) break;
      if (c === '#' && this.text[i - 1] === ' ') throw GIVE_UP;
      if (c === '\t') throw GIVE_UP;
    }
    this.position = i;
    const raw = this.text.slice(start, i).trimEnd();
    if (raw === '') throw GIVE_UP;
    return raw;
  }

  private mapping(depth: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    this.position++; // {
    this.skip();
    if (this.text[this.position] === '}') {
      this.position++;
      return map;
    }
    for (;;) {
      this.skip();
      const c = this.text[this.position];
      let key: string;
      if (c === '"' || c === "'") {
        const { value, next } =
          c === '"' ? doubleQuoted(this.text, this.position, this.end) : this.singleQuoted();
        this.position = next;
        if (value === '<<' || value === '__proto__') throw GIVE_UP;
        key = value;
      } else key = keyOf(this.plain());
      this.skip();
      if (this.text[this.position] !== ':') throw GIVE_UP; // `{a, b}`: keys without values
      this.position++;
      const after = this.text[this.position];
      if (after !== ' ' && after !== undefined && this.position < this.end && !'"\''.includes(after))
        throw GIVE_UP;
      this.skip();
      if (Object.prototype.hasOwnProperty.call(map, key)) throw GIVE_UP;
      const next = this.text[this.position];
      if (next === ',' || next === '}') throw GIVE_UP; // `{a: }`: leave empty values to js-yaml
      map[key] = this.node(depth + 1);
      this.skip();
      const separator = this.text[this.position];
      this.position++;
      if (separator === '}') return map;
      if (separator !== ',') throw GIVE_UP;
      this.skip();
      if (this.text[this.position] === '}') throw GIVE_UP; // trailing comma
    }
  }

  private sequence(depth: number): unknown[] {
    const list: unknown[] = [];
    this.position++; // [
    this.skip();
    if (this.text[this.position] === ']') {
      this.position++;
      return list;
    }
    for (;;) {
      this.skip();
      const c = this.text[this.position];
      if (c === ',' || c === ']') throw GIVE_UP;
      list.push(this.node(depth + 1));
      this.skip();
      if (this.text[this.position] === ':') throw GIVE_UP; // `[a: b]`: single-pair mappings
      const separator = this.text[this.position];
      this.position++;
      if (separator === ']') return list;
      if (separator !== ',') throw GIVE_UP;
      this.skip();
      if (this.text[this.position] === ']') throw GIVE_UP; // trailing comma
    }
  }
}

/**
 * Reads one YAML document the fast way, or returns undefined when the text needs the full parser
 * (including every text with an error: js-yaml then reports it).
 */
export function fastParseDocument(text: string): FastDocument | undefined {
  try {
    return new FastReader(text).read();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
