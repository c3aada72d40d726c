/**
 * Defensive readers for loosely typed object fields, with the comparison semantics Kubescape's Rego
 * rules rely on. Objects come from files and API servers as-is: every field may be missing or of an
 * unexpected type, so these helpers answer "absent" / "no match" instead of throwing.
 */
import type { K8sObject, RelatedObjectFinding, Violation } from '../../model.ts';

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

/** Walks nested records: `field(obj, 'spec', 'template')`; undefined as soon as a step is not a record. */
export function field(value: unknown, ...path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    const record = asRecord(current);
    if (!record) return undefined;
    current = record[key];
  }
  return current;
}

/** Rego truthiness: an expression holds unless its value is undefined or `false` (null, 0 and "" hold). */
export function isTruthy(value: unknown): boolean {
  return value !== undefined && value !== false;
}

/** Rego `count()`: size of an array, object or string; undefined for anything else (the rule body fails). */
export function regoCount(value: unknown): number | undefined {
  if (Array.isArray(value) || typeof value === 'string') return value.length;
  const record = asRecord(value);
  return record ? Object.keys(record).length : undefined;
}

/** Rego `==` on JSON values: deep structural equality. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  const left = asRecord(a);
  const right = asRecord(b);
  if (!left || !right) return false;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every(
    (key) => Object.prototype.hasOwnProperty.call(right, key) && deepEqual(left[key], right[key]),
  );
}

/** A string that is equal for deeply equal JSON values (object keys sorted), for hash joins on `==`. */
export function canonicalKey(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  const record = asRecord(value);
  if (record) {
    const entries = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalKey(record[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The Rego idiom `count({k | selector[k] == labels[k]}) == count(selector)`: every pair of a map
 * selector is present in `labels` with an equal value. An empty selector (of any countable type)
 * selects everything; a missing or uncountable one selects nothing.
 */
export function selectorSubsetOf(selector: unknown, labels: unknown): boolean {
  const size = regoCount(selector);
  if (size === undefined) return false;
  if (size === 0) return true;
  const pairs = asRecord(selector);
  if (!pairs) return false;
  const target = asRecord(labels);
  if (!target) return false;
  for (const [key, value] of Object.entries(pairs)) {
    if (!Object.prototype.hasOwnProperty.call(target, key) || !deepEqual(target[key], value)) return false;
  }
  return true;
}

/** `metadata.namespace` exactly as written, for rules that compare it verbatim (`a.ns == b.ns`). */
export function explicitNamespaceOf(obj: K8sObject): unknown {
  return asRecord(obj.metadata)?.namespace;
}

/** Verbatim namespace equality: both namespaces written and equal (Rego `a.metadata.namespace == b.metadata.namespace`). */
export function sameExplicitNamespace(a: K8sObject, b: K8sObject): boolean {
  const left = explicitNamespaceOf(a);
  return left !== undefined && deepEqual(left, explicitNamespaceOf(b));
}

/** Namespace with Kubescape's defaulting (`object.get(metadata, "namespace", "default")`). */
export function namespaceOrDefault(obj: K8sObject): string {
  const namespace = explicitNamespaceOf(obj);
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

export function nameOf(obj: K8sObject): string {
  const name = asRecord(obj.metadata)?.name;
  return typeof name === 'string' ? name : '';
}

/** Report value of a fix: strings as they are, other JSON values serialized. */
export function fixValue(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** apiVersion, kind, name and namespace of an object: enough to name it, nothing sensitive. */
function identityOf(obj: K8sObject): K8sObject {
  const metadata: Record<string, string> = { name: nameOf(obj) };
  const namespace = explicitNamespaceOf(obj);
  if (typeof namespace === 'string' && namespace !== '') metadata.namespace = namespace;
  return { apiVersion: obj.apiVersion ?? '', kind: obj.kind, metadata };
}

/**
 * Attaches Kubescape's `relatedObjects` (the Service, Ingress, Secret... that make the workload
 * fail) to a violation, reduced to their identity so that no Secret or ConfigMap content reaches a
 * report.
 */
export function withRelatedObjects(violation: Violation, related: RelatedObjectFinding[]): Violation {
  return {
    ...violation,
    relatedObjects: related.map((entry) => ({ ...entry, object: identityOf(entry.object) })),
  };
}

/** Kinds of a rule's match, grouped like Kubescape's rule metadata (groups are informative). */
export const CORE = '';
export const APPS = 'apps';
export const BATCH = 'batch';
export const NETWORKING = 'networking.k8s.io';
export const CILIUM = 'cilium.io';
