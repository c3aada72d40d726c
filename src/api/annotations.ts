/**
 * Metadata keys (labels and annotations) of the storage objects and their allowed values
 * (storage-api.md §3.4). Every key has the `kubescape.io/` prefix.
 */
export const METADATA_PREFIX = 'kubescape.io/';

export const MetadataKeys = {
  workloadApiGroup: 'kubescape.io/workload-api-group',
  workloadApiVersion: 'kubescape.io/workload-api-version',
  cloudAccountIdentifier: 'kubescape.io/cloud-account-identifier',
  cluster: 'kubescape.io/cluster',
  clusterRoleBindingName: 'kubescape.io/clusterrolebinding-name',
  clusterRoleName: 'kubescape.io/clusterrole-name',
  completion: 'kubescape.io/completion',
  workloadContainerName: 'kubescape.io/workload-container-name',
  workloadContainerType: 'kubescape.io/workload-container-type',
  context: 'kubescape.io/context',
  /** Deprecated: use workloadContainerName + workloadContainerType. */
  workloadEphemeralContainerName: 'kubescape.io/workload-ephemeral-container-name',
  hostId: 'kubescape.io/host-id',
  hostType: 'kubescape.io/host-type',
  imageId: 'kubescape.io/image-id',
  imageName: 'kubescape.io/image-name',
  imageTag: 'kubescape.io/image-tag',
  /** Deprecated: use workloadContainerName + workloadContainerType. */
  workloadInitContainerName: 'kubescape.io/workload-init-container-name',
  instanceId: 'kubescape.io/instance-id',
  learningPeriod: 'kubescape.io/learning-period',
  otelSpanId: 'kubescape.io/otel-span-id',
  otelTraceparent: 'kubescape.io/otel-traceparent',
  managedBy: 'kubescape.io/managed-by',
  previousReportTimestamp: 'kubescape.io/previous-report-timestamp',
  rbacResource: 'kubescape.io/rbac-resource',
  region: 'kubescape.io/region',
  workloadKind: 'kubescape.io/workload-kind',
  workloadName: 'kubescape.io/workload-name',
  workloadNamespace: 'kubescape.io/workload-namespace',
  reportSeriesId: 'kubescape.io/report-series-id',
  reportTimestamp: 'kubescape.io/report-timestamp',
  resourceSize: 'kubescape.io/resource-size',
  workloadResourceVersion: 'kubescape.io/workload-resource-version',
  roleBindingName: 'kubescape.io/rolebinding-name',
  roleBindingNamespace: 'kubescape.io/rolebinding-namespace',
  roleName: 'kubescape.io/role-name',
  roleNamespace: 'kubescape.io/role-namespace',
  scanId: 'kubescape.io/scan-id',
  status: 'kubescape.io/status',
  syncChecksum: 'kubescape.io/sync-checksum',
  instanceTemplateHash: 'kubescape.io/instance-template-hash',
  tier: 'kubescape.io/tier',
  toolVersion: 'kubescape.io/tool-version',
  /** A label, not an annotation. */
  userDefinedProfile: 'kubescape.io/user-defined-profile',
  wlid: 'kubescape.io/wlid',
  sbomType: 'kubescape.io/sbom-type',
  // Written by kubevuln only.
  /** Unix seconds, on VulnerabilityManifestSummaries. */
  timestamp: 'kubescape.io/timestamp',
  statusReason: 'kubescape.io/status-reason',
  maxImageSize: 'kubescape.io/max-image-size',
  maxSbomSize: 'kubescape.io/max-sbom-size',
  scannerMemoryLimit: 'kubescape.io/scanner-memory-limit',
  resolvedPlatform: 'kubescape.io/resolved-platform',
  cveMatchingMode: 'kubescape.io/cve-matching-mode',
  vendorTrustedMatch: 'kubescape.io/vendor-trusted-match',
} as const;

export type MetadataKey = (typeof MetadataKeys)[keyof typeof MetadataKeys];

/** Values of `kubescape.io/status`. */
export const StatusValues = {
  initializing: 'initializing',
  /** Upstream names this constant "Learning". */
  ready: 'ready',
  completed: 'completed',
  incomplete: 'incomplete',
  unauthorize: 'unauthorize',
  missingRuntime: 'missing-runtime',
  tooLarge: 'too-large',
  /** The container exited with an error; refused by ApplicationProfile/NetworkNeighborhood validation. */
  failed: 'failed',
  unsupportedSchema: 'unsupported-schema',
} as const;

export type StatusValue = (typeof StatusValues)[keyof typeof StatusValues];

/** Statuses ApplicationProfile/NetworkNeighborhood validation accepts (all but `failed`). */
export const ACCEPTED_STATUS_VALUES: readonly StatusValue[] = Object.values(StatusValues).filter(
  (s) => s !== StatusValues.failed,
);

/** Values of `kubescape.io/completion`. */
export const CompletionValues = { complete: 'complete', partial: 'partial' } as const;
export type CompletionValue = (typeof CompletionValues)[keyof typeof CompletionValues];

/** Values of `kubescape.io/context`. */
export const ContextValues = { filtered: 'filtered', nonFiltered: 'non-filtered' } as const;
export type ContextValue = (typeof ContextValues)[keyof typeof ContextValues];

/** Values of `kubescape.io/sbom-type`. */
export const SbomTypeValues = { container: 'container', host: 'host', image: 'image', node: 'node' } as const;
export type SbomTypeValue = (typeof SbomTypeValues)[keyof typeof SbomTypeValues];

/** Values of `kubescape.io/status-reason`. */
export const StatusReasonValues = {
  imageTooLarge: 'image-too-large',
  sbomTooLarge: 'sbom-too-large',
  scannerOom: 'scanner-oom',
  tooManyRequests: 'too-many-requests',
  platformNotFound: 'platform-not-found',
} as const;
export type StatusReasonValue = (typeof StatusReasonValues)[keyof typeof StatusReasonValues];

/** Values of `kubescape.io/workload-container-type`: the pod spec list a container is in. */
export const ContainerTypeValues = {
  containers: 'containers',
  initContainers: 'initContainers',
  ephemeralContainers: 'ephemeralContainers',
} as const;
export type ContainerTypeValue = (typeof ContainerTypeValues)[keyof typeof ContainerTypeValues];

/** Values of `kubescape.io/cve-matching-mode`. */
export const CveMatchingModeValues = { off: 'off', on: 'on', adaptive: 'adaptive' } as const;
export type CveMatchingModeValue = (typeof CveMatchingModeValues)[keyof typeof CveMatchingModeValues];

/** `kubescape.io/managed-by` value of objects users manage (garbage collection skips them). */
export const MANAGED_BY_USER = 'User';

/** Name prefix of user-defined ApplicationProfiles and NetworkNeighborhoods. */
export const USER_DEFINED_PROFILE_PREFIX = 'ug-';

/** Kubernetes' own pod labels that instance IDs read. */
export const PodLabels = {
  podTemplateHash: 'pod-template-hash',
  controllerRevisionHash: 'controller-revision-hash',
} as const;
