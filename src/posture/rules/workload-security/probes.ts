/** Health probes: liveness (C-0056) and readiness (C-0018) probes configured on every container. */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { WORKLOAD_MATCH, containerName, containersIn, describe, workloadsIn } from './containers.ts';
import { isSet } from './values.ts';

function probeRule(name: string, probe: 'livenessProbe' | 'readinessProbe'): RuleDefinition {
  return {
    name,
    match: WORKLOAD_MATCH,
    evaluate({ objects }) {
      const violations: Violation[] = [];
      for (const workload of workloadsIn(objects)) {
        // Init containers run to completion, so probes apply to app containers only.
        for (const ref of containersIn(workload)) {
          if (isSet(ref.container[probe])) continue;
          violations.push(
            violation(workload.object, {
              alertMessage: `Container: ${containerName(ref)} in ${describe(workload.object)} does not have ${probe}`,
              fixPaths: [{ path: `${ref.path}.${probe}`, value: 'YOUR_VALUE' }],
              alertScore: 4,
            }),
          );
        }
      }
      return violations;
    },
  };
}

export const configuredLivenessProbe = probeRule('configured-liveness-probe', 'livenessProbe');
export const configuredReadinessProbe = probeRule('configured-readiness-probe', 'readinessProbe');
