/**
 * Defensive readers for loosely typed object fields. Cluster objects come from files and API
 * servers as-is, so every field may be missing or of an unexpected type; these helpers turn such
 * values into "absent" instead of throwing.
 */
import type { K8sObject, KindMatch } from '../../model.ts';

export type LooseRecord = Record<string, unknown>;

export function asRecord(value: unknown): LooseRecord | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as LooseRecord)
    : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `obj.spec` as a record (absent when missing or not an object). */
export function specOf(obj: K8sObject): LooseRecord | undefined {
  return asRecord(obj.spec);
}

/** The object's labels when they are a map (Rego iterates them only then). */
export function labelsOf(obj: K8sObject): LooseRecord {
  return asRecord(obj.metadata?.labels) ?? {};
}

/** `metadata.namespace` exactly as written (no defaulting), for rules that compare it verbatim. */
export function explicitNamespaceOf(obj: K8sObject): unknown {
  return asRecord(obj.metadata)?.namespace;
}

/**
 * Rego's truthiness in `not x`: only an undefined value or `false` makes `not x` succeed; every
 * other value, including `null`, `""`, `0` and `[]`, counts as present.
 */
export function isRegoFalsy(value: unknown): boolean {
  return value === undefined || value === false;
}

/** Rego's `count()` for the values it accepts (arrays, strings, objects); undefined otherwise. */
export function regoCount(value: unknown): number | undefined {
  if (Array.isArray(value) || typeof value === 'string') return value.length;
  const record = asRecord(value);
  return record ? Object.keys(record).length : undefined;
}

/** A `match` entry of one API group. */
export function kinds(group: string, ...names: string[]): KindMatch {
  return { group, kinds: names };
}
