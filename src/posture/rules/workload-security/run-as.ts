/**
 * Who a container runs as and what it may write: non-root containers (C-0013) and immutable
 * container filesystems (C-0017).
 */
import type { FixPath, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import type { ContainerRef } from '../../workload.ts';
import {
  WORKLOAD_MATCH,
  containerName,
  containersIn,
  describe,
  isEphemeral,
  workloadsIn,
} from './containers.ts';
import type { Fields } from './values.ts';
import { securityContextOf } from './values.ts';

/** A securityContext field resolved container-first, then from the pod, with the fix to offer. */
interface Resolved {
  value: unknown;
  /** Whether the container or the pod sets the field. */
  defined: boolean;
  fix: FixPath;
}

function isDefined(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Kubescape resolves runAsUser / runAsGroup container-first, then pod-level; an unset value counts
 * as 0 (root). The fix targets the level that holds the value, or the container when neither does.
 */
function resolveId(
  field: 'runAsUser' | 'runAsGroup',
  ref: ContainerRef,
  container: Fields | undefined,
  pod: Fields | undefined,
  podPath: string,
): Resolved {
  const containerFix = { path: `${ref.path}.securityContext.${field}`, value: '1000' };
  if (isDefined(container?.[field])) return { value: container?.[field], defined: true, fix: containerFix };
  if (isDefined(pod?.[field])) {
    return {
      value: pod?.[field],
      defined: true,
      fix: { path: `${podPath}.securityContext.${field}`, value: '1000' },
    };
  }
  return { value: 0, defined: false, fix: containerFix };
}

/** The fixes that make one container provably non-root (empty when it already is). */
function nonRootFixes(ref: ContainerRef, pod: Fields | undefined, podPath: string): FixPath[] {
  const container = securityContextOf(ref.container);
  const fixes: FixPath[] = [];
  const runAsNonRootFix = { path: `${ref.path}.securityContext.runAsNonRoot`, value: 'true' };

  const runAsNonRoot = isDefined(container?.runAsNonRoot)
    ? container?.runAsNonRoot
    : isDefined(pod?.runAsNonRoot)
      ? pod?.runAsNonRoot
      : false;
  if (runAsNonRoot === false) {
    const user = resolveId('runAsUser', ref, container, pod, podPath);
    // A root (or unset) user is fixed where it is set; with no user at all, by runAsNonRoot.
    if (user.value === 0) fixes.push(user.defined ? user.fix : runAsNonRootFix);
  }
  const group = resolveId('runAsGroup', ref, container, pod, podPath);
  if (group.value === 0) fixes.push(group.fix);
  return fixes;
}

export const nonRootContainers: RuleDefinition = {
  name: 'non-root-containers',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      const pod = securityContextOf(workload.pod.spec);
      for (const ref of containersIn(workload, { init: true, ephemeral: 'pods' })) {
        const fixes = nonRootFixes(ref, pod, workload.pod.path);
        if (fixes.length === 0) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `container: ${containerName(ref)} in ${describe(workload.object)} may run as root`,
            fixPaths: isEphemeral(ref) ? [] : fixes,
            alertScore: 7,
          }),
        );
      }
    }
    return violations;
  },
};

export const immutableContainerFilesystem: RuleDefinition = {
  name: 'immutable-container-filesystem',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload, { init: true, ephemeral: 'pods' })) {
        // readOnlyRootFilesystem defaults to false and exists only at container level.
        if (securityContextOf(ref.container)?.readOnlyRootFilesystem === true) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `container: ${containerName(ref)} in ${describe(workload.object)} has mutable filesystem`,
            fixPaths: isEphemeral(ref)
              ? []
              : [{ path: `${ref.path}.securityContext.readOnlyRootFilesystem`, value: 'true' }],
            alertScore: 7,
          }),
        );
      }
    }
    return violations;
  },
};
