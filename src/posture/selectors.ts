/** Label selection as Kubernetes and Kubescape's rules do it. */

export type Labels = Readonly<Record<string, string>> | undefined;

export interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Every pair of `selector` is present in `labels` with an equal value (an empty selector selects all). */
export function labelsContain(labels: Labels, selector: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector)) {
    if (labels?.[key] !== value) return false;
  }
  return true;
}

/** Full `LabelSelector` semantics (matchLabels + In/NotIn/Exists/DoesNotExist). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  if (!labelsContain(labels, selector.matchLabels)) return false;
  for (const requirement of selector.matchExpressions ?? []) {
    const key = requirement.key ?? '';
    const present = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key);
    const value = present ? labels?.[key] : undefined;
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (!present || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A selector with neither matchLabels nor matchExpressions entries. */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
  );
}
