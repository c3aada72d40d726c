/**
 * Reads and writes Kubescape's objects (spdx.softwarecomposition.kubescape.io/v1beta1 and other
 * custom kinds) through the Kubernetes API, the way Kubescape's services do: create; on
 * AlreadyExists get, merge, replace, retrying on conflicts. Transient failures (connection
 * refused/reset, 429, 5xx — e.g. storage or kube-apiserver restarting) are retried with backoff,
 * so a restart loses no write.
 */
import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../api/index.ts';
import { messageOf } from '../../common/index.ts';

export interface KubeObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 12, firstDelayMs: 200, maxDelayMs: 5_000 };

export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown; statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Worth retrying: the server was unreachable, overloaded or restarting. */
export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return status === 429 || status >= 500;
  const text = messageOf(err);
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|network|fetch failed|other side closed/i.test(
    text,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  let delay = policy.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= policy.attempts) {
        if (err instanceof Error) err.message = `${what}: ${err.message}`;
        throw err;
      }
      await sleep(delay);
      delay = Math.min(policy.maxDelayMs, delay * 2);
    }
  }
}

export interface KindRef {
  group: string;
  version: string;
  /** Lower-case plural resource name, e.g. `vulnerabilitymanifests`. */
  plural: string;
  /** Cluster-scoped kinds take no namespace. */
  clusterScoped?: boolean;
}

/** A storage kind of spdx.softwarecomposition.kubescape.io/v1beta1. */
export function storageKind(plural: string): KindRef {
  return { group: GROUP, version: VERSION, plural };
}

/** Merge on update: by default labels and annotations are merged and the rest replaced. */
export type MergeFn<T extends KubeObjectLike> = (existing: T, fresh: T) => T;

export function mergeMetadataReplaceRest<T extends KubeObjectLike>(existing: T, fresh: T): T {
  return {
    ...fresh,
    metadata: {
      ...existing.metadata,
      ...fresh.metadata,
      labels: { ...(existing.metadata.labels ?? {}), ...(fresh.metadata.labels ?? {}) },
      annotations: { ...(existing.metadata.annotations ?? {}), ...(fresh.metadata.annotations ?? {}) },
      resourceVersion: existing.metadata.resourceVersion,
    },
  };
}

export class KubeObjects {
  private readonly api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  async get<T extends KubeObjectLike>(
    kind: KindRef,
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await withRetry(
        `get ${kind.plural} ${namespace}/${name}`,
        () =>
          (kind.clusterScoped
            ? this.api.getClusterCustomObject({
                group: kind.group,
                version: kind.version,
                plural: kind.plural,
                name,
              })
            : this.api.getNamespacedCustomObject({
                group: kind.group,
                version: kind.version,
                plural: kind.plural,
                namespace,
                name,
              })) as Promise<T>,
        this.retry,
      );
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObjectLike>(
    kind: KindRef,
    namespace?: string,
    options: { labelSelector?: string; fieldSelector?: string; resourceVersion?: string } = {},
  ): Promise<T[]> {
    const items: T[] = [];
    let continueToken: string | undefined;
    do {
      const page = (await withRetry(`list ${kind.plural}`, () =>
        namespace && !kind.clusterScoped
          ? this.api.listNamespacedCustomObject({
              group: kind.group,
              version: kind.version,
              plural: kind.plural,
              namespace,
              limit: 500,
              ...(continueToken ? { _continue: continueToken } : {}),
              ...options,
            })
          : this.api.listClusterCustomObject({
              group: kind.group,
              version: kind.version,
              plural: kind.plural,
              limit: 500,
              ...(continueToken ? { _continue: continueToken } : {}),
              ...options,
            }),
      )) as { items?: T[]; metadata?: { continue?: string } };
      items.push(...(page.items ?? []));
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return items;
  }

  /** Create, or merge into the existing object and replace it (retrying on conflicts). */
  async upsert<T extends KubeObjectLike>(
    kind: KindRef,
    object: T,
    merge: MergeFn<T> = mergeMetadataReplaceRest,
  ): Promise<T> {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    const what = `write ${kind.plural} ${namespace ? `${namespace}/` : ''}${name}`;
    for (let conflicts = 0; ; conflicts++) {
      try {
        return (await withRetry(
          what,
          () =>
            kind.clusterScoped
              ? this.api.createClusterCustomObject({
                  group: kind.group,
                  version: kind.version,
                  plural: kind.plural,
                  body: object,
                })
              : this.api.createNamespacedCustomObject({
                  group: kind.group,
                  version: kind.version,
                  plural: kind.plural,
                  namespace,
                  body: object,
                }),
          this.retry,
        )) as T;
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
      const existing = await this.get<T>(kind, namespace, name);
      if (!existing) continue; // deleted in between: create again
      const body = merge(existing, object);
      body.metadata.resourceVersion = existing.metadata.resourceVersion;
      try {
        return (await withRetry(
          what,
          () =>
            kind.clusterScoped
              ? this.api.replaceClusterCustomObject({
                  group: kind.group,
                  version: kind.version,
                  plural: kind.plural,
                  name,
                  body,
                })
              : this.api.replaceNamespacedCustomObject({
                  group: kind.group,
                  version: kind.version,
                  plural: kind.plural,
                  namespace,
                  name,
                  body,
                }),
          this.retry,
        )) as T;
      } catch (err) {
        if (statusOf(err) !== 409 || conflicts >= 10) throw err;
      }
    }
  }

  /** PUT of an object carrying `metadata.resourceVersion`; rejects on conflict (409) or absence (404). */
  async replace<T extends KubeObjectLike>(kind: KindRef, object: T): Promise<T> {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    return (await withRetry(
      `replace ${kind.plural} ${namespace ? `${namespace}/` : ''}${name}`,
      () =>
        kind.clusterScoped
          ? this.api.replaceClusterCustomObject({
              group: kind.group,
              version: kind.version,
              plural: kind.plural,
              name,
              body: object,
            })
          : this.api.replaceNamespacedCustomObject({
              group: kind.group,
              version: kind.version,
              plural: kind.plural,
              namespace,
              name,
              body: object,
            }),
      this.retry,
    )) as T;
  }

  /** Deletes; false when it did not exist. */
  async delete(kind: KindRef, namespace: string, name: string): Promise<boolean> {
    try {
      await withRetry(
        `delete ${kind.plural} ${namespace}/${name}`,
        () =>
          kind.clusterScoped
            ? this.api.deleteClusterCustomObject({
                group: kind.group,
                version: kind.version,
                plural: kind.plural,
                name,
              })
            : this.api.deleteNamespacedCustomObject({
                group: kind.group,
                version: kind.version,
                plural: kind.plural,
                namespace,
                name,
              }),
        this.retry,
      );
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** JSON merge patch of the status subresource (OperatorCommand status). */
  async patchStatus(
    kind: KindRef,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
  ): Promise<void> {
    await withRetry(`patch status of ${kind.plural} ${namespace}/${name}`, () =>
      this.api.patchNamespacedCustomObjectStatus(
        { group: kind.group, version: kind.version, plural: kind.plural, namespace, name, body: { status } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }
}
