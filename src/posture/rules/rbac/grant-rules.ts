/**
 * "Subject can do X" rules: a subject vector fails when its role has a rule granting the permission.
 * Verb, apiGroup and resource lists are the library's, entry for entry.
 */
import type { RuleDefinition } from '../../model.ts';
import { entriesOf, grantRule, type Grant, type Loose } from './grants.ts';

const CORE = ['', '*'];

/** Every verb on every resource (of every group, or of the core group): cluster-admin equivalent. */
const EVERYTHING: Grant = { verbs: ['*'], apiGroups: ['*', ''], resources: ['*'] };

export const execIntoContainer = grantRule({
  name: 'exec-into-container-v1',
  checks: [
    {
      grant: { verbs: ['create', '*'], apiGroups: CORE, resources: ['pods/exec', 'pods/*', '*'] },
      can: 'can exec into containers',
    },
  ],
  alertScore: 9,
  pathsAs: 'review',
});

export const canAccessProxySubresource = grantRule({
  name: 'rule-can-access-proxy-subresource',
  checks: [
    {
      grant: { verbs: ['get', 'create', 'connect', '*'], apiGroups: CORE, resources: ['nodes/proxy', '*'] },
      can: 'can access proxy subresources',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canApproveCertSigningRequest = grantRule({
  name: 'rule-can-approve-cert-signing-request',
  checks: [
    {
      grant: {
        verbs: ['update', '*'],
        apiGroups: ['certificates.k8s.io', '*'],
        resources: ['certificatesigningrequests/approval', '*'],
      },
      can: 'can approve certificate signing requests',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

const RBAC_ROLES = {
  apiGroups: ['rbac.authorization.k8s.io', '*'],
  resources: ['clusterroles', 'roles', '*'],
};

export const canBindEscalate = grantRule({
  name: 'rule-can-bind-escalate',
  checks: [
    { grant: { verbs: ['bind', '*'], ...RBAC_ROLES }, can: 'can bind roles/clusterroles' },
    { grant: { verbs: ['escalate', '*'], ...RBAC_ROLES }, can: 'can escalate roles/clusterroles' },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canCreatePod = grantRule({
  name: 'rule-can-create-pod',
  checks: [
    { grant: { verbs: ['create', '*'], apiGroups: CORE, resources: ['pods', '*'] }, can: 'can create pods' },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canCreatePersistentVolume = grantRule({
  name: 'rule-can-create-pv',
  checks: [
    {
      grant: { verbs: ['create', '*'], apiGroups: CORE, resources: ['persistentvolumes', '*'] },
      can: 'can create persistent volumes',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canCreateServiceAccountToken = grantRule({
  name: 'rule-can-create-service-account-token',
  checks: [
    {
      grant: { verbs: ['create', '*'], apiGroups: CORE, resources: ['serviceaccounts/token', '*'] },
      can: 'can create service account tokens',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canDeleteEvents = grantRule({
  name: 'rule-can-delete-k8s-events-v1',
  checks: [
    {
      grant: { verbs: ['delete', 'deletecollection', '*'], apiGroups: CORE, resources: ['events', '*'] },
      can: 'can delete events',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canImpersonate = grantRule({
  name: 'rule-can-impersonate-users-groups-v1',
  checks: [
    {
      grant: {
        verbs: ['impersonate', '*'],
        apiGroups: CORE,
        resources: ['users', 'serviceaccounts', 'groups', 'uids', '*'],
      },
      can: 'can impersonate users',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canReadSecrets = grantRule({
  name: 'rule-can-list-get-secrets-v1',
  checks: [
    {
      grant: { verbs: ['get', 'list', 'watch', '*'], apiGroups: CORE, resources: ['secrets', '*'] },
      can: 'can read secrets',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canModifyAdmissionWebhooks = grantRule({
  name: 'rule-can-modify-admission-webhooks',
  checks: [
    {
      grant: {
        verbs: ['create', 'update', 'delete', '*'],
        apiGroups: ['admissionregistration.k8s.io', '*'],
        resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', '*'],
      },
      can: 'can modify admission webhooks',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canPortForward = grantRule({
  name: 'rule-can-portforward-v1',
  checks: [
    {
      grant: { verbs: ['create', '*'], apiGroups: CORE, resources: ['pods/portforward', 'pods/*', '*'] },
      can: 'can do port forwarding',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

/**
 * A configmap rule reaches the coredns configmap when it names no particular configmaps, or names
 * `coredns`. An absent, null or empty `resourceNames` means every name, as in Kubernetes.
 */
function reachesCorednsConfigMap(rule: Loose): boolean {
  const names = rule.resourceNames;
  if (names === undefined || names === null || names === false) return true;
  if (!Array.isArray(names)) return false;
  return names.length === 0 || entriesOf(names).includes('coredns');
}

export const canUpdateCorednsConfigMap = grantRule({
  name: 'rule-can-update-configmap-v1',
  checks: [
    {
      grant: { verbs: ['update', 'patch', '*'], apiGroups: CORE, resources: ['configmaps', '*'] },
      can: "can modify 'coredns' configmap",
      ruleApplies: reachesCorednsConfigMap,
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const canDeleteImportantResources = grantRule({
  name: 'rule-excessive-delete-rights-v1',
  checks: [
    {
      grant: {
        verbs: ['delete', 'deletecollection', '*'],
        apiGroups: ['', '*', 'apps', 'batch'],
        resources: [
          'secrets',
          'pods',
          'services',
          'deployments',
          'replicasets',
          'daemonsets',
          'statefulsets',
          'jobs',
          'cronjobs',
          '*',
        ],
      },
      can: 'can delete important resources',
    },
  ],
  alertScore: 3,
  pathsAs: 'review',
});

export const listAllClusterAdmins = grantRule({
  name: 'rule-list-all-cluster-admins-v1',
  checks: [{ grant: EVERYTHING, can: 'have high privileges, such as cluster-admin' }],
  alertScore: 3,
  pathsAs: 'review',
});

/** Only the built-in `cluster-admin` ClusterRole bound cluster-wide; the library marks the grant for deletion. */
export const clusterAdminRole = grantRule({
  name: 'cluster-admin-role',
  match: [{ group: '*', kinds: ['Role', 'ClusterRole', 'ClusterRoleBinding'] }],
  checks: [
    {
      grant: EVERYTHING,
      can: 'is bound to cluster-admin role',
      linkApplies: ({ role, binding }) =>
        role.metadata?.name === 'cluster-admin' && binding.kind === 'ClusterRoleBinding',
    },
  ],
  alertScore: 3,
  pathsAs: 'delete',
});

export const grantRules: RuleDefinition[] = [
  execIntoContainer,
  canAccessProxySubresource,
  canApproveCertSigningRequest,
  canBindEscalate,
  canCreatePod,
  canCreatePersistentVolume,
  canCreateServiceAccountToken,
  canDeleteEvents,
  canImpersonate,
  canReadSecrets,
  canModifyAdmissionWebhooks,
  canPortForward,
  canUpdateCorednsConfigMap,
  canDeleteImportantResources,
  listAllClusterAdmins,
  clusterAdminRole,
];
