import type { K8sObject } from './model.ts';

/** Kubescape's "WL" kinds: objects that carry a pod spec. */
export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'DaemonSet',
  'StatefulSet',
  'Job',
  'CronJob',
] as const;
const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/** Loose shapes of the pod spec parts rules read; every field may be missing or of the wrong type. */
export interface Container {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  command?: unknown[];
  args?: unknown[];
  env?: { name?: string; value?: unknown; valueFrom?: Record<string, unknown> }[];
  envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[];
  ports?: { containerPort?: number; hostPort?: number; name?: string; protocol?: string }[];
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name?: string; mountPath?: string; readOnly?: boolean; subPath?: string }[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  [field: string]: unknown;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: ({ name?: string } & Record<string, unknown>)[];
  securityContext?: Record<string, unknown>;
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  nodeSelector?: Record<string, string>;
  [field: string]: unknown;
}

export interface PodSpecRef {
  spec: PodSpec;
  /** Report path of the pod spec: `spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec`. */
  path: string;
  /** Pod labels: the Pod's own labels, or the pod template's. */
  podLabels: Record<string, string>;
  /** Report path of the pod labels: `metadata.labels` or `<template>.metadata.labels`. */
  podLabelsPath: string;
}

export type ContainerType = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface ContainerRef {
  container: Container;
  type: ContainerType;
  index: number;
  /** Report path of the container, e.g. `spec.template.spec.containers[0]`. */
  path: string;
}

export function isWorkload(obj: K8sObject): boolean {
  return WORKLOAD_KIND_SET.has(obj.kind);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Where the pod spec of a workload lives (undefined for other kinds or objects without one). */
export function podSpecOf(obj: K8sObject): PodSpecRef | undefined {
  const spec = asRecord(obj.spec);
  if (!spec) return undefined;
  if (obj.kind === 'Pod') {
    return {
      spec: spec as PodSpec,
      path: 'spec',
      podLabels: obj.metadata?.labels ?? {},
      podLabelsPath: 'metadata.labels',
    };
  }
  if (obj.kind === 'CronJob') {
    const template = asRecord(asRecord(asRecord(spec.jobTemplate)?.spec)?.template);
    const podSpec = asRecord(template?.spec);
    if (!template || !podSpec) return undefined;
    return {
      spec: podSpec as PodSpec,
      path: 'spec.jobTemplate.spec.template.spec',
      podLabels: (asRecord(asRecord(template.metadata)?.labels) as Record<string, string>) ?? {},
      podLabelsPath: 'spec.jobTemplate.spec.template.metadata.labels',
    };
  }
  if (
    !WORKLOAD_KIND_SET.has(obj.kind) &&
    obj.kind !== 'ReplicationController' &&
    obj.kind !== 'PodTemplate'
  ) {
    return undefined;
  }
  const template = asRecord(obj.kind === 'PodTemplate' ? obj.template : spec.template);
  const podSpec = asRecord(template?.spec);
  if (!template || !podSpec) return undefined;
  const base = obj.kind === 'PodTemplate' ? 'template' : 'spec.template';
  return {
    spec: podSpec as PodSpec,
    path: `${base}.spec`,
    podLabels: (asRecord(asRecord(template.metadata)?.labels) as Record<string, string>) ?? {},
    podLabelsPath: `${base}.metadata.labels`,
  };
}

export interface ContainerSelection {
  init?: boolean;
  ephemeral?: boolean;
}

/** The containers of a pod spec with their report paths: `containers[]`, then init, then ephemeral if asked. */
export function containersOf(ref: PodSpecRef, select: ContainerSelection = {}): ContainerRef[] {
  const result: ContainerRef[] = [];
  const types: ContainerType[] = ['containers'];
  if (select.init) types.push('initContainers');
  if (select.ephemeral) types.push('ephemeralContainers');
  for (const type of types) {
    const list = ref.spec[type];
    if (!Array.isArray(list)) continue;
    list.forEach((container, index) => {
      if (asRecord(container)) result.push({ container, type, index, path: `${ref.path}.${type}[${index}]` });
    });
  }
  return result;
}

/** Replica-aware weight input: `spec.replicas` when the kind has it. */
export function replicasOf(obj: K8sObject): number | undefined {
  const replicas = asRecord(obj.spec)?.replicas;
  return typeof replicas === 'number' ? replicas : undefined;
}
