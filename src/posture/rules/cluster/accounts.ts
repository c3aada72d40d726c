/**
 * ServiceAccount and binding rules that read single objects: the `default` ServiceAccount's token
 * automount, bindings granting roles to `default` ServiceAccounts, and bindings to anonymous users.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { asArray, asRecord, kinds, labelsOf } from './values.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const TOKEN_FIELD = 'automountServiceAccountToken';

const automountDefaultServiceAccount: RuleDefinition = {
  name: 'automount-default-service-account',
  match: [kinds('', 'ServiceAccount')],
  evaluate: ({ objects }) =>
    objects.flatMap((account) => {
      if (nameOf(account) !== 'default') return [];
      const automount = account[TOKEN_FIELD];
      if (automount === false) return [];
      const alertMessage = `the following service account: ${nameOf(account)} in the following namespace: ${
        account.metadata?.namespace ?? ''
      } mounts service account tokens in pods by default`;
      // Explicitly true: the field itself is the problem. Unset (or not a boolean): tokens are
      // mounted by default, so the fix adds the field.
      return [
        automount === true
          ? violation(account, {
              alertMessage,
              failedPaths: [TOKEN_FIELD],
              deletePaths: [TOKEN_FIELD],
              alertScore: 9,
            })
          : violation(account, {
              alertMessage,
              fixPaths: [{ path: TOKEN_FIELD, value: 'false' }],
              alertScore: 9,
            }),
      ];
    }),
};

/** Each `subjects[i]` of a binding that satisfies `matches`, with its index. */
function subjectIndexes(
  binding: K8sObject,
  matches: (subject: Record<string, unknown>) => boolean,
): number[] {
  const indexes: number[] = [];
  asArray(binding.subjects).forEach((entry, index) => {
    const subject = asRecord(entry);
    if (subject && matches(subject)) indexes.push(index);
  });
  return indexes;
}

/** Bindings Kubernetes bootstraps itself carry this label; they are the defaults. */
function isBootstrapDefault(binding: K8sObject): boolean {
  return labelsOf(binding)['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}

const defaultServiceAccountsHaveOnlyDefaultRoles: RuleDefinition = {
  name: 'ensure-default-service-accounts-has-only-default-roles',
  match: [kinds(RBAC_GROUP, 'ClusterRoleBinding', 'RoleBinding')],
  evaluate: ({ objects }) =>
    objects.flatMap((binding): Violation[] => {
      if (isBootstrapDefault(binding)) return [];
      return subjectIndexes(binding, (s) => s.kind === 'ServiceAccount' && s.name === 'default').map(
        (index) =>
          violation(binding, {
            alertMessage: `${binding.kind}: ${nameOf(binding)} has for ServiceAccount 'default' rules bound to it that are not defaults`,
            failedPaths: [`subjects[${index}]`],
            deletePaths: [`subjects[${index}]`],
            alertScore: 7,
          }),
      );
    }),
};

const ANONYMOUS_SUBJECTS: ReadonlySet<unknown> = new Set(['system:anonymous', 'system:unauthenticated']);

const anonymousAccessEnabled: RuleDefinition = {
  name: 'anonymous-access-enabled',
  match: [kinds(RBAC_GROUP, 'RoleBinding', 'ClusterRoleBinding')],
  evaluate: ({ objects }) =>
    objects.flatMap((binding) =>
      subjectIndexes(binding, (s) => ANONYMOUS_SUBJECTS.has(s.name)).map((index) =>
        violation(binding, {
          alertMessage: `the following RoleBinding: ${nameOf(binding)} gives permissions to anonymous users`,
          failedPaths: [`subjects[${index}]`],
          deletePaths: [`subjects[${index}]`],
          alertScore: 9,
        }),
      ),
    ),
};

export const accountRules: RuleDefinition[] = [
  automountDefaultServiceAccount,
  defaultServiceAccountsHaveOnlyDefaultRoles,
  anonymousAccessEnabled,
];
