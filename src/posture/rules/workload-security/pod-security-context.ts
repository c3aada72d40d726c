/**
 * Pod-level security context settings checked by C-0211 (Apply Security Context): fsGroup,
 * fsGroupChangePolicy, supplementalGroups and sysctls.
 */
import type { FixPath, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import type { Workload } from './containers.ts';
import { WORKLOAD_MATCH, describe, workloadsIn } from './containers.ts';
import { asArray, fieldAt, securityContextOf } from './values.ts';

interface PodFinding {
  alertMessage: string;
  failedPaths?: string[];
  fixPaths?: FixPath[];
}

/** A rule with at most one finding per workload, computed from its pod-level securityContext. */
function podSecurityContextRule(
  name: string,
  check: (
    context: Record<string, unknown> | undefined,
    contextPath: string,
    workload: Workload,
  ) => PodFinding | undefined,
): RuleDefinition {
  return {
    name,
    match: WORKLOAD_MATCH,
    evaluate({ objects }) {
      const violations: Violation[] = [];
      for (const workload of workloadsIn(objects)) {
        const finding = check(
          securityContextOf(workload.pod.spec),
          `${workload.pod.path}.securityContext`,
          workload,
        );
        if (finding) violations.push(violation(workload.object, { ...finding, alertScore: 7 }));
      }
      return violations;
    },
  };
}

export const setFsGroupValue = podSecurityContextRule('set-fsgroup-value', (context, path, { object }) => {
  const fsGroup = context?.fsGroup;
  if (typeof fsGroup === 'number' && fsGroup >= 0) return undefined;
  return {
    alertMessage: `${describe(object)} does not set 'securityContext.fsGroup' with allowed value`,
    fixPaths: [{ path: `${path}.fsGroup`, value: 'YOUR_VALUE' }],
  };
});

const FS_GROUP_CHANGE_POLICIES: ReadonlySet<unknown> = new Set(['Always', 'OnRootMismatch']);

export const setFsGroupChangePolicyValue = podSecurityContextRule(
  'set-fsgroupchangepolicy-value',
  (context, path, { object }) => {
    if (FS_GROUP_CHANGE_POLICIES.has(context?.fsGroupChangePolicy)) return undefined;
    return {
      alertMessage: `${describe(object)} does not set 'securityContext.fsGroupChangePolicy' with allowed value`,
      fixPaths: [{ path: `${path}.fsGroupChangePolicy`, value: 'Always' }],
    };
  },
);

export const setSupplementalGroupsValues = podSecurityContextRule(
  'set-supplementalgroups-values',
  (context, path, { object }) => {
    // Group 0 is root's group: files it owns become accessible to the pod.
    if (!asArray(context?.supplementalGroups).includes(0)) return undefined;
    const groupsPath = `${path}.supplementalGroups`;
    return {
      alertMessage: `${describe(object)} uses disallowed supplemental group '0'`,
      failedPaths: [groupsPath],
      fixPaths: [{ path: groupsPath, value: 'REMOVE_GROUP_0' }],
    };
  },
);

/** Kubernetes' namespaced "safe" sysctls (pkg/kubelet/sysctl/safe_sysctls.go). */
const SAFE_SYSCTLS: ReadonlySet<unknown> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

export const setSysctlsParams = podSecurityContextRule('set-sysctls-params', (context, path, { object }) => {
  const unsafe = asArray(context?.sysctls)
    .map((sysctl) => fieldAt(sysctl, 'name'))
    .filter((name) => name !== undefined && name !== null && !SAFE_SYSCTLS.has(name));
  if (unsafe.length === 0) return undefined;
  const sysctlsPath = `${path}.sysctls`;
  return {
    alertMessage: `${describe(object)} sets unsafe sysctl(s): ${JSON.stringify(unsafe)}`,
    failedPaths: [sysctlsPath],
    fixPaths: [{ path: sysctlsPath, value: 'REMOVE_UNSAFE_SYSCTLS' }],
  };
});
