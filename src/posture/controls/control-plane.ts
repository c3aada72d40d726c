/**
 * Control-plane controls read from the kube-system static pods (kube-apiserver, controller-manager,
 * scheduler, etcd flags). Only meaningful on self-managed clusters, hence `cluster` scope.
 */
import type { ControlDefinition } from './model.ts';
import { CLUSTER, CLUSTER_FILE, CONTROL_PLANE, SEC_COMP } from './shared.ts';

type FlagControl = Pick<
  ControlDefinition,
  'id' | 'name' | 'description' | 'remediation' | 'baseScore' | 'rules'
>;

/** Every static-pod flag check shares category, scope and tags. */
function flagControl(control: FlagControl): ControlDefinition {
  return { ...control, category: CONTROL_PLANE, scanningScope: CLUSTER, tags: SEC_COMP };
}

const APISERVER = '`/etc/kubernetes/manifests/kube-apiserver.yaml`';
const CONTROLLER_MANAGER = '`/etc/kubernetes/manifests/kube-controller-manager.yaml`';
const SCHEDULER = '`/etc/kubernetes/manifests/kube-scheduler.yaml`';
const ETCD = '`/etc/kubernetes/manifests/etcd.yaml`';

export const CONTROL_PLANE_CONTROLS: readonly ControlDefinition[] = [
  flagControl({
    id: 'C-0005',
    name: 'API server insecure port is enabled',
    description:
      'Finds a kube-apiserver started with `--insecure-port=1`; that port serves the API without TLS, authentication or authorization.',
    remediation: `Remove \`--insecure-port\` (or set it to 0) in ${APISERVER}.`,
    baseScore: 9,
    rules: ['insecure-port-flag'],
  }),
  {
    id: 'C-0066',
    name: 'Secret/etcd encryption enabled',
    description:
      'Checks that Secrets are encrypted at rest in etcd: `--encryption-provider-config` on a self-managed API server, or the provider setting on EKS/GKE/AKS.',
    remediation:
      'Configure an EncryptionConfiguration (aescbc, secretbox or kms) and pass it with `--encryption-provider-config`; on managed clusters enable secrets encryption with a KMS key.',
    baseScore: 6,
    category: CONTROL_PLANE,
    rules: ['etcd-encryption-native', 'secret-etcd-encryption-cloud'],
    scanningScope: CLUSTER,
    tags: SEC_COMP,
  },
  {
    id: 'C-0067',
    name: 'Audit logs enabled',
    description:
      'Checks that API server audit logging is on: `--audit-policy-file` on a self-managed API server, or control-plane audit logs on EKS/GKE.',
    remediation:
      'Pass an audit policy with `--audit-policy-file` (and `--audit-log-path`); on EKS enable the `audit` log type, on GKE Cloud Audit Logs.',
    baseScore: 5,
    category: CONTROL_PLANE,
    rules: ['k8s-audit-logs-enabled-native', 'k8s-audit-logs-enabled-cloud'],
    scanningScope: CLUSTER,
    tags: SEC_COMP,
  },
  {
    id: 'C-0068',
    name: 'PSP enabled',
    description:
      'Checks that the PodSecurityPolicy admission plugin is enabled on the API server or the managed cluster (clusters before Kubernetes 1.25).',
    remediation:
      'Add `PodSecurityPolicy` to `--enable-admission-plugins`; on 1.25+ use Pod Security Admission and exclude this control.',
    baseScore: 1,
    category: CONTROL_PLANE,
    rules: ['psp-enabled-native', 'psp-enabled-cloud'],
    scanningScope: CLUSTER_FILE,
    tags: SEC_COMP,
  },
  {
    id: 'C-0088',
    name: 'RBAC enabled',
    description:
      'Checks that RBAC authorization is enabled: `RBAC` in `--authorization-mode`, or RBAC turned on in AKS/EKS/GKE.',
    remediation: `Include \`RBAC\` in \`--authorization-mode\` in ${APISERVER}; on AKS create the cluster with RBAC enabled.`,
    baseScore: 7,
    category: CONTROL_PLANE,
    rules: ['rbac-enabled-native', 'rbac-enabled-cloud'],
    scanningScope: CLUSTER,
    tags: SEC_COMP,
  },
  flagControl({
    id: 'C-0113',
    name: 'Ensure that the API Server --anonymous-auth argument is set to false',
    description: 'Fails when the API server accepts anonymous requests (`--anonymous-auth` true or not set).',
    remediation: `Add \`--anonymous-auth=false\` to the kube-apiserver command in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-anonymous-auth-argument-is-set-to-false'],
  }),
  flagControl({
    id: 'C-0114',
    name: 'Ensure that the API Server --token-auth-file parameter is not set',
    description:
      'Fails when the API server authenticates with a static token file, whose tokens cannot be rotated or revoked.',
    remediation: `Remove \`--token-auth-file\` from ${APISERVER} and use certificates, OIDC or service account tokens.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-token-auth-file-parameter-is-not-set'],
  }),
  flagControl({
    id: 'C-0115',
    name: 'Ensure that the API Server --DenyServiceExternalIPs is not set',
    description:
      'CIS 1.23 check that fails when the `DenyServiceExternalIPs` admission plugin is enabled on the API server.',
    remediation: `Remove \`DenyServiceExternalIPs\` from \`--enable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-api-server-DenyServiceExternalIPs-is-not-set'],
  }),
  flagControl({
    id: 'C-0116',
    name: 'Ensure that the API Server --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate',
    description: 'Fails when the API server has no client certificate to authenticate itself to kubelets.',
    remediation: `Set \`--kubelet-client-certificate\` and \`--kubelet-client-key\` in ${APISERVER}.`,
    baseScore: 7,
    rules: [
      'ensure-that-the-api-server-kubelet-client-certificate-and-kubelet-client-key-arguments-are-set-as-appropriate',
    ],
  }),
  flagControl({
    id: 'C-0117',
    name: 'Ensure that the API Server --kubelet-certificate-authority argument is set as appropriate',
    description:
      'Fails when the API server does not verify kubelet serving certificates, exposing it to man-in-the-middle attacks.',
    remediation: `Set \`--kubelet-certificate-authority=<ca file>\` in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-kubelet-certificate-authority-argument-is-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0118',
    name: 'Ensure that the API Server --authorization-mode argument is not set to AlwaysAllow',
    description: 'Fails when `--authorization-mode` contains `AlwaysAllow`, which authorizes every request.',
    remediation: `Remove \`AlwaysAllow\` from \`--authorization-mode\` in ${APISERVER} (e.g. use \`Node,RBAC\`).`,
    baseScore: 7,
    rules: ['ensure-that-the-api-server-authorization-mode-argument-is-not-set-to-AlwaysAllow'],
  }),
  flagControl({
    id: 'C-0119',
    name: 'Ensure that the API Server --authorization-mode argument includes Node',
    description:
      'Fails when the Node authorizer, which limits kubelets to their own objects, is not enabled.',
    remediation: `Include \`Node\` in \`--authorization-mode\` in ${APISERVER}.`,
    baseScore: 5,
    rules: ['ensure-that-the-api-server-authorization-mode-argument-includes-Node'],
  }),
  flagControl({
    id: 'C-0120',
    name: 'Ensure that the API Server --authorization-mode argument includes RBAC',
    description: 'Fails when RBAC authorization is not enabled on the API server.',
    remediation: `Include \`RBAC\` in \`--authorization-mode\` in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-authorization-mode-argument-includes-RBAC'],
  }),
  flagControl({
    id: 'C-0121',
    name: 'Ensure that the admission control plugin EventRateLimit is set',
    description:
      'Fails when the `EventRateLimit` admission plugin, which protects the API server from event floods, is off.',
    remediation: `Add \`EventRateLimit\` to \`--enable-admission-plugins\` and set \`--admission-control-config-file\` in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-admission-control-plugin-EventRateLimit-is-set'],
  }),
  flagControl({
    id: 'C-0122',
    name: 'Ensure that the admission control plugin AlwaysAdmit is not set',
    description:
      'Fails when the `AlwaysAdmit` plugin is enabled, which admits every request regardless of other checks.',
    remediation: `Remove \`AlwaysAdmit\` from \`--enable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-admission-control-plugin-AlwaysAdmit-is-not-set'],
  }),
  flagControl({
    id: 'C-0123',
    name: 'Ensure that the admission control plugin AlwaysPullImages is set',
    description:
      'Fails when `AlwaysPullImages` is off, so pods can use private images cached on a node without registry credentials.',
    remediation: `Add \`AlwaysPullImages\` to \`--enable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-admission-control-plugin-AlwaysPullImages-is-set'],
  }),
  flagControl({
    id: 'C-0124',
    name: 'Ensure that the admission control plugin SecurityContextDeny is set if PodSecurityPolicy is not used',
    description:
      'CIS 1.23 check that fails when neither `SecurityContextDeny` nor `PodSecurityPolicy` is enabled.',
    remediation: `Add \`SecurityContextDeny\` (or \`PodSecurityPolicy\`) to \`--enable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 4,
    rules: [
      'ensure-that-the-admission-control-plugin-SecurityContextDeny-is-set-if-PodSecurityPolicy-is-not-used',
    ],
  }),
  flagControl({
    id: 'C-0125',
    name: 'Ensure that the admission control plugin ServiceAccount is set',
    description:
      'Fails when the `ServiceAccount` admission plugin is listed in `--disable-admission-plugins`.',
    remediation: `Remove \`ServiceAccount\` from \`--disable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 3,
    rules: ['ensure-that-the-admission-control-plugin-ServiceAccount-is-set'],
  }),
  flagControl({
    id: 'C-0126',
    name: 'Ensure that the admission control plugin NamespaceLifecycle is set',
    description:
      'Fails when `NamespaceLifecycle` is disabled, allowing objects in terminating or non-existent namespaces.',
    remediation: `Remove \`NamespaceLifecycle\` from \`--disable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 3,
    rules: ['ensure-that-the-admission-control-plugin-NamespaceLifecycle-is-set'],
  }),
  flagControl({
    id: 'C-0127',
    name: 'Ensure that the admission control plugin NodeRestriction is set',
    description:
      'Fails when `NodeRestriction` is not enabled, so a kubelet may modify Node and Pod objects of other nodes.',
    remediation: `Add \`NodeRestriction\` to \`--enable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-admission-control-plugin-NodeRestriction-is-set'],
  }),
  flagControl({
    id: 'C-0128',
    name: 'Ensure that the API Server --secure-port argument is not set to 0',
    description: 'CIS 1.23 check that fails when `--secure-port=0` disables the TLS port of the API server.',
    remediation: `Remove \`--secure-port\` or set it to a non-zero port (default 6443) in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-secure-port-argument-is-not-set-to-0'],
  }),
  flagControl({
    id: 'C-0129',
    name: 'Ensure that the API Server --profiling argument is set to false',
    description:
      'Fails when profiling endpoints of the API server are enabled (`--profiling` true or not set).',
    remediation: `Add \`--profiling=false\` in ${APISERVER}.`,
    baseScore: 3,
    rules: ['ensure-that-the-api-server-profiling-argument-is-set-to-false'],
  }),
  flagControl({
    id: 'C-0130',
    name: 'Ensure that the API Server --audit-log-path argument is set',
    description: 'Fails when the API server writes no audit log file.',
    remediation: `Set \`--audit-log-path=/var/log/apiserver/audit.log\` (or another path) in ${APISERVER}.`,
    baseScore: 7,
    rules: ['ensure-that-the-api-server-audit-log-path-argument-is-set'],
  }),
  flagControl({
    id: 'C-0131',
    name: 'Ensure that the API Server --audit-log-maxage argument is set to 30 or as appropriate',
    description: 'Fails when audit log files are kept less than 30 days or `--audit-log-maxage` is missing.',
    remediation: `Set \`--audit-log-maxage=30\` (or more) in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-api-server-audit-log-maxage-argument-is-set-to-30-or-as-appropriate'],
  }),
  flagControl({
    id: 'C-0132',
    name: 'Ensure that the API Server --audit-log-maxbackup argument is set to 10 or as appropriate',
    description:
      'Fails when `--audit-log-maxbackup` is missing; when present its value is reported for review.',
    remediation: `Set \`--audit-log-maxbackup=10\` (or as your retention requires) in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate'],
  }),
  flagControl({
    id: 'C-0133',
    name: 'Ensure that the API Server --audit-log-maxsize argument is set to 100 or as appropriate',
    description:
      'Fails when `--audit-log-maxsize` is missing; when present its value is reported for review.',
    remediation: `Set \`--audit-log-maxsize=100\` (MB, or as appropriate) in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-api-server-audit-log-maxsize-argument-is-set-to-100-or-as-appropriate'],
  }),
  flagControl({
    id: 'C-0134',
    name: 'Ensure that the API Server --request-timeout argument is set as appropriate',
    description:
      'Reports a custom `--request-timeout` on the API server for review; the default (60s) passes.',
    remediation: `Remove \`--request-timeout\` from ${APISERVER} or keep it at a deliberate value such as \`300s\`.`,
    baseScore: 4,
    rules: ['ensure-that-the-api-server-request-timeout-argument-is-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0135',
    name: 'Ensure that the API Server --service-account-lookup argument is set to true',
    description:
      'Fails when `--service-account-lookup=false`, so tokens of deleted service accounts are still accepted.',
    remediation: `Remove \`--service-account-lookup=false\` or set it to \`true\` in ${APISERVER}.`,
    baseScore: 6,
    rules: ['ensure-that-the-api-server-service-account-lookup-argument-is-set-to-true'],
  }),
  flagControl({
    id: 'C-0136',
    name: 'Ensure that the API Server --service-account-key-file argument is set as appropriate',
    description:
      'Fails when the API server has no explicit public key file to verify service account tokens.',
    remediation: `Set \`--service-account-key-file=<public key file>\` in ${APISERVER}.`,
    baseScore: 5,
    rules: ['ensure-that-the-api-server-service-account-key-file-argument-is-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0137',
    name: 'Ensure that the API Server --etcd-certfile and --etcd-keyfile arguments are set as appropriate',
    description:
      'Fails when the API server has no client certificate for etcd, so etcd traffic is not mutually authenticated.',
    remediation: `Set \`--etcd-certfile\` and \`--etcd-keyfile\` in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-etcd-certfile-and-etcd-keyfile-arguments-are-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0138',
    name: 'Ensure that the API Server --tls-cert-file and --tls-private-key-file arguments are set as appropriate',
    description: 'Fails when the API server serving certificate and key are not configured.',
    remediation: `Set \`--tls-cert-file\` and \`--tls-private-key-file\` in ${APISERVER}.`,
    baseScore: 8,
    rules: [
      'ensure-that-the-api-server-tls-cert-file-and-tls-private-key-file-arguments-are-set-as-appropriate',
    ],
  }),
  flagControl({
    id: 'C-0139',
    name: 'Ensure that the API Server --client-ca-file argument is set as appropriate',
    description: 'Fails when the API server has no CA to verify client certificates.',
    remediation: `Set \`--client-ca-file=<ca file>\` in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-client-ca-file-argument-is-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0140',
    name: 'Ensure that the API Server --etcd-cafile argument is set as appropriate',
    description: 'Fails when the API server does not verify the etcd server certificate.',
    remediation: `Set \`--etcd-cafile=<etcd ca file>\` in ${APISERVER}.`,
    baseScore: 8,
    rules: ['ensure-that-the-api-server-etcd-cafile-argument-is-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0143',
    name: 'Ensure that the API Server only makes use of Strong Cryptographic Ciphers',
    description:
      'CIS 1.23 check that fails when `--tls-cipher-suites` is missing or lacks the recommended strong suites.',
    remediation: `Set \`--tls-cipher-suites\` to the CIS list of AEAD/ECDHE suites in ${APISERVER}.`,
    baseScore: 5,
    rules: ['ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers'],
  }),
  flagControl({
    id: 'C-0144',
    name: 'Ensure that the Controller Manager --terminated-pod-gc-threshold argument is set as appropriate',
    description:
      'Fails when `--terminated-pod-gc-threshold` is missing; when present its value is reported for review.',
    remediation: `Set \`--terminated-pod-gc-threshold=10\` (or as appropriate) in ${CONTROLLER_MANAGER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-controller-manager-terminated-pod-gc-threshold-argument-is-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0145',
    name: 'Ensure that the Controller Manager --profiling argument is set to false',
    description: 'Fails when profiling is enabled on the controller manager (`--profiling` true or not set).',
    remediation: `Add \`--profiling=false\` in ${CONTROLLER_MANAGER}.`,
    baseScore: 3,
    rules: ['ensure-that-the-controller-manager-profiling-argument-is-set-to-false'],
  }),
  flagControl({
    id: 'C-0146',
    name: 'Ensure that the Controller Manager --use-service-account-credentials argument is set to true',
    description:
      'Fails when controllers share the controller manager’s own credentials instead of one service account each.',
    remediation: `Add \`--use-service-account-credentials=true\` in ${CONTROLLER_MANAGER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-controller-manager-use-service-account-credentials-argument-is-set-to-true'],
  }),
  flagControl({
    id: 'C-0147',
    name: 'Ensure that the Controller Manager --service-account-private-key-file argument is set as appropriate',
    description:
      'Fails when the controller manager has no explicit private key to sign service account tokens.',
    remediation: `Set \`--service-account-private-key-file=<key file>\` in ${CONTROLLER_MANAGER}.`,
    baseScore: 6,
    rules: [
      'ensure-that-the-controller-manager-service-account-private-key-file-argument-is-set-as-appropriate',
    ],
  }),
  flagControl({
    id: 'C-0148',
    name: 'Ensure that the Controller Manager --root-ca-file argument is set as appropriate',
    description:
      'Fails when the controller manager does not publish the root CA to service account token secrets.',
    remediation: `Set \`--root-ca-file=<ca file>\` in ${CONTROLLER_MANAGER}.`,
    baseScore: 7,
    rules: ['ensure-that-the-controller-manager-root-ca-file-argument-is-set-as-appropriate'],
  }),
  flagControl({
    id: 'C-0149',
    name: 'Ensure that the Controller Manager RotateKubeletServerCertificate argument is set to true',
    description:
      'Fails when the `RotateKubeletServerCertificate` feature gate is set to false on the controller manager.',
    remediation: `Remove \`RotateKubeletServerCertificate=false\` from \`--feature-gates\` in ${CONTROLLER_MANAGER}.`,
    baseScore: 6,
    rules: ['ensure-that-the-controller-manager-RotateKubeletServerCertificate-argument-is-set-to-true'],
  }),
  flagControl({
    id: 'C-0150',
    name: 'Ensure that the Controller Manager --bind-address argument is set to 127.0.0.1',
    description: 'Fails when the controller manager listens on an address other than localhost.',
    remediation: `Set \`--bind-address=127.0.0.1\` in ${CONTROLLER_MANAGER}.`,
    baseScore: 5,
    rules: ['ensure-that-the-controller-manager-bind-address-argument-is-set-to-127.0.0.1'],
  }),
  flagControl({
    id: 'C-0151',
    name: 'Ensure that the Scheduler --profiling argument is set to false',
    description: 'Fails when profiling is enabled on the scheduler (`--profiling` true or not set).',
    remediation: `Add \`--profiling=false\` in ${SCHEDULER}.`,
    baseScore: 3,
    rules: ['ensure-that-the-scheduler-profiling-argument-is-set-to-false'],
  }),
  flagControl({
    id: 'C-0152',
    name: 'Ensure that the Scheduler --bind-address argument is set to 127.0.0.1',
    description: 'Fails when the scheduler listens on an address other than localhost.',
    remediation: `Set \`--bind-address=127.0.0.1\` in ${SCHEDULER}.`,
    baseScore: 5,
    rules: ['ensure-that-the-scheduler-bind-address-argument-is-set-to-127.0.0.1'],
  }),
  flagControl({
    id: 'C-0153',
    name: 'Ensure that the --cert-file and --key-file arguments are set as appropriate',
    description: 'Fails when etcd serves clients without TLS (`--cert-file`/`--key-file` missing).',
    remediation: `Set \`--cert-file\` and \`--key-file\` in ${ETCD}.`,
    baseScore: 8,
    rules: ['etcd-tls-enabled'],
  }),
  flagControl({
    id: 'C-0154',
    name: 'Ensure that the --client-cert-auth argument is set to true',
    description: 'Fails when etcd does not require client certificates.',
    remediation: `Set \`--client-cert-auth=true\` in ${ETCD}.`,
    baseScore: 8,
    rules: ['etcd-client-auth-cert'],
  }),
  flagControl({
    id: 'C-0155',
    name: 'Ensure that the --auto-tls argument is not set to true',
    description: 'Fails when etcd uses self-signed certificates for client connections (`--auto-tls=true`).',
    remediation: `Remove \`--auto-tls=true\` from ${ETCD}.`,
    baseScore: 6,
    rules: ['etcd-auto-tls-disabled'],
  }),
  flagControl({
    id: 'C-0156',
    name: 'Ensure that the --peer-cert-file and --peer-key-file arguments are set as appropriate',
    description: 'Fails when etcd peer traffic is not encrypted with TLS.',
    remediation: `Set \`--peer-cert-file\` and \`--peer-key-file\` in ${ETCD}.`,
    baseScore: 7,
    rules: ['etcd-peer-tls-enabled'],
  }),
  flagControl({
    id: 'C-0157',
    name: 'Ensure that the --peer-client-cert-auth argument is set to true',
    description: 'Fails when etcd does not authenticate its peers with certificates.',
    remediation: `Set \`--peer-client-cert-auth=true\` in ${ETCD}.`,
    baseScore: 7,
    rules: ['etcd-peer-client-auth-cert'],
  }),
  flagControl({
    id: 'C-0158',
    name: 'Ensure that the --peer-auto-tls argument is not set to true',
    description:
      'Fails when etcd uses self-signed certificates for peer connections (`--peer-auto-tls=true`).',
    remediation: `Remove \`--peer-auto-tls=true\` from ${ETCD}.`,
    baseScore: 6,
    rules: ['etcd-peer-auto-tls-disabled'],
  }),
  flagControl({
    id: 'C-0159',
    name: 'Ensure that a unique Certificate Authority is used for etcd',
    description:
      'Fails when etcd trusts the same CA file as the API server uses for clients, so any cluster certificate can reach etcd.',
    remediation: `Create a dedicated CA for etcd and point \`--trusted-ca-file\` in ${ETCD} at it.`,
    baseScore: 8,
    rules: ['etcd-unique-ca'],
  }),
  flagControl({
    id: 'C-0160',
    name: 'Ensure that a minimal audit policy is created',
    description:
      'Fails when the API server runs without `--audit-policy-file`, so no audit events are recorded.',
    remediation: `Write an audit Policy file and pass it with \`--audit-policy-file\` in ${APISERVER}.`,
    baseScore: 5,
    rules: ['k8s-audit-logs-enabled-native-cis'],
  }),
  flagControl({
    id: 'C-0277',
    name: 'Ensure that the API Server only makes use of Strong Cryptographic Ciphers',
    description:
      'Fails when `--tls-cipher-suites` is missing or includes weak suites (RC4, 3DES, CBC or non-ECDHE RSA suites).',
    remediation: `Set \`--tls-cipher-suites\` to ECDHE/AEAD suites only (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) in ${APISERVER}.`,
    baseScore: 5,
    rules: ['ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers-cis1-10'],
  }),
  flagControl({
    id: 'C-0283',
    name: 'Ensure that the API Server --DenyServiceExternalIPs is set',
    description:
      'Fails when admission plugins are configured without `DenyServiceExternalIPs`, so Services may claim arbitrary external IPs.',
    remediation: `Add \`DenyServiceExternalIPs\` to \`--enable-admission-plugins\` in ${APISERVER}.`,
    baseScore: 4,
    rules: ['ensure-that-the-api-server-DenyServiceExternalIPs-is-set'],
  }),
  flagControl({
    id: 'C-0290',
    name: 'Ensure that the API Server --service-account-extend-token-expiration is set to false',
    description:
      'Fails when the API server extends projected service account token lifetimes (`--service-account-extend-token-expiration` true or unset).',
    remediation: `Add \`--service-account-extend-token-expiration=false\` in ${APISERVER}.`,
    baseScore: 6,
    rules: ['ensure-that-the-api-server-service-account-extend-token-expiration-is-set-to-false'],
  }),
  {
    id: 'C-0291',
    name: 'Ensure that the kube-proxy metrics service is bound to localhost',
    description:
      'Fails when the kube-proxy ConfigMap in kube-system leaves `metricsBindAddress` empty or bound to 0.0.0.0.',
    remediation:
      'Set `metricsBindAddress: 127.0.0.1:10249` in the kube-proxy configuration (ConfigMap `kube-system/kube-proxy`).',
    baseScore: 5,
    category: CONTROL_PLANE,
    rules: ['ensure-that-the-kube-proxy-metrics-service-is-bound-to-localhost'],
    scanningScope: CLUSTER,
    tags: SEC_COMP,
  },
];
