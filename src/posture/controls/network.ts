/** Network controls: network policies, exposure through Services/Ingress/Gateways, dangling references. */
import type { ControlDefinition } from './model.ts';
import {
  CLUSTER,
  CLUSTER_FILE,
  COMPLIANCE,
  DEVOPS,
  NETWORK,
  SEC_COMP,
  SECURITY,
  WORKLOAD,
} from './shared.ts';

export const NETWORK_CONTROLS: readonly ControlDefinition[] = [
  {
    id: 'C-0021',
    name: 'Exposed sensitive interfaces',
    description:
      'Finds known sensitive interfaces (dashboards, Argo, Jenkins, Kubeflow, ML servers, ... per `sensitiveInterfaces`) exposed through a NodePort or LoadBalancer Service.',
    remediation:
      'Change the Service to `type: ClusterIP` and reach the interface through an authenticated proxy or VPN; adjust `sensitiveInterfaces` to your tools.',
    baseScore: 6,
    category: WORKLOAD,
    rules: ['exposed-sensitive-interfaces-v1'],
    scanningScope: CLUSTER,
    actionRequired: 'configuration',
    tags: COMPLIANCE,
  },
  {
    id: 'C-0030',
    name: 'Ingress and Egress blocked',
    description:
      'Finds workloads not selected by any NetworkPolicy (or Cilium policy) that restricts ingress or egress, so they accept and open any connection.',
    remediation:
      'Add a default-deny NetworkPolicy per namespace (`podSelector: {}`, `policyTypes: [Ingress, Egress]`) and allow only the required flows.',
    baseScore: 6,
    category: NETWORK,
    rules: ['ingress-and-egress-blocked'],
    scanningScope: CLUSTER_FILE,
    tags: COMPLIANCE,
  },
  {
    id: 'C-0042',
    name: 'SSH server running inside container',
    description:
      'Finds workloads exposed by a Service on port 22 or 2222, a sign of an SSH server in the container.',
    remediation:
      'Remove the SSH server from the image and use `kubectl exec` or debugging containers instead.',
    baseScore: 3,
    category: WORKLOAD,
    rules: ['rule-can-ssh-to-pod-v1'],
    scanningScope: CLUSTER_FILE,
    tags: COMPLIANCE,
  },
  {
    id: 'C-0049',
    name: 'Network mapping',
    description:
      'Finds namespaces without any NetworkPolicy, where a compromised pod can scan and reach every other pod.',
    remediation: 'Create at least one NetworkPolicy (ideally default-deny) in every namespace.',
    baseScore: 3,
    category: NETWORK,
    rules: ['internal-networking'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0054',
    name: 'Cluster internal networking',
    description:
      'Finds namespaces without any NetworkPolicy, which allows unrestricted lateral movement between pods.',
    remediation:
      'Create NetworkPolicies in every namespace that allow only the traffic the applications need.',
    baseScore: 4,
    category: NETWORK,
    rules: ['internal-networking'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0206',
    name: 'Ensure that all Namespaces have Network Policies defined',
    description: 'Finds namespaces that contain no NetworkPolicy (CIS 5.3.2).',
    remediation: 'Define NetworkPolicies (at least a default-deny one) in every namespace.',
    baseScore: 4,
    category: NETWORK,
    rules: ['internal-networking'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0256',
    name: 'External facing',
    description:
      'Finds workloads reachable from outside the cluster through a NodePort/LoadBalancer Service or an Ingress backend.',
    remediation:
      'Use `type: ClusterIP` for internal services and expose only what must be public, behind TLS and authentication.',
    baseScore: 7,
    category: NETWORK,
    rules: ['exposure-to-internet'],
    scanningScope: CLUSTER,
    tags: SECURITY,
  },
  {
    id: 'C-0260',
    name: 'Missing network policy',
    description:
      'Finds workloads that no NetworkPolicy or Cilium policy selects, so their traffic is unrestricted.',
    remediation:
      "Add a NetworkPolicy whose `podSelector` matches the workload's pod labels (or an empty selector for the whole namespace).",
    baseScore: 5,
    category: NETWORK,
    rules: ['ensure_network_policy_configured_in_labels'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0263',
    name: 'Ingress uses TLS',
    description: 'Finds Ingress objects without `spec.tls`, which serve traffic in clear text.',
    remediation: 'Add `spec.tls` with the hosts and a `secretName` holding the certificate.',
    baseScore: 7,
    category: NETWORK,
    rules: ['ingress-no-tls'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0266',
    name: 'Exposure to internet via Gateway API or Istio Ingress',
    description:
      'Finds workloads routed from the internet through Gateway API routes (HTTPRoute/TCPRoute/UDPRoute) or a public Istio Gateway and VirtualService.',
    remediation:
      'Remove the route or VirtualService for workloads that should stay internal, or restrict the Gateway to internal listeners.',
    baseScore: 7,
    category: NETWORK,
    rules: ['exposure-to-internet-via-gateway-api', 'exposure-to-internet-via-istio-ingress'],
    scanningScope: CLUSTER,
    tags: SECURITY,
  },
  {
    id: 'C-0274',
    name: 'Verify Authenticated Service',
    description:
      'Uses network scan results of the operator to find workloads behind a Service whose ports answer without authentication.',
    remediation: 'Enable authentication on the service, or stop exposing the port through the Service.',
    baseScore: 7,
    category: NETWORK,
    rules: ['unauthenticated-service'],
    scanningScope: CLUSTER,
    requires: 'service-scan',
    tags: SECURITY,
  },
  {
    id: 'C-0293',
    name: 'Service with no workload',
    description: 'Finds Services whose selector matches no pod or controller in their namespace.',
    remediation: 'Fix `spec.selector` to match the intended pods, or delete the unused Service.',
    baseScore: 3,
    category: NETWORK,
    rules: ['service-with-no-workload'],
    scanningScope: CLUSTER_FILE,
    tags: DEVOPS,
  },
  {
    id: 'C-0298',
    name: 'Dangling Ingress backend',
    description:
      'Finds Ingress rules or default backends pointing at a Service that does not exist in the namespace.',
    remediation: 'Create the missing Service or fix `backend.service.name` in the Ingress.',
    baseScore: 4,
    category: NETWORK,
    rules: ['dangling-ingress-backend'],
    scanningScope: CLUSTER_FILE,
    tags: DEVOPS,
  },
  {
    id: 'C-0299',
    name: 'Dangling NetworkPolicy',
    description:
      'Finds NetworkPolicies whose non-empty `podSelector` matches no workload in their namespace.',
    remediation: 'Fix the `podSelector` labels to match the intended pods, or delete the policy.',
    baseScore: 4,
    category: NETWORK,
    rules: ['dangling-networkpolicy'],
    scanningScope: CLUSTER_FILE,
    tags: DEVOPS,
  },
  {
    id: 'C-0302',
    name: 'Dangling Gateway API backend',
    description: 'Finds HTTPRoute/TCPRoute/UDPRoute `backendRefs` that name a Service which does not exist.',
    remediation: 'Create the missing Service or fix `rules[].backendRefs[].name`/`namespace`.',
    baseScore: 4,
    category: NETWORK,
    rules: ['dangling-gateway-backend'],
    scanningScope: CLUSTER_FILE,
    tags: DEVOPS,
  },
];
