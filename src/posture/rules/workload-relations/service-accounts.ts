/**
 * Rules joining a workload's pod spec with its ServiceAccount: token automount, the deprecated
 * `serviceAccount` field, references to missing accounts, and the dashboard account.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { asRecord, deepEqual, field, fixValue, isTruthy, namespaceOrDefault, nameOf } from './values.ts';
import { WORKLOAD_KINDS, podTemplateOf, workloadMatch } from './workloads.ts';
import type { PodTemplateRef } from './workloads.ts';

/** Pod spec of a workload with the report path prefix of its fields (`spec.`, `spec.template.spec.`, ...). */
interface PodSpecAt {
  spec: Record<string, unknown>;
  prefix: string;
}

function podSpecAt(ref: PodTemplateRef | undefined): PodSpecAt | undefined {
  const spec = asRecord(field(ref?.template, 'spec'));
  return ref && spec ? { spec, prefix: `${ref.prefix}spec.` } : undefined;
}

/**
 * C-0034 / C-0190: the pod will mount a service account token. Pod-level
 * `automountServiceAccountToken` wins over the ServiceAccount's; when it is unset, the referenced
 * account (`serviceAccountName`, else `default`, in the workload's namespace) decides, and a missing
 * account means Kubernetes' default (mount).
 */
export const automountServiceAccount: RuleDefinition = {
  name: 'automount-service-account',
  match: [
    { group: '', kinds: ['Pod', 'ServiceAccount'] },
    { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: 'batch', kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects, index }) {
    const result: Violation[] = [];
    for (const wl of objects) {
      if (!WORKLOAD_KINDS.has(wl.kind)) continue;
      const at = podSpecAt(podTemplateOf(wl));
      if (!at) continue;
      const namespace = namespaceOrDefault(wl);
      const path = `${at.prefix}automountServiceAccountToken`;
      const fix = [{ path, value: 'false' }];
      const podSetting = at.spec.automountServiceAccountToken;
      const alertMessage = `${wl.kind}: ${nameOf(wl)} in the following namespace: ${namespace} mounts service account tokens by default`;
      if (podSetting === true) {
        result.push(violation(wl, { alertMessage, failedPaths: [path], fixPaths: fix }));
        continue;
      }
      if (podSetting === false) continue;
      const accountName = isTruthy(at.spec.serviceAccountName) ? at.spec.serviceAccountName : 'default';
      const account =
        typeof accountName === 'string' ? index.get('ServiceAccount', namespace, accountName) : undefined;
      if (account && account.automountServiceAccountToken === false) continue;
      result.push(violation(wl, { alertMessage, fixPaths: fix }));
    }
    return result;
  },
};

/**
 * C-0294: the pod spec uses the deprecated `serviceAccount`. Without `serviceAccountName` the fix
 * moves the value there; with a different `serviceAccountName` the values conflict (no fix).
 */
export const deprecatedServiceAccountField: RuleDefinition = {
  name: 'deprecated-service-account-field',
  match: [
    { group: '', kinds: ['Pod', 'ReplicationController'] },
    { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: 'batch', kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects }) {
    const result: Violation[] = [];
    for (const wl of objects) {
      const at = podSpecAt(podTemplateOf(wl, { replicationController: true }));
      const deprecated = at?.spec.serviceAccount;
      if (!at || deprecated === undefined) continue;
      const deprecatedPath = `${at.prefix}serviceAccount`;
      const replacementPath = `${at.prefix}serviceAccountName`;
      const replacement = at.spec.serviceAccountName;
      const base = { failedPaths: [deprecatedPath], deletePaths: [deprecatedPath], alertScore: 3 };
      if ((replacement === undefined || replacement === '') && deprecated !== '') {
        result.push(
          violation(wl, {
            ...base,
            alertMessage: `${wl.kind}: ${nameOf(wl)} uses deprecated field '${deprecatedPath}'; use '${replacementPath}' instead`,
            fixPaths: [{ path: replacementPath, value: fixValue(deprecated) }],
          }),
        );
      }
      // Both written and different (an explicit empty serviceAccountName counts as written).
      if (replacement !== undefined && !deepEqual(replacement, deprecated)) {
        result.push(
          violation(wl, {
            ...base,
            alertMessage: `${wl.kind}: ${nameOf(wl)} has deprecated field '${deprecatedPath}' and '${replacementPath}' with non-matching values`,
          }),
        );
      }
    }
    return result;
  },
};

/** C-0307: `serviceAccountName` names an account that does not exist in the workload's namespace. */
export const nonExistentServiceAccount: RuleDefinition = {
  name: 'non-existent-service-account',
  match: [
    { group: '', kinds: ['Pod', 'ReplicationController', 'ServiceAccount'] },
    { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: 'batch', kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects, index }) {
    const result: Violation[] = [];
    for (const wl of objects) {
      const at = podSpecAt(podTemplateOf(wl, { replicationController: true }));
      const accountName = at?.spec.serviceAccountName;
      // `default` and an empty name always resolve (the default account exists in every namespace).
      if (!at || accountName === undefined || accountName === 'default' || accountName === '') continue;
      const namespace = namespaceOrDefault(wl);
      if (typeof accountName === 'string' && index.get('ServiceAccount', namespace, accountName)) continue;
      result.push(
        violation(wl, {
          alertMessage: `${wl.kind}: ${nameOf(wl)} in namespace ${namespace} references missing ServiceAccount ${fixValue(accountName)}`,
          failedPaths: [`${at.prefix}serviceAccountName`],
          alertScore: 5,
        }),
      );
    }
    return result;
  },
};

const DASHBOARD_ACCOUNT = 'kubernetes-dashboard';

function isDashboardItself(obj: K8sObject): boolean {
  const name = asRecord(obj.metadata)?.name;
  return typeof name === 'string' && name.startsWith(DASHBOARD_ACCOUNT);
}

/** C-0014 (workload half): a workload other than the dashboard runs as the dashboard's account. */
export const accessDashboardWorkload: RuleDefinition = {
  name: 'rule-access-dashboard-wl-v1',
  match: workloadMatch(),
  evaluate({ objects }) {
    const result: Violation[] = [];
    const report = (wl: K8sObject, path: string): void => {
      result.push(
        violation(wl, {
          alertMessage: `${wl.kind}: ${nameOf(wl)} is associated with dashboard service account`,
          failedPaths: [path],
          deletePaths: [path],
          alertScore: 7,
        }),
      );
    };
    for (const wl of objects) {
      if (isDashboardItself(wl)) continue;
      // Kubescape checks `spec.serviceAccountName` on every object it receives, not only Pods.
      if (field(wl, 'spec', 'serviceAccountName') === DASHBOARD_ACCOUNT)
        report(wl, 'spec.serviceAccountName');
      if (wl.kind === 'Pod' || !WORKLOAD_KINDS.has(wl.kind)) continue;
      const at = podSpecAt(podTemplateOf(wl));
      if (at?.spec.serviceAccountName === DASHBOARD_ACCOUNT) report(wl, `${at.prefix}serviceAccountName`);
    }
    return result;
  },
};

export const serviceAccountRules: RuleDefinition[] = [
  automountServiceAccount,
  deprecatedServiceAccountField,
  nonExistentServiceAccount,
  accessDashboardWorkload,
];
