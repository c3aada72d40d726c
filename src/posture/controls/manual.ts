/** Manual-review controls: nothing to evaluate automatically; always reported for review. */
import type { ControlDefinition, ScanningScope } from './model.ts';
import {
  ACCESS_CONTROL,
  AKS,
  CLUSTER,
  CONTROL_PLANE,
  MANUAL_RULE,
  SEC_COMP,
  SUPPLY_CHAIN,
  WORKLOAD,
} from './shared.ts';

const EKS_AKS: readonly ScanningScope[] = ['EKS', 'AKS'];

export const MANUAL_CONTROLS: readonly ControlDefinition[] = [
  {
    id: 'C-0242',
    name: 'Hostile multi-tenant workloads',
    description:
      'Kubernetes namespaces are not a hard security boundary; review whether mutually untrusted tenants share a cluster.',
    remediation:
      'Run hostile tenants in separate clusters or node pools, with strict RBAC, network policies and sandboxed runtimes.',
    baseScore: 5,
    category: WORKLOAD,
    // Kubescape gives this manual control its own (manual) rule rather than `rule-manual`.
    rules: ['rule-hostile-multitenant-workloads'],
    scanningScope: EKS_AKS,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
  {
    id: 'C-0246',
    name: 'Avoid use of system:masters group',
    description:
      'Members of `system:masters` bypass RBAC entirely and cannot be restricted; review which credentials carry that group.',
    remediation:
      'Issue no certificates with `O=system:masters` beyond the bootstrap admin; grant admin rights through RBAC bindings instead.',
    baseScore: 8,
    category: ACCESS_CONTROL,
    rules: [MANUAL_RULE],
    scanningScope: CLUSTER,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
  {
    id: 'C-0249',
    name: 'Restrict untrusted workloads',
    description:
      'Review where untrusted workloads run; on AKS they can be isolated with sandboxed node pools.',
    remediation:
      'Schedule untrusted workloads on a dedicated node pool with a sandboxed runtime (e.g. Kata/gVisor).',
    baseScore: 5,
    category: WORKLOAD,
    rules: [MANUAL_RULE],
    scanningScope: AKS,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
  {
    id: 'C-0254',
    name: 'Enable audit Logs',
    description: 'Review that AKS control-plane audit logs are collected (diagnostic settings).',
    remediation:
      'Enable the `kube-audit` (or `kube-audit-admin`) diagnostic log category and send it to Log Analytics or storage.',
    baseScore: 5,
    category: CONTROL_PLANE,
    rules: [MANUAL_RULE],
    scanningScope: AKS,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
  {
    id: 'C-0286',
    name: 'Client certificate authentication should not be used for users',
    description: 'Client certificates cannot be revoked; review that human users authenticate another way.',
    remediation:
      'Authenticate users through OIDC or the cloud provider identity instead of client certificates.',
    baseScore: 4,
    category: ACCESS_CONTROL,
    rules: [MANUAL_RULE],
    scanningScope: CLUSTER,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
  {
    id: 'C-0287',
    name: 'Service account token authentication should not be used for users',
    description: 'Service account tokens are meant for workloads; review that no person uses one to log in.',
    remediation:
      'Give users their own identities (OIDC, cloud IAM) and keep service account tokens for workloads.',
    baseScore: 4,
    category: ACCESS_CONTROL,
    rules: [MANUAL_RULE],
    scanningScope: CLUSTER,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
  {
    id: 'C-0288',
    name: 'Bootstrap token authentication should not be used for users',
    description: 'Bootstrap tokens are for joining nodes; review that no user authenticates with one.',
    remediation:
      'Delete bootstrap tokens after node joins (`kubeadm token delete`) and give users proper identities.',
    baseScore: 4,
    category: ACCESS_CONTROL,
    rules: [MANUAL_RULE],
    scanningScope: CLUSTER,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
  {
    id: 'C-0289',
    name: 'Configure Image Provenance using ImagePolicyWebhook admission controller',
    description:
      'Review that only images from trusted sources can be admitted, e.g. with an image policy webhook.',
    remediation:
      'Enable `ImagePolicyWebhook` (or a policy engine such as Kyverno/Gatekeeper) to admit only signed images from approved registries.',
    baseScore: 7,
    category: SUPPLY_CHAIN,
    rules: [MANUAL_RULE],
    scanningScope: CLUSTER,
    actionRequired: 'manual review',
    tags: SEC_COMP,
  },
];
