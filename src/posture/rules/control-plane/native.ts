/**
 * The older "native" API server checks (C-0005, C-0066, C-0067, C-0068, C-0088). Except for the
 * insecure-port rule they use the `apiserver-pod` aggregator: the engine hands them the first
 * kube-system Pod named like the API server, and they read its first container without further
 * recognition.
 */
import type { RuleDefinition } from '../../model.ts';
import { flagRule, findingViolation, POD_MATCH, type FlagCheck, type Finding } from './checks.ts';
import {
  appendFix,
  firstContainerFlags,
  flagItems,
  flagListPath,
  flagPath,
  flagsOfContainer,
} from './flags.ts';

/** Whether some item contains `text` (these rules look for `--flag=` with its equals sign). */
function anyItemContains(items: readonly (string | undefined)[], text: string): boolean {
  return items.some((item) => item?.includes(text));
}

/**
 * Fails each `--<flag>=` item whose value does not mention `value`. The value is the text between
 * the first and second `=`, as these rules split the item on `=`.
 */
function listMentions(flag: string, value: string): FlagCheck {
  return (flags) => {
    const findings: Finding[] = [];
    for (const [index, item] of flagItems(flags)) {
      if (!item.includes(`--${flag}=`)) continue;
      if ((item.split('=')[1] ?? '').includes(value)) continue;
      findings.push({ failedPaths: [flagPath(flags, index)], fixPaths: [] });
    }
    return findings;
  };
}

const aggregated = { flagsOf: firstContainerFlags, aggregator: 'apiserver-pod' } as const;

export const nativeRules: RuleDefinition[] = [
  flagRule({
    ...aggregated,
    name: 'etcd-encryption-native',
    alertMessage: 'etcd encryption is not enabled',
    check: (flags) =>
      anyItemContains(flags.items, '--encryption-provider-config=')
        ? []
        : [{ failedPaths: [], fixPaths: [appendFix(flags, '--encryption-provider-config=YOUR_VALUE')] }],
  }),
  flagRule({
    ...aggregated,
    name: 'k8s-audit-logs-enabled-native',
    alertMessage: 'audit logs is not enabled',
    check: (flags) =>
      anyItemContains(flags.items, '--audit-policy-file=')
        ? []
        : [{ failedPaths: [flagListPath(flags)], fixPaths: [] }],
  }),
  flagRule({
    ...aggregated,
    name: 'psp-enabled-native',
    alertMessage: 'PodSecurityPolicy is not enabled',
    check: listMentions('enable-admission-plugins', 'PodSecurityPolicy'),
  }),
  flagRule({
    ...aggregated,
    name: 'rbac-enabled-native',
    alertMessage: 'RBAC is not enabled',
    check: listMentions('authorization-mode', 'RBAC'),
  }),
];

/**
 * C-0005: any container of a Pod named like `kube-apiserver` whose flags contain `--insecure-port=1`;
 * one violation per such flag.
 */
export const insecurePortFlag: RuleDefinition = {
  name: 'insecure-port-flag',
  match: POD_MATCH,
  evaluate({ objects }) {
    return objects.flatMap((pod) => {
      const podName: unknown = pod.metadata?.name;
      const containers = (pod.spec as { containers?: unknown } | undefined)?.containers;
      const named = typeof podName === 'string' && podName.includes('kube-apiserver');
      if (pod.kind !== 'Pod' || !named || !Array.isArray(containers)) return [];
      return containers.flatMap((container: unknown, index) => {
        const flags = flagsOfContainer(container, `spec.containers[${index}]`);
        if (!flags) return [];
        const name = (container as { name?: unknown }).name;
        const message = `The API server container: ${typeof name === 'string' ? name : ''} has insecure-port flag enabled`;
        return [...flagItems(flags)]
          .filter(([, item]) => item.includes('--insecure-port=1'))
          .map(([at]) =>
            findingViolation(pod, { failedPaths: [flagPath(flags, at)], fixPaths: [] }, message),
          );
      });
    });
  },
};
