/** Sudo in the container entrypoint (C-0062). */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { WORKLOAD_MATCH, containerName, containersIn, describe, workloadsIn } from './containers.ts';
import { asArray } from './values.ts';

export const sudoInContainerEntrypoint: RuleDefinition = {
  name: 'sudo-in-container-entrypoint',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload)) {
        // Only `command` (the entrypoint) is inspected, not `args`.
        const paths: string[] = [];
        asArray(ref.container.command).forEach((part, k) => {
          if (typeof part === 'string' && part.includes('sudo')) paths.push(`${ref.path}.command[${k}]`);
        });
        if (paths.length === 0) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `container: ${containerName(ref)} in ${describe(workload.object)} have sudo in entrypoint`,
            failedPaths: paths,
            reviewPaths: paths,
            alertScore: 5,
          }),
        );
      }
    }
    return violations;
  },
};
