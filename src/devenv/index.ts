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
export type { PushedImage } from './environment.ts';
export { freePort } from './proc.ts';
export { APISERVICE_NAME, storageDown, storageLayout, storageStatus, storageUp } from './storage.ts';
export type { StorageInfo } from './storage.ts';
