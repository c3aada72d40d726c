/**
 * Kubernetes objects from files, directories and stdin for `kubeguard scan <paths...>`. Bad input
 * never stops a scan: every file, document or item that can't be used becomes an InputProblem
 * (file, line, column) and the rest loads.
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { K8sObject } from '../model.ts';
import type { InputProblem, ResourceSource } from '../report/model.ts';
import { parseJson, parseYaml, type ParseOutcome, type ParsedValue } from './parse.ts';

/** Files above this size are refused (a scan reads everything into memory). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Bytes inspected for NUL characters to tell binary files apart. */
const BINARY_SNIFF_BYTES = 8000;
/** Files read ahead while earlier ones are parsed. */
const READ_AHEAD = 8;

export interface LoadedObject {
  object: K8sObject;
  source: ResourceSource;
}

export interface LoadResult {
  objects: LoadedObject[];
  problems: InputProblem[];
}

export interface LoadOptions {
  /** Base for relative arguments and for `relativePath` (default: the process's working directory). */
  cwd?: string;
  /** What `-` reads (default: the process's standard input). */
  stdin?: Readable;
}

type FileType = ResourceSource['fileType'];

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    if (code === 'ELOOP') return 'too many levels of symbolic links';
  }
  return error instanceof Error ? error.message : String(error);
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/** Relative to the working directory when inside it, else to the scanned argument's root. */
function relativeName(file: string, cwd: string, root: string): string {
  const fromCwd = path.relative(cwd, file);
  if (fromCwd !== '' && !fromCwd.startsWith('..') && !path.isAbsolute(fromCwd)) return toPosix(fromCwd);
  const fromRoot = path.relative(root, file);
  return toPosix(fromRoot === '' ? path.basename(file) : fromRoot);
}

// ---------------------------------------------------------------------------------------------
// Text to objects

function fileTypeOf(name: string, text: string): FileType {
  if (/\.json$/i.test(name)) return 'JSON';
  if (/\.ya?ml$/i.test(name)) return 'YAML';
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? 'JSON' : 'YAML';
}

function parseByType(text: string, name: string): { outcome: ParseOutcome; fileType: FileType } {
  const fileType = fileTypeOf(name, text);
  if (fileType === 'YAML') return { outcome: parseYaml(text), fileType };
  const outcome = parseJson(text);
  // Sniffed (not declared) JSON that isn't: it may be YAML flow style (`{kind: Pod}`).
  if (outcome.problems.length > 0 && !/\.json$/i.test(name))
    return { outcome: parseYaml(text), fileType: 'YAML' };
  return { outcome, fileType };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isKubernetesObject(value: Record<string, unknown>): value is K8sObject {
  return (
    typeof value.kind === 'string' &&
    value.kind !== '' &&
    typeof value.apiVersion === 'string' &&
    value.apiVersion !== ''
  );
}

/** `kubectl get -o yaml` output and other `*List` kinds: their items are the objects. */
function isList(value: Record<string, unknown>): boolean {
  return (
    typeof value.kind === 'string' &&
    value.kind.endsWith('List') &&
    (Array.isArray(value.items) || (value.kind === 'List' && value.items == null))
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'no kind/apiVersion';
  return `a ${typeof value}`;
}

interface Sink {
  source: Omit<ResourceSource, 'line'>;
  file: string;
  result: LoadResult;
}

function addValue(sink: Sink, value: unknown, line: number, itemLines: readonly number[] | undefined): void {
  // Empty documents (`---` alone, comments only, `null`) are ignored silently.
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (Array.isArray(item)) notAnObject(sink, item, itemLines?.[index] ?? line);
      else addValue(sink, item, itemLines?.[index] ?? line, undefined);
    });
    return;
  }
  if (!isPlainObject(value)) {
    notAnObject(sink, value, line);
    return;
  }
  if (isList(value)) {
    const items = Array.isArray(value.items) ? value.items : [];
    items.forEach((item, index) => {
      const itemLine = itemLines?.[index] ?? line;
      if (isPlainObject(item)) addValue(sink, item, itemLine, undefined);
      else notAnObject(sink, item, itemLine);
    });
    return;
  }
  if (!isKubernetesObject(value)) {
    notAnObject(sink, value, line);
    return;
  }
  sink.result.objects.push({ object: value, source: { ...sink.source, line } });
}

function notAnObject(sink: Sink, value: unknown, line: number): void {
  if (value === null || value === undefined) return;
  sink.result.problems.push({
    file: sink.file,
    line,
    message: `not a Kubernetes object (${describe(value)}); skipped`,
  });
}

function addText(result: LoadResult, text: string, source: Omit<ResourceSource, 'line' | 'fileType'>): void {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let parsed: { outcome: ParseOutcome; fileType: FileType };
  try {
    parsed = parseByType(withoutBom, source.relativePath);
  } catch (error) {
    // Parsers are guarded per document; this is the last line of defence (e.g. out of stack).
    result.problems.push({ file: source.relativePath, message: `could not read: ${messageOf(error)}` });
    return;
  }
  for (const problem of parsed.outcome.problems)
    result.problems.push({ file: source.relativePath, ...problem });
  const sink: Sink = {
    source: {
      path: source.path,
      relativePath: source.relativePath,
      fileType: parsed.fileType,
      helmChartName: source.helmChartName,
    },
    file: source.relativePath,
    result,
  };
  for (const { value, line, itemLines } of parsed.outcome.values as ParsedValue[])
    addValue(sink, value, line, itemLines);
}

/**
 * Objects from text that has no file behind it (stdin, tests). `name` names it in problems and
 * `relativePath`; `source.path` stays empty, so the objects count as not file-backed.
 */
export function loadText(text: string, name: string): LoadResult {
  const result: LoadResult = { objects: [], problems: [] };
  addText(result, text, { path: '', relativePath: name, helmChartName: '' });
  return result;
}

// ---------------------------------------------------------------------------------------------
// Files

function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

const tooLarge = (bytes: number): string =>
  `too large (${(bytes / 1024 / 1024).toFixed(1)} MiB, limit ${MAX_FILE_BYTES / 1024 / 1024} MiB); skipped`;

type ReadOutcome = { text: string } | { problem: string };

function decode(bytes: Buffer): ReadOutcome {
  if (looksBinary(bytes)) return { problem: 'binary file; skipped' };
  return { text: bytes.toString('utf8') };
}

/** Reads a stream (stdin, a pipe) up to the size cap. */
async function readStream(stream: Readable): Promise<ReadOutcome> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of stream) {
    const buffer = Buffer.isBuffer(part) ? part : Buffer.from(String(part));
    size += buffer.length;
    if (size > MAX_FILE_BYTES) {
      stream.destroy();
      return { problem: tooLarge(size) };
    }
    parts.push(buffer);
  }
  return decode(Buffer.concat(parts));
}

async function readFileCapped(file: string): Promise<ReadOutcome> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    return { problem: `could not read: ${messageOf(error)}` };
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return { problem: 'could not read: is a directory' };
    if (!info.isFile()) return await readStream(handle.createReadStream({ autoClose: false }));
    if (info.size > MAX_FILE_BYTES) return { problem: tooLarge(info.size) };
    return decode(await handle.readFile());
  } catch (error) {
    return { problem: `could not read: ${messageOf(error)}` };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

interface FileToRead {
  absolutePath: string;
  relativePath: string;
}

/** Manifest files under a directory, sorted, skipping hidden entries and node_modules. */
async function walkDirectory(
  directory: string,
  visit: { cwd: string; root: string; seen: Set<string>; files: FileToRead[]; problems: InputProblem[] },
): Promise<void> {
  let real: string;
  try {
    real = await realpath(directory);
  } catch (error) {
    visit.problems.push({ file: relativeName(directory, visit.cwd, visit.root), message: messageOf(error) });
    return;
  }
  // Symbolic links may point back up the tree: each real directory is walked once.
  if (visit.seen.has(real)) return;
  visit.seen.add(real);
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    visit.problems.push({
      file: relativeName(directory, visit.cwd, visit.root),
      message: `could not read directory: ${messageOf(error)}`,
    });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden entries are tool configuration (.git, .github, .gitlab-ci.yml), never manifests.
    if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const full = path.join(directory, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      let target: Stats;
      try {
        target = await stat(full);
      } catch (error) {
        if (MANIFEST_EXTENSION.test(entry.name))
          visit.problems.push({
            file: relativeName(full, visit.cwd, visit.root),
            message: `broken symbolic link: ${messageOf(error)}`,
          });
        continue;
      }
      isDirectory = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDirectory) await walkDirectory(full, visit);
    else if (isFile && MANIFEST_EXTENSION.test(entry.name))
      visit.files.push({ absolutePath: full, relativePath: relativeName(full, visit.cwd, visit.root) });
  }
}

/**
 * Loads every Kubernetes object from `paths`: files (any extension), directories (recursively:
 * `.yaml`, `.yml`, `.json`) and `-` for standard input. Objects keep input order: arguments in
 * order, directory entries sorted by name, documents and items in file order.
 */
export async function loadPaths(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const result: LoadResult = { objects: [], problems: [] };
  const seen = new Set<string>();
  const listedFiles = new Set<string>();
  for (const argument of paths) {
    if (argument === '-') {
      const outcome = await readStream(options.stdin ?? process.stdin);
      if ('problem' in outcome) result.problems.push({ file: 'stdin', message: outcome.problem });
      else addText(result, outcome.text, { path: '', relativePath: 'stdin', helmChartName: '' });
      continue;
    }
    const absolute = path.resolve(cwd, argument);
    let info: Stats;
    try {
      info = await stat(absolute);
    } catch (error) {
      result.problems.push({ file: argument, message: messageOf(error) });
      continue;
    }
    const files: FileToRead[] = [];
    if (info.isDirectory()) {
      await walkDirectory(absolute, { cwd, root: absolute, seen, files, problems: result.problems });
    } else {
      files.push({
        absolutePath: absolute,
        relativePath: relativeName(absolute, cwd, path.dirname(absolute)),
      });
    }
    const fresh = files.filter((file) => !listedFiles.has(file.absolutePath));
    for (const file of fresh) listedFiles.add(file.absolutePath);
    await readInOrder(fresh, (file, outcome) => {
      if ('problem' in outcome) result.problems.push({ file: file.relativePath, message: outcome.problem });
      else
        addText(result, outcome.text, {
          path: file.absolutePath,
          relativePath: file.relativePath,
          helmChartName: '',
        });
    });
  }
  return result;
}

/** Reads files a few at a time ahead of parsing, handing them over in order. */
async function readInOrder(
  files: readonly FileToRead[],
  handle: (file: FileToRead, outcome: ReadOutcome) => void,
): Promise<void> {
  const pending: Promise<ReadOutcome>[] = [];
  for (let next = 0; next < Math.min(READ_AHEAD, files.length); next++)
    pending.push(readFileCapped((files[next] as FileToRead).absolutePath));
  for (let index = 0; index < files.length; index++) {
    const outcome = await (pending.shift() as Promise<ReadOutcome>);
    const ahead = index + READ_AHEAD;
    if (ahead < files.length) pending.push(readFileCapped((files[ahead] as FileToRead).absolutePath));
    handle(files[index] as FileToRead, outcome);
  }
}
