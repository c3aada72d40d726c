/** Images and known vulnerable components: registries, digests, signatures, CVE checks, scan results. */
import type { ControlDefinition } from './model.ts';
import { CLUSTER, CLUSTER_FILE, DEVOPS, SEC_COMP, SECURITY, SUPPLY_CHAIN, WORKLOAD } from './shared.ts';

export const SUPPLY_CHAIN_CONTROLS: readonly ControlDefinition[] = [
  {
    id: 'C-0001',
    name: 'Forbidden Container Registries',
    description:
      'Finds containers pulling images from registries listed in `untrustedRegistries` or `publicRegistries`; skipped while both lists are empty.',
    remediation:
      'Pull images from your trusted registry only, and fill `untrustedRegistries`/`publicRegistries` in the controls configuration.',
    baseScore: 7,
    category: SUPPLY_CHAIN,
    rules: ['rule-identify-blocklisted-image-registries-v1'],
    scanningScope: CLUSTER_FILE,
    actionRequired: 'configuration',
    tags: SEC_COMP,
  },
  {
    id: 'C-0059',
    name: 'CVE-2021-25742-nginx-ingress-snippet-annotation-vulnerability',
    description:
      'Finds ingress-nginx controllers vulnerable to CVE-2021-25742 (custom snippets can read every Secret) whose ConfigMap does not set `allow-snippet-annotations: "false"`.',
    remediation:
      'Upgrade ingress-nginx to v1.0.1 / v0.49.1 or later and set `allow-snippet-annotations: "false"` in its ConfigMap.',
    baseScore: 8,
    category: WORKLOAD,
    rules: ['CVE-2021-25742'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0078',
    name: 'Images from allowed registry',
    description:
      'Finds containers whose image does not come from a registry prefix in `imageRepositoryAllowList`; skipped while the list is empty.',
    remediation:
      'List your approved registries in `imageRepositoryAllowList` and rebuild or re-tag images to come from them.',
    baseScore: 5,
    category: SUPPLY_CHAIN,
    rules: ['container-image-repository-v1'],
    scanningScope: CLUSTER_FILE,
    actionRequired: 'configuration',
    tags: SEC_COMP,
  },
  {
    id: 'C-0081',
    name: 'CVE-2022-24348-argocddirtraversal',
    description:
      'Finds Argo CD deployments running a version vulnerable to CVE-2022-24348 (path traversal that leaks files of other applications).',
    remediation: 'Upgrade the Argo CD image to v2.1.9, v2.2.4, v2.3.0 or later.',
    baseScore: 4,
    category: WORKLOAD,
    rules: ['CVE-2022-24348'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0083',
    name: 'Workloads with Critical vulnerabilities exposed to external traffic',
    description:
      'Finds pods exposed by a non-ClusterIP Service whose image has at least one Critical vulnerability in the image scan results.',
    remediation:
      'Rebuild the image with fixed packages, or stop exposing the workload outside the cluster until it is patched.',
    baseScore: 8,
    category: WORKLOAD,
    rules: ['exposed-critical-pods'],
    scanningScope: CLUSTER,
    requires: 'image-vulnerabilities',
    tags: SECURITY,
  },
  {
    id: 'C-0084',
    name: 'Workloads with RCE vulnerabilities exposed to external traffic',
    description:
      'Finds externally exposed pods whose image has a vulnerability flagged as remote code execution in the image scan results.',
    remediation:
      'Patch or replace the image, or remove the external exposure (NodePort/LoadBalancer Service).',
    baseScore: 8,
    category: WORKLOAD,
    rules: ['exposed-rce-pods'],
    scanningScope: CLUSTER,
    requires: 'image-vulnerabilities',
    tags: SEC_COMP,
  },
  {
    id: 'C-0085',
    name: 'Workloads with excessive amount of vulnerabilities',
    description:
      'Finds pods whose image has more Critical or High vulnerabilities than `max_critical_vulnerabilities` / `max_high_vulnerabilities` (5 / 10 by default).',
    remediation:
      'Update the base image and packages, then rebuild; tune the thresholds in the controls configuration.',
    baseScore: 6,
    category: WORKLOAD,
    rules: ['excessive_amount_of_vulnerabilities_pods'],
    scanningScope: CLUSTER,
    actionRequired: 'configuration',
    requires: 'image-vulnerabilities',
    tags: SEC_COMP,
  },
  {
    id: 'C-0087',
    name: 'CVE-2022-23648-containerd-fs-escape',
    description:
      'Finds nodes running a containerd version vulnerable to CVE-2022-23648, where a crafted image can read arbitrary host files.',
    remediation: 'Upgrade containerd on the nodes to 1.4.12, 1.5.10, 1.6.1 or later.',
    baseScore: 7,
    category: WORKLOAD,
    rules: ['CVE-2022-23648'],
    scanningScope: CLUSTER,
    tags: SECURITY,
  },
  {
    id: 'C-0089',
    name: 'CVE-2022-3172-aggregated-API-server-redirect',
    description:
      'Finds aggregated APIService objects backed by a Service when the API server version is vulnerable to CVE-2022-3172 (redirects that can leak client credentials).',
    remediation: 'Upgrade the API server to v1.22.14, v1.23.11, v1.24.5, v1.25.1 or later.',
    baseScore: 3,
    category: WORKLOAD,
    rules: ['CVE-2022-3172'],
    scanningScope: CLUSTER,
    tags: SECURITY,
  },
  {
    id: 'C-0090',
    name: 'CVE-2022-39328-grafana-auth-bypass',
    description:
      'Finds Grafana deployments on 9.2.0–9.2.3, vulnerable to CVE-2022-39328 (unauthenticated access to protected endpoints under load).',
    remediation: 'Upgrade the Grafana image to 9.2.4 or later.',
    baseScore: 9,
    category: WORKLOAD,
    rules: ['CVE-2022-39328'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0091',
    name: 'CVE-2022-47633-kyverno-signature-bypass',
    description:
      'Finds Kyverno deployments on 1.8.3 or 1.8.4, vulnerable to CVE-2022-47633 (image signature verification bypass).',
    remediation: 'Upgrade the Kyverno image to 1.8.5 or later.',
    baseScore: 8,
    category: WORKLOAD,
    rules: ['CVE-2022-47633'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0236',
    name: 'Verify image signature',
    description:
      'Checks that every container image carries a cosign signature verifiable with one of `trustedCosignPublicKeys`; skipped while no key is configured.',
    remediation: 'Sign images with cosign in CI and add the public key to `trustedCosignPublicKeys`.',
    baseScore: 7,
    category: SUPPLY_CHAIN,
    rules: ['verify-image-signature'],
    scanningScope: CLUSTER,
    actionRequired: 'configuration',
    requires: 'registry',
    tags: SEC_COMP,
  },
  {
    id: 'C-0237',
    name: 'Check if signature exists',
    description: 'Checks in the registry that every container image has a cosign signature.',
    remediation: 'Sign images with cosign (`cosign sign`) as part of the build pipeline.',
    baseScore: 7,
    category: SUPPLY_CHAIN,
    rules: ['has-image-signature'],
    scanningScope: CLUSTER,
    requires: 'registry',
    tags: SEC_COMP,
  },
  {
    id: 'C-0253',
    name: 'Deprecated Kubernetes image registry',
    description:
      'Finds kube-system workloads pulling from the frozen `k8s.gcr.io` registry, which no longer receives new images.',
    remediation: 'Replace `k8s.gcr.io/` with `registry.k8s.io/` in the container images.',
    baseScore: 5,
    category: SUPPLY_CHAIN,
    rules: ['rule-identify-old-k8s-registry'],
    scanningScope: CLUSTER_FILE,
    tags: DEVOPS,
  },
  {
    id: 'C-0292',
    name: 'Nginx Ingress Controller End of Life',
    description:
      'Finds workloads running the community ingress-nginx controller, which has reached end of life and gets no more security fixes.',
    remediation: 'Migrate to a maintained ingress or Gateway API controller.',
    baseScore: 6,
    category: SUPPLY_CHAIN,
    rules: ['detect-nginx-ingress-controller-eol'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0306',
    name: 'Images not pinned to digest',
    description:
      'Finds container images referenced by tag instead of digest (`@sha256:...`), outside the `imageDigestExemptRepositories` prefixes; skipped while that list is empty.',
    remediation:
      'Reference images as `repo/name@sha256:<digest>` (a tag may stay in front), and list exempt repositories in the controls configuration.',
    baseScore: 3,
    category: SUPPLY_CHAIN,
    rules: ['image-not-pinned-to-digest'],
    scanningScope: CLUSTER_FILE,
    actionRequired: 'configuration',
    tags: SECURITY,
  },
];
