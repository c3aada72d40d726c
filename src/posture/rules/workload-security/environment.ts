/**
 * Container environment variables: credentials in plain values (C-0012, C-0259), secrets exposed
 * as variables (C-0207) and duplicate variable names (C-0295).
 */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import type { ContainerRef } from '../../workload.ts';
import type { Workload } from './containers.ts';
import { WORKLOAD_MATCH, containerName, containersIn, describe, workloadsIn } from './containers.ts';
import { matchesGoPattern } from './patterns.ts';
import { asArray, asString, fieldAt, isSet } from './values.ts';

/** One violation per `envFrom[].secretRef`: every key of the Secret becomes a variable. */
function envFromSecretViolations(workload: Workload, ref: ContainerRef, alertMessage: string): Violation[] {
  const violations: Violation[] = [];
  asArray(ref.container.envFrom).forEach((source, k) => {
    if (!isSet(fieldAt(source, 'secretRef'))) return;
    const path = `${ref.path}.envFrom[${k}].secretRef`;
    violations.push(
      violation(workload.object, { alertMessage, failedPaths: [path], deletePaths: [path], alertScore: 9 }),
    );
  });
  return violations;
}

interface CredentialPolicy {
  keyNames: readonly string[];
  valuePatterns: readonly string[];
  allowedKeyNames: readonly string[];
  allowedValuePatterns: readonly string[];
}

/** Whether an env entry's plain value looks like a credential under the configured policy. */
function holdsCredential(name: string | undefined, value: string, policy: CredentialPolicy): boolean {
  const lowerName = name?.toLowerCase();
  const sensitiveName =
    lowerName !== undefined &&
    value !== '' &&
    policy.keyNames.some((key) => lowerName.includes(key.toLowerCase()));
  const sensitiveValue = policy.valuePatterns.some((pattern) => matchesGoPattern(pattern, value, 'i'));
  if (!sensitiveName && !sensitiveValue) return false;
  // Users exempt values and names they know to be harmless; file paths point at mounted secrets.
  if (policy.allowedValuePatterns.some((pattern) => matchesGoPattern(pattern, value))) return false;
  if (
    lowerName !== undefined &&
    policy.allowedKeyNames.some((key) => lowerName.includes(key.toLowerCase()))
  ) {
    return false;
  }
  return !value.startsWith('/');
}

export const credentialsInEnvVar: RuleDefinition = {
  name: 'rule-credentials-in-env-var',
  match: WORKLOAD_MATCH,
  configInputs: [
    'sensitiveValues',
    'sensitiveValuesAllowed',
    'sensitiveKeyNames',
    'sensitiveKeyNamesAllowed',
  ],
  evaluate({ objects, config }) {
    const policy: CredentialPolicy = {
      keyNames: config.sensitiveKeyNames ?? [],
      valuePatterns: config.sensitiveValues ?? [],
      allowedKeyNames: config.sensitiveKeyNamesAllowed ?? [],
      allowedValuePatterns: config.sensitiveValuesAllowed ?? [],
    };
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      const alertMessage = `${describe(workload.object)} has sensitive information in environment variables`;
      for (const ref of containersIn(workload, { init: true })) {
        asArray(ref.container.env).forEach((entry, j) => {
          const value = asString(fieldAt(entry, 'value'));
          if (value === undefined || !holdsCredential(asString(fieldAt(entry, 'name')), value, policy))
            return;
          const paths = [`${ref.path}.env[${j}].name`, `${ref.path}.env[${j}].value`];
          violations.push(
            violation(workload.object, {
              alertMessage,
              failedPaths: paths,
              deletePaths: paths,
              alertScore: 9,
            }),
          );
        });
        violations.push(...envFromSecretViolations(workload, ref, `${alertMessage} (via envFrom.secretRef)`));
      }
    }
    return violations;
  },
};

export const secretsInEnvVar: RuleDefinition = {
  name: 'rule-secrets-in-env-var',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      const alertMessage = `${describe(workload.object)} has secrets in environment variables`;
      for (const ref of containersIn(workload, { init: true })) {
        asArray(ref.container.env).forEach((entry, j) => {
          if (!isSet(fieldAt(entry, 'valueFrom', 'secretKeyRef'))) return;
          const path = `${ref.path}.env[${j}].name`;
          violations.push(
            violation(workload.object, {
              alertMessage,
              failedPaths: [path],
              deletePaths: [path],
              alertScore: 9,
            }),
          );
        });
        violations.push(...envFromSecretViolations(workload, ref, `${alertMessage} (via envFrom.secretRef)`));
      }
    }
    return violations;
  },
};

type EnvName = string | number | boolean;

function envNameOf(entry: unknown): EnvName | undefined {
  const name = fieldAt(entry, 'name');
  return typeof name === 'string' || typeof name === 'number' || typeof name === 'boolean' ? name : undefined;
}

export const duplicateEnvVar: RuleDefinition = {
  name: 'duplicate-env-var',
  match: [
    { group: '', kinds: ['Pod', 'ReplicationController'] },
    { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: 'batch', kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects }) {
    const kinds = new Set([
      'Pod',
      'ReplicationController',
      'Deployment',
      'ReplicaSet',
      'DaemonSet',
      'StatefulSet',
      'Job',
      'CronJob',
    ]);
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects, kinds)) {
      for (const ref of containersIn(workload, { init: true, ephemeral: 'all' })) {
        const env = asArray(ref.container.env);
        const counts = new Map<EnvName, number>();
        for (const entry of env) {
          const name = envNameOf(entry);
          if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        // Every occurrence of a repeated name is reported: which one wins is easy to get wrong.
        env.forEach((entry, j) => {
          const name = envNameOf(entry);
          if (name === undefined || (counts.get(name) ?? 0) < 2) return;
          violations.push(
            violation(workload.object, {
              alertMessage: `${describe(workload.object)} container ${containerName(ref)} has duplicate environment variable name ${String(name)} at this entry`,
              failedPaths: [`${ref.path}.env[${j}].name`],
              alertScore: 3,
            }),
          );
        });
      }
    }
    return violations;
  },
};
