/**
 * The "<kind>-in-default-namespace" family (C-0212, "The default namespace should not be used"):
 * one rule per kind, all with the same check, built from a table.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { explicitNamespaceOf, isRegoFalsy, kinds, labelsOf } from './values.ts';

const NAMESPACE_PATH = 'metadata.namespace';

/**
 * Objects Kubernetes itself creates in `default` for API server discovery; CIS 5.7.4 excludes
 * them. They must be written in `default` explicitly: an object without a namespace is user input.
 */
function isApiServerDiscoveryObject(obj: K8sObject): boolean {
  if (explicitNamespaceOf(obj) !== 'default' || nameOf(obj) !== 'kubernetes') return false;
  if (obj.kind === 'Service' || obj.kind === 'Endpoints') return true;
  // The API server names its slice after the Service and labels it with the Service name; the name
  // is required too, so a user slice merely carrying the label is still reported.
  return obj.kind === 'EndpointSlice' && labelsOf(obj)['kubernetes.io/service-name'] === 'kubernetes';
}

/** The family's check: explicitly in `default` fails; no namespace at all gets a fix instead. */
export function defaultNamespaceViolation(obj: K8sObject): Violation | undefined {
  const namespace = explicitNamespaceOf(obj);
  const alertMessage = `${obj.kind}: ${nameOf(obj)} is in the 'default' namespace`;
  if (namespace === 'default') {
    return violation(obj, {
      alertMessage,
      failedPaths: [NAMESPACE_PATH],
      reviewPaths: [NAMESPACE_PATH],
      alertScore: 3,
    });
  }
  if (isRegoFalsy(namespace)) {
    return violation(obj, {
      alertMessage,
      fixPaths: [{ path: NAMESPACE_PATH, value: 'YOUR_NAMESPACE' }],
      alertScore: 3,
    });
  }
  return undefined;
}

/** Rule name, kind and API group of each member of the family. */
const DEFAULT_NAMESPACE_KINDS: readonly (readonly [name: string, kind: string, group: string])[] = [
  ['configmap-in-default-namespace', 'ConfigMap', ''],
  ['csistoragecapacity-in-default-namespace', 'CSIStorageCapacity', 'storage.k8s.io'],
  ['endpoints-in-default-namespace', 'Endpoints', ''],
  ['endpointslice-in-default-namespace', 'EndpointSlice', 'discovery.k8s.io'],
  ['horizontalpodautoscaler-in-default-namespace', 'HorizontalPodAutoscaler', 'autoscaling'],
  ['ingress-in-default-namespace', 'Ingress', 'networking.k8s.io'],
  ['lease-in-default-namespace', 'Lease', 'coordination.k8s.io'],
  ['persistentvolumeclaim-in-default-namespace', 'PersistentVolumeClaim', ''],
  ['poddisruptionbudget-in-default-namespace', 'PodDisruptionBudget', 'policy'],
  ['podtemplate-in-default-namespace', 'PodTemplate', ''],
  ['replicationcontroller-in-default-namespace', 'ReplicationController', ''],
  ['resources-secret-in-default-namespace', 'Secret', ''],
  ['role-in-default-namespace', 'Role', 'rbac.authorization.k8s.io'],
  ['rolebinding-in-default-namespace', 'RoleBinding', 'rbac.authorization.k8s.io'],
  ['service-in-default-namespace', 'Service', ''],
  ['serviceaccount-in-default-namespace', 'ServiceAccount', ''],
];

export const defaultNamespaceRules: RuleDefinition[] = DEFAULT_NAMESPACE_KINDS.map(([name, kind, group]) => ({
  name,
  match: [kinds(group, kind)],
  evaluate: ({ objects }) =>
    objects.flatMap((obj) => {
      if (isApiServerDiscoveryObject(obj)) return [];
      const found = defaultNamespaceViolation(obj);
      return found ? [found] : [];
    }),
}));
