/**
 * Container resources: limits and requests present (C-0009, C-0268..C-0271) and, for C-0004 /
 * C-0050, within the configured bounds.
 */
import type { ConfigInputs, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import type { ContainerRef } from '../../workload.ts';
import type { Workload } from './containers.ts';
import { WORKLOAD_MATCH, containerName, containersIn, describe, workloadsIn } from './containers.ts';
import { cpuToMillicores, memoryToBytes, outsideBounds } from './quantities.ts';
import { fieldAt, isSet } from './values.ts';

type Resource = 'cpu' | 'memory';
type Setting = 'limits' | 'requests';

function settingOf(ref: ContainerRef, setting: Setting, resource: Resource): unknown {
  return fieldAt(ref.container, 'resources', setting, resource);
}

function missingViolation(
  workload: Workload,
  ref: ContainerRef,
  setting: Setting,
  resource: Resource,
): Violation {
  return violation(workload.object, {
    alertMessage: `Container: ${containerName(ref)} in ${describe(workload.object)} does not have ${resource} ${setting}`,
    fixPaths: [{ path: `${ref.path}.resources.${setting}.${resource}`, value: 'YOUR_VALUE' }],
    alertScore: 7,
  });
}

/** A rule failing every container (not init) without `resources.<setting>.<resource>`. */
function requiredResourceRule(name: string, setting: Setting, resource: Resource): RuleDefinition {
  return {
    name,
    match: WORKLOAD_MATCH,
    evaluate({ objects }) {
      const violations: Violation[] = [];
      for (const workload of workloadsIn(objects)) {
        for (const ref of containersIn(workload)) {
          if (!isSet(settingOf(ref, setting, resource))) {
            violations.push(missingViolation(workload, ref, setting, resource));
          }
        }
      }
      return violations;
    },
  };
}

export const resourcesCpuLimits = requiredResourceRule('resources-cpu-limits', 'limits', 'cpu');
export const resourcesCpuRequests = requiredResourceRule('resources-cpu-requests', 'requests', 'cpu');
export const resourcesMemoryLimits = requiredResourceRule('resources-memory-limits', 'limits', 'memory');
export const resourcesMemoryRequests = requiredResourceRule(
  'resources-memory-requests',
  'requests',
  'memory',
);

const CONFIG_PREFIX: Readonly<Record<Setting, string>> = { limits: 'limit', requests: 'request' };

function boundKeys(resource: Resource): string[] {
  return (['limits', 'requests'] as const).flatMap((setting) => [
    `${resource}_${CONFIG_PREFIX[setting]}_max`,
    `${resource}_${CONFIG_PREFIX[setting]}_min`,
  ]);
}

/**
 * Both limit and request must be set (fix `YOUR_VALUE`), and a set value must lie within the
 * configured `<resource>_<limit|request>_<min|max>` bounds (failed and review path).
 */
function boundedResourceRule(name: string, resource: Resource): RuleDefinition {
  const parse = resource === 'cpu' ? cpuToMillicores : memoryToBytes;
  const outOfBounds = (config: ConfigInputs, setting: Setting, value: unknown): boolean => {
    const prefix = `${resource}_${CONFIG_PREFIX[setting]}`;
    return outsideBounds(value, config[`${prefix}_min`], config[`${prefix}_max`], parse);
  };
  return {
    name,
    match: WORKLOAD_MATCH,
    configInputs: boundKeys(resource),
    evaluate({ objects, config }) {
      const violations: Violation[] = [];
      for (const workload of workloadsIn(objects)) {
        for (const ref of containersIn(workload)) {
          for (const setting of ['limits', 'requests'] as const) {
            const value = settingOf(ref, setting, resource);
            if (!isSet(value)) {
              violations.push(missingViolation(workload, ref, setting, resource));
            } else if (outOfBounds(config, setting, value)) {
              const path = `${ref.path}.resources.${setting}.${resource}`;
              violations.push(
                violation(workload.object, {
                  alertMessage: `Container: ${containerName(ref)} in ${describe(workload.object)} exceeds ${resource} ${setting}`,
                  failedPaths: [path],
                  reviewPaths: [path],
                  alertScore: 7,
                }),
              );
            }
          }
        }
      }
      return violations;
    },
  };
}

export const resourcesCpuLimitAndRequest = boundedResourceRule('resources-cpu-limit-and-request', 'cpu');
export const resourcesMemoryLimitAndRequest = boundedResourceRule(
  'resources-memory-limit-and-request',
  'memory',
);

export const resourcePolicies: RuleDefinition = {
  name: 'resource-policies',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload)) {
        const missing = (['cpu', 'memory'] as const).filter(
          (resource) => !isSet(settingOf(ref, 'limits', resource)),
        );
        if (missing.length === 0) continue;
        violations.push(
          violation(workload.object, {
            alertMessage: `there are no cpu and memory limits defined for container : ${containerName(ref)}`,
            fixPaths: missing.map((resource) => ({
              path: `${ref.path}.resources.limits.${resource}`,
              value: 'YOUR_VALUE',
            })),
            alertScore: 7,
          }),
        );
      }
    }
    return violations;
  },
};
