/**
 * Strips sensitive data from objects before they are written into reports (controls.md §2.0):
 * secret and config map values, container env values; status and managed fields of workloads.
 * Copies only what changes; the rest of the object is shared with the evaluated original.
 */
import type { K8sObject } from '../model.ts';
import { podSpecOf, type Container, type PodSpec } from '../workload.ts';

const MASK = 'XXXXXX';

function maskValues(map: unknown): unknown {
  if (!map || typeof map !== 'object' || Array.isArray(map)) return map;
  return Object.fromEntries(Object.keys(map).map((key) => [key, MASK]));
}

function sanitizeContainers(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((item: unknown) => {
    if (!item || typeof item !== 'object') return item;
    const container = { ...(item as Container) };
    if (Array.isArray(container.env)) {
      container.env = container.env.map((entry) => {
        if (!entry || typeof entry !== 'object') return entry;
        const { valueFrom: _valueFrom, ...rest } = entry;
        return 'value' in rest ? { ...rest, value: MASK } : rest;
      });
    }
    delete container.envFrom;
    return container;
  });
}

function sanitizePodSpec(spec: PodSpec): PodSpec {
  return {
    ...spec,
    containers: sanitizeContainers(spec.containers) as Container[],
    ...(spec.initContainers
      ? { initContainers: sanitizeContainers(spec.initContainers) as Container[] }
      : {}),
    ...(spec.ephemeralContainers
      ? { ephemeralContainers: sanitizeContainers(spec.ephemeralContainers) as Container[] }
      : {}),
  };
}

/** Replaces the pod spec at `path` (dot path of plain fields) in a shallow-copied chain. */
function withPodSpec(obj: K8sObject, path: string, spec: PodSpec): K8sObject {
  const fields = path.split('.');
  const copy: Record<string, unknown> = { ...obj };
  let holder = copy;
  for (const [i, field] of fields.entries()) {
    if (i === fields.length - 1) {
      holder[field] = spec;
    } else {
      const next = { ...(holder[field] as Record<string, unknown>) };
      holder[field] = next;
      holder = next;
    }
  }
  return copy as K8sObject;
}

export function sanitizeObject(obj: K8sObject): Record<string, unknown> {
  let result: K8sObject = obj;
  if (obj.kind === 'Secret' || obj.kind === 'ConfigMap') {
    result = { ...obj };
    if (obj.kind === 'Secret') {
      if ('data' in obj) result.data = maskValues(obj.data);
      if ('stringData' in obj) result.stringData = maskValues(obj.stringData);
    } else {
      if ('data' in obj) result.data = maskValues(obj.data);
      if ('binaryData' in obj) result.binaryData = maskValues(obj.binaryData);
    }
  }
  const pod = podSpecOf(obj);
  if (pod) {
    result = withPodSpec(result, pod.path, sanitizePodSpec(pod.spec));
    if ('status' in result) {
      const { status: _status, ...rest } = result;
      result = rest as K8sObject;
    }
  }
  const metadata = result.metadata;
  if (
    metadata &&
    (metadata.managedFields || metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'])
  ) {
    const { managedFields: _managed, ...restMeta } = metadata;
    const annotations = { ...(metadata.annotations ?? {}) };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    result = { ...result, metadata: { ...restMeta, ...(metadata.annotations ? { annotations } : {}) } };
  }
  return result as Record<string, unknown>;
}
