/**
 * Source positions of report paths, for SARIF: the line and column of a field inside an object's
 * document, and text edits that apply a fix path. Only failing file-backed resources are
 * located, so files are re-read and re-parsed lazily (with the `yaml` package, which keeps node
 * ranges) and cached per file.
 */
import { readFileSync } from 'node:fs';
import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { ResourceSource } from '../report/model.ts';
import { MAX_FILE_BYTES } from './load.ts';
import { splitDocuments, type Chunk } from './parse.ts';
import { indexOf, parseReportPath, type PathSegment } from './report-path.ts';

/** 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Replace the text between start (inclusive) and end (exclusive) with `text`; 1-based positions. */
export interface TextEdit {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  text: string;
}

/** One document chunk of a file (see splitDocuments), parsed with node ranges. */
interface ParsedChunk {
  text: string;
  lines: LineCounter;
  /** File line of the chunk's first line, minus one. */
  lineOffset: number;
  json: boolean;
  /** Objects (document roots and list items) by ascending start line. */
  objects: { line: number; document: Document.Parsed; node: Node }[];
}

interface SourceFile {
  text: string;
  chunks: Chunk[];
  parsed: Map<number, ParsedChunk>;
  json: boolean;
}

/** Where a path led: the deepest node that exists, and how many segments it consumed. */
interface Walk {
  document: Document.Parsed;
  /** Node reached by the consumed segments (undefined: a key with no value, `key:`). */
  node: Node | undefined;
  /** Offset naming the deepest existing step (a key, or a list item). */
  anchor: number;
  consumed: number;
  /** The pair whose value `node` is, when the last step was a map key. */
  pair: Pair | undefined;
}

type ReadText = (file: string) => string;

const defaultRead: ReadText = (file) => readFileSync(file, 'utf8');

/**
 * Finds report paths in source files. Keeps the most recently used `maxFiles` files; of each,
 * only the documents asked about are parsed.
 */
export class SourceLocator {
  private readonly cache = new Map<string, SourceFile | undefined>();

  constructor(
    private readonly maxFiles = 16,
    private readonly read: ReadText = defaultRead,
  ) {}

  /**
   * Line and column of `reportPath` (`spec.template.spec.containers[0].securityContext.privileged`,
   * `metadata.labels[app]`) in the object's document; when the field is absent (a fix path), of
   * its deepest existing parent; undefined when the source can't be read or the object not found.
   */
  locate(source: ResourceSource, reportPath: string): SourcePosition | undefined {
    const chunk = this.chunk(source);
    if (!chunk) return undefined;
    const walk = walkPath(chunk, source, parseReportPath(reportPath));
    return walk ? position(chunk, walk.anchor) : undefined;
  }

  /** A text edit that sets `fixPath` to `value` in the object's document, when one can be made. */
  fixEdit(source: ResourceSource, fixPath: string, value: string): TextEdit | undefined {
    const chunk = this.chunk(source);
    if (!chunk) return undefined;
    const segments = parseReportPath(fixPath);
    const walk = walkPath(chunk, source, segments);
    if (!walk) return undefined;
    return editFor(chunk, walk, segments.slice(walk.consumed), value);
  }

  /** The parsed chunk holding the object that starts at `source.line`. */
  private chunk(source: ResourceSource): ParsedChunk | undefined {
    const file = this.file(source);
    if (!file) return undefined;
    const line = source.line ?? 1;
    let index = -1;
    file.chunks.forEach((chunk, i) => {
      if (chunk.line <= line) index = i;
    });
    if (index < 0) return undefined;
    let parsed = file.parsed.get(index);
    if (!parsed) {
      parsed = parseChunk(file, file.chunks[index] as Chunk);
      file.parsed.set(index, parsed);
    }
    return parsed;
  }

  private file(source: ResourceSource): SourceFile | undefined {
    if (!source.path) return undefined;
    if (this.cache.has(source.path)) {
      const cached = this.cache.get(source.path);
      // Most recently used last, so the oldest is evicted first.
      this.cache.delete(source.path);
      this.cache.set(source.path, cached);
      return cached;
    }
    const loaded = this.load(source);
    this.cache.set(source.path, loaded);
    while (this.cache.size > this.maxFiles) this.cache.delete(this.cache.keys().next().value as string);
    return loaded;
  }

  private load(source: ResourceSource): SourceFile | undefined {
    try {
      const raw = this.read(source.path);
      if (raw.length > MAX_FILE_BYTES) return undefined;
      // Like the loader, ignore a byte-order mark (columns on line 1 then count from the text).
      const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      return { text, chunks: splitDocuments(text), parsed: new Map(), json: source.fileType === 'JSON' };
    } catch {
      return undefined;
    }
  }
}

const defaultLocator = new SourceLocator();

/** `SourceLocator.locate` on a shared locator (keeps a few files). */
export function locate(source: ResourceSource, reportPath: string): SourcePosition | undefined {
  return defaultLocator.locate(source, reportPath);
}

/** `SourceLocator.fixEdit` on the shared locator. */
export function fixEdit(source: ResourceSource, fixPath: string, value: string): TextEdit | undefined {
  return defaultLocator.fixEdit(source, fixPath, value);
}

// ---------------------------------------------------------------------------------------------

function parseChunk(file: SourceFile, chunk: Chunk): ParsedChunk {
  const text = file.text.slice(chunk.start, chunk.end);
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
  const parsed: ParsedChunk = { text, lines, lineOffset: chunk.line - 1, json: file.json, objects: [] };
  for (const document of Array.isArray(documents) ? documents : []) {
    const root = document.contents ?? undefined;
    if (!root) continue;
    const items = listItems(document);
    if (!items) parsed.objects.push({ line: lineOf(parsed, root), document, node: root });
    for (const item of items ?? []) {
      const node = resolve(document, item);
      if (node) parsed.objects.push({ line: lineOf(parsed, node), document, node });
    }
  }
  parsed.objects.sort((a, b) => a.line - b.line);
  return parsed;
}

function position(chunk: ParsedChunk, offset: number): SourcePosition {
  const { line, col } = chunk.lines.linePos(offset);
  return { line: line + chunk.lineOffset, column: col };
}

const lineOf = (chunk: ParsedChunk, node: Node): number =>
  node.range ? position(chunk, node.range[0]).line : chunk.lineOffset + 1;

function resolve(document: Document.Parsed, node: unknown): Node | undefined {
  if (isAlias(node)) return (node.resolve(document) as Node | undefined) ?? undefined;
  return (node as Node | null | undefined) ?? undefined;
}

function field(map: YAMLMap, name: string): unknown {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === name)?.value;
}

/** The items the loader flattened: of a root sequence, or of a `*List` kind's `items:`. */
function listItems(document: Document.Parsed): readonly unknown[] | undefined {
  const root = document.contents;
  if (isSeq(root)) return root.items;
  if (isMap(root)) {
    const kind = field(root, 'kind');
    const items = field(root, 'items');
    if (isScalar(kind) && String(kind.value).endsWith('List') && isSeq(items)) return items.items;
  }
  return undefined;
}

/**
 * The object starting at `source.line`: the last document root or list item starting at or
 * before it (the first of those on that line: only one-line JSON puts several there).
 */
function objectNode(
  chunk: ParsedChunk,
  source: ResourceSource,
): { document: Document.Parsed; node: Node } | undefined {
  const line = source.line ?? 1;
  const objects = chunk.objects;
  let low = 0;
  let high = objects.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((objects[middle] as { line: number }).line <= line) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  if (found < 0) return undefined;
  const foundLine = (objects[found] as { line: number }).line;
  while (found > 0 && (objects[found - 1] as { line: number }).line === foundLine) found--;
  return objects[found];
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function walkPath(
  file: ParsedChunk,
  source: ResourceSource,
  segments: readonly PathSegment[],
): Walk | undefined {
  const found = objectNode(file, source);
  if (!found) return undefined;
  const { document } = found;
  let node: Node | undefined = found.node;
  let anchor = node.range?.[0] ?? 0;
  let pair: Pair | undefined;
  let consumed = 0;
  for (const segment of segments) {
    if (isMap(node)) {
      const next = (node as YAMLMap).items.find((item) => isPair(item) && keyText(item) === segment.text);
      if (!next) break;
      pair = next as Pair;
      anchor = (pair.key as Node | null)?.range?.[0] ?? anchor;
      node = resolve(document, pair.value);
    } else if (isSeq(node)) {
      const index = indexOf(segment);
      const item = index === undefined ? undefined : resolve(document, (node as YAMLSeq).items[index]);
      if (!item) break;
      pair = undefined;
      anchor = item.range?.[0] ?? anchor;
      node = item;
    } else {
      break;
    }
    consumed++;
  }
  return { document, node, anchor, consumed, pair };
}

// ---------------------------------------------------------------------------------------------
// Fix edits

const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
const JSON_LITERAL = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)$/;

function scalarText(value: string, json: boolean): string {
  if (json) return JSON_LITERAL.test(value) ? value : JSON.stringify(value);
  return PLAIN_SAFE.test(value) ? value : JSON.stringify(value);
}

function keyTextOf(key: string, json: boolean): string {
  // Plain keys that YAML would read as another type (`true`, `1`) are quoted.
  return json || !PLAIN_SAFE.test(key) || JSON_LITERAL.test(key) ? JSON.stringify(key) : key;
}

/** The remaining path as one flow value: `{a: {b: [true]}}`. */
function flowValue(segments: readonly PathSegment[], value: string, json: boolean): string {
  const [first, ...rest] = segments;
  if (!first) return scalarText(value, json);
  const inner = flowValue(rest, value, json);
  return indexOf(first) !== undefined ? `[${inner}]` : `{${keyTextOf(first.text, json)}: ${inner}}`;
}

function edit(file: ParsedChunk, start: number, end: number, text: string): TextEdit {
  const from = position(file, start);
  const to = position(file, end);
  return { startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column, text };
}

/** Offset after the last non-blank character before `offset` (skips trailing newlines). */
function trimEnd(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && /\s/.test(text[end - 1] as string)) end--;
  return end;
}

function editFor(
  file: ParsedChunk,
  walk: Walk,
  missing: readonly PathSegment[],
  value: string,
): TextEdit | undefined {
  const { node, pair } = walk;
  const json = file.json;
  // A key with nothing after it (`securityContext:`): write the value after the colon.
  if (!node) {
    const keyEnd = (pair?.key as Node | null | undefined)?.range?.[1];
    if (keyEnd === undefined) return undefined;
    const colon = file.text.indexOf(':', keyEnd);
    if (colon < 0) return undefined;
    return edit(file, colon + 1, colon + 1, ` ${flowValue(missing, value, json)}`);
  }
  const range = node.range;
  if (!range) return undefined;
  if (isScalar(node)) {
    // The field exists (replace its value) or is `null`/`~`/empty (replace it with the rest).
    if (missing.length > 0 && node.value !== null) return undefined;
    if (range[0] === range[1]) return edit(file, range[0], range[0], ` ${flowValue(missing, value, json)}`);
    return edit(file, range[0], range[1], flowValue(missing, value, json));
  }
  const [first, ...rest] = missing;
  if (!first) return undefined;
  if (isMap(node)) {
    if (indexOf(first) !== undefined && !first.bracketed) return undefined;
    const entry = `${keyTextOf(first.text, json)}: ${flowValue(rest, value, json)}`;
    if (node.flow) return insertIntoFlow(file, range, node.items.length > 0, entry);
    const firstKey = (node.items[0]?.key as Node | null | undefined)?.range?.[0];
    if (firstKey === undefined) return undefined;
    const indent = ' '.repeat(position(file, firstKey).column - 1);
    const at = trimEnd(file.text, range[1]);
    return edit(file, at, at, `\n${indent}${entry}`);
  }
  if (isSeq(node)) {
    if (indexOf(first) === undefined) return undefined;
    const item = flowValue(rest, value, json);
    if (node.flow) return insertIntoFlow(file, range, node.items.length > 0, item);
    const indent = ' '.repeat(position(file, range[0]).column - 1);
    const at = trimEnd(file.text, range[1]);
    return edit(file, at, at, `\n${indent}- ${item}`);
  }
  return undefined;
}

/** Inserts before the closing bracket of a flow collection (`{a: 1}` → `{a: 1, b: 2}`). */
function insertIntoFlow(
  file: ParsedChunk,
  range: readonly number[],
  nonEmpty: boolean,
  entry: string,
): TextEdit {
  const close = trimEnd(file.text, range[1] as number) - 1;
  const before = trimEnd(file.text, close);
  const at = nonEmpty ? before : close;
  return edit(file, at, at, nonEmpty ? `, ${entry}` : entry);
}
