/**
 * Subject-vector rules that are not a plain permission check: service accounts with any RBAC grant,
 * subjects bound to the dashboard role, and `system:authenticated` bound to a role reaching workloads,
 * nodes or secrets.
 */
import type { K8sObject, RuleDefinition, SubjectVector, Violation } from '../../model.ts';
import { externalViolation, sameNamespace } from '../../objects.ts';
import { RBAC_MATCH, asRecord, entriesOf, isVectorServiceAccount, vectorLinks } from './grants.ts';

/** C-0053: every service account that some binding joined to a role grants anything (a review finding). */
export const accessContainerServiceAccount: RuleDefinition = {
  name: 'access-container-service-account-v1',
  match: RBAC_MATCH,
  aggregator: 'subject-role-rolebinding',
  evaluate: ({ subjects }) =>
    subjects
      .filter(
        (vector) =>
          vector.kind === 'ServiceAccount' &&
          vectorLinks(vector).some(({ binding }) =>
            entriesOf(binding.subjects).some((subject) => isVectorServiceAccount(vector, subject)),
          ),
      )
      .map((vector) =>
        externalViolation(vector, {
          alertMessage: `service account: ${vector.name} has the following permissions in the cluster`,
          alertScore: 7,
        }),
      ),
};

const DASHBOARD = 'kubernetes-dashboard';

/**
 * C-0014: a subject other than the dashboard's own bound to the `kubernetes-dashboard` role. The
 * library reports every subject entry of such a binding (not only the vector's own), so do we.
 */
export const accessDashboardSubject: RuleDefinition = {
  name: 'rule-access-dashboard-subject-v1',
  match: RBAC_MATCH,
  aggregator: 'subject-role-rolebinding',
  evaluate: ({ subjects }) => {
    const violations: Violation[] = [];
    for (const vector of subjects) {
      if (vector.name === DASHBOARD) continue;
      for (const { role, binding, bindingIndex } of vectorLinks(vector)) {
        if (role.metadata?.name !== DASHBOARD) continue;
        entriesOf(binding.subjects).forEach((_subject, subjectIndex) => {
          const paths = [
            `relatedObjects[${bindingIndex}].subjects[${subjectIndex}]`,
            `relatedObjects[${bindingIndex}].roleRef.name`,
          ];
          violations.push(
            externalViolation(vector, {
              alertMessage: `Subject: ${vector.kind}-${vector.name} is bound to dashboard role/clusterrole`,
              alertScore: 9,
              failedPaths: paths,
              reviewPaths: [...paths],
            }),
          );
        });
      }
    }
    return violations;
  },
};

const ALL_AUTHENTICATED = 'system:authenticated';

/**
 * Resources whose access lets any authenticated user take over workloads, nodes or secrets. The
 * library's list, including its singular `statefulset` / `daemonset`, so results stay comparable.
 */
const TAKEOVER_RESOURCES: ReadonlySet<string> = new Set([
  '*',
  'pods',
  'pods/exec',
  'pods/attach',
  'pods/portforward',
  'deployments',
  'statefulset',
  'daemonset',
  'jobs',
  'cronjobs',
  'nodes',
  'secrets',
]);

/**
 * This rule joins binding and role strictly (unlike the aggregation): roleRef kind and name, the
 * roleRef apiGroup a prefix of the role's apiVersion, and a RoleBinding only with a Role of its namespace.
 */
function bindsRole(binding: K8sObject, role: K8sObject): boolean {
  const roleRef = asRecord(binding.roleRef);
  if (!roleRef || roleRef.kind !== role.kind || roleRef.name === undefined) return false;
  if (roleRef.name !== role.metadata?.name) return false;
  if (typeof role.apiVersion !== 'string' || typeof roleRef.apiGroup !== 'string') return false;
  if (!role.apiVersion.startsWith(roleRef.apiGroup)) return false;
  if (binding.kind === 'ClusterRoleBinding') return role.kind === 'ClusterRole';
  return (
    binding.kind === 'RoleBinding' &&
    role.kind === 'Role' &&
    sameNamespace(binding.metadata?.namespace, role.metadata?.namespace)
  );
}

function reachesTakeoverResources(role: K8sObject): boolean {
  return entriesOf(role.rules).some((rule) =>
    entriesOf(asRecord(rule)?.resources).some(
      (resource) => typeof resource === 'string' && TAKEOVER_RESOURCES.has(resource),
    ),
  );
}

function isAllAuthenticatedGroup(subject: unknown): boolean {
  const raw = asRecord(subject);
  return raw?.kind === 'Group' && raw.name === ALL_AUTHENTICATED;
}

/**
 * C-0265: the `system:authenticated` group bound to a role with any rule on a sensitive resource. Paths
 * as the library writes them: an empty path first, and roleRef.name indexed by the role's position.
 */
export const systemAuthenticatedTakeover: RuleDefinition = {
  name: 'system-authenticated-allowed-to-take-over-cluster',
  match: RBAC_MATCH,
  aggregator: 'subject-role-rolebinding',
  evaluate: ({ subjects }) => {
    const violations: Violation[] = [];
    for (const vector of subjects) {
      if (!isAllAuthenticatedGroup(vector)) continue;
      for (const { role, roleIndex, binding, bindingIndex } of vectorLinks(vector)) {
        if (!bindsRole(binding, role) || !reachesTakeoverResources(role)) continue;
        entriesOf(binding.subjects).forEach((subject, subjectIndex) => {
          if (!isAllAuthenticatedGroup(subject)) return;
          violations.push(allAuthenticatedViolation(vector, roleIndex, bindingIndex, subjectIndex));
        });
      }
    }
    return violations;
  },
};

function allAuthenticatedViolation(
  vector: SubjectVector,
  roleIndex: number,
  bindingIndex: number,
  subjectIndex: number,
): Violation {
  const paths = [
    '',
    `relatedObjects[${bindingIndex}].subjects[${subjectIndex}]`,
    `relatedObjects[${roleIndex}].roleRef.name`,
  ];
  return externalViolation(vector, {
    alertMessage: `${ALL_AUTHENTICATED} has sensitive roles`,
    alertScore: 5,
    failedPaths: paths,
    reviewPaths: [...paths],
  });
}

export const subjectRules: RuleDefinition[] = [
  accessContainerServiceAccount,
  accessDashboardSubject,
  systemAuthenticatedTakeover,
];
