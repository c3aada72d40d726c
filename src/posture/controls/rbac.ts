/** RBAC controls: which subjects hold dangerous grants, and how service accounts are bound and mounted. */
import type { ControlDefinition } from './model.ts';
import { ACCESS_CONTROL, CLUSTER, CLUSTER_FILE, COMPLIANCE, SEC_COMP, SECURITY, WORKLOAD } from './shared.ts';

export const RBAC_CONTROLS: readonly ControlDefinition[] = [
  {
    id: 'C-0002',
    name: 'Prevent containers from allowing command execution',
    description:
      'Lists subjects whose roles allow `create` on `pods/exec`, i.e. who can run arbitrary commands inside running containers with `kubectl exec`.',
    remediation:
      'Remove `pods/exec` (and `pods/*`, `*`) with verb `create` from Roles/ClusterRoles bound to users and service accounts that do not need it.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['exec-into-container-v1'],
    scanningScope: CLUSTER_FILE,
    tags: ['compliance', 'security-impact'],
  },
  {
    id: 'C-0007',
    name: 'Roles with delete capabilities',
    description:
      'Lists subjects that may delete or deletecollection Secrets, Pods, Services or workload controllers, which allows data and service destruction.',
    remediation:
      'Drop `delete`/`deletecollection`/`*` verbs on those resources from roles used for daily operations; keep them for a few break-glass identities.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-excessive-delete-rights-v1'],
    scanningScope: CLUSTER_FILE,
    tags: COMPLIANCE,
  },
  {
    id: 'C-0014',
    name: 'Access Kubernetes dashboard',
    description:
      'Finds subjects other than the dashboard itself bound to the `kubernetes-dashboard` role, and workloads other than the dashboard running as the `kubernetes-dashboard` service account.',
    remediation:
      'Bind the `kubernetes-dashboard` Role/ClusterRole only to the dashboard service account and run no other pods with that service account.',
    baseScore: 2,
    category: ACCESS_CONTROL,
    rules: ['rule-access-dashboard-subject-v1', 'rule-access-dashboard-wl-v1'],
    scanningScope: CLUSTER_FILE,
    tags: COMPLIANCE,
  },
  {
    id: 'C-0015',
    name: 'List Kubernetes secrets',
    description:
      'Lists subjects allowed to get, list or watch Secrets, and therefore to read every credential they hold.',
    remediation: 'Remove `get`/`list`/`watch` on `secrets` from roles that do not strictly need them.',
    baseScore: 7,
    category: ACCESS_CONTROL,
    rules: ['rule-can-list-get-secrets-v1'],
    scanningScope: CLUSTER_FILE,
    tags: ['security-impact', 'compliance'],
  },
  {
    id: 'C-0031',
    name: 'Delete Kubernetes events',
    description:
      'Lists subjects that may delete Events, which lets an attacker erase traces of their activity.',
    remediation: 'Remove `delete`/`deletecollection` on `events` from roles used by people and workloads.',
    baseScore: 4,
    category: ACCESS_CONTROL,
    rules: ['rule-can-delete-k8s-events-v1'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0035',
    name: 'Administrative Roles',
    description:
      'Lists subjects holding cluster-admin-equivalent rules (all verbs on all resources), usually through the `cluster-admin` ClusterRole.',
    remediation:
      'Bind `cluster-admin` or wildcard roles only to a few administrators; give everyone else narrowly scoped Roles.',
    baseScore: 6,
    category: ACCESS_CONTROL,
    rules: ['rule-list-all-cluster-admins-v1'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0037',
    name: 'CoreDNS poisoning',
    description:
      'Lists subjects that may update or patch the `coredns` ConfigMap (or all ConfigMaps), which allows redirecting cluster DNS.',
    remediation:
      'Remove `update`/`patch` on `configmaps` from roles, or restrict them with `resourceNames` that exclude `coredns`.',
    baseScore: 4,
    category: ACCESS_CONTROL,
    rules: ['rule-can-update-configmap-v1'],
    scanningScope: CLUSTER_FILE,
    tags: COMPLIANCE,
  },
  {
    id: 'C-0053',
    name: 'Access container service account',
    description:
      'Lists service accounts that have RBAC bindings; a pod using them hands its token, and those rights, to anyone who compromises it.',
    remediation:
      'Bind service accounts only to the minimal Roles they need and disable token automounting where the API is not used.',
    baseScore: 6,
    category: ACCESS_CONTROL,
    rules: ['access-container-service-account-v1'],
    scanningScope: CLUSTER_FILE,
    tags: ['compliance', 'security-impact'],
  },
  {
    id: 'C-0063',
    name: 'Portforwarding privileges',
    description:
      'Lists subjects allowed to `create` on `pods/portforward`, which opens a direct tunnel into pods that bypasses network controls.',
    remediation: 'Remove `pods/portforward` (and `pods/*`, `*`) from roles that do not need it.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-can-portforward-v1'],
    scanningScope: CLUSTER_FILE,
    tags: ['security-impact', 'compliance'],
  },
  {
    id: 'C-0065',
    name: 'No impersonation',
    description:
      'Lists subjects with the `impersonate` verb on users, groups, service accounts or uids, who can act with anyone’s rights.',
    remediation: 'Remove the `impersonate` verb from roles bound to regular users and workloads.',
    baseScore: 6,
    category: ACCESS_CONTROL,
    rules: ['rule-can-impersonate-users-groups-v1'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0185',
    name: 'Ensure that the cluster-admin role is only used where required',
    description: 'Lists subjects bound to the `cluster-admin` ClusterRole through a ClusterRoleBinding.',
    remediation:
      'Delete ClusterRoleBindings to `cluster-admin` that are not required and bind those subjects to less privileged roles.',
    baseScore: 8,
    category: ACCESS_CONTROL,
    rules: ['cluster-admin-role'],
    scanningScope: CLUSTER,
    tags: SEC_COMP,
  },
  {
    id: 'C-0186',
    name: 'Minimize access to secrets',
    description: 'Lists subjects allowed to get, list or watch Secrets (CIS 5.1.2).',
    remediation: 'Remove `get`/`list`/`watch` on `secrets` from roles where it is not required.',
    baseScore: 6,
    category: ACCESS_CONTROL,
    rules: ['rule-can-list-get-secrets-v1'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0187',
    name: 'Minimize wildcard use in Roles and ClusterRoles',
    description: 'Lists subjects whose roles use `*` for verbs and resources (CIS 5.1.3).',
    remediation: 'Replace wildcards in `rules[].verbs` and `rules[].resources` with explicit lists.',
    baseScore: 7,
    category: ACCESS_CONTROL,
    rules: ['rule-list-all-cluster-admins-v1'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0188',
    name: 'Minimize access to create pods',
    description:
      'Lists subjects allowed to create Pods, which lets them run any image with any mounted service account (CIS 5.1.4).',
    remediation: 'Remove `create` on `pods` from roles that do not need to create pods directly.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-can-create-pod'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0189',
    name: 'Ensure that default service accounts are not actively used',
    description:
      'Finds `default` service accounts that still automount their token, and namespaces with no service account other than `default`.',
    remediation:
      'Set `automountServiceAccountToken: false` on every `default` ServiceAccount and create dedicated service accounts for workloads.',
    baseScore: 5,
    category: WORKLOAD,
    rules: ['automount-default-service-account', 'namespace-without-service-account'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0191',
    name: 'Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster',
    description:
      'Lists subjects with `bind` or `escalate` on roles/clusterroles, or `impersonate` on identities; each lets a subject exceed its own rights.',
    remediation:
      'Remove `bind`, `escalate` and `impersonate` verbs from roles except for tightly controlled admins.',
    baseScore: 6,
    category: ACCESS_CONTROL,
    rules: ['rule-can-bind-escalate', 'rule-can-impersonate-users-groups-v1'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0261',
    name: 'ServiceAccount token mounted',
    description:
      'Finds workloads that mount the token of a service account which holds RBAC bindings (or when any binding grants `system:authenticated`/`system:serviceaccounts`).',
    remediation:
      'Set `automountServiceAccountToken: false` on the pod or ServiceAccount, or remove the bindings the workload does not use.',
    baseScore: 7,
    category: ACCESS_CONTROL,
    rules: ['serviceaccount-token-mount'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0262',
    name: 'Anonymous user has RoleBinding',
    description:
      'Finds RoleBindings and ClusterRoleBindings granting rights to `system:anonymous` or `system:unauthenticated`.',
    remediation: 'Remove those subjects from `subjects[]` (or delete the binding).',
    baseScore: 7,
    category: ACCESS_CONTROL,
    rules: ['anonymous-access-enabled'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0265',
    name: 'system:authenticated user has elevated roles',
    description:
      'Finds bindings that give the `system:authenticated` group access to sensitive resources (pods, exec, secrets, nodes, workloads), i.e. to every authenticated identity.',
    remediation:
      'Remove `system:authenticated` from those bindings and grant the rights to specific users or groups.',
    baseScore: 7,
    category: ACCESS_CONTROL,
    rules: ['system-authenticated-allowed-to-take-over-cluster'],
    scanningScope: CLUSTER,
    tags: SECURITY,
  },
  {
    id: 'C-0267',
    name: 'Workload with cluster takeover roles',
    description:
      'Finds workloads whose mounted service account can create/modify pods or read secrets, enough to take over the cluster from a compromised container.',
    remediation:
      'Remove those grants from the service account’s roles or set `automountServiceAccountToken: false` on the workload.',
    baseScore: 6,
    category: ACCESS_CONTROL,
    rules: ['workload-with-cluster-takeover-roles'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0272',
    name: 'Workload with administrative roles',
    description:
      'Finds workloads whose mounted service account holds cluster-admin-equivalent (wildcard) rules.',
    remediation:
      'Bind the service account to a least-privilege Role, or disable token automounting on the workload.',
    baseScore: 6,
    category: ACCESS_CONTROL,
    rules: ['workload-with-administrative-roles'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0278',
    name: 'Minimize access to create persistent volumes',
    description:
      'Lists subjects allowed to create PersistentVolumes, which can be hostPath volumes that bypass pod restrictions (CIS 5.1.9).',
    remediation: 'Remove `create` on `persistentvolumes` from roles that do not provision storage.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-can-create-pv'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0279',
    name: 'Minimize access to the proxy sub-resource of nodes',
    description:
      'Lists subjects with access to `nodes/proxy`, which reaches the kubelet API directly and bypasses audit and admission (CIS 5.1.10).',
    remediation: 'Remove `nodes/proxy` from roles bound to users and workloads.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-can-access-proxy-subresource'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0280',
    name: 'Minimize access to the approval sub-resource of certificatesigningrequests objects',
    description:
      'Lists subjects that may update `certificatesigningrequests/approval`, i.e. approve client certificates for any identity (CIS 5.1.11).',
    remediation:
      'Remove `update` on `certificatesigningrequests/approval` from roles except the CSR approver.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-can-approve-cert-signing-request'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0281',
    name: 'Minimize access to webhook configuration objects',
    description:
      'Lists subjects that may create, update or delete validating/mutating webhook configurations, which can intercept or disable admission (CIS 5.1.12).',
    remediation:
      'Remove write verbs on `validatingwebhookconfigurations` and `mutatingwebhookconfigurations` from roles that do not manage admission.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-can-modify-admission-webhooks'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0282',
    name: 'Minimize access to the service account token creation',
    description:
      'Lists subjects that may create `serviceaccounts/token`, i.e. mint tokens for any service account (CIS 5.1.13).',
    remediation: 'Remove `create` on `serviceaccounts/token` from roles that do not need to issue tokens.',
    baseScore: 5,
    category: ACCESS_CONTROL,
    rules: ['rule-can-create-service-account-token'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
];
