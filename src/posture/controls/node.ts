/**
 * Controls that read node data collected by the host sensor (file modes and owners, kubelet flags and
 * config, CNI, kernel). Without that data they are reported skipped.
 */
import type { ControlDefinition } from './model.ts';
import { CLOUD, CLUSTER, CONTROL_PLANE, EKS, NETWORK, SEC_COMP, WORKLOAD } from './shared.ts';

type HostControl = Pick<
  ControlDefinition,
  'id' | 'name' | 'description' | 'remediation' | 'baseScore' | 'rules'
> &
  Partial<Pick<ControlDefinition, 'category' | 'scanningScope' | 'tags'>>;

/** Host-sensor controls default to the control-plane category and cluster scope. */
function hostControl(control: HostControl): ControlDefinition {
  return {
    category: CONTROL_PLANE,
    scanningScope: CLUSTER,
    tags: SEC_COMP,
    ...control,
    requires: 'host-sensor',
  };
}

const chmod = (mode: string, file: string): string => `Run \`chmod ${mode} ${file}\` on every affected node.`;
const chown = (owner: string, file: string): string =>
  `Run \`chown ${owner} ${file}\` on every affected node.`;
const KUBELET_RESTART = 'then restart the kubelet';

export const NODE_CONTROLS: readonly ControlDefinition[] = [
  hostControl({
    id: 'C-0052',
    name: 'Instance Metadata API',
    description:
      'Checks from the nodes whether the cloud instance metadata service is reachable; a compromised pod can read node credentials and details there.',
    remediation:
      'Block pod access to 169.254.169.254 (network policy or provider setting, e.g. IMDSv2 hop limit 1 on AWS, Workload Identity on GKE).',
    baseScore: 7,
    rules: ['instance-metadata-api-access'],
    scanningScope: CLOUD,
  }),
  hostControl({
    id: 'C-0069',
    name: 'Disable anonymous access to Kubelet service',
    description:
      'Fails when a kubelet accepts anonymous requests (`--anonymous-auth` or `authentication.anonymous.enabled`).',
    remediation: `Set \`authentication.anonymous.enabled: false\` in the kubelet config (or \`--anonymous-auth=false\`), ${KUBELET_RESTART}.`,
    baseScore: 10,
    rules: ['anonymous-requests-to-kubelet-updated'],
  }),
  hostControl({
    id: 'C-0070',
    name: 'Enforce Kubelet client TLS authentication',
    description:
      'Fails when a kubelet has no client CA, so it cannot verify that requests come from the API server.',
    remediation: `Set \`authentication.x509.clientCAFile\` in the kubelet config (or \`--client-ca-file\`), ${KUBELET_RESTART}.`,
    baseScore: 9,
    rules: ['enforce-kubelet-client-tls-authentication-updated'],
  }),
  hostControl({
    id: 'C-0079',
    name: 'CVE-2022-0185-linux-kernel-container-escape',
    description:
      'Finds nodes with a Linux kernel vulnerable to CVE-2022-0185 and unprivileged user namespaces enabled, which allows container escape.',
    remediation:
      'Upgrade node kernels to 5.16.2 or a patched distribution kernel, or disable unprivileged user namespaces.',
    baseScore: 4,
    category: WORKLOAD,
    rules: ['CVE-2022-0185'],
  }),
  hostControl({
    id: 'C-0092',
    name: 'Ensure that the API server pod specification file permissions are set to 600 or more restrictive',
    description: 'Fails when the kube-apiserver static pod manifest is writable or readable beyond mode 600.',
    remediation: chmod('600', '/etc/kubernetes/manifests/kube-apiserver.yaml'),
    baseScore: 6,
    rules: [
      'ensure-that-the-API-server-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
    ],
  }),
  hostControl({
    id: 'C-0093',
    name: 'Ensure that the API server pod specification file ownership is set to root:root',
    description: 'Fails when the kube-apiserver static pod manifest is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/manifests/kube-apiserver.yaml'),
    baseScore: 6,
    rules: ['ensure-that-the-API-server-pod-specification-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0094',
    name: 'Ensure that the controller manager pod specification file permissions are set to 600 or more restrictive',
    description: 'Fails when the controller-manager static pod manifest has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/manifests/kube-controller-manager.yaml'),
    baseScore: 6,
    rules: [
      'ensure-that-the-controller-manager-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
    ],
  }),
  hostControl({
    id: 'C-0095',
    name: 'Ensure that the controller manager pod specification file ownership is set to root:root',
    description: 'Fails when the controller-manager static pod manifest is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/manifests/kube-controller-manager.yaml'),
    baseScore: 6,
    rules: ['ensure-that-the-controller-manager-pod-specification-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0096',
    name: 'Ensure that the scheduler pod specification file permissions are set to 600 or more restrictive',
    description: 'Fails when the scheduler static pod manifest has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/manifests/kube-scheduler.yaml'),
    baseScore: 6,
    rules: [
      'ensure-that-the-scheduler-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
    ],
  }),
  hostControl({
    id: 'C-0097',
    name: 'Ensure that the scheduler pod specification file ownership is set to root:root',
    description: 'Fails when the scheduler static pod manifest is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/manifests/kube-scheduler.yaml'),
    baseScore: 6,
    rules: ['ensure-that-the-scheduler-pod-specification-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0098',
    name: 'Ensure that the etcd pod specification file permissions are set to 600 or more restrictive',
    description: 'Fails when the etcd static pod manifest has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/manifests/etcd.yaml'),
    baseScore: 6,
    rules: ['ensure-that-the-etcd-pod-specification-file-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0099',
    name: 'Ensure that the etcd pod specification file ownership is set to root:root',
    description: 'Fails when the etcd static pod manifest is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/manifests/etcd.yaml'),
    baseScore: 6,
    rules: ['ensure-that-the-etcd-pod-specification-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0100',
    name: 'Ensure that the Container Network Interface file permissions are set to 600 or more restrictive',
    description: 'Fails when a CNI configuration file on a node has a mode looser than 600.',
    remediation: chmod('600', '<CNI config files, e.g. /etc/cni/net.d/*>'),
    baseScore: 6,
    category: NETWORK,
    rules: [
      'ensure-that-the-Container-Network-Interface-file-permissions-are-set-to-600-or-more-restrictive',
    ],
  }),
  hostControl({
    id: 'C-0101',
    name: 'Ensure that the Container Network Interface file ownership is set to root:root',
    description: 'Fails when a CNI configuration file on a node is not owned by root:root.',
    remediation: chown('root:root', '<CNI config files, e.g. /etc/cni/net.d/*>'),
    baseScore: 6,
    category: NETWORK,
    rules: ['ensure-that-the-Container-Network-Interface-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0102',
    name: 'Ensure that the etcd data directory permissions are set to 700 or more restrictive',
    description: 'Fails when the etcd data directory has a mode looser than 700.',
    remediation: chmod('700', '/var/lib/etcd'),
    baseScore: 7,
    rules: ['ensure-that-the-etcd-data-directory-permissions-are-set-to-700-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0103',
    name: 'Ensure that the etcd data directory ownership is set to etcd:etcd',
    description:
      'Fails when the etcd data directory does not have the expected owner (checked as root:root by the rule).',
    remediation: chown('etcd:etcd', '/var/lib/etcd'),
    baseScore: 7,
    rules: ['ensure-that-the-etcd-data-directory-ownership-is-set-to-etcd-etcd'],
  }),
  hostControl({
    id: 'C-0104',
    name: 'Ensure that the admin.conf file permissions are set to 600',
    description: 'Fails when `admin.conf`, a cluster-admin kubeconfig, has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/admin.conf'),
    baseScore: 7,
    rules: ['ensure-that-the-admin.conf-file-permissions-are-set-to-600'],
  }),
  hostControl({
    id: 'C-0105',
    name: 'Ensure that the admin.conf file ownership is set to root:root',
    description: 'Fails when `admin.conf` is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/admin.conf'),
    baseScore: 7,
    rules: ['ensure-that-the-admin.conf-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0106',
    name: 'Ensure that the scheduler.conf file permissions are set to 600 or more restrictive',
    description: 'Fails when the scheduler kubeconfig has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/scheduler.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-scheduler.conf-file-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0107',
    name: 'Ensure that the scheduler.conf file ownership is set to root:root',
    description: 'Fails when the scheduler kubeconfig is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/scheduler.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-scheduler.conf-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0108',
    name: 'Ensure that the controller-manager.conf file permissions are set to 600 or more restrictive',
    description: 'Fails when the controller-manager kubeconfig has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/controller-manager.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-controller-manager.conf-file-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0109',
    name: 'Ensure that the controller-manager.conf file ownership is set to root:root',
    description: 'Fails when the controller-manager kubeconfig is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/controller-manager.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-controller-manager.conf-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0110',
    name: 'Ensure that the Kubernetes PKI directory and file ownership is set to root:root',
    description: 'Fails when the PKI directory or a file in it is not owned by root:root.',
    remediation: chown('-R root:root', '/etc/kubernetes/pki/'),
    baseScore: 8,
    rules: ['ensure-that-the-Kubernetes-PKI-directory-and-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0111',
    name: 'Ensure that the Kubernetes PKI certificate file permissions are set to 600 or more restrictive',
    description:
      'Fails when a certificate (`.crt`) in the Kubernetes PKI directory has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/pki/*.crt'),
    baseScore: 8,
    rules: ['ensure-that-the-Kubernetes-PKI-certificate-file-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0112',
    name: 'Ensure that the Kubernetes PKI key file permissions are set to 600',
    description:
      'Fails when a private key (`.key`) in the Kubernetes PKI directory has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/pki/*.key'),
    baseScore: 8,
    rules: ['ensure-that-the-Kubernetes-PKI-key-file-permissions-are-set-to-600'],
  }),
  hostControl({
    id: 'C-0141',
    name: 'Ensure that the API Server --encryption-provider-config argument is set as appropriate',
    description:
      'Fails when the API server has no `--encryption-provider-config`, or the referenced file cannot be read as a valid configuration.',
    remediation:
      'Create an EncryptionConfiguration file and pass it with `--encryption-provider-config` in `/etc/kubernetes/manifests/kube-apiserver.yaml`.',
    baseScore: 7,
    rules: ['ensure-that-the-api-server-encryption-provider-config-argument-is-set-as-appropriate'],
  }),
  hostControl({
    id: 'C-0142',
    name: 'Ensure that encryption providers are appropriately configured',
    description:
      'Fails when a resource entry of the API server encryption configuration uses no strong provider (`aescbc`, `secretbox` or `kms`).',
    remediation:
      'List `kms` (preferred), `secretbox` or `aescbc` before `identity` for every resource in the EncryptionConfiguration.',
    baseScore: 7,
    rules: ['ensure-that-the-api-server-encryption-providers-are-appropriately-configured'],
  }),
  hostControl({
    id: 'C-0161',
    name: 'Ensure that the audit policy covers key security concerns',
    description:
      'Fails when the API server audit policy is missing or does not log access to Secrets, ConfigMaps, TokenReviews, pod exec/attach/portforward and workload changes.',
    remediation:
      'Extend the audit Policy with rules for those resources (Metadata level for secrets/configmaps/tokenreviews) and pass it with `--audit-policy-file`.',
    baseScore: 5,
    rules: ['audit-policy-content'],
  }),
  hostControl({
    id: 'C-0162',
    name: 'Ensure that the kubelet service file permissions are set to 600 or more restrictive',
    description: 'Fails when the kubelet systemd unit/drop-in files have a mode looser than 600.',
    remediation: chmod('600', '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-kubelet-service-file-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0163',
    name: 'Ensure that the kubelet service file ownership is set to root:root',
    description: 'Fails when the kubelet systemd unit/drop-in files are not owned by root:root.',
    remediation: chown('root:root', '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-kubelet-service-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0164',
    name: 'If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive',
    description: 'Fails when the kube-proxy kubeconfig file on a node has a mode looser than 600.',
    remediation: chmod('600', '<kube-proxy --kubeconfig file>'),
    baseScore: 6,
    rules: ['if-proxy-kubeconfig-file-exists-ensure-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0165',
    name: 'If proxy kubeconfig file exists ensure ownership is set to root:root',
    description: 'Fails when the kube-proxy kubeconfig file on a node is not owned by root:root.',
    remediation: chown('root:root', '<kube-proxy --kubeconfig file>'),
    baseScore: 6,
    rules: ['if-proxy-kubeconfig-file-exists-ensure-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0166',
    name: 'Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive',
    description: 'Fails when the kubelet kubeconfig (`kubelet.conf`) has a mode looser than 600.',
    remediation: chmod('600', '/etc/kubernetes/kubelet.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-kubeconfig-kubelet.conf-file-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0167',
    name: 'Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root',
    description: 'Fails when the kubelet kubeconfig (`kubelet.conf`) is not owned by root:root.',
    remediation: chown('root:root', '/etc/kubernetes/kubelet.conf'),
    baseScore: 6,
    rules: ['ensure-that-the-kubeconfig-kubelet.conf-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0168',
    name: 'Ensure that the certificate authorities file permissions are set to 600 or more restrictive',
    description: 'Fails when the kubelet client CA file has a mode looser than 600.',
    remediation: chmod('600', '<kubelet --client-ca-file>'),
    baseScore: 7,
    rules: ['ensure-that-the-certificate-authorities-file-permissions-are-set-to-600-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0169',
    name: 'Ensure that the client certificate authorities file ownership is set to root:root',
    description: 'Fails when the kubelet client CA file is not owned by root:root.',
    remediation: chown('root:root', '<kubelet --client-ca-file>'),
    baseScore: 7,
    rules: ['ensure-that-the-client-certificate-authorities-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0170',
    name: 'If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive',
    description: 'Fails when the kubelet `--config` file has a mode looser than 600.',
    remediation: chmod('600', '/var/lib/kubelet/config.yaml'),
    baseScore: 7,
    rules: [
      'if-the-kubelet-config.yaml-configuration-file-is-being-used-validate-permissions-set-to-600-or-more-restrictive',
    ],
  }),
  hostControl({
    id: 'C-0171',
    name: 'If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root',
    description: 'Fails when the kubelet `--config` file is not owned by root:root.',
    remediation: chown('root:root', '/var/lib/kubelet/config.yaml'),
    baseScore: 7,
    rules: ['ensure-that-the-kubelet-configuration-file-ownership-is-set-to-root-root'],
  }),
  hostControl({
    id: 'C-0172',
    name: 'Ensure that the --anonymous-auth argument is set to false',
    description: 'Fails when a kubelet serves anonymous requests (CIS 4.2.1).',
    remediation: `Set \`authentication.anonymous.enabled: false\` in the kubelet config (or \`--anonymous-auth=false\`), ${KUBELET_RESTART}.`,
    baseScore: 7,
    rules: ['anonymous-requests-to-kubelet-updated'],
  }),
  hostControl({
    id: 'C-0173',
    name: 'Ensure that the --authorization-mode argument is not set to AlwaysAllow',
    description:
      'Fails when a kubelet authorizes every request (`AlwaysAllow`) or has no configured authorization.',
    remediation: `Set \`authorization.mode: Webhook\` in the kubelet config (or \`--authorization-mode=Webhook\`), ${KUBELET_RESTART}.`,
    baseScore: 6,
    rules: ['kubelet-authorization-mode-alwaysAllow'],
  }),
  hostControl({
    id: 'C-0174',
    name: 'Ensure that the --client-ca-file argument is set as appropriate',
    description: 'Fails when a kubelet has no client CA to authenticate API server requests (CIS 4.2.3).',
    remediation: `Set \`authentication.x509.clientCAFile\` in the kubelet config (or \`--client-ca-file\`), ${KUBELET_RESTART}.`,
    baseScore: 6,
    rules: ['enforce-kubelet-client-tls-authentication-updated'],
  }),
  hostControl({
    id: 'C-0175',
    name: 'Verify that the --read-only-port argument is set to 0',
    description: 'Fails when the unauthenticated kubelet read-only port (10255) is enabled.',
    remediation: `Set \`readOnlyPort: 0\` in the kubelet config (or \`--read-only-port=0\`), ${KUBELET_RESTART}.`,
    baseScore: 4,
    rules: ['read-only-port-enabled-updated'],
  }),
  hostControl({
    id: 'C-0176',
    name: 'Ensure that the --streaming-connection-idle-timeout argument is not set to 0',
    description: 'Fails when kubelet streaming connections (exec, port-forward) never time out.',
    remediation: `Set \`streamingConnectionIdleTimeout: 5m\` (non-zero) in the kubelet config, ${KUBELET_RESTART}.`,
    baseScore: 3,
    rules: ['kubelet-streaming-connection-idle-timeout'],
  }),
  hostControl({
    id: 'C-0177',
    name: 'Ensure that the --protect-kernel-defaults argument is set to true',
    description: 'Fails when the kubelet may override kernel parameters instead of erroring on mismatches.',
    remediation: `Set \`protectKernelDefaults: true\` in the kubelet config (or \`--protect-kernel-defaults=true\`), ${KUBELET_RESTART}.`,
    baseScore: 2,
    rules: ['kubelet-protect-kernel-defaults'],
  }),
  hostControl({
    id: 'C-0178',
    name: 'Ensure that the --make-iptables-util-chains argument is set to true',
    description: 'Fails when the kubelet is told not to manage its iptables utility chains.',
    remediation: `Set \`makeIPTablesUtilChains: true\` in the kubelet config (or remove \`--make-iptables-util-chains=false\`), ${KUBELET_RESTART}.`,
    baseScore: 3,
    rules: ['kubelet-ip-tables'],
  }),
  hostControl({
    id: 'C-0179',
    name: 'Ensure that the --hostname-override argument is not set',
    description:
      'Fails when the kubelet overrides its hostname, which can break TLS verification between components.',
    remediation: `Remove \`--hostname-override\` from the kubelet arguments, ${KUBELET_RESTART}.`,
    baseScore: 3,
    rules: ['kubelet-hostname-override'],
  }),
  hostControl({
    id: 'C-0180',
    name: 'Ensure that the --event-qps argument is set to 0 or a level which ensures appropriate event capture',
    description:
      'Fails when the kubelet event rate limit (`eventRecordQPS`) is set so that security-relevant events may be dropped.',
    remediation: `Set \`eventRecordQPS\` in the kubelet config to a level that captures all relevant events, ${KUBELET_RESTART}.`,
    baseScore: 2,
    rules: ['kubelet-event-qps'],
  }),
  hostControl({
    id: 'C-0181',
    name: 'Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate',
    description: 'Fails when a kubelet has no serving certificate and key configured.',
    remediation: `Set \`tlsCertFile\` and \`tlsPrivateKeyFile\` in the kubelet config (or the matching flags), ${KUBELET_RESTART}.`,
    baseScore: 7,
    rules: ['validate-kubelet-tls-configuration-updated'],
  }),
  hostControl({
    id: 'C-0182',
    name: 'Ensure that the --rotate-certificates argument is not set to false',
    description: 'Fails when kubelet client certificate rotation is disabled.',
    remediation: `Set \`rotateCertificates: true\` in the kubelet config (or remove \`--rotate-certificates=false\`), ${KUBELET_RESTART}.`,
    baseScore: 6,
    rules: ['kubelet-rotate-certificates'],
  }),
  hostControl({
    id: 'C-0183',
    name: 'Verify that the RotateKubeletServerCertificate argument is set to true',
    description:
      'Fails when kubelet serving certificate rotation is disabled (feature gate or `--rotate-server-certificates=false`).',
    remediation: `Set \`serverTLSBootstrap: true\` / \`RotateKubeletServerCertificate=true\` in the kubelet config, ${KUBELET_RESTART}.`,
    baseScore: 6,
    rules: ['kubelet-rotate-kubelet-server-certificate'],
  }),
  hostControl({
    id: 'C-0184',
    name: 'Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers',
    description: 'Fails when the kubelet TLS cipher list is missing or contains weak suites.',
    remediation: `Set \`tlsCipherSuites\` in the kubelet config to ECDHE/AEAD suites only, ${KUBELET_RESTART}.`,
    baseScore: 5,
    rules: ['kubelet-strong-cryptography-ciphers'],
  }),
  hostControl({
    id: 'C-0205',
    name: 'Ensure that the CNI in use supports Network Policies',
    description:
      'Fails when the node CNI plugins cannot enforce NetworkPolicies (e.g. Flannel without Calico).',
    remediation:
      'Use a CNI that enforces NetworkPolicies (Calico, Cilium, ...) or add one alongside the current plugin.',
    baseScore: 4,
    category: NETWORK,
    rules: ['ensure-that-the-cni-in-use-supports-network-policies'],
  }),
  hostControl({
    id: 'C-0208',
    name: 'Consider external secret storage',
    description:
      'Fails when the API server encryption configuration does not hand Secrets to an external KMS provider (AWS, Azure, Akeyless).',
    remediation:
      'Configure a `kms` provider backed by an external key or secret manager in the EncryptionConfiguration.',
    baseScore: 5,
    rules: ['external-secret-storage'],
  }),
  hostControl({
    id: 'C-0230',
    name: 'Ensure Network Policy is Enabled and set as appropriate',
    description:
      'On EKS, fails when the node CNI cannot enforce NetworkPolicies (VPC CNI alone, without a policy engine).',
    remediation:
      'Enable network policy support in the Amazon VPC CNI add-on or install Calico/Cilium for policy enforcement.',
    baseScore: 6,
    category: NETWORK,
    rules: ['ensure-network-policy-is-enabled-eks'],
    scanningScope: EKS,
  }),
  hostControl({
    id: 'C-0235',
    name: 'Ensure that the kubelet configuration file has permissions set to 644 or more restrictive',
    description:
      'Fails when the kubelet `--config` file is writable by group or others (mode looser than 644).',
    remediation: chmod('644', '<kubelet --config file, e.g. /etc/kubernetes/kubelet/kubelet-config.json>'),
    baseScore: 6,
    rules: ['ensure-that-the-kubelet-configuration-file-has-permissions-set-to-644-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0238',
    name: 'Ensure that the kubeconfig file permissions are set to 644 or more restrictive',
    description:
      'Fails when the kubelet kubeconfig file is writable by group or others (mode looser than 644).',
    remediation: chmod('644', '<kubelet --kubeconfig file, e.g. /var/lib/kubelet/kubeconfig>'),
    baseScore: 6,
    rules: ['Ensure-that-the-kubeconfig-file-permissions-are-set-to-644-or-more-restrictive'],
  }),
  hostControl({
    id: 'C-0284',
    name: 'Ensure that a limit is set on pod PIDs',
    description:
      'Fails when the kubelet sets no per-pod PID limit, so one pod can exhaust the node’s process table.',
    remediation: `Set \`podPidsLimit\` in the kubelet config (or \`--pod-max-pids\`), ${KUBELET_RESTART}.`,
    baseScore: 2,
    rules: ['kubelet-set-pod-limit'],
  }),
];
