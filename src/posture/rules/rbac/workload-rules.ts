/**
 * Workload rules joined through the service account a workload runs as and the bindings naming that
 * account: token mounted while the account holds RBAC grants, or holds administrative / cluster
 * takeover roles.
 */
import type { K8sObject, RuleDefinition, RuleInput, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { RBAC_MATCH, roleGrants, type Grant } from './grants.ts';
import {
  BINDING_KINDS,
  ROLE_KINDS,
  ServiceAccountBindingIndex,
  ServiceAccountIndex,
  WORKLOAD_MATCH,
  RoleIndex,
  namespaceKey,
  tokenMount,
  workloadPodSpec,
  type WorkloadPodSpec,
} from './service-accounts.ts';

function ofKinds(input: RuleInput, kinds: readonly string[]): K8sObject[] {
  return kinds.flatMap((kind) => input.index.ofKind(kind));
}

function describe(workload: K8sObject): string {
  return `${workload.kind}: ${workload.metadata?.name ?? ''} in the following namespace: ${namespaceKey(workload.metadata?.namespace)}`;
}

/** Each workload of the input with its pod spec. */
function workloadsOf(input: RuleInput): { workload: K8sObject; podSpec: WorkloadPodSpec }[] {
  const result: { workload: K8sObject; podSpec: WorkloadPodSpec }[] = [];
  for (const workload of input.objects) {
    const podSpec = workloadPodSpec(workload);
    if (podSpec) result.push({ workload, podSpec });
  }
  return result;
}

/**
 * C-0261: the workload's service account token is mounted and the account holds RBAC grants (it is a
 * binding subject, or some binding grants to all authenticated users / all service accounts).
 */
export const serviceAccountTokenMount: RuleDefinition = {
  name: 'serviceaccount-token-mount',
  // Bindings only: whether the account is bound matters, not what its roles grant.
  match: [...WORKLOAD_MATCH, { group: 'rbac.authorization.k8s.io', kinds: BINDING_KINDS }],
  evaluate: (input) => {
    const accounts = new ServiceAccountIndex(input.index.ofKind('ServiceAccount'));
    const bindings = new ServiceAccountBindingIndex(ofKinds(input, BINDING_KINDS));
    const violations: Violation[] = [];
    for (const { workload, podSpec } of workloadsOf(input)) {
      for (const account of accounts.of(workload, podSpec.spec)) {
        if (!bindings.bindsAllServiceAccounts && bindings.of(account).length === 0) continue;
        const mount = tokenMount(podSpec.spec, account);
        if (!mount) continue;
        const settingPath = `${podSpec.path}.automountServiceAccountToken`;
        const found = violation(workload, {
          alertMessage: `${describe(workload)} mounts service account tokens by default`,
          alertScore: 9,
          failedPaths: mount === 'explicit' ? [settingPath] : [],
          reviewPaths: mount === 'explicit' ? [settingPath] : [],
          fixPaths: mount === 'by-default' ? [{ path: settingPath, value: 'false' }] : [],
        });
        violations.push({ ...found, relatedObjects: [{ object: account }] });
      }
    }
    return violations;
  },
};

interface RoleJoinSpec {
  name: string;
  /** What the role lets the workload do, completing `<Kind>: <name> in ... namespace: <ns> has ...`. */
  has: string;
  /** The role has a rule granting any of these. */
  grants: readonly Grant[];
  /** Whether the binding's roleRef.kind must equal the role's kind (the two library rules differ). */
  matchRoleKind: boolean;
  /** The library marks the binding's roleRef for review in one of the two rules. */
  reviewRoleRef: boolean;
}

/** A binding subject naming the account, and a role that binding grants. */
interface AccountRole {
  binding: K8sObject;
  subjectIndex: number;
  role: K8sObject;
}

/**
 * A workload whose mounted service account is a subject of a binding to a role granting one of
 * `grants`. One violation per (account, binding subject, role), with those as related objects.
 */
function workloadRoleRule(spec: RoleJoinSpec): RuleDefinition {
  return {
    name: spec.name,
    match: [...WORKLOAD_MATCH, ...RBAC_MATCH],
    evaluate: (input) => {
      const accounts = new ServiceAccountIndex(input.index.ofKind('ServiceAccount'));
      const bindings = new ServiceAccountBindingIndex(ofKinds(input, BINDING_KINDS));
      const roles = new RoleIndex(ofKinds(input, ROLE_KINDS), (role) =>
        spec.grants.some((grant) => roleGrants(role, grant)),
      );
      // Resolved once per account: many workloads share an account (often `default`), and walking
      // its bindings again for each would make the join workloads × bindings.
      const rolesByAccount = new Map<K8sObject, AccountRole[]>();
      const rolesOf = (account: K8sObject): AccountRole[] => {
        let resolved = rolesByAccount.get(account);
        if (!resolved) {
          resolved = bindings
            .of(account)
            .flatMap(({ binding, subjectIndex }) =>
              roles
                .referencedBy(binding, spec.matchRoleKind)
                .map((role) => ({ binding, subjectIndex, role })),
            );
          rolesByAccount.set(account, resolved);
        }
        return resolved;
      };
      const violations: Violation[] = [];
      for (const { workload, podSpec } of workloadsOf(input)) {
        for (const account of accounts.of(workload, podSpec.spec)) {
          if (!tokenMount(podSpec.spec, account)) continue;
          for (const { binding, subjectIndex, role } of rolesOf(account)) {
            const found = violation(workload, {
              alertMessage: `${describe(workload)} has ${spec.has}`,
              alertScore: 9,
            });
            violations.push({
              ...found,
              relatedObjects: [
                { object: account },
                {
                  object: binding,
                  ...(spec.reviewRoleRef ? { reviewPaths: ['roleRef'] } : {}),
                  deletePaths: [`subjects[${subjectIndex}]`],
                },
                { object: role },
              ],
            });
          }
        }
      }
      return violations;
    },
  };
}

const CORE = ['', '*'];

/** C-0272: a role with a rule granting every verb on every resource. */
export const workloadWithAdministrativeRoles = workloadRoleRule({
  name: 'workload-with-administrative-roles',
  has: 'administrative roles',
  grants: [{ verbs: ['*'], apiGroups: CORE, resources: ['*'] }],
  matchRoleKind: false,
  reviewRoleRef: true,
});

/** C-0267: a role that can create or change pods, or read secrets. */
export const workloadWithClusterTakeoverRoles = workloadRoleRule({
  name: 'workload-with-cluster-takeover-roles',
  has: 'cluster takeover roles',
  grants: [
    { verbs: ['create', 'update', 'patch', '*'], apiGroups: CORE, resources: ['pods', '*'] },
    { verbs: ['get', 'list', 'watch', '*'], apiGroups: CORE, resources: ['secrets', '*'] },
  ],
  matchRoleKind: true,
  reviewRoleRef: false,
});

export const workloadRules: RuleDefinition[] = [
  serviceAccountTokenMount,
  workloadWithAdministrativeRoles,
  workloadWithClusterTakeoverRoles,
];
