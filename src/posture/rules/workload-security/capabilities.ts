/**
 * Privilege rules: privileged containers (C-0057), insecure capabilities (C-0046), NET_RAW not
 * dropped (C-0211) and privilege escalation allowed (C-0016).
 */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import {
  WORKLOAD_MATCH,
  containerName,
  containersIn,
  describe,
  isEphemeral,
  workloadsIn,
} from './containers.ts';
import { asArray, fieldAt, securityContextOf } from './values.ts';

/** Indices of `capabilities.add` entries that are one of `wanted`. */
function addedCapabilityIndices(container: unknown, wanted: (capability: unknown) => boolean): number[] {
  const added = asArray(fieldAt(securityContextOf(container), 'capabilities', 'add'));
  const indices: number[] = [];
  added.forEach((capability, index) => {
    if (wanted(capability)) indices.push(index);
  });
  return indices;
}

export const privilegedContainer: RuleDefinition = {
  name: 'rule-privileged-container',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload, { init: true, ephemeral: 'all' })) {
        // SYS_ADMIN is root-equivalent, so it counts as privileged like `privileged: true`.
        const paths = addedCapabilityIndices(ref.container, (c) => c === 'SYS_ADMIN').map(
          (k) => `${ref.path}.securityContext.capabilities.add[${k}]`,
        );
        if (securityContextOf(ref.container)?.privileged === true) {
          paths.push(`${ref.path}.securityContext.privileged`);
        }
        if (paths.length === 0) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `${describe(workload.object)} is defined as privileged (container ${containerName(ref)})`,
            failedPaths: paths,
            deletePaths: paths,
            alertScore: 3,
          }),
        );
      }
    }
    return violations;
  },
};

export const insecureCapabilities: RuleDefinition = {
  name: 'insecure-capabilities',
  match: WORKLOAD_MATCH,
  configInputs: ['insecureCapabilities'],
  evaluate({ objects, config }) {
    const insecure = new Set(config.insecureCapabilities ?? []);
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload, { init: true, ephemeral: 'pods' })) {
        const paths = addedCapabilityIndices(
          ref.container,
          (c) => typeof c === 'string' && insecure.has(c),
        ).map((k) => `${ref.path}.securityContext.capabilities.add[${k}]`);
        if (paths.length === 0) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `container: ${containerName(ref)} in ${describe(workload.object)} have dangerous capabilities`,
            failedPaths: paths,
            // An ephemeral container cannot be edited, so nothing is offered for deletion.
            deletePaths: isEphemeral(ref) ? [] : paths,
            alertScore: 7,
          }),
        );
      }
    }
    return violations;
  },
};

export const dropCapabilityNetRaw: RuleDefinition = {
  name: 'drop-capability-netraw',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload)) {
        const capabilities = fieldAt(securityContextOf(ref.container), 'capabilities');
        const dropped = asArray(fieldAt(capabilities, 'drop'));
        const dropsAll = dropped.includes('ALL') || dropped.includes('all');
        const alertMessage = `${describe(workload.object)} does not drop the capability NET_RAW`;
        if (!dropped.includes('NET_RAW') && !dropsAll) {
          violations.push(
            violation(workload.object, {
              alertMessage,
              fixPaths: [
                {
                  path: `${ref.path}.securityContext.capabilities.drop[${dropped.length}]`,
                  value: 'NET_RAW',
                },
              ],
              alertScore: 7,
            }),
          );
        } else if (dropsAll && asArray(fieldAt(capabilities, 'add')).includes('NET_RAW')) {
          // Dropping ALL does not help when NET_RAW is added back.
          const path = `${ref.path}.securityContext.capabilities.add`;
          violations.push(
            violation(workload.object, {
              alertMessage,
              failedPaths: [path],
              deletePaths: [path],
              alertScore: 7,
            }),
          );
        }
      }
    }
    return violations;
  },
};

export const allowPrivilegeEscalation: RuleDefinition = {
  name: 'rule-allow-privilege-escalation',
  match: [...WORKLOAD_MATCH, { group: 'policy', kinds: ['PodSecurityPolicy'] }],
  evaluate({ objects, index }) {
    // When every PodSecurityPolicy forbids escalation, the cluster enforces it for all pods.
    const policies = index.ofKind('PodSecurityPolicy');
    const enforcedByPolicy =
      policies.length > 0 &&
      policies.every((psp) => fieldAt(psp, 'spec', 'allowPrivilegeEscalation') === false);
    if (enforcedByPolicy) return [];
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload)) {
        if (securityContextOf(ref.container)?.allowPrivilegeEscalation === false) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `container: ${containerName(ref)} in ${describe(workload.object)} allow privilege escalation`,
            fixPaths: [
              { path: `${ref.path}.securityContext.allowPrivilegeEscalation`, value: 'false' },
              { path: `${ref.path}.securityContext.privileged`, value: 'false' },
            ],
            alertScore: 7,
          }),
        );
      }
    }
    return violations;
  },
};
