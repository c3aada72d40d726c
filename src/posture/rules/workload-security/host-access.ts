/**
 * Sharing the node's namespaces and ports: hostNetwork (C-0041), hostPID / hostIPC (C-0038,
 * C-0275, C-0276) and container hostPort (C-0044).
 */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { WORKLOAD_MATCH, containerName, containersIn, describe, workloadsIn } from './containers.ts';
import { asArray, asRecord, isSet } from './values.ts';

type HostNamespaceFlag = 'hostNetwork' | 'hostPID' | 'hostIPC';

/** One violation per pod-spec flag set to true, naming the flag as failed and deletable. */
function hostNamespaceRule(name: string, flags: readonly HostNamespaceFlag[]): RuleDefinition {
  return {
    name,
    match: WORKLOAD_MATCH,
    evaluate({ objects }) {
      const violations: Violation[] = [];
      for (const { object, pod } of workloadsIn(objects)) {
        for (const flag of flags) {
          if (pod.spec[flag] !== true) continue;
          const path = `${pod.path}.${flag}`;
          violations.push(
            violation(object, {
              alertMessage: `${describe(object)} has a pod with ${flag} enabled`,
              failedPaths: [path],
              deletePaths: [path],
              alertScore: 7,
            }),
          );
        }
      }
      return violations;
    },
  };
}

export const hostNetworkAccess = hostNamespaceRule('host-network-access', ['hostNetwork']);
export const hostPidPrivileges = hostNamespaceRule('host-pid-privileges', ['hostPID']);
export const hostIpcPrivileges = hostNamespaceRule('host-ipc-privileges', ['hostIPC']);
export const hostPidIpcPrivileges = hostNamespaceRule('host-pid-ipc-privileges', ['hostPID', 'hostIPC']);

export const containerHostPort: RuleDefinition = {
  name: 'container-hostPort',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload)) {
        const paths: string[] = [];
        asArray(ref.container.ports).forEach((port, j) => {
          if (isSet(asRecord(port)?.hostPort)) paths.push(`${ref.path}.ports[${j}].hostPort`);
        });
        if (paths.length === 0) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `Container: ${containerName(ref)} in ${describe(workload.object)} has Host-port`,
            failedPaths: paths,
            deletePaths: paths,
            alertScore: 4,
          }),
        );
      }
    }
    return violations;
  },
};
