/**
 * Hash indexes for label joins, so rules relating selectors to labels stay linear instead of
 * comparing every selector with every object of a namespace. Both indexes return candidates (a
 * superset of the matches); callers verify each candidate with the rule's exact predicate.
 */
import type { K8sObject } from '../../model.ts';
import { asArray, asRecord, asString, canonicalKey, namespaceOrDefault, type LooseRecord } from './values.ts';
import { WORKLOAD_KINDS_WITH_RC } from './workloads.ts';

function pairKey(key: string, value: unknown): string {
  return `${key}\u0000${typeof value === 'string' ? value : canonicalKey(value)}`;
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

const NONE: readonly never[] = Object.freeze([]);

/** Objects indexed by their labels; answers "which objects may a selector select". */
export class LabelIndex<T> {
  private readonly all: T[] = [];
  private readonly byPair = new Map<string, T[]>();
  private readonly byKey = new Map<string, T[]>();
  private readonly byExact = new Map<string, T[]>();

  /** Adds an item under the pairs of every given label map (non-maps are ignored). */
  add(item: T, ...labelMaps: unknown[]): void {
    this.all.push(item);
    const pairs = new Set<string>();
    const keys = new Set<string>();
    for (const labels of labelMaps) {
      const record = asRecord(labels);
      if (!record) continue;
      for (const [key, value] of Object.entries(record)) {
        pairs.add(pairKey(key, value));
        keys.add(key);
      }
    }
    for (const pair of pairs) push(this.byPair, pair, item);
    for (const key of keys) push(this.byKey, key, item);
  }

  /** Also finds the item by a whole value (e.g. its `spec.selector.matchLabels`) in `exactly()`. */
  addExact(item: T, value: unknown): void {
    if (value !== undefined) push(this.byExact, canonicalKey(value), item);
  }

  everything(): readonly T[] {
    return this.all;
  }

  /** Items that may contain every pair of `selector`; everything for an empty or non-map selector. */
  candidatesForPairs(selector: unknown): readonly T[] {
    const record = asRecord(selector);
    const first = record ? Object.entries(record)[0] : undefined;
    if (!first) return this.all;
    return this.byPair.get(pairKey(first[0], first[1])) ?? NONE;
  }

  /** Items added with `addExact` under a value deeply equal to `value`. */
  exactly(value: unknown): readonly T[] {
    return this.byExact.get(canonicalKey(value)) ?? NONE;
  }

  /**
   * Items a full LabelSelector (matchLabels + matchExpressions) may select: narrowed by its first
   * matchLabels pair, else its first `In` or `Exists` expression; everything otherwise.
   */
  candidatesForSelector(selector: unknown): readonly T[] {
    const matchLabels = asRecord(asRecord(selector)?.matchLabels);
    if (matchLabels && Object.keys(matchLabels).length > 0) return this.candidatesForPairs(matchLabels);
    for (const item of asArray(asRecord(selector)?.matchExpressions)) {
      const expression = asRecord(item);
      const key = asString(expression?.key);
      if (!expression || key === undefined) continue;
      if (expression.operator === 'Exists') return this.byKey.get(key) ?? NONE;
      if (expression.operator === 'In') {
        const union = new Set<T>();
        for (const value of asArray(expression.values)) {
          for (const candidate of this.byPair.get(pairKey(key, value)) ?? NONE) union.add(candidate);
        }
        return [...union];
      }
    }
    return this.all;
  }
}

/** Items indexed by a map selector; answers "which selectors may select these labels". */
export class SelectorIndex<T> {
  private readonly selectAll: T[] = [];
  private readonly byFirstPair = new Map<string, T[]>();

  /** Indexes `item` under its non-empty map selector, or as selecting everything when it is empty. */
  add(item: T, selector: unknown): void {
    const record = asRecord(selector);
    const first = record ? Object.entries(record)[0] : undefined;
    if (!first) this.selectAll.push(item);
    else push(this.byFirstPair, pairKey(first[0], first[1]), item);
  }

  /** Items whose selector may be contained in `labels`. */
  candidates(labels: unknown): T[] {
    const result = [...this.selectAll];
    const record = asRecord(labels);
    if (!record) return result;
    for (const [key, value] of Object.entries(record)) {
      const list = this.byFirstPair.get(pairKey(key, value));
      if (list) result.push(...list);
    }
    return result;
  }
}

/**
 * The pod labels of every workload (ReplicationControllers included), indexed per namespace, for
 * rules asking "does any workload of this namespace match this selector".
 */
export function podLabelsByNamespace(
  objects: readonly K8sObject[],
  labelsOf: (workload: K8sObject) => LooseRecord | undefined,
): Map<string, LabelIndex<LooseRecord>> {
  const byNamespace = new Map<string, LabelIndex<LooseRecord>>();
  for (const wl of objects) {
    if (!WORKLOAD_KINDS_WITH_RC.has(wl.kind)) continue;
    const labels = labelsOf(wl);
    if (!labels) continue;
    const namespace = namespaceOrDefault(wl);
    let index = byNamespace.get(namespace);
    if (!index) byNamespace.set(namespace, (index = new LabelIndex<LooseRecord>()));
    index.add(labels, labels);
  }
  return byNamespace;
}
