/**
 * Rules about references that resolve to nothing: a controller selector that misses its own pod
 * template, a Service selecting no workload, an HPA scaling a missing target.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { podLabelsByNamespace } from './label-index.ts';
import { labelSelectorMatches, matchLabelsMismatch, selectorDefined } from './label-selector.ts';
import {
  APPS,
  BATCH,
  CORE,
  asRecord,
  asString,
  deepEqual,
  field,
  namespaceOrDefault,
  nameOf,
  regoCount,
} from './values.ts';
import type { LooseRecord } from './values.ts';
import { CONTROLLER_KINDS, podTemplateOf, templateLabelsOrEmpty } from './workloads.ts';

interface SelectorAt {
  selector: unknown;
  labels: LooseRecord;
  matchLabelsPath: string;
  matchExpressionsPath: string;
}

/** A controller's selector and template labels; a ReplicationController's map selector acts as matchLabels. */
function selectorOf(wl: K8sObject): SelectorAt | undefined {
  const spec = asRecord(wl.spec);
  if (CONTROLLER_KINDS.has(wl.kind)) {
    if (!spec) return undefined;
    return {
      selector: spec.selector ?? {},
      labels: asRecord(field(spec, 'template', 'metadata', 'labels')) ?? {},
      matchLabelsPath: 'spec.selector.matchLabels',
      matchExpressionsPath: 'spec.selector.matchExpressions',
    };
  }
  if (wl.kind === 'ReplicationController') {
    return {
      selector: { matchLabels: spec?.selector ?? {} },
      labels: asRecord(field(spec, 'template', 'metadata', 'labels')) ?? {},
      matchLabelsPath: 'spec.selector',
      matchExpressionsPath: 'spec.selector',
    };
  }
  if (wl.kind === 'CronJob') {
    const jobSpec = field(spec, 'jobTemplate', 'spec');
    return {
      selector: field(jobSpec, 'selector') ?? {},
      labels: asRecord(field(jobSpec, 'template', 'metadata', 'labels')) ?? {},
      matchLabelsPath: 'spec.jobTemplate.spec.selector.matchLabels',
      matchExpressionsPath: 'spec.jobTemplate.spec.selector.matchExpressions',
    };
  }
  return undefined;
}

/** C-0296: a controller whose selector does not select its own pod template. */
export const mismatchingSelector: RuleDefinition = {
  name: 'mismatching-selector',
  match: [
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: CORE, kinds: ['ReplicationController'] },
    { group: BATCH, kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects }) {
    const result: Violation[] = [];
    for (const wl of objects) {
      const at = selectorOf(wl);
      if (!at || !selectorDefined(at.selector) || labelSelectorMatches(at.selector, at.labels)) continue;
      const failedPath = matchLabelsMismatch(asRecord(at.selector)?.matchLabels, at.labels)
        ? at.matchLabelsPath
        : at.matchExpressionsPath;
      result.push(
        violation(wl, {
          alertMessage: `${wl.kind}: ${nameOf(wl)} selector does not match pod template labels`,
          failedPaths: [failedPath],
          alertScore: 3,
        }),
      );
    }
    return result;
  },
};

/** Every pair of a Service selector equals a label (Rego: `not labels[k] == selector[k]` for no k). */
function serviceSelects(selector: LooseRecord, labels: LooseRecord): boolean {
  return Object.entries(selector).every(([key, value]) => value === false || deepEqual(labels[key], value));
}

/** C-0293: a Service (not ExternalName) whose non-empty selector matches no workload of its namespace. */
export const serviceWithNoWorkload: RuleDefinition = {
  name: 'service-with-no-workload',
  match: [
    { group: CORE, kinds: ['Service', 'Pod', 'ReplicationController'] },
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: BATCH, kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects }) {
    const podLabels = podLabelsByNamespace(objects, (wl) => {
      const ref = podTemplateOf(wl, { replicationController: true });
      return ref ? templateLabelsOrEmpty(ref) : undefined;
    });
    const result: Violation[] = [];
    for (const service of objects) {
      if (service.kind !== 'Service') continue;
      const spec = asRecord(service.spec);
      if (!spec || (spec.type ?? 'ClusterIP') === 'ExternalName') continue;
      // Services without a selector (or with an empty one) manage their endpoints themselves.
      const selector = asRecord(spec.selector);
      if (!selector || (regoCount(selector) ?? 0) === 0) continue;
      const namespace = namespaceOrDefault(service);
      const candidates = podLabels.get(namespace)?.candidatesForPairs(selector) ?? [];
      if (candidates.some((labels) => serviceSelects(selector, labels))) continue;
      result.push(
        violation(service, {
          alertMessage: `Service '${nameOf(service)}' selector matches no workloads in namespace '${namespace}'`,
          failedPaths: ['spec.selector'],
          alertScore: 3,
        }),
      );
    }
    return result;
  },
};

/** Built-in scalable kinds; a custom scale target (CRD) cannot be resolved offline and is skipped. */
const SCALABLE_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
]);

/** C-0300: an HPA whose scaleTargetRef names a Deployment/StatefulSet/ReplicaSet/RC missing from its namespace. */
export const hpaHasTarget: RuleDefinition = {
  name: 'hpa-has-target',
  match: [
    { group: 'autoscaling', kinds: ['HorizontalPodAutoscaler'] },
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'StatefulSet'] },
    { group: CORE, kinds: ['ReplicationController'] },
  ],
  evaluate({ objects, index }) {
    const result: Violation[] = [];
    for (const hpa of objects) {
      if (hpa.kind !== 'HorizontalPodAutoscaler') continue;
      const spec = asRecord(hpa.spec);
      if (!spec) continue;
      const target = spec.scaleTargetRef ?? {};
      const kind = asString(field(target, 'kind')) ?? '';
      if (!SCALABLE_KINDS.has(kind)) continue;
      const name = field(target, 'name') ?? '';
      const namespace = namespaceOrDefault(hpa);
      if (typeof name === 'string' && index.get(kind, namespace, name)) continue;
      result.push(
        violation(hpa, {
          alertMessage: `HorizontalPodAutoscaler '${nameOf(hpa)}' scaleTargetRef points to ${kind} '${String(name)}' which does not exist in namespace '${namespace}'`,
          failedPaths: ['spec.scaleTargetRef.name'],
          alertScore: 4,
        }),
      );
    }
    return result;
  },
};

export const referenceRules: RuleDefinition[] = [mismatchingSelector, serviceWithNoWorkload, hpaHasTarget];
