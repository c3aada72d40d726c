/**
 * Full LabelSelector evaluation (matchLabels AND matchExpressions) as the newer Kubescape rules
 * (mismatching-selector, dangling-networkpolicy) implement it, total over malformed selectors.
 */
import { asArray, asRecord, deepEqual, isTruthy, regoCount } from './values.ts';
import type { LooseRecord } from './values.ts';

function hasTruthyLabel(labels: LooseRecord, key: unknown): boolean {
  return typeof key === 'string' && isTruthy(labels[key]);
}

function expressionMatches(item: unknown, labels: LooseRecord): boolean {
  const expression = asRecord(item);
  if (!expression) return false;
  const key = expression.key;
  const value = typeof key === 'string' ? labels[key] : undefined;
  const values = asArray(expression.values);
  switch (expression.operator) {
    case 'In':
      return value !== undefined && values.some((candidate) => deepEqual(candidate, value));
    case 'NotIn':
      return !hasTruthyLabel(labels, key) || !values.some((candidate) => deepEqual(candidate, value));
    case 'Exists':
      return hasTruthyLabel(labels, key);
    case 'DoesNotExist':
      return !hasTruthyLabel(labels, key);
    default:
      // An unknown operator matches nothing, so the selector does not select.
      return false;
  }
}

/** A `matchLabels` pair whose value differs from the labels' (or is missing there). */
export function matchLabelsMismatch(matchLabels: unknown, labels: LooseRecord): boolean {
  const pairs = asRecord(matchLabels);
  if (!pairs) return false;
  return Object.entries(pairs).some(([key, value]) => isTruthy(value) && !deepEqual(labels[key], value));
}

/** An expression of `matchExpressions` that the labels do not satisfy. */
export function matchExpressionsMismatch(matchExpressions: unknown, labels: LooseRecord): boolean {
  return asArray(matchExpressions).some((expression) => !expressionMatches(expression, labels));
}

/** The selector has a non-empty matchLabels or matchExpressions (an empty one selects everything). */
export function selectorDefined(selector: unknown): boolean {
  const record = asRecord(selector);
  if (!record) return false;
  return (
    (regoCount(record.matchLabels ?? {}) ?? 0) > 0 || (regoCount(record.matchExpressions ?? []) ?? 0) > 0
  );
}

export function labelSelectorMatches(selector: unknown, labels: LooseRecord): boolean {
  const record = asRecord(selector) ?? {};
  return (
    !matchLabelsMismatch(record.matchLabels, labels) &&
    !matchExpressionsMismatch(record.matchExpressions, labels)
  );
}
