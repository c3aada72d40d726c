/**
 * Cloud-provider objects from Kubescape's cloud collectors (ClusterDescribe, DescribeRepositories,
 * PolicyVersion, ListEntitiesForPolicies): `apiVersion` names the provider API, `metadata.provider`
 * the managed Kubernetes flavour, `data` the provider's raw answer.
 */
import type { K8sObject, KindMatch } from '../../model.ts';

export type CloudProvider = 'eks' | 'aks' | 'gke';

interface ProviderFacts {
  group: string;
  apiVersion: string;
  /** Name used in `relevantCloudProviders`. */
  label: string;
}

export const PROVIDERS: Readonly<Record<CloudProvider, ProviderFacts>> = {
  eks: { group: 'eks.amazonaws.com', apiVersion: 'eks.amazonaws.com/v1', label: 'EKS' },
  aks: { group: 'management.azure.com', apiVersion: 'management.azure.com/v1', label: 'AKS' },
  gke: { group: 'container.googleapis.com', apiVersion: 'container.googleapis.com/v1', label: 'GKE' },
};

export type CloudKind =
  'ClusterDescribe' | 'DescribeRepositories' | 'PolicyVersion' | 'ListEntitiesForPolicies';

/** `dynamicMatch` entries: the kinds, once per provider group. */
export function cloudKindMatch(providers: readonly CloudProvider[], ...kinds: CloudKind[]): KindMatch[] {
  return providers.map((provider) => ({ group: PROVIDERS[provider].group, kinds }));
}

export function providerLabels(providers: readonly CloudProvider[]): string[] {
  return providers.map((provider) => PROVIDERS[provider].label);
}

/** A cloud object of the kind reported by the provider (both the API and the flavour must agree). */
export function isCloudObject(obj: K8sObject, kind: CloudKind, provider: CloudProvider): boolean {
  return (
    obj.kind === kind &&
    obj.apiVersion === PROVIDERS[provider].apiVersion &&
    obj.metadata?.provider === provider
  );
}

/** Objects of the kind from the provider, whatever the API version (some collectors omit it). */
export function isProviderObject(obj: K8sObject, kind: CloudKind, provider: CloudProvider): boolean {
  return obj.kind === kind && obj.metadata?.provider === provider;
}
