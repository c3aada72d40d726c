/**
 * Managed-cluster configuration rules over ClusterDescribe (EKS `DescribeCluster`, AKS managed
 * cluster, GKE cluster). Each rule is a list of per-provider checks of `data`; a failing check
 * reports the whole ClusterDescribe object.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation } from '../../objects.ts';
import {
  asArray,
  asObject,
  isNonEmpty,
  isTruthy,
  membersOf,
  valueAt,
  type PathSegment,
} from '../host/values.ts';
import { cloudKindMatch, isCloudObject, providerLabels, type CloudProvider } from './cloud-objects.ts';

interface ProviderCheck {
  provider: CloudProvider;
  /** True when the cluster described by `data` is misconfigured. */
  fails: (data: unknown) => boolean;
  alertMessage: string;
  alertScore: number;
  fixCommand?: string;
  /** Reported as both failed and review path. */
  path?: string;
}

interface ClusterDescribeRule {
  name: string;
  /** Providers whose ClusterDescribe the library lists in `dynamicMatch`. */
  reads: readonly CloudProvider[];
  checks: readonly ProviderCheck[];
}

function findings(obj: K8sObject, checks: readonly ProviderCheck[]): Violation[] {
  // The library binds `data` first: a ClusterDescribe without data is never judged.
  if (obj.data === undefined) return [];
  return checks
    .filter((check) => isCloudObject(obj, 'ClusterDescribe', check.provider) && check.fails(obj.data))
    .map((check) =>
      externalViolation(obj, {
        alertMessage: check.alertMessage,
        alertScore: check.alertScore,
        ...(check.fixCommand !== undefined ? { fixCommand: check.fixCommand } : {}),
        ...(check.path !== undefined ? { failedPaths: [check.path], reviewPaths: [check.path] } : {}),
      }),
    );
}

function clusterDescribeRule(rule: ClusterDescribeRule): RuleDefinition {
  return {
    name: rule.name,
    match: [],
    dynamicMatch: cloudKindMatch(rule.reads, 'ClusterDescribe'),
    cloudProviders: providerLabels([...new Set(rule.checks.map((check) => check.provider))]),
    evaluate: ({ objects }) => objects.flatMap((obj) => findings(obj, rule.checks)),
  };
}

const at = (data: unknown, ...path: PathSegment[]): unknown => valueAt(data, path);
/** AKS checks read `data.properties`; without it the library does not judge the cluster. */
const aksProperties = (data: unknown): unknown => at(data, 'properties');
const eksVpc = (data: unknown, field: string): unknown => at(data, 'Cluster', 'ResourcesVpcConfig', field);

// ---- EKS -----------------------------------------------------------------------------------------

const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/** Every control-plane log type must be enabled by some ClusterLogging entry. */
export function eksLoggingIncomplete(data: unknown): boolean {
  const setups = at(data, 'Cluster', 'Logging', 'ClusterLogging');
  if (setups === undefined) return false;
  const enabledTypes = membersOf(setups)
    .filter((setup) => at(setup, 'Enabled') === true)
    .flatMap((setup) => membersOf(at(setup, 'Types')));
  return !EKS_LOG_TYPES.every((type) => enabledTypes.includes(type));
}

/** Secrets are envelope-encrypted with a KMS key (PascalCase SDK output or camelCase CLI output). */
export function eksSecretsEncrypted(data: unknown): boolean {
  const shapes = [
    { list: at(data, 'Cluster', 'EncryptionConfig'), key: ['Provider', 'KeyArn'], resources: 'Resources' },
    { list: at(data, 'cluster', 'encryptionConfig'), key: ['provider', 'keyArn'], resources: 'resources' },
  ];
  return shapes.some(({ list, key, resources }) =>
    membersOf(list).some((encryption) => {
      const keyArn = valueAt(encryption, key);
      return keyArn !== undefined && keyArn !== '' && isNonEmpty(at(encryption, resources));
    }),
  );
}

// ---- AKS -----------------------------------------------------------------------------------------

/** Encryption at host on every node pool, a Key Vault KMS, or infrastructure encryption. */
export function aksSecretsEncrypted(data: unknown): boolean {
  const pools = asArray(at(data, 'properties', 'agentPoolProfiles'));
  const atHost =
    pools !== undefined &&
    pools.length > 0 &&
    pools.every((pool) => at(pool, 'enableEncryptionAtHost') === true);
  return (
    atHost ||
    at(data, 'properties', 'securityProfile', 'azureKeyVaultKms', 'enabled') === true ||
    at(
      data,
      'properties',
      'securityProfile',
      'kubernetesResourceObjectEncryptionProfile',
      'infrastructureEncryption',
    ) === 'Enabled'
  );
}

/** Azure CNI with Azure or Calico policies, or kubenet with Calico. */
export function aksNetworkPolicyEnabled(properties: unknown): boolean {
  const plugin = at(properties, 'networkProfile', 'networkPlugin');
  const policy = at(properties, 'networkProfile', 'networkPolicy');
  return (
    (plugin === 'azure' && (policy === 'azure' || policy === 'calico')) ||
    (plugin === 'kubenet' && policy === 'calico')
  );
}

// ---- GKE -----------------------------------------------------------------------------------------

/** Cloud Logging with no enabled component disables logging. */
export function gkeLoggingDisabled(data: unknown): boolean {
  const components = at(data, 'logging_config', 'component_config', 'enable_components');
  if (!isTruthy(components)) return true;
  const sized =
    Array.isArray(components) || typeof components === 'string' || asObject(components) !== undefined;
  return sized && !isNonEmpty(components);
}

/** Application-layer secrets encryption (`state` 1 / ENCRYPTED). */
export function gkeSecretsEncrypted(data: unknown): boolean {
  const state = at(data, 'database_encryption', 'state');
  return state === '1' || state === 1 || state === 'ENCRYPTED';
}

const EKS_FIX_PRIVATE_ONLY =
  'aws eks update-cluster-config --region $AWS_REGION --name $CLUSTER_NAME --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false';

const RULES: readonly ClusterDescribeRule[] = [
  {
    name: 'cluster-access-manager-api-eks',
    reads: ['eks'],
    checks: [
      {
        provider: 'eks',
        // API or API_AND_CONFIG_MAP means the access-entry API is on.
        fails: (data) => at(data, 'Cluster', 'AccessConfig', 'AuthenticationMode') === 'CONFIG_MAP',
        alertMessage: "Cluster Access Manager API isn't enabled on the EKS cluster",
        alertScore: 3,
      },
    ],
  },
  {
    name: 'ensure-endpointprivateaccess-is-enabled',
    reads: ['eks'],
    checks: [
      {
        provider: 'eks',
        fails: (data) => eksVpc(data, 'EndpointPrivateAccess') === false,
        alertMessage: 'endpointPrivateAccess is not enabled',
        alertScore: 3,
        fixCommand: EKS_FIX_PRIVATE_ONLY,
      },
    ],
  },
  {
    name: 'ensure-endpointprivateaccess-is-enabled-and-endpointpublicaccess-is-disabled-eks',
    reads: ['eks'],
    checks: [
      {
        provider: 'eks',
        fails: (data) =>
          eksVpc(data, 'EndpointPrivateAccess') === false || eksVpc(data, 'EndpointPublicAccess') === true,
        alertMessage: 'endpointPrivateAccess is not enabled, or EndpointPublicAccess is enabled',
        alertScore: 3,
        fixCommand:
          "aws eks update-cluster-config --region $AWS_REGION --name $CLUSTER_NAME --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=true,publicAccessCidrs='203.0.113.5/32'",
      },
    ],
  },
  {
    name: 'ensure-endpointpublicaccess-is-disabled-on-private-nodes-eks',
    reads: ['eks'],
    checks: [
      {
        provider: 'eks',
        fails: (data) =>
          eksVpc(data, 'EndpointPublicAccess') === true &&
          membersOf(eksVpc(data, 'PublicAccessCidrs')).includes('0.0.0.0/0'),
        alertMessage: 'endpointPublicAccess is enabled on a private node',
        alertScore: 3,
        fixCommand: EKS_FIX_PRIVATE_ONLY,
      },
    ],
  },
  {
    name: 'ensure-azure-rbac-is-set',
    reads: ['aks'],
    checks: [
      {
        provider: 'aks',
        fails: (data) =>
          aksProperties(data) !== undefined &&
          at(data, 'properties', 'aadProfile', 'enableAzureRBAC') !== true,
        alertMessage:
          'Azure RBAC is not set. Enable it using the command: az aks update -g <resource_group> -n <cluster_name> --enable-azure-rbac',
        alertScore: 7,
        fixCommand: 'az aks update -g <resource_group> -n <cluster_name> --enable-azure-rbac',
      },
    ],
  },
  {
    name: 'ensure-clusters-are-created-with-private-endpoint-enabled-and-public-access-disabled',
    reads: ['aks'],
    checks: [
      {
        provider: 'aks',
        fails: (data) => !isTruthy(at(data, 'properties', 'privateEndpoint', 'id')),
        alertMessage: 'Private endpoint not enabled.',
        alertScore: 7,
        fixCommand: '',
      },
    ],
  },
  {
    name: 'ensure-clusters-are-created-with-private-nodes',
    reads: ['aks'],
    checks: [
      {
        provider: 'aks',
        fails: (data) => at(data, 'properties', 'apiServerAccessProfile', 'enablePrivateCluster') !== true,
        alertMessage: 'Cluster does not have private nodes.',
        alertScore: 7,
        fixCommand:
          'az aks create --resource-group <private-cluster-resource-group> --name <private-cluster-name> --load-balancer-sku standard --enable-private-cluster --network-plugin azure --vnet-subnet-id <subnet-id> --docker-bridge-address --dns-service-ip --service-cidr',
      },
    ],
  },
  {
    name: 'ensure-image-vulnerability-scanning-using-azure-defender-image-scanning-or-a-third-party-provider',
    reads: ['aks'],
    checks: [
      {
        provider: 'aks',
        fails: (data) =>
          aksProperties(data) !== undefined &&
          at(data, 'properties', 'securityProfile', 'defender', 'securityMonitoring', 'enabled') !== true,
        alertMessage: 'Azure Defender image scanning is not enabled.',
        alertScore: 2,
        fixCommand:
          'az aks update --enable-defender --resource-group <your-resource-group> --name <your-cluster-name>',
      },
    ],
  },
  {
    name: 'restrict-access-to-the-control-plane-endpoint',
    reads: ['aks'],
    checks: [
      {
        provider: 'aks',
        fails: (data) => !isNonEmpty(at(data, 'properties', 'apiServerAccessProfile', 'authorizedIPRanges')),
        alertMessage: "Parameter 'authorizedIPRanges' was not set.",
        alertScore: 7,
        fixCommand:
          "az aks update -n '<name>' -g '<resource_group>' --api-server-authorized-ip-ranges '0.0.0.0/32'",
      },
    ],
  },
  {
    name: 'rule-cni-enabled-aks',
    reads: ['aks'],
    checks: [
      {
        provider: 'aks',
        fails: (data) => aksProperties(data) !== undefined && !aksNetworkPolicyEnabled(aksProperties(data)),
        alertMessage: 'cni is not enabled',
        alertScore: 3,
        fixCommand: '',
      },
    ],
  },
  {
    name: 'rbac-enabled-cloud',
    reads: ['aks', 'gke', 'eks'],
    checks: [
      {
        provider: 'aks',
        fails: (data) => at(data, 'properties', 'enableRBAC') === false,
        alertMessage: 'rbac is not enabled',
        alertScore: 3,
        fixCommand: '',
        path: 'data.properties.enableRBAC',
      },
    ],
  },
  {
    name: 'psp-enabled-cloud',
    reads: ['gke', 'eks'],
    checks: [
      {
        provider: 'gke',
        fails: (data) => at(data, 'pod_security_policy_config', 'enabled') !== true,
        alertMessage: 'pod security policy configuration is not enabled',
        alertScore: 3,
        fixCommand: 'gcloud beta container clusters update <cluster_name> --enable-pod-security-policy',
      },
    ],
  },
  {
    name: 'k8s-audit-logs-enabled-cloud',
    reads: ['gke', 'eks'],
    checks: [
      {
        provider: 'gke',
        fails: gkeLoggingDisabled,
        alertMessage: 'audit logs is disabled',
        alertScore: 3,
        fixCommand: '',
      },
      {
        provider: 'eks',
        fails: eksLoggingIncomplete,
        alertMessage: 'audit logs is disabled',
        alertScore: 3,
        fixCommand:
          "aws eks update-cluster-config --region '${REGION_CODE}' --name '${CLUSTER_NAME}' --logging '{'clusterLogging':[{'types':['api','audit','authenticator','controllerManager','scheduler'],'enabled':true}]}'",
      },
    ],
  },
  {
    name: 'secret-etcd-encryption-cloud',
    reads: ['aks', 'eks', 'gke'],
    checks: [
      {
        provider: 'aks',
        fails: (data) => !aksSecretsEncrypted(data),
        alertMessage: 'etcd/secret encryption is not enabled',
        alertScore: 3,
        fixCommand:
          'az aks nodepool add --name hostencrypt --cluster-name <myAKSCluster> --resource-group <myResourceGroup> -s Standard_DS2_v2 -l <myRegion> --enable-encryption-at-host',
      },
      {
        provider: 'eks',
        fails: (data) => !eksSecretsEncrypted(data),
        alertMessage: 'etcd/secret encryption is not enabled',
        alertScore: 3,
        fixCommand:
          'eksctl utils enable-secrets-encryption --cluster=<cluster> --key-arn=arn:aws:kms:<cluster_region>:<account>:key/<key> --region=<region>',
      },
      {
        provider: 'gke',
        fails: (data) => !gkeSecretsEncrypted(data),
        alertMessage: 'etcd/secret encryption is not enabled',
        alertScore: 3,
        fixCommand:
          'gcloud container clusters update <cluster_name> --region=<compute_region> --database-encryption-key=<key_project_id>/locations/<location>/keyRings/<ring_name>/cryptoKeys/<key_name> --project=<cluster_project_id>',
        path: 'data.database_encryption.state',
      },
    ],
  },
];

export const clusterDescribeRules: RuleDefinition[] = RULES.map(clusterDescribeRule);
