/** The workload-security rule family: container and pod-spec security checks of WL objects. */
import type { RuleDefinition } from '../../model.ts';
import {
  allowPrivilegeEscalation,
  dropCapabilityNetRaw,
  insecureCapabilities,
  privilegedContainer,
} from './capabilities.ts';
import {
  linuxHardening,
  setGmsaCredentialSpecNameValue,
  setHostProcessTrue,
  setRunAsUserNameValue,
  setSeccompProfile,
  setSeccompProfileRuntimeDefault,
  setSeLinuxOptions,
} from './container-security-context.ts';
import { argocdDirTraversal, grafanaAuthBypass, kyvernoSignatureBypass } from './cves.ts';
import { sudoInContainerEntrypoint } from './entrypoint.ts';
import { credentialsInEnvVar, duplicateEnvVar, secretsInEnvVar } from './environment.ts';
import {
  containerHostPort,
  hostIpcPrivileges,
  hostNetworkAccess,
  hostPidIpcPrivileges,
  hostPidPrivileges,
} from './host-access.ts';
import {
  alertAnyHostPath,
  alertMountPotentialCredentialsPaths,
  alertRwHostPath,
  containersMountingDockerSocket,
} from './host-paths.ts';
import {
  blocklistedImageRegistries,
  containerImageRepository,
  hasImageSignature,
  imageNotPinnedToDigest,
  imagePullPolicyNotAlways,
  nginxIngressControllerEol,
  oldK8sRegistry,
  verifyImageSignature,
} from './image-rules.ts';
import {
  setFsGroupChangePolicyValue,
  setFsGroupValue,
  setSupplementalGroupsValues,
  setSysctlsParams,
} from './pod-security-context.ts';
import { configuredLivenessProbe, configuredReadinessProbe } from './probes.ts';
import {
  resourcePolicies,
  resourcesCpuLimitAndRequest,
  resourcesCpuLimits,
  resourcesCpuRequests,
  resourcesMemoryLimitAndRequest,
  resourcesMemoryLimits,
  resourcesMemoryRequests,
} from './resources.ts';
import { immutableContainerFilesystem, nonRootContainers } from './run-as.ts';

export const rules: RuleDefinition[] = [
  // Privileges and capabilities
  privilegedContainer,
  insecureCapabilities,
  dropCapabilityNetRaw,
  allowPrivilegeEscalation,
  nonRootContainers,
  immutableContainerFilesystem,
  // Host access
  hostNetworkAccess,
  hostPidPrivileges,
  hostIpcPrivileges,
  hostPidIpcPrivileges,
  containerHostPort,
  alertAnyHostPath,
  alertRwHostPath,
  containersMountingDockerSocket,
  alertMountPotentialCredentialsPaths,
  // Security context
  linuxHardening,
  setSeLinuxOptions,
  setSeccompProfile,
  setSeccompProfileRuntimeDefault,
  setFsGroupValue,
  setFsGroupChangePolicyValue,
  setSupplementalGroupsValues,
  setSysctlsParams,
  setGmsaCredentialSpecNameValue,
  setRunAsUserNameValue,
  setHostProcessTrue,
  // Resources and probes
  resourcePolicies,
  resourcesCpuLimits,
  resourcesCpuRequests,
  resourcesMemoryLimits,
  resourcesMemoryRequests,
  resourcesCpuLimitAndRequest,
  resourcesMemoryLimitAndRequest,
  configuredLivenessProbe,
  configuredReadinessProbe,
  // Environment and entrypoint
  credentialsInEnvVar,
  secretsInEnvVar,
  duplicateEnvVar,
  sudoInContainerEntrypoint,
  // Images
  containerImageRepository,
  blocklistedImageRegistries,
  oldK8sRegistry,
  imageNotPinnedToDigest,
  imagePullPolicyNotAlways,
  nginxIngressControllerEol,
  hasImageSignature,
  verifyImageSignature,
  argocdDirTraversal,
  grafanaAuthBypass,
  kyvernoSignatureBypass,
];
