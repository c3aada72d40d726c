/**
 * Security context settings a container inherits from its pod unless it sets them itself:
 * seLinuxOptions and seccomp profiles (C-0055, C-0210, C-0211) and Windows options (C-0211).
 */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import type { ContainerScope, Workload } from './containers.ts';
import { WORKLOAD_MATCH, containersIn, describe, workloadsIn } from './containers.ts';
import { fieldAt, isBlank, isSet, securityContextOf } from './values.ts';

interface InheritedFieldRule {
  name: string;
  /** Field path under `securityContext`. */
  field: readonly string[];
  scope: ContainerScope;
  message: string;
  /** Whether the field counts as set (some rules accept any non-blank value, some any set value). */
  isDefined: (value: unknown) => boolean;
  /** Which pods the rule concerns. */
  appliesTo?: (workload: Workload) => boolean;
}

/**
 * Fails each container for which neither the pod nor the container sets the field; the fix sets it
 * on the container.
 */
function inheritedFieldRule(rule: InheritedFieldRule): RuleDefinition {
  return {
    name: rule.name,
    match: WORKLOAD_MATCH,
    evaluate({ objects }) {
      const violations: Violation[] = [];
      for (const workload of workloadsIn(objects)) {
        if (rule.appliesTo && !rule.appliesTo(workload)) continue;
        if (rule.isDefined(fieldAt(securityContextOf(workload.pod.spec), ...rule.field))) continue;
        for (const ref of containersIn(workload, rule.scope)) {
          if (rule.isDefined(fieldAt(securityContextOf(ref.container), ...rule.field))) continue;
          violations.push(
            violation(workload.object, {
              alertMessage: `${describe(workload.object)} ${rule.message}`,
              fixPaths: [
                { path: `${ref.path}.securityContext.${rule.field.join('.')}`, value: 'YOUR_VALUE' },
              ],
              alertScore: 7,
            }),
          );
        }
      }
      return violations;
    },
  };
}

const isNotBlank = (value: unknown): boolean => !isBlank(value);

export const setSeLinuxOptions = inheritedFieldRule({
  name: 'set-seLinuxOptions',
  field: ['seLinuxOptions'],
  scope: {},
  message: 'does not define any seLinuxOptions',
  isDefined: isNotBlank,
});

export const setSeccompProfile = inheritedFieldRule({
  name: 'set-seccomp-profile',
  field: ['seccompProfile'],
  scope: {},
  message: 'does not define seccompProfile',
  isDefined: isNotBlank,
});

export const linuxHardening = inheritedFieldRule({
  name: 'linux-hardening',
  field: ['seccompProfile'],
  scope: { init: true },
  message: 'does not define any linux security hardening',
  isDefined: isSet,
});

/** Pods explicitly scheduled on Windows nodes, where the Windows options mean something. */
function isWindowsPod({ pod }: Workload): boolean {
  return (
    fieldAt(pod.spec, 'os', 'name') === 'windows' ||
    fieldAt(pod.spec, 'nodeSelector', 'kubernetes.io/os') === 'windows'
  );
}

export const setGmsaCredentialSpecNameValue = inheritedFieldRule({
  name: 'set-gmsacredentialspecname-value',
  field: ['windowsOptions', 'gmsaCredentialSpecName'],
  scope: {},
  message: "does not define 'securityContext.windowsOptions.gmsaCredentialSpecName'",
  isDefined: isNotBlank,
  appliesTo: isWindowsPod,
});

export const setRunAsUserNameValue = inheritedFieldRule({
  name: 'set-runasusername-value',
  field: ['windowsOptions', 'runAsUserName'],
  scope: {},
  message: "does not define 'securityContext.windowsOptions.runAsUserName'",
  isDefined: isNotBlank,
  appliesTo: isWindowsPod,
});

export const setSeccompProfileRuntimeDefault: RuleDefinition = {
  name: 'set-seccomp-profile-RuntimeDefault',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      const podType = fieldAt(securityContextOf(workload.pod.spec), 'seccompProfile', 'type');
      const podPath = `${workload.pod.path}.securityContext.seccompProfile.type`;
      for (const ref of containersIn(workload)) {
        const containerType = fieldAt(securityContextOf(ref.container), 'seccompProfile', 'type');
        const containerPath = `${ref.path}.securityContext.seccompProfile.type`;
        const alertMessage = `${describe(workload.object)} does not define seccompProfile as RuntimeDefault`;
        // The container's own profile takes precedence over the pod's; a wrong value is reported
        // where it is set, a missing one is fixed on the container.
        const effective = !isBlank(containerType) ? containerType : podType;
        if (effective === 'RuntimeDefault') continue;
        const wrongPath = !isBlank(containerType) ? containerPath : !isBlank(podType) ? podPath : undefined;
        violations.push(
          violation(
            workload.object,
            wrongPath
              ? { alertMessage, failedPaths: [wrongPath], reviewPaths: [wrongPath], alertScore: 7 }
              : { alertMessage, fixPaths: [{ path: containerPath, value: 'RuntimeDefault' }], alertScore: 7 },
          ),
        );
      }
    }
    return violations;
  },
};

export const setHostProcessTrue: RuleDefinition = {
  name: 'set-hostprocess-true',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    const hostProcessViolation = (workload: Workload, contextPath: string, message: string): Violation => {
      const path = `${contextPath}.windowsOptions.hostProcess`;
      return violation(workload.object, {
        alertMessage: `${describe(workload.object)} ${message}`,
        failedPaths: [path],
        fixPaths: [{ path, value: 'false' }],
        alertScore: 7,
      });
    };
    for (const workload of workloadsIn(objects)) {
      if (fieldAt(securityContextOf(workload.pod.spec), 'windowsOptions', 'hostProcess') === true) {
        violations.push(
          hostProcessViolation(
            workload,
            `${workload.pod.path}.securityContext`,
            "sets 'securityContext.windowsOptions.hostProcess' to true",
          ),
        );
      }
      for (const ref of containersIn(workload, { init: true, ephemeral: 'all' })) {
        if (fieldAt(securityContextOf(ref.container), 'windowsOptions', 'hostProcess') !== true) continue;
        violations.push(
          hostProcessViolation(
            workload,
            `${ref.path}.securityContext`,
            "has a container that sets 'securityContext.windowsOptions.hostProcess' to true",
          ),
        );
      }
    }
    return violations;
  },
};
