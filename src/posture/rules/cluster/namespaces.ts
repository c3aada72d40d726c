/**
 * Namespace-level rules: Pod Security Admission labels, namespaces listed for review, namespaces
 * without their own ServiceAccount, and namespaces without any network policy.
 */
import type { K8sObject, ObjectIndex, RuleDefinition } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { asArray, asRecord, explicitNamespaceOf, isRegoFalsy, kinds, labelsOf } from './values.ts';

const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const ENFORCE_FIX_PATH = `metadata.labels[${ENFORCE_LABEL}]`;

// ---- Pod Security Admission ------------------------------------------------------------------

/**
 * A webhook with a rule scoped to anything but `Cluster` is taken as a third-party policy engine
 * (Kyverno, Gatekeeper, ...) that may enforce pod security instead of PSA labels. An unset scope
 * does not count (the library compares the field as written).
 */
export function hasExternalPolicyEngine(webhookConfigurations: readonly K8sObject[]): boolean {
  return webhookConfigurations.some((configuration) =>
    asArray(configuration.webhooks).some((webhook) =>
      asArray(asRecord(webhook)?.rules).some((rule) => {
        const scope = asRecord(rule)?.scope;
        return scope !== undefined && scope !== 'Cluster';
      }),
    ),
  );
}

/** Any `pod-security.kubernetes.io/enforce*` label (the mode or its version) counts as PSA in use. */
function hasAnyEnforceLabel(namespace: K8sObject): boolean {
  return Object.keys(labelsOf(namespace)).some((key) => key.startsWith(ENFORCE_LABEL));
}

function podSecurityAdmissionAppliedRule(name: string, webhookKind: string): RuleDefinition {
  return {
    name,
    match: [kinds('', 'Namespace'), kinds('admissionregistration.k8s.io', webhookKind)],
    evaluate: ({ index }) => {
      if (hasExternalPolicyEngine(index.ofKind(webhookKind))) return [];
      return index
        .ofKind('Namespace')
        .filter((namespace) => !hasAnyEnforceLabel(namespace))
        .map((namespace) =>
          violation(namespace, {
            alertMessage: `Namespace: ${nameOf(namespace)} does not enable pod security admission`,
            fixPaths: [{ path: ENFORCE_FIX_PATH, value: 'YOUR_VALUE' }],
            alertScore: 7,
          }),
        );
    },
  };
}

/** Namespaces whose enforced PSA level is not one of `accepted`; the fix sets `fixLevel`. */
function podSecurityLevelRule(name: string, accepted: readonly string[], fixLevel: string): RuleDefinition {
  return {
    name,
    match: [kinds('', 'Namespace')],
    evaluate: ({ objects }) =>
      objects
        .filter((namespace) => {
          const level = labelsOf(namespace)[ENFORCE_LABEL];
          return !(typeof level === 'string' && accepted.includes(level));
        })
        .map((namespace) =>
          violation(namespace, {
            alertMessage: `Namespace: ${nameOf(namespace)} does not enable ${fixLevel} pod security admission`,
            fixPaths: [{ path: ENFORCE_FIX_PATH, value: fixLevel }],
            alertScore: 7,
          }),
        ),
  };
}

const BASELINE_OR_STRICTER = ['baseline', 'restricted'];
const RESTRICTED_ONLY = ['restricted'];

// ---- review lists and service accounts -------------------------------------------------------

const listAllNamespaces: RuleDefinition = {
  name: 'list-all-namespaces',
  match: [kinds('', 'Namespace')],
  evaluate: ({ objects }) =>
    objects.map((namespace) =>
      violation(namespace, {
        alertMessage: `review the following namespace: ${nameOf(namespace)}`,
        alertScore: 9,
      }),
    ),
};

/**
 * Objects of `kind` whose `metadata.namespace` is literally `namespaceName` (the library compares
 * the written field, so an object without a namespace does not belong to `default` here).
 */
function explicitlyIn(index: ObjectIndex, kind: string, namespaceName: string): K8sObject[] {
  return index.inNamespace(kind, namespaceName).filter((obj) => explicitNamespaceOf(obj) === namespaceName);
}

/** The namespace's name when it has one; namespace joins are meaningless without it. */
function namespaceNameOf(namespace: K8sObject): string | undefined {
  const name = namespace.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

const namespaceWithoutServiceAccount: RuleDefinition = {
  name: 'namespace-without-service-account',
  match: [kinds('*', 'Namespace', 'ServiceAccount')],
  evaluate: ({ index }) =>
    index.ofKind('Namespace').flatMap((namespace) => {
      const name = namespaceNameOf(namespace);
      if (name === undefined) return [];
      const ownAccounts = explicitlyIn(index, 'ServiceAccount', name).filter(
        (sa) => nameOf(sa) !== 'default',
      );
      if (ownAccounts.length > 0) return [];
      return [
        violation(namespace, {
          alertMessage: `Namespace: ${name} does not have any service accounts besides 'default'`,
          alertScore: 7,
        }),
      ];
    }),
};

// ---- network policy coverage -----------------------------------------------------------------

/** The rule bodies of a Cilium policy: `spec` and every entry of `specs`. */
function ciliumRuleBodies(policy: K8sObject): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  const spec = asRecord(policy.spec);
  if (spec) bodies.push(spec);
  for (const entry of asArray(policy.specs)) {
    const body = asRecord(entry);
    if (body) bodies.push(body);
  }
  return bodies;
}

/** An endpoint selector written as `{}`: no label and no expression requirements, so every pod. */
function selectsEveryEndpoint(selector: unknown): boolean {
  const record = asRecord(selector);
  if (!record) return false;
  const labels = asRecord(record.matchLabels);
  const noLabels =
    record.matchLabels === undefined || (labels !== undefined && Object.keys(labels).length === 0);
  const expressions = record.matchExpressions;
  const noExpressions = expressions === undefined || (Array.isArray(expressions) && expressions.length === 0);
  return noLabels && noExpressions;
}

/**
 * A cluster-wide Cilium rule that covers every pod of every namespace with ingress or egress
 * rules, and does not opt out of default deny in both directions.
 */
function coversAllNamespaces(body: Record<string, unknown>): boolean {
  if (!selectsEveryEndpoint(body.endpointSelector)) return false;
  const defaultDeny = asRecord(body.enableDefaultDeny);
  if (defaultDeny?.ingress === false && defaultDeny.egress === false) return false;
  return !isRegoFalsy(body.ingress) || !isRegoFalsy(body.egress);
}

const NAMESPACED_POLICY_KINDS = ['NetworkPolicy', 'CiliumNetworkPolicy'] as const;

const internalNetworking: RuleDefinition = {
  name: 'internal-networking',
  match: [
    kinds('', 'Namespace'),
    kinds('networking.k8s.io', 'NetworkPolicy'),
    kinds('cilium.io', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'),
  ],
  evaluate: ({ index }) => {
    // One cluster-wide default policy covers every namespace; decided once, not per namespace.
    const clusterWideCoverage = index
      .ofKind('CiliumClusterwideNetworkPolicy')
      .some((policy) => ciliumRuleBodies(policy).some(coversAllNamespaces));
    if (clusterWideCoverage) return [];
    return index.ofKind('Namespace').flatMap((namespace) => {
      const name = namespaceNameOf(namespace);
      if (name === undefined) return [];
      if (NAMESPACED_POLICY_KINDS.some((kind) => explicitlyIn(index, kind, name).length > 0)) return [];
      return [
        violation(namespace, { alertMessage: `no policy is defined for namespace ${name}`, alertScore: 9 }),
      ];
    });
  },
};

export const namespaceRules: RuleDefinition[] = [
  podSecurityAdmissionAppliedRule('pod-security-admission-applied-1', 'ValidatingWebhookConfiguration'),
  podSecurityAdmissionAppliedRule('pod-security-admission-applied-2', 'MutatingWebhookConfiguration'),
  podSecurityLevelRule('pod-security-admission-baseline-applied-1', BASELINE_OR_STRICTER, 'baseline'),
  podSecurityLevelRule('pod-security-admission-baseline-applied-2', BASELINE_OR_STRICTER, 'baseline'),
  podSecurityLevelRule('pod-security-admission-restricted-applied-1', RESTRICTED_ONLY, 'restricted'),
  podSecurityLevelRule('pod-security-admission-restricted-applied-2', RESTRICTED_ONLY, 'restricted'),
  listAllNamespaces,
  namespaceWithoutServiceAccount,
  internalNetworking,
];
