/**
 * What the pipeline needs from storage: get, list (metadata only is enough), create-or-merge, delete.
 * In the cluster it is the Kubernetes API (KubeObjects: merge on AlreadyExists, conflict and
 * transient-error retries); tests use the in-memory store.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../api/index.ts';
import type { KubeObjectLike } from '../shared/kube-objects.ts';
import { KubeObjects, storageKind } from '../shared/kube-objects.ts';

/** The storage kinds kubevuln reads or writes (URL resources). */
export type StoragePlural =
  | 'sbomsyfts'
  | 'sbomsyftfiltereds'
  | 'sbomspdxv2p3s'
  | 'vulnerabilitymanifests'
  | 'vulnerabilitymanifestsummaries'
  | 'containerprofiles';

export interface ObjectStore {
  get<T extends KubeObject>(plural: StoragePlural, namespace: string, name: string): Promise<T | undefined>;
  list<T extends KubeObject>(
    plural: StoragePlural,
    namespace: string,
    options?: { labelSelector?: string },
  ): Promise<T[]>;
  /** Creates, or merges labels/annotations into the existing object and replaces the rest. */
  upsert<T extends KubeObject>(plural: StoragePlural, object: T): Promise<T>;
  delete(plural: StoragePlural, namespace: string, name: string): Promise<boolean>;
}

export function kubeObjectStore(kc: KubeConfig): ObjectStore {
  const objects = new KubeObjects(kc);
  return {
    // The api types are interfaces (no index signature), so they pass through KubeObjectLike by cast.
    get: async <T extends KubeObject>(plural: StoragePlural, namespace: string, name: string) =>
      (await objects.get<KubeObjectLike>(storageKind(plural), namespace, name)) as T | undefined,
    list: async <T extends KubeObject>(
      plural: StoragePlural,
      namespace: string,
      options: { labelSelector?: string } = {},
    ) => (await objects.list<KubeObjectLike>(storageKind(plural), namespace, options)) as unknown as T[],
    upsert: async <T extends KubeObject>(plural: StoragePlural, object: T) =>
      (await objects.upsert(storageKind(plural), object as unknown as KubeObjectLike)) as unknown as T,
    delete: (plural, namespace, name) => objects.delete(storageKind(plural), namespace, name),
  };
}

/** Label selector `k=v,k2=v2` (equality only), as tests and the in-memory store need. */
function matches(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const [k, v] = term.split('=') as [string, string | undefined];
      return labels?.[k] === v;
    });
}

/** An in-memory ObjectStore with the same merge rule, counting writes per kind (tests, dry runs). */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: { plural: StoragePlural; namespace: string; name: string }[] = [];

  private key(plural: string, namespace: string, name: string): string {
    return `${plural}/${namespace}/${name}`;
  }

  async get<T extends KubeObject>(
    plural: StoragePlural,
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    const found = this.objects.get(this.key(plural, namespace, name));
    return found ? (structuredClone(found) as T) : undefined;
  }

  async list<T extends KubeObject>(
    plural: StoragePlural,
    namespace: string,
    options: { labelSelector?: string } = {},
  ): Promise<T[]> {
    const prefix = `${plural}/${namespace}/`;
    return [...this.objects]
      .filter(([k, o]) => k.startsWith(prefix) && matches(o.metadata.labels, options.labelSelector))
      .map(
        ([, o]) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: structuredClone(o.metadata) }) as T,
      );
  }

  async upsert<T extends KubeObject>(plural: StoragePlural, object: T): Promise<T> {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    const key = this.key(plural, namespace, name);
    const existing = this.objects.get(key);
    const merged: KubeObject = existing
      ? {
          ...structuredClone(object),
          metadata: {
            ...structuredClone(object.metadata),
            labels: { ...existing.metadata.labels, ...object.metadata.labels },
            annotations: { ...existing.metadata.annotations, ...object.metadata.annotations },
          },
        }
      : structuredClone(object);
    this.objects.set(key, merged);
    this.writes.push({ plural, namespace, name });
    return structuredClone(merged) as T;
  }

  async delete(plural: StoragePlural, namespace: string, name: string): Promise<boolean> {
    return this.objects.delete(this.key(plural, namespace, name));
  }

  count(plural: StoragePlural): number {
    return [...this.objects.keys()].filter((k) => k.startsWith(`${plural}/`)).length;
  }
}
