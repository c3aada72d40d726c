/**
 * Pods and workloads as the operator sees them: pod templates, owners, WLIDs (resolved to the top
 * owner, storage-api.md §3.3), container images and their digests.
 */
import { formatWlid, InstanceId, instanceIdSlug } from '../../api/index.ts';
import type { KubeObject } from '../../api/index.ts';
import type { KubeObjectJson } from './informer.ts';
import type { KubeRest, ResourceRef } from './kube-rest.ts';
import { resourcePath } from './kube-rest.ts';
import type { JsonObject } from './types.ts';

/** Owners through which an object names its workload (k8s-interface's "has a parent" test). */
const WORKLOAD_API_VERSIONS = new Set(['apps/v1', 'batch/v1', 'batch/v1beta1']);

export interface WorkloadKind {
  kind: string;
  apiVersion: string;
  resource: ResourceRef;
}

/** The kinds continuous scanning watches (components.md §3.8). */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1', resource: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true } },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', resource: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true } },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', resource: { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true } },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', resource: { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true } },
  { kind: 'Job', apiVersion: 'batch/v1', resource: { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true } },
  { kind: 'CronJob', apiVersion: 'batch/v1', resource: { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true } },
  { kind: 'Pod', apiVersion: 'v1', resource: { group: '', version: 'v1', plural: 'pods', namespaced: true } },
]; // prettier-ignore

export const POD_RESOURCE: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };
export const SECRET_RESOURCE: ResourceRef = { group: '', version: 'v1', plural: 'secrets', namespaced: true };

export interface ContainerSpec {
  name: string;
  image?: string;
}

export interface PodSpecJson {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  ephemeralContainers?: ContainerSpec[];
  imagePullSecrets?: { name?: string }[];
  [field: string]: unknown;
}

export interface ContainerStatusJson {
  name: string;
  image?: string;
  imageID?: string;
  state?: { running?: unknown };
}

export interface PodJson extends KubeObjectJson {
  spec?: PodSpecJson;
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatusJson[];
    initContainerStatuses?: ContainerStatusJson[];
    ephemeralContainerStatuses?: ContainerStatusJson[];
  };
}

/** Whether the object is controlled by a workload (its first owner is an apps/batch kind). */
export function hasParent(obj: KubeObjectJson): boolean {
  const owner = obj.metadata?.ownerReferences?.[0];
  return owner !== undefined && WORKLOAD_API_VERSIONS.has(owner.apiVersion);
}

/** The pod template of a workload (the spec itself for a Pod). */
export function podTemplateOf(
  obj: KubeObjectJson,
): { metadata?: JsonObject; spec?: PodSpecJson } | undefined {
  const spec = obj['spec'] as JsonObject | undefined;
  if (!spec) return undefined;
  if (obj.kind === 'Pod')
    return { metadata: obj.metadata as JsonObject | undefined, spec: spec as PodSpecJson };
  if (obj.kind === 'CronJob') {
    const jobSpec = (spec['jobTemplate'] as JsonObject | undefined)?.['spec'] as JsonObject | undefined;
    return jobSpec?.['template'] as { metadata?: JsonObject; spec?: PodSpecJson } | undefined;
  }
  return spec['template'] as { metadata?: JsonObject; spec?: PodSpecJson } | undefined;
}

/** The containers of a pod spec with their instance types, in the order instance IDs use. */
export function containersOf(
  spec: PodSpecJson | undefined,
): { container: ContainerSpec; type: 'container' | 'initContainer' | 'ephemeralContainer' }[] {
  return [
    ...(spec?.containers ?? []).map((container) => ({ container, type: 'container' as const })),
    ...(spec?.initContainers ?? []).map((container) => ({ container, type: 'initContainer' as const })),
    ...(spec?.ephemeralContainers ?? []).map((container) => ({
      container,
      type: 'ephemeralContainer' as const,
    })),
  ];
}

/** The image ID of a container status without the docker-pullable:// prefix (operator ExtractImageID). */
export function extractImageId(imageID: string | undefined): string {
  return (imageID ?? '').replace(/^docker-pullable:\/\//, '');
}

/** Looks up the first owner reference of a workload object, to walk pods up to their top owner. */
export type OwnerLookup = (
  kind: string,
  namespace: string,
  name: string,
) => Promise<KubeObjectJson | undefined>;

const OWNER_RESOURCES: Record<string, ResourceRef> = Object.fromEntries(
  WORKLOAD_KINDS.map((k) => [k.kind, k.resource]),
);

/** An owner lookup through the API (used when no informer caches the kind). */
export function restOwnerLookup(rest: KubeRest): OwnerLookup {
  return async (kind, namespace, name) => {
    const resource = OWNER_RESOURCES[kind];
    if (!resource) return undefined;
    return rest.get<KubeObjectJson>(resourcePath(resource, namespace, name));
  };
}

/**
 * The workload a pod (or any object) belongs to: its first owner while that is a workload kind,
 * followed up (ReplicaSet -> Deployment, Job -> CronJob); else the object itself.
 */
export async function topOwner(
  obj: KubeObjectJson,
  lookup: OwnerLookup,
): Promise<{ kind: string; name: string }> {
  const namespace = obj.metadata?.namespace ?? '';
  let current = { kind: obj.kind ?? 'Pod', name: obj.metadata?.name ?? '' };
  let owner = obj.metadata?.ownerReferences?.[0];
  // Owner chains of built-in workloads are at most two deep; the bound guards against cycles.
  for (let depth = 0; owner && WORKLOAD_API_VERSIONS.has(owner.apiVersion) && depth < 4; depth++) {
    current = { kind: owner.kind, name: owner.name };
    let parent: KubeObjectJson | undefined;
    try {
      parent = await lookup(owner.kind, namespace, owner.name);
    } catch {
      parent = undefined; // unreadable owner: the WLID names the owner we know
    }
    owner = parent?.metadata?.ownerReferences?.[0];
  }
  return current;
}

export async function wlidOf(obj: KubeObjectJson, cluster: string, lookup: OwnerLookup): Promise<string> {
  const { kind, name } = await topOwner(obj, lookup);
  return formatWlid(cluster, obj.metadata?.namespace ?? '', kind, name);
}

/** The pod in the shape InstanceId.fromPod reads. */
function asKubeObject(pod: PodJson): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.metadata?.name,
      namespace: pod.metadata?.namespace,
      labels: pod.metadata?.labels,
      ownerReferences: pod.metadata?.ownerReferences?.map(({ apiVersion, kind, name, uid }) => ({
        apiVersion,
        kind,
        name,
        uid: uid ?? '',
      })),
    },
    spec: pod.spec,
  } as KubeObject;
}

/** One running container of a pod, with what a scan needs. */
export interface PodContainer {
  containerName: string;
  imageTag: string;
  /** Digest reference from the container status (empty when not known). */
  imageId: string;
  instanceId: InstanceId;
  slug: string;
}

/** The containers of a pod that report an image ID, keyed by their instance-ID slug. */
export function podContainers(pod: PodJson): PodContainer[] {
  const statuses = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  const specs = new Map(containersOf(pod.spec).map(({ container }) => [container.name, container]));
  const result: PodContainer[] = [];
  for (const id of InstanceId.fromPod(asKubeObject(pod))) {
    const status = statuses.find((s) => s.name === id.containerName);
    const imageId = extractImageId(status?.imageID);
    if (!imageId) continue;
    result.push({
      containerName: id.containerName,
      imageTag: specs.get(id.containerName)?.image ?? status?.image ?? '',
      imageId,
      instanceId: id,
      slug: instanceIdSlug(id),
    });
  }
  return result;
}

/** The containers of a workload's pod template, as instances of the workload itself. */
export function templateContainers(obj: KubeObjectJson): PodContainer[] {
  const template = podTemplateOf(obj);
  const result: PodContainer[] = [];
  for (const { container, type } of containersOf(template?.spec)) {
    if (!container.image) continue;
    const instanceId = new InstanceId({
      apiVersion: obj.apiVersion ?? 'v1',
      namespace: obj.metadata?.namespace ?? '',
      kind: obj.kind ?? '',
      name: obj.metadata?.name ?? '',
      containerName: container.name,
      instanceType: type,
    });
    result.push({
      containerName: container.name,
      imageTag: container.image,
      imageId: '',
      instanceId,
      slug: instanceIdSlug(instanceId),
    });
  }
  return result;
}
