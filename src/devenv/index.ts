export { devPaths } from './paths.ts';
export type { DevPaths } from './paths.ts';
export { KUBE_VERSION, ensureKubeApiserver, kubeApiserverPath } from './kube-apiserver-build.ts';
export {
  clusterDown,
  clusterLayout,
  clusterStatus,
  clusterUp,
  defaultClusterConfig,
  readClusterConfig,
  userKubeconfig,
} from './cluster.ts';
export type { ClusterConfig, ClusterInfo, ClusterStatus, ClusterUpOptions } from './cluster.ts';
export { registryDown, registryNames, registryStatus, registryUp } from './registry.ts';
export type { RegistryInfo, RegistryOptions, RegistryStatus } from './registry.ts';
export { buildTestImage, imageLayoutDir, pushLayout, readOracleManifest, testImages } from './images.ts';
export type { OracleManifest, OraclePackage, TestImage } from './images.ts';
export { OciLayoutReader, OciLayoutWriter } from './oci-layout.ts';
export { devUp, envExports, pushTestImages, registryClientFor } from './environment.ts';
export type { DevUpOptions, DevUpResult, PushedImage } from './environment.ts';
export { freePort } from './proc.ts';
export { APISERVICE_NAME, storageDown, storageLayout, storageStatus, storageUp } from './storage.ts';
export type { StorageInfo } from './storage.ts';
export { applyCrds, crdManifests, crdNames } from './crds.ts';
export {
  DEV_CLUSTER_NAME,
  SERVICE_ROLES,
  SERVICES_NAMESPACE,
  assertServicesPrerequisites,
  defaultServicePorts,
  ensureVulnDb,
  peakMemory,
  serviceUser,
  servicesDown,
  servicesLayout,
  servicesStatus,
  servicesUp,
  triggerScan,
  vulndataDir,
} from './services.ts';
export type {
  ServiceInfo,
  ServiceRole,
  ServiceStatus,
  ServicesInfo,
  ServicesLayout,
  ServicesUpOptions,
  VulnDbResult,
} from './services.ts';
export {
  DEMO_IMAGES,
  DEMO_NAMESPACE,
  containerImage,
  deleteWorkload,
  demoUp,
  demoWorkloads,
  ensureNamespace,
  demoTargets,
  expectedResults,
  resolveDigests,
  resultCounts,
  runWorkload,
  waitForResults,
} from './demo.ts';
export type {
  ContainerImage,
  DemoInfo,
  ResultCounts,
  ResultTargets,
  RunningWorkload,
  WorkloadSpec,
} from './demo.ts';
export { DevKubeApi, KubeApiError } from './kube-api.ts';
export type { Json, KubeObjectJson } from './kube-api.ts';
export { pushImageVariants } from './variants.ts';
export type { ImageVariant } from './variants.ts';
