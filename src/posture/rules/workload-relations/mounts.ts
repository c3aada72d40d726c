/**
 * Rules about what a workload's volumes bring into its containers: mounted Secrets, ConfigMaps and
 * PersistentVolumeClaims that exist in its namespace, and the absence of external secret storage.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import {
  asArray,
  asRecord,
  field,
  isTruthy,
  namespaceOrDefault,
  nameOf,
  withRelatedObjects,
} from './values.ts';
import { WORKLOAD_KINDS, podTemplateOf, templateContainers, workloadMatch } from './workloads.ts';

interface MountedVolumeKind {
  /** Volume source field, e.g. `secret`. */
  source: string;
  /** Field of the source naming the object, e.g. `secretName`. */
  nameField: string;
  /** Word used in the alert message. */
  noun: string;
}

/** Finds objects of a kind by namespace (missing = default) and name. */
type Lookup = (namespace: string, name: string) => K8sObject | undefined;

/**
 * One violation per container mount of a volume whose referenced object exists in the workload's
 * namespace; the mount is failed and deletable, the referenced object is related.
 */
function mountedObjectViolations(
  objects: readonly K8sObject[],
  volumeKind: MountedVolumeKind,
  lookup: Lookup,
): Violation[] {
  const result: Violation[] = [];
  for (const wl of objects) {
    if (!WORKLOAD_KINDS.has(wl.kind)) continue;
    const ref = podTemplateOf(wl);
    if (!ref) continue;
    const namespace = namespaceOrDefault(wl);
    const containers = templateContainers(ref);
    for (const item of asArray(field(ref.template, 'spec', 'volumes'))) {
      const volume = asRecord(item);
      const source = volume?.[volumeKind.source];
      if (!volume || !isTruthy(source)) continue;
      const referencedName = field(source, volumeKind.nameField);
      const referenced = typeof referencedName === 'string' ? lookup(namespace, referencedName) : undefined;
      if (!referenced) continue;
      for (const { container, path } of containers) {
        asArray(container.volumeMounts).forEach((mount, k) => {
          if (field(mount, 'name') === undefined || field(mount, 'name') !== volume.name) return;
          const mountPath = `${path}.volumeMounts[${k}]`;
          const found = violation(wl, {
            alertMessage: `${wl.kind}: ${nameOf(wl)} has mounted ${volumeKind.noun}`,
            failedPaths: [mountPath],
            deletePaths: [mountPath],
          });
          result.push(withRelatedObjects(found, [{ object: referenced }]));
        });
      }
    }
  }
  return result;
}

/** C-0255: a container mounts a Secret of the workload's namespace. */
export const workloadMountedSecrets: RuleDefinition = {
  name: 'workload-mounted-secrets',
  match: workloadMatch('Secret'),
  evaluate({ objects, index }) {
    const volumeKind = { source: 'secret', nameField: 'secretName', noun: 'secret' };
    return mountedObjectViolations(objects, volumeKind, (namespace, name) =>
      index.get('Secret', namespace, name),
    );
  },
};

/** C-0258: a container mounts a ConfigMap of the workload's namespace. */
export const workloadMountedConfigMap: RuleDefinition = {
  name: 'workload-mounted-configmap',
  match: workloadMatch('ConfigMap'),
  evaluate({ objects, index }) {
    const volumeKind = { source: 'configMap', nameField: 'name', noun: 'configMap' };
    return mountedObjectViolations(objects, volumeKind, (namespace, name) =>
      index.get('ConfigMap', namespace, name),
    );
  },
};

/**
 * C-0257: a container mounts a PersistentVolumeClaim of the workload's namespace.
 *
 * Kubescape's rule metadata lists ConfigMap instead of PersistentVolumeClaim among the kinds this
 * rule reads, so Kubescape never hands it claims and the control never fires. We read the claims
 * (the control's intent and its test cases); rules.test.ts lists this as a known deviation.
 */
export const workloadMountedPvc: RuleDefinition = {
  name: 'workload-mounted-pvc',
  match: workloadMatch('PersistentVolumeClaim'),
  evaluate({ objects }) {
    const claims = new Map<string, K8sObject>();
    for (const claim of objects) {
      if (claim.kind !== 'PersistentVolumeClaim') continue;
      const key = `${namespaceOrDefault(claim)}/${nameOf(claim)}`;
      if (!claims.has(key)) claims.set(key, claim);
    }
    const volumeKind = { source: 'persistentVolumeClaim', nameField: 'claimName', noun: 'PVC' };
    return mountedObjectViolations(objects, volumeKind, (namespace, name) =>
      claims.get(`${namespace}/${name}`),
    );
  },
};

/** C-0234: no volume of the workload uses a Secrets Store CSI `secretProviderClass`. */
export const externalSecretsStorage: RuleDefinition = {
  name: 'ensure-external-secrets-storage-is-in-use',
  match: workloadMatch(),
  evaluate({ objects }) {
    const result: Violation[] = [];
    for (const wl of objects) {
      if (!WORKLOAD_KINDS.has(wl.kind)) continue;
      const ref = podTemplateOf(wl);
      if (!ref) continue;
      const volumes = asArray(field(ref.template, 'spec', 'volumes'));
      if (volumes.some((volume) => isTruthy(field(volume, 'csi', 'volumeAttributes', 'secretProviderClass'))))
        continue;
      result.push(
        violation(wl, {
          alertMessage: `${wl.kind}: ${nameOf(wl)} is not using external secret storage`,
          fixPaths: [
            {
              path: `${ref.prefix}spec.volumes[0].csi.volumeAttributes.secretProviderClass`,
              value: 'YOUR_VALUE',
            },
          ],
          alertScore: 7,
        }),
      );
    }
    return result;
  },
};

export const mountRules: RuleDefinition[] = [
  workloadMountedSecrets,
  workloadMountedConfigMap,
  workloadMountedPvc,
  externalSecretsStorage,
];
