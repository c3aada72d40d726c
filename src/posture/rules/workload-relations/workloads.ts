/**
 * Where the pod of a workload lives, in the shapes Kubescape's rules read it. Unlike the engine's
 * podSpecOf, the template is returned even when parts of it are missing, because several rules
 * distinguish "template without metadata" from "metadata without labels".
 */
import type { K8sObject, KindMatch } from '../../model.ts';
import { APPS, BATCH, CORE, asRecord, field } from './values.ts';
import type { LooseRecord } from './values.ts';

/** Controllers whose pod template is `spec.template`. */
export const CONTROLLER_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'ReplicaSet',
  'DaemonSet',
  'StatefulSet',
  'Job',
]);

/** Kubescape's WL kinds: Pod, the controllers and CronJob. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([...CONTROLLER_KINDS, 'Pod', 'CronJob']);

/** WL kinds plus ReplicationController (rules that treat it as a controller). */
export const WORKLOAD_KINDS_WITH_RC: ReadonlySet<string> = new Set([
  ...WORKLOAD_KINDS,
  'ReplicationController',
]);

/** The usual `match` of a WL rule, optionally with extra core kinds (Service, ServiceAccount, ...). */
export function workloadMatch(...extraCoreKinds: string[]): KindMatch[] {
  return [
    { group: CORE, kinds: ['Pod', ...extraCoreKinds] },
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: BATCH, kinds: ['Job', 'CronJob'] },
  ];
}

export interface PodTemplateRef {
  /**
   * The pod-shaped object: the Pod itself, `spec.template` of a controller, or
   * `spec.jobTemplate.spec.template` of a CronJob. `metadata.labels` and `spec` are read from it.
   */
  template: unknown;
  /** Report path prefix of the template: `''`, `spec.template.` or `spec.jobTemplate.spec.template.`. */
  prefix: string;
}

export interface TemplateOptions {
  /** Treat ReplicationController as a controller (its template is `spec.template`). */
  replicationController?: boolean;
}

/** The pod template of a workload, or undefined for other kinds. The template itself may be missing. */
export function podTemplateOf(obj: K8sObject, options: TemplateOptions = {}): PodTemplateRef | undefined {
  if (obj.kind === 'Pod') return { template: obj, prefix: '' };
  if (
    CONTROLLER_KINDS.has(obj.kind) ||
    (options.replicationController && obj.kind === 'ReplicationController')
  ) {
    return { template: field(obj, 'spec', 'template'), prefix: 'spec.template.' };
  }
  if (obj.kind === 'CronJob') {
    return {
      template: field(obj, 'spec', 'jobTemplate', 'spec', 'template'),
      prefix: 'spec.jobTemplate.spec.template.',
    };
  }
  return undefined;
}

/**
 * Pod labels as `object.get(template.metadata, "labels", {})`: undefined when the template has no
 * metadata object (the Rego expression is undefined and the rule body fails), `{}` when the labels
 * are missing or not a map.
 */
export function templateLabelsOrEmpty(ref: PodTemplateRef): LooseRecord | undefined {
  const metadata = asRecord(field(ref.template, 'metadata'));
  if (!metadata) return undefined;
  return asRecord(metadata.labels) ?? {};
}

/** Pod labels exactly as written (possibly missing or malformed), for `count({...}) == count(sel)` checks. */
export function rawTemplateLabels(ref: PodTemplateRef): unknown {
  return field(ref.template, 'metadata', 'labels');
}

export interface ContainerAt {
  container: LooseRecord;
  index: number;
  /** Report path of the container, e.g. `spec.template.spec.containers[0]`. */
  path: string;
}

/** The `containers[]` of a pod template that are objects, with their report paths. */
export function templateContainers(ref: PodTemplateRef): ContainerAt[] {
  const list = field(ref.template, 'spec', 'containers');
  if (!Array.isArray(list)) return [];
  const result: ContainerAt[] = [];
  list.forEach((item: unknown, index) => {
    const container = asRecord(item);
    if (container) result.push({ container, index, path: `${ref.prefix}spec.containers[${index}]` });
  });
  return result;
}
