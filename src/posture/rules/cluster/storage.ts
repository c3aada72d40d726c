/** PersistentVolumes whose StorageClass does not encrypt data at rest. */
import type { K8sObject, RuleDefinition } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { asRecord, kinds, specOf } from './values.ts';

/** Encrypted by parameter (AWS EBS) or by a provisioner that always encrypts (Azure, GKE PD). */
function isEncryptedStorageClass(storageClass: K8sObject): boolean {
  if (asRecord(storageClass.parameters)?.encrypted === 'true') return true;
  const provisioner = storageClass.provisioner;
  return (
    typeof provisioner === 'string' &&
    (provisioner.includes('azure') || provisioner.includes('csi.storage.gke.io'))
  );
}

const pvWithoutEncryption: RuleDefinition = {
  name: 'pv-without-encryption',
  match: [kinds('', 'PersistentVolume'), kinds('storage.k8s.io', 'StorageClass')],
  evaluate: ({ index }) => {
    // Names of classes that leave data unencrypted (any class of that name, should names repeat).
    const unencryptedClasses = new Set<string>();
    for (const storageClass of index.ofKind('StorageClass')) {
      const name = storageClass.metadata?.name;
      if (typeof name === 'string' && !isEncryptedStorageClass(storageClass)) unencryptedClasses.add(name);
    }
    return index
      .ofKind('PersistentVolume')
      .filter((volume) => {
        const className = specOf(volume)?.storageClassName;
        // A volume without a class, or whose class is not in the scan, is not judged.
        return typeof className === 'string' && unencryptedClasses.has(className);
      })
      .map((volume) =>
        violation(volume, {
          alertMessage: `Volume '${nameOf(volume)}' has is using a storage class that does not use encryption`,
          fixPaths: [{ path: 'spec.storageClassName', value: '<your encrypted storage class>' }],
          alertScore: 7,
        }),
      );
  },
};

export const storageRules: RuleDefinition[] = [pvWithoutEncryption];
