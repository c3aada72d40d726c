/**
 * The storage calls the posture writer makes: KubeObjects' create-or-merge, list and delete, plus a
 * plain replace. A full scan rewrites every result; knowing the stored objects' metadata from one
 * LIST lets it replace each object with one request instead of create (409), get and replace.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { KindRef, KubeObjectLike } from '../shared/kube-objects.ts';
import { KubeObjects, withRetry } from '../shared/kube-objects.ts';

export interface PostureStorage extends Pick<KubeObjects, 'upsert' | 'delete' | 'list'> {
  /** PUT of a namespaced object carrying `metadata.resourceVersion`; rejects on conflict (409) or absence (404). */
  replace<T extends KubeObjectLike>(kind: KindRef, object: T): Promise<T>;
}

export class KubePostureStorage implements PostureStorage {
  private readonly objects: KubeObjects;
  private readonly api: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.objects = new KubeObjects(kc);
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  upsert: KubeObjects['upsert'] = (kind, object, merge) => this.objects.upsert(kind, object, merge);
  delete: KubeObjects['delete'] = (kind, namespace, name) => this.objects.delete(kind, namespace, name);
  list: KubeObjects['list'] = (kind, namespace, options) => this.objects.list(kind, namespace, options);

  async replace<T extends KubeObjectLike>(kind: KindRef, object: T): Promise<T> {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    return (await withRetry(`replace ${kind.plural} ${namespace}/${name}`, () =>
      this.api.replaceNamespacedCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        namespace,
        name,
        body: object,
      }),
    )) as T;
  }
}
