/**
 * Rules about a workload's own placement and lifecycle: naked pods, pods in the default namespace,
 * CronJobs, Deployment update strategy.
 */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { APPS, CORE, asRecord, field, isTruthy, nameOf } from './values.ts';
import { WORKLOAD_KINDS, workloadMatch } from './workloads.ts';

/** C-0073: a Pod no controller owns. */
export const nakedPods: RuleDefinition = {
  name: 'naked-pods',
  match: [{ group: CORE, kinds: ['Pod'] }],
  evaluate({ objects }) {
    return objects
      .filter((pod) => pod.kind === 'Pod' && !isTruthy(asRecord(pod.metadata)?.ownerReferences))
      .map((pod) =>
        violation(pod, {
          alertMessage: `Pod: ${nameOf(pod)} not associated with ReplicaSet or Deployment`,
          alertScore: 3,
        }),
      );
  },
};

/** C-0305: a Deployment whose explicit strategy is not RollingUpdate (an unset strategy defaults to it). */
export const noRollingUpdateStrategy: RuleDefinition = {
  name: 'no-rolling-update-strategy',
  match: [{ group: APPS, kinds: ['Deployment'] }],
  evaluate({ objects }) {
    const result: Violation[] = [];
    for (const deployment of objects) {
      if (deployment.kind !== 'Deployment') continue;
      const strategyType = field(deployment, 'spec', 'strategy', 'type');
      if (strategyType === undefined || strategyType === 'RollingUpdate') continue;
      result.push(
        violation(deployment, {
          alertMessage: `Deployment: ${nameOf(deployment)} does not use a rolling update strategy`,
          failedPaths: ['spec.strategy.type'],
          reviewPaths: ['spec.strategy.type'],
          fixPaths: [{ path: 'spec.strategy.type', value: 'RollingUpdate' }],
          alertScore: 3,
        }),
      );
    }
    return result;
  },
};

/** C-0061 / C-0212: a workload in the `default` namespace, or without a namespace (fix: set one). */
export const podsInDefaultNamespace: RuleDefinition = {
  name: 'pods-in-default-namespace',
  match: workloadMatch(),
  evaluate({ objects }) {
    const result: Violation[] = [];
    for (const wl of objects) {
      const metadata = asRecord(wl.metadata);
      if (!WORKLOAD_KINDS.has(wl.kind) || !metadata) continue;
      const alertMessage = `${wl.kind}: ${nameOf(wl)} has pods running in the 'default' namespace`;
      if (metadata.namespace === 'default') {
        const paths = ['metadata.namespace'];
        result.push(violation(wl, { alertMessage, failedPaths: paths, reviewPaths: paths, alertScore: 3 }));
      } else if (!isTruthy(metadata.namespace)) {
        result.push(
          violation(wl, {
            alertMessage,
            fixPaths: [{ path: 'metadata.namespace', value: 'YOUR_NAMESPACE' }],
            alertScore: 3,
          }),
        );
      }
    }
    return result;
  },
};

/** C-0026: every CronJob is listed (inventory control). */
export const denyCronJobs: RuleDefinition = {
  name: 'rule-deny-cronjobs',
  match: [{ group: '*', kinds: ['CronJob'] }],
  evaluate({ objects }) {
    return objects
      .filter((wl) => wl.kind === 'CronJob')
      .map((wl) =>
        violation(wl, {
          alertMessage: `the following cronjobs are defined: ${String(asRecord(wl.metadata)?.namespace ?? '')}/${nameOf(wl)}`,
          alertScore: 2,
        }),
      );
  },
};

export const inventoryRules: RuleDefinition[] = [
  nakedPods,
  noRollingUpdateStrategy,
  podsInDefaultNamespace,
  denyCronJobs,
];
