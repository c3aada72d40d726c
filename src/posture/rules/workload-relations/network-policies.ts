/**
 * Rules joining workloads with NetworkPolicies and Cilium policies: workloads no policy selects,
 * workloads without ingress/egress rules, and policies that select nothing.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { SelectorIndex, podLabelsByNamespace } from './label-index.ts';
import { labelSelectorMatches, selectorDefined } from './label-selector.ts';
import {
  APPS,
  BATCH,
  CILIUM,
  CORE,
  NETWORKING,
  asArray,
  asRecord,
  field,
  isTruthy,
  namespaceOrDefault,
  nameOf,
  regoCount,
  selectorSubsetOf,
} from './values.ts';
import type { LooseRecord } from './values.ts';
import { WORKLOAD_KINDS, podTemplateOf, rawTemplateLabels, templateLabelsOrEmpty } from './workloads.ts';

const POLICY_KINDS: ReadonlySet<string> = new Set([
  'NetworkPolicy',
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
]);

/** Cilium policies carry one `spec` and/or a `specs` list; a malformed `specs` voids both (Rego array.concat). */
function ciliumSpecs(policy: K8sObject): readonly unknown[] {
  const specs = policy.specs ?? [];
  if (!Array.isArray(specs)) return [];
  return policy.spec === undefined ? specs : [policy.spec, ...specs];
}

/** Which pods one kind of policy selects: everything, or those whose labels contain a matchLabels map. */
class Selection {
  selectsAll = false;
  readonly byLabels = new SelectorIndex<unknown>();

  /** Indexes a `matchLabels` value that must be contained in the pod labels. */
  addMatchLabels(matchLabels: unknown): void {
    if (regoCount(matchLabels) === undefined) return;
    this.byLabels.add(matchLabels, matchLabels);
  }

  selects(labels: unknown): boolean {
    return (
      this.selectsAll ||
      this.byLabels.candidates(labels).some((selector) => selectorSubsetOf(selector, labels))
    );
  }
}

function selectionFor(map: Map<string, Selection>, namespace: string): Selection {
  let selection = map.get(namespace);
  if (!selection) {
    selection = new Selection();
    map.set(namespace, selection);
  }
  return selection;
}

/**
 * A Cilium endpointSelector selects pods whose labels contain its non-empty matchLabels, or every
 * pod when it has neither matchLabels nor matchExpressions (a matchExpressions-only selector is
 * selective and, not being evaluated, selects nothing).
 */
function addCiliumSpec(selection: Selection, spec: unknown): void {
  const endpointSelector = field(spec, 'endpointSelector');
  const matchLabels = field(endpointSelector, 'matchLabels');
  if ((regoCount(matchLabels) ?? 0) > 0) selection.addMatchLabels(matchLabels);
  const selector = asRecord(endpointSelector);
  if (
    selector &&
    regoCount(selector.matchLabels ?? {}) === 0 &&
    regoCount(selector.matchExpressions ?? []) === 0
  ) {
    selection.selectsAll = true;
  }
}

/**
 * The policies covering workloads, indexed once per evaluation: NetworkPolicies and
 * CiliumNetworkPolicies by namespace, CiliumClusterwideNetworkPolicies cluster-wide.
 */
class PolicyCoverage {
  private readonly networkPolicies = new Map<string, Selection>();
  private readonly ciliumPolicies = new Map<string, Selection>();
  private readonly clusterwidePolicies = new Selection();

  constructor(objects: readonly K8sObject[], include: (policy: K8sObject) => boolean) {
    for (const policy of objects) {
      if (!POLICY_KINDS.has(policy.kind) || !include(policy)) continue;
      if (policy.kind === 'NetworkPolicy') {
        const podSelector = field(policy, 'spec', 'podSelector');
        const size = regoCount(podSelector);
        const selection = selectionFor(this.networkPolicies, namespaceOrDefault(policy));
        if (size === 0) selection.selectsAll = true;
        else if (size !== undefined) selection.addMatchLabels(field(podSelector, 'matchLabels'));
        continue;
      }
      const selection =
        policy.kind === 'CiliumNetworkPolicy'
          ? selectionFor(this.ciliumPolicies, namespaceOrDefault(policy))
          : this.clusterwidePolicies;
      for (const spec of ciliumSpecs(policy)) addCiliumSpec(selection, spec);
    }
  }

  /** Some policy of the evaluation selects the workload's pods. */
  covers(wl: K8sObject): boolean {
    const ref = podTemplateOf(wl);
    if (!ref) return false;
    const namespace = namespaceOrDefault(wl);
    // NetworkPolicy label matching reads the labels as written (missing labels match only empty selectors).
    if (this.networkPolicies.get(namespace)?.selects(rawTemplateLabels(ref))) return true;
    // Cilium matching reads `object.get(metadata, "labels", {})`: a template without metadata matches nothing.
    const labels = templateLabelsOrEmpty(ref);
    if (labels === undefined) return false;
    return (
      Boolean(this.ciliumPolicies.get(namespace)?.selects(labels)) || this.clusterwidePolicies.selects(labels)
    );
  }
}

const NETWORK_POLICY_MATCH = [
  { group: CORE, kinds: ['Pod'] },
  { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
  { group: BATCH, kinds: ['Job', 'CronJob'] },
  { group: NETWORKING, kinds: ['NetworkPolicy'] },
  { group: CILIUM, kinds: ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'] },
];

/** C-0260: a workload no NetworkPolicy / CiliumNetworkPolicy / clusterwide policy selects. */
export const networkPolicyConfiguredInLabels: RuleDefinition = {
  name: 'ensure_network_policy_configured_in_labels',
  match: [
    { group: CORE, kinds: ['Pod', 'ConfigMap'] },
    ...NETWORK_POLICY_MATCH.filter((match) => match.group !== CORE),
  ],
  evaluate({ objects }) {
    const coverage = new PolicyCoverage(objects, () => true);
    return objects
      .filter((wl) => WORKLOAD_KINDS.has(wl.kind) && !coverage.covers(wl))
      .map((wl) => violation(wl, { alertMessage: `${nameOf(wl)}: no networkpolicy configured in labels` }));
  },
};

/** A policy that restricts traffic: NetworkPolicy with an Ingress/Egress policyType, Cilium spec with ingress/egress rules. */
function restrictsTraffic(policy: K8sObject): boolean {
  if (policy.kind === 'NetworkPolicy') {
    const types = asArray(field(policy, 'spec', 'policyTypes'));
    return types.includes('Ingress') || types.includes('Egress');
  }
  return ciliumSpecs(policy).some(
    (spec) => isTruthy(field(spec, 'ingress')) || isTruthy(field(spec, 'egress')),
  );
}

/**
 * C-0030: a workload that no traffic-restricting policy selects (no policy at all, or only policies
 * without ingress/egress rules).
 */
export const ingressAndEgressBlocked: RuleDefinition = {
  name: 'ingress-and-egress-blocked',
  match: NETWORK_POLICY_MATCH,
  evaluate({ objects }) {
    const coverage = new PolicyCoverage(objects, restrictsTraffic);
    return objects
      .filter((wl) => WORKLOAD_KINDS.has(wl.kind) && !coverage.covers(wl))
      .map((wl) =>
        violation(wl, {
          alertMessage:
            wl.kind === 'Pod'
              ? `Pod: ${nameOf(wl)} does not have ingress/egress defined`
              : `${wl.kind}: ${nameOf(wl)} has Pods which don't have ingress/egress defined`,
          alertScore: 7,
        }),
      );
  },
};

/** Pod labels as the dangling-policy check reads them (undefined: the workload cannot match). */
function podLabelsForPolicies(wl: K8sObject): LooseRecord | undefined {
  const ref = podTemplateOf(wl, { replicationController: true });
  return ref ? templateLabelsOrEmpty(ref) : undefined;
}

/** C-0299: a NetworkPolicy with a non-empty podSelector that selects no workload of its namespace. */
export const danglingNetworkPolicy: RuleDefinition = {
  name: 'dangling-networkpolicy',
  match: [
    { group: NETWORKING, kinds: ['NetworkPolicy'] },
    { group: CORE, kinds: ['Pod', 'ReplicationController'] },
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: BATCH, kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects }) {
    const podLabels = podLabelsByNamespace(objects, podLabelsForPolicies);
    const result: Violation[] = [];
    for (const policy of objects) {
      if (policy.kind !== 'NetworkPolicy') continue;
      const spec = asRecord(policy.spec);
      const selector = spec ? (spec.podSelector ?? {}) : undefined;
      // An empty podSelector selects every pod, so it can never dangle.
      if (!selectorDefined(selector)) continue;
      const namespace = namespaceOrDefault(policy);
      const candidates = podLabels.get(namespace)?.candidatesForSelector(selector) ?? [];
      if (candidates.some((labels) => labelSelectorMatches(selector, labels))) continue;
      result.push(
        violation(policy, {
          alertMessage: `NetworkPolicy '${nameOf(policy)}' podSelector matches no workloads in namespace '${namespace}'`,
          failedPaths: ['spec.podSelector'],
          alertScore: 4,
        }),
      );
    }
    return result;
  },
};

export const networkPolicyRules: RuleDefinition[] = [
  networkPolicyConfiguredInLabels,
  ingressAndEgressBlocked,
  danglingNetworkPolicy,
];
