/**
 * The Service → workload join of Kubescape's exposure rules, indexed so each Service finds the
 * workloads it may select without scanning its namespace.
 */
import type { K8sObject } from '../../model.ts';
import { LabelIndex } from './label-index.ts';
import { asRecord, deepEqual, field, regoCount, selectorSubsetOf } from './values.ts';

/** Service types reachable from outside the cluster. */
export function isExposedService(service: K8sObject): boolean {
  const type = field(service, 'spec', 'type');
  return type === 'NodePort' || type === 'LoadBalancer';
}

/**
 * Kubescape's `wl_connected_to_service(x, svc)`: the selector is contained in `x.metadata.labels`,
 * equals `x.spec.selector.matchLabels`, or is contained in `x.spec.template.metadata.labels`.
 * `x` is a workload or a pod template depending on the rule. A missing selector selects nothing,
 * an empty one everything.
 */
export function connectedToService(target: unknown, selector: unknown): boolean {
  if (selectorSubsetOf(selector, field(target, 'metadata', 'labels'))) return true;
  const matchLabels = field(target, 'spec', 'selector', 'matchLabels');
  if (matchLabels !== undefined && deepEqual(matchLabels, selector)) return true;
  return selectorSubsetOf(selector, field(target, 'spec', 'template', 'metadata', 'labels'));
}

export interface SelectableWorkload {
  workload: K8sObject;
  /** What the rule matches the selector against: the workload itself or its pod template. */
  target: unknown;
}

/** Workloads grouped (by namespace, usually) and indexed by every label map a selector may be compared with. */
export class WorkloadsBySelector {
  private readonly groups = new Map<string, LabelIndex<SelectableWorkload>>();

  add(group: string, entry: SelectableWorkload): void {
    let index = this.groups.get(group);
    if (!index) {
      index = new LabelIndex<SelectableWorkload>();
      this.groups.set(group, index);
    }
    const target = entry.target;
    index.add(
      entry,
      field(target, 'metadata', 'labels'),
      field(target, 'spec', 'template', 'metadata', 'labels'),
    );
    index.addExact(entry, field(target, 'spec', 'selector', 'matchLabels'));
  }

  /** Entries of the group a Service with this selector may select (verify with the rule's predicate). */
  candidates(group: string, selector: unknown): readonly SelectableWorkload[] {
    const index = this.groups.get(group);
    if (!index || selector === undefined) return [];
    if (regoCount(selector) === 0) return index.everything();
    const exact = index.exactly(selector);
    if (!asRecord(selector)) return exact;
    const byPairs = index.candidatesForPairs(selector);
    return exact.length === 0 ? byPairs : [...new Set([...byPairs, ...exact])];
  }
}
