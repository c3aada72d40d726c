/** Host-sensor objects (`hostdata.kubescape.cloud/v1beta0`): kind matching and alert-object shapes. */
import type { K8sObject, KindMatch, RuleDefinition, RuleInput, Violation } from '../../model.ts';
import { HOST_DATA_GROUP, isHostDataObject } from '../../objects.ts';
import { filterObject, type JsonObject, type PathSegment } from './values.ts';

export type HostKind =
  | 'KubeletInfo'
  | 'ControlPlaneInfo'
  | 'CNIInfo'
  | 'KubeProxyInfo'
  | 'cloudProviderInfo'
  | 'LinuxKernelVariables';

export function hostKindMatch(...kinds: string[]): KindMatch[] {
  return [{ group: HOST_DATA_GROUP, kinds }];
}

/** The rule's input objects of one host-sensor kind. */
export function hostObjects(input: RuleInput, kind: HostKind): K8sObject[] {
  return input.objects.filter((obj) => obj.kind === kind && isHostDataObject(obj));
}

/**
 * The host sensor always names its objects; the reference test harness gives unnamed ones an empty
 * name, so alert objects carry `metadata: {name: ''}` rather than no metadata.
 */
export function metadataOf(obj: K8sObject): JsonObject {
  return obj.metadata ?? { name: '' };
}

/** The object reduced to apiVersion, kind, metadata and the given data paths (Kubescape's alert shape). */
export function reducedHostObject(
  obj: K8sObject,
  dataPaths: readonly (readonly PathSegment[])[],
): JsonObject {
  return filterObject({ ...obj, metadata: metadataOf(obj) }, [
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ...dataPaths,
  ]);
}

/** A host rule reading one dynamic host kind, with `hostSensor` set as in the rule library. */
export function hostRule(
  name: string,
  kind: HostKind,
  evaluate: (objects: K8sObject[], input: RuleInput) => Violation[],
  options: Pick<RuleDefinition, 'cloudProviders'> = {},
): RuleDefinition {
  return {
    name,
    match: [],
    dynamicMatch: hostKindMatch(kind),
    hostSensor: true,
    ...options,
    evaluate: (input) => evaluate(hostObjects(input, kind), input),
  };
}
