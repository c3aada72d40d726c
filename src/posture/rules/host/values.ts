/**
 * Total helpers over untyped JSON (host-sensor and cloud objects are free-form): lookups that never
 * throw, Rego-style truthiness, OPA's `json.filter`, and strict decoding of embedded config files.
 */
import { load } from 'js-yaml';

export type JsonObject = Record<string, unknown>;
export type PathSegment = string | number;

export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function asArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value at `path` (object keys or array indices), undefined as soon as a step is missing. */
export function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') {
      const list = asArray(current);
      if (!list || segment < 0 || segment >= list.length) return undefined;
      current = list[segment];
    } else {
      const object = asObject(current);
      if (!object || !Object.hasOwn(object, segment)) return undefined;
      current = object[segment];
    }
  }
  return current;
}

/** Rego truthiness of a reference used as a condition: defined and not `false`. */
export function isTruthy(value: unknown): boolean {
  return value !== undefined && value !== false;
}

/** `count(x) > 0` for arrays, objects and strings; anything else has no size. */
export function isNonEmpty(value: unknown): boolean {
  if (Array.isArray(value) || typeof value === 'string') return value.length > 0;
  const object = asObject(value);
  return object !== undefined && Object.keys(object).length > 0;
}

/** Elements of an array, or values of an object (what Rego's `x[_]` iterates). */
export function membersOf(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  const object = asObject(value);
  return object ? Object.values(object) : [];
}

interface FilterNode {
  whole: boolean;
  children: Map<string, FilterNode>;
}

/**
 * OPA's `json.filter(obj, paths)`: a copy holding only the given paths (`a/b/0`). Selected array
 * elements keep their order and are packed together (`PKIFiles/3` yields a one-element array).
 */
export function filterObject(source: JsonObject, paths: readonly (readonly PathSegment[])[]): JsonObject {
  const root: FilterNode = { whole: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      const key = String(segment);
      let child = node.children.get(key);
      if (!child) {
        child = { whole: false, children: new Map() };
        node.children.set(key, child);
      }
      node = child;
    }
    node.whole = true;
  }
  return (applyFilter(source, root) as JsonObject | undefined) ?? {};
}

function applyFilter(value: unknown, node: FilterNode): unknown {
  if (node.whole) return value;
  if (Array.isArray(value)) {
    const picked = [...node.children.entries()]
      .map(([key, child]) => ({ index: Number(key), child }))
      .filter(({ index }) => Number.isInteger(index) && index >= 0 && index < value.length)
      .sort((a, b) => a.index - b.index)
      .map(({ index, child }) => applyFilter(value[index], child))
      .filter((item) => item !== undefined);
    return picked.length > 0 ? picked : undefined;
  }
  const object = asObject(value);
  if (!object) return undefined;
  const result: JsonObject = {};
  for (const [key, child] of node.children) {
    if (!Object.hasOwn(object, key)) continue;
    const filtered = applyFilter(object[key], child);
    if (filtered !== undefined) result[key] = filtered;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Standard padded base64 to UTF-8 text (Go's `base64.StdEncoding`); undefined when it is not valid. */
export function decodeBase64(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const compact = value.replace(/[\r\n]/g, '');
  if (!BASE64.test(compact)) return undefined;
  try {
    return utf8.decode(Buffer.from(compact, 'base64'));
  } catch {
    return undefined;
  }
}

/** Parses YAML (a JSON superset); an empty document is `null`; undefined when it does not parse. */
export function parseYaml(text: string): unknown {
  try {
    const parsed: unknown = load(text);
    return parsed === undefined ? null : parsed;
  } catch {
    return undefined;
  }
}

/** The parsed content of a host-sensor file entry (`{content: base64}`). */
export function decodedContentOf(file: unknown): { text: string; parsed: unknown } | undefined {
  const text = decodeBase64(valueAt(file, ['content']));
  if (text === undefined) return undefined;
  const parsed = parseYaml(text);
  return parsed === undefined ? undefined : { text, parsed };
}
