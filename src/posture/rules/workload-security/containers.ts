/**
 * Shared plumbing of the workload-security rules: which kinds they read, where each workload's pod
 * spec and containers are, and how objects are named in alert messages.
 */
import type { K8sObject, KindMatch } from '../../model.ts';
import { nameOf } from '../../objects.ts';
import { WORKLOAD_KINDS, containersOf, podSpecOf } from '../../workload.ts';
import type { ContainerRef, PodSpecRef } from '../../workload.ts';

/** The `match` of almost every rule here: Kubescape's WL kinds, grouped as in the rule library. */
export const WORKLOAD_MATCH: readonly KindMatch[] = [
  { group: '', kinds: ['Pod'] },
  { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
  { group: 'batch', kinds: ['Job', 'CronJob'] },
];

const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/** A workload object together with its pod spec. */
export interface Workload {
  object: K8sObject;
  pod: PodSpecRef;
}

/**
 * The objects of the given kinds (WL by default) that carry a pod spec. Rules read other kinds too
 * (PodSecurityPolicy), hence the filter.
 */
export function workloadsIn(
  objects: readonly K8sObject[],
  kinds: ReadonlySet<string> = WORKLOAD_KIND_SET,
): Workload[] {
  const result: Workload[] = [];
  for (const object of objects) {
    if (!kinds.has(object.kind)) continue;
    const pod = podSpecOf(object);
    if (pod) result.push({ object, pod });
  }
  return result;
}

/**
 * Which container lists a rule inspects besides `containers`. Ephemeral containers are either
 * checked everywhere, only in Pods (templates cannot carry them), or not at all.
 */
export interface ContainerScope {
  init?: boolean;
  ephemeral?: 'all' | 'pods';
}

export function containersIn(workload: Workload, scope: ContainerScope = {}): ContainerRef[] {
  const ephemeral =
    scope.ephemeral === 'all' || (scope.ephemeral === 'pods' && workload.object.kind === 'Pod');
  return containersOf(workload.pod, { init: scope.init ?? false, ephemeral });
}

/** Ephemeral containers cannot be edited, so several rules report them without fix paths. */
export function isEphemeral(ref: ContainerRef): boolean {
  return ref.type === 'ephemeralContainers';
}

/** `Deployment: web` for alert messages. */
export function describe(object: K8sObject): string {
  return `${object.kind}: ${nameOf(object)}`;
}

/** The container's name for alert messages. */
export function containerName(ref: ContainerRef): string {
  const name = ref.container.name;
  return typeof name === 'string' ? name : `#${ref.index}`;
}
