/**
 * Text to values: YAML streams (one document at a time so a syntax error loses only its document;
 * each read by the fast reader when it can, else by js-yaml) and JSON (`JSON.parse`). Every value carries the 1-based line where it starts, and for
 * arrays and `List` objects the line of each item, so findings can point into the file.
 */
import {
  CORE_SCHEMA,
  EVENT_ID,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  mergeTag,
  parseEvents,
  type Event,
} from 'js-yaml';

import { fastParseDocument } from './fast-yaml.ts';
import { MAX_DEPTH, MAX_EXPANDED_NODES } from './limits.ts';

export { MAX_DEPTH, MAX_EXPANDED_NODES };

/** YAML 1.2 core schema plus `<<` merge keys (common in hand-written manifests; yaml.v3 accepts them). */
const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

export interface ParsedValue {
  value: unknown;
  /** 1-based line of the value's first token. */
  line: number;
  /** For a top-level array, or an object with an `items` array: the line of each element. */
  itemLines?: number[];
}

export interface ParseProblem {
  line?: number;
  column?: number;
  message: string;
}

export interface ParseOutcome {
  values: ParsedValue[];
  problems: ParseProblem[];
}

// ---------------------------------------------------------------------------------------------
// YAML

/** A slice of a YAML stream holding one document (or several, when only comments separate them). */
export interface Chunk {
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

const HYPHEN = 45;
const DOT = 46;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const HASH = 35;
const PERCENT = 37;

/** `---` / `...` at column 0 followed by whitespace or the end of the line: a document marker. */
function isMarker(text: string, at: number, end: number, code: number): boolean {
  if (end - at < 3) return false;
  if (text.charCodeAt(at) !== code || text.charCodeAt(at + 1) !== code || text.charCodeAt(at + 2) !== code)
    return false;
  if (end - at === 3) return true;
  const next = text.charCodeAt(at + 3);
  return next === SPACE || next === TAB || next === CR;
}

/** First offset in [from, end) that is not a space or tab. */
function skipBlanks(text: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== CR) break;
    i++;
  }
  return i;
}

/**
 * Splits a stream at `---` and `...` markers. A marker can't occur inside any YAML node at
 * column 0, so this never cuts a document; it only lets each document fail on its own. Chunks
 * with nothing but comments or directives are kept together with the next document.
 */
export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk = { start: 0, end: 0, line: 1 };
  let hasContent = false;
  let lineStart = 0;
  let line = 1;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    if (isMarker(text, lineStart, lineEnd, HYPHEN)) {
      if (hasContent) {
        chunks.push({ start: current.start, end: lineStart, line: current.line });
        current = { start: lineStart, end: 0, line };
      }
      // Content on the marker line itself (`--- {kind: Pod}`, `--- |`) belongs to the document.
      const rest = skipBlanks(text, lineStart + 3, lineEnd);
      hasContent = rest < lineEnd && text.charCodeAt(rest) !== HASH;
    } else if (isMarker(text, lineStart, lineEnd, DOT)) {
      chunks.push({ start: current.start, end: newline < 0 ? text.length : newline + 1, line: current.line });
      current = { start: newline < 0 ? text.length : newline + 1, end: 0, line: line + 1 };
      hasContent = false;
    } else if (!hasContent) {
      const first = skipBlanks(text, lineStart, lineEnd);
      if (first < lineEnd) {
        const c = text.charCodeAt(first);
        hasContent = c !== HASH && !(c === PERCENT && first === lineStart);
      }
    }
    if (newline < 0) break;
    lineStart = newline + 1;
    line++;
  }
  chunks.push({ start: current.start, end: text.length, line: current.line });
  return chunks.filter((chunk) => hasDocumentContent(text, chunk));
}

function hasDocumentContent(text: string, chunk: Chunk): boolean {
  let lineStart = chunk.start;
  while (lineStart < chunk.end) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 || newline > chunk.end ? chunk.end : newline;
    const first = skipBlanks(text, lineStart, lineEnd);
    if (first < lineEnd) {
      const c = text.charCodeAt(first);
      const marker = isMarker(text, lineStart, lineEnd, HYPHEN) || isMarker(text, lineStart, lineEnd, DOT);
      if (marker) {
        const rest = skipBlanks(text, lineStart + 3, lineEnd);
        if (rest < lineEnd && text.charCodeAt(rest) !== HASH) return true;
      } else if (c !== HASH && !(c === PERCENT && first === lineStart)) return true;
    }
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  return false;
}

/** Where each document of an event stream starts, and where its list items start. */
interface DocumentShape {
  rootStart: number;
  itemStarts: number[] | undefined;
  hasAlias: boolean;
}

interface Frame {
  children: number;
  /** Children are the items whose lines we want (root sequence, or `items` of the root mapping). */
  collect: boolean;
  rootMapping: boolean;
  nextValueIsItems: boolean;
}

function eventStart(event: Event): number {
  switch (event.type) {
    case EVENT_ID.SCALAR:
      return event.anchorStart >= 0 ? Math.min(event.anchorStart, event.valueStart) : event.valueStart;
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return event.start;
    case EVENT_ID.ALIAS:
      return event.anchorStart;
    default:
      return -1;
  }
}

function shapesOf(events: Event[], source: string): DocumentShape[] {
  const shapes: DocumentShape[] = [];
  let shape: DocumentShape | undefined;
  const stack: Frame[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      shape = { rootStart: -1, itemStarts: undefined, hasAlias: false };
      shapes.push(shape);
      stack.length = 0;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    if (!shape) continue;
    if (event.type === EVENT_ID.ALIAS) shape.hasAlias = true;
    const parent = stack[stack.length - 1];
    let collectChildren = false;
    if (!parent) {
      shape.rootStart = eventStart(event);
      collectChildren = event.type === EVENT_ID.SEQUENCE;
      if (collectChildren) shape.itemStarts = [];
    } else {
      const position = parent.children++;
      if (parent.collect) shape.itemStarts?.push(eventStart(event));
      else if (parent.rootMapping && position % 2 === 0)
        parent.nextValueIsItems = event.type === EVENT_ID.SCALAR && getScalarValue(source, event) === 'items';
      else if (parent.rootMapping && parent.nextValueIsItems && event.type === EVENT_ID.SEQUENCE) {
        collectChildren = true;
        shape.itemStarts = [];
      }
    }
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE)
      stack.push({
        children: 0,
        collect: collectChildren,
        rootMapping: !parent && event.type === EVENT_ID.MAPPING,
        nextValueIsItems: false,
      });
  }
  return shapes;
}

/** 1-based lines of ascending offsets in `text`, counting from `baseLine` at `baseOffset`. */
function linesAt(text: string, baseOffset: number, baseLine: number, offsets: readonly number[]): number[] {
  const lines: number[] = [];
  let line = baseLine;
  let position = baseOffset;
  for (const offset of offsets) {
    if (offset < position) {
      // Not ascending (should not happen); recount from the start.
      line = baseLine;
      position = baseOffset;
    }
    let newline = text.indexOf('\n', position);
    while (newline >= 0 && newline < offset) {
      line++;
      newline = text.indexOf('\n', newline + 1);
    }
    position = offset;
    lines.push(line);
  }
  return lines;
}

function describeError(error: unknown): string {
  if (error instanceof YAMLException) return error.reason;
  if (error instanceof RangeError) return 'document too deeply nested to read';
  return error instanceof Error ? error.message : String(error);
}

/** `fast: false` reads every document with js-yaml (tests compare both readers). */
export function parseYaml(text: string, options: { fast?: boolean } = {}): ParseOutcome {
  const outcome: ParseOutcome = { values: [], problems: [] };
  for (const chunk of splitDocuments(text)) {
    const source = text.slice(chunk.start, chunk.end);
    const fast = options.fast === false ? undefined : fastParseDocument(source);
    if (fast) {
      outcome.values.push({
        value: fast.value,
        line: chunk.line + fast.rootLine,
        ...(fast.itemLines ? { itemLines: fast.itemLines.map((line) => chunk.line + line) } : {}),
      });
      continue;
    }
    let events: Event[];
    let documents: unknown[];
    try {
      events = parseEvents(source, { maxDepth: MAX_DEPTH });
      documents = constructFromEvents(events, { source, schema: SCHEMA });
    } catch (error) {
      const mark = error instanceof YAMLException ? error.mark : undefined;
      outcome.problems.push({
        line: chunk.line + (mark?.line ?? 0),
        ...(mark ? { column: mark.column + 1 } : {}),
        message: describeError(error),
      });
      continue;
    }
    const shapes = shapesOf(events, source);
    documents.forEach((value, index) => {
      const shape = shapes[index];
      const rootStart = shape && shape.rootStart >= 0 ? shape.rootStart : 0;
      const offsets = [rootStart, ...(shape?.itemStarts ?? [])];
      const [line, ...itemLines] = linesAt(source, 0, chunk.line, offsets);
      if (shape?.hasAlias) {
        const refusal = checkExpansion(value);
        if (refusal) {
          outcome.problems.push({ line: line as number, message: refusal });
          return;
        }
      }
      outcome.values.push({
        value,
        line: line as number,
        ...(shape?.itemStarts ? { itemLines } : {}),
      });
    });
  }
  return outcome;
}

/**
 * Aliases share nodes, so a small document can expand to billions of nodes (or a cycle) when
 * walked; rules and the report writer walk objects, so such documents are refused.
 */
export function checkExpansion(value: unknown, countNodes = true): string | undefined {
  let nodes = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_DEPTH) return `document nested deeper than ${MAX_DEPTH} levels`;
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    nodes += children.length;
    if (countNodes && nodes > MAX_EXPANDED_NODES) return 'document expands to too many nodes (aliases)';
    for (const child of children) stack.push({ node: child, depth: depth + 1 });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// JSON

const WHITESPACE = /\s/;

function firstTokenOffset(text: string): number {
  let i = 0;
  while (i < text.length && WHITESPACE.test(text[i] as string)) i++;
  return i;
}

function jsonErrorPosition(message: string, text: string): { line: number; column: number } | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  if (!position) return undefined;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}

/** Offset just past the JSON string starting at `at` (a `"`). */
function skipJsonString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return i;
}

/**
 * Start offsets of the elements of the top-level array, or of the top-level object's `items`
 * array; a structural scan only (the text already parsed).
 */
function jsonItemStarts(text: string): number[] {
  const starts: number[] = [];
  // depth of containers; `target` = depth of the array whose elements we record
  let depth = 0;
  let target = -1;
  let expectElement = false;
  let lastKey = '';
  let keyIsItems = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = skipJsonString(text, i);
      if (expectElement && depth === target) starts.push(i);
      expectElement = false;
      if (depth === 1 && target < 0) lastKey = text.slice(i, end);
      i = end - 1;
      continue;
    }
    if (c === SPACE || c === LF || c === CR || c === TAB) continue;
    if (c === 58 /* : */) {
      keyIsItems = depth === 1 && lastKey === '"items"';
      continue;
    }
    if (expectElement && depth === target && c !== 93) starts.push(i);
    expectElement = false;
    if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (c === 91 && target < 0 && (depth === 1 || (depth === 2 && keyIsItems))) {
        target = depth;
        expectElement = true;
      }
      keyIsItems = false;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (depth === target) return starts;
      depth--;
    } else if (c === 44 /* , */) {
      if (depth === target) expectElement = true;
      keyIsItems = false;
    }
  }
  return starts;
}

function isListLike(value: unknown): boolean {
  return (
    Array.isArray(value) ||
    (value !== null && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items))
  );
}

export function parseJson(text: string): ParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { values: [], problems: [{ ...jsonErrorPosition(message, text), message }] };
  }
  // JSON has no aliases: only the depth matters (JSON.parse itself reads any depth).
  const refusal = checkExpansion(value, false);
  const [line = 1] = linesAt(text, 0, 1, [firstTokenOffset(text)]);
  if (refusal) return { values: [], problems: [{ line, message: refusal }] };
  if (!isListLike(value)) return { values: [{ value, line }], problems: [] };
  const itemLines = linesAt(text, 0, 1, jsonItemStarts(text));
  return { values: [{ value, line, itemLines }], problems: [] };
}
