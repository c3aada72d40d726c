/**
 * Rules over the API server's own files as collected by the host sensor (ControlPlaneInfo /
 * APIServerInfo): encryption provider configuration, audit policy, and the ProcMountType gate.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation, violation } from '../../objects.ts';
import { containersOf, podSpecOf } from '../../workload.ts';
import { hostKindMatch, hostObjects, hostRule } from './host-objects.ts';
import {
  asArray,
  asObject,
  asString,
  decodedContentOf,
  membersOf,
  valueAt,
  type JsonObject,
} from './values.ts';

/** The parsed encryption provider configuration file (`--encryption-provider-config`), if readable. */
function encryptionConfigOf(obj: K8sObject): JsonObject | undefined {
  const file = valueAt(obj, ['data', 'APIServerInfo', 'encryptionProviderConfigFile']);
  return asObject(decodedContentOf(file)?.parsed);
}

/** Alert object: the configuration itself, named so that it can be reported as an object. */
const namedEncryptionConfig = (config: JsonObject): JsonObject => ({
  ...config,
  name: 'encryption-provider-config',
});

const RECOMMENDED_PROVIDER_KEYS = ['aescbc', 'secretbox', 'kms'] as const;

/** C-0142: every configured resource must have an aescbc, secretbox or kms provider. */
function weakEncryptionFinding(obj: K8sObject): Violation | undefined {
  const config = encryptionConfigOf(obj);
  if (!config) return undefined;
  const fixPaths = (asArray(config.resources) ?? []).flatMap((resource, index) => {
    const providers = asArray(valueAt(resource, ['providers']));
    if (!providers) return [];
    const protectedByOne = providers.some((provider) => {
      const keys = asObject(provider);
      return keys !== undefined && RECOMMENDED_PROVIDER_KEYS.some((key) => Object.hasOwn(keys, key));
    });
    return protectedByOne
      ? []
      : [
          {
            path: `resources[${index}].providers[${providers.length}]`,
            value: '{"aescbc" | "secretbox" | "kms" : <provider config>}',
          },
        ];
  });
  if (fixPaths.length === 0) return undefined;
  return externalViolation(namedEncryptionConfig(config), {
    alertMessage:
      'Encryption provider config is not using one of the allowed providers (aescbc, secretbox, kms)',
    alertScore: 2,
    fixPaths,
  });
}

const EXTERNAL_KMS_PROVIDERS: ReadonlySet<string> = new Set([
  'akeyless',
  'azurekmsprovider',
  'aws-encryption-provider',
]);

/** C-0208: some resource must be encrypted by a recommended external KMS plugin. */
function noExternalKmsFinding(obj: K8sObject): Violation | undefined {
  const config = encryptionConfigOf(obj);
  if (!config || config.resources === undefined) return undefined;
  const resources = membersOf(config.resources);
  const usesExternalKms = resources.some((resource) =>
    membersOf(valueAt(resource, ['providers'])).some((provider) => {
      const name = valueAt(provider, ['kms', 'name']);
      return typeof name === 'string' && EXTERNAL_KMS_PROVIDERS.has(name);
    }),
  );
  if (usesExternalKms) return undefined;
  const next = resources.length;
  return externalViolation(namedEncryptionConfig(config), {
    alertMessage: 'Encryption provider config is not using a recommended provider for KMS',
    alertScore: 2,
    fixPaths: [
      { path: `resources[${next}].resources[0]`, value: 'secrets' },
      { path: `resources[${next}].providers[0].kms`, value: 'YOUR_EXTERNAL_KMS' },
    ],
  });
}

// ---- audit policy (C-0161) ---------------------------------------------------------------------

/** Audit level each sensitive resource needs: exactly Metadata, or anything but None. */
const AUDITED_RESOURCES: readonly { resource: string; level: string; mode: 'equal' | 'not-equal' }[] = [
  { resource: 'secrets', level: 'Metadata', mode: 'equal' },
  { resource: 'configmaps', level: 'Metadata', mode: 'equal' },
  { resource: 'tokenreviews', level: 'Metadata', mode: 'equal' },
  { resource: 'pods', level: 'None', mode: 'not-equal' },
  { resource: 'deployments', level: 'None', mode: 'not-equal' },
  { resource: 'pods/exec', level: 'None', mode: 'not-equal' },
  { resource: 'pods/portforward', level: 'None', mode: 'not-equal' },
  { resource: 'pods/proxy', level: 'None', mode: 'not-equal' },
  { resource: 'services/proxy', level: 'None', mode: 'not-equal' },
];

/** A policy covers a resource when some rule names it and every rule naming it has a valid level. */
export function auditPolicyCovers(policyRules: unknown): boolean {
  const rules = membersOf(policyRules);
  return AUDITED_RESOURCES.every(({ resource, level, mode }) => {
    const concerning = rules.filter((rule) =>
      membersOf(valueAt(rule, ['resources'])).some((group) =>
        membersOf(valueAt(group, ['resources'])).includes(resource),
      ),
    );
    return (
      concerning.length > 0 &&
      concerning.every((rule) => {
        const ruleLevel = valueAt(rule, ['level']);
        if (ruleLevel === undefined) return false;
        return mode === 'equal' ? ruleLevel === level : ruleLevel !== level;
      })
    );
  });
}

/** API server data: nested in ControlPlaneInfo (`data.APIServerInfo`) or an APIServerInfo's `data`. */
function apiServerInfoOf(obj: K8sObject): JsonObject | undefined {
  return asObject(valueAt(obj, ['data', 'APIServerInfo'])) ?? asObject(obj.data);
}

function auditPolicyFinding(obj: K8sObject): Violation | undefined {
  const info = apiServerInfoOf(obj);
  const cmdLine = asString(info?.cmdLine);
  if (!info || cmdLine === undefined) return undefined;
  if (!cmdLine.includes('--audit-policy-file')) {
    return externalViolation(
      { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata ?? { name: '' }, data: cmdLine },
      { alertMessage: 'audit logs are not enabled', alertScore: 5 },
    );
  }
  const policy = asObject(decodedContentOf(info.auditPolicyFile)?.parsed);
  if (!policy || policy.rules === undefined || auditPolicyCovers(policy.rules)) return undefined;
  return externalViolation(
    { ...policy, metadata: { name: `${obj.metadata?.name ?? ''} - Audit policy file` } },
    {
      alertMessage: 'audit policy rules do not cover key security areas or audit levels are invalid',
      alertScore: 5,
    },
  );
}

/**
 * The library declares APIServerInfo for this rule while its logic and test data use
 * ControlPlaneInfo; we read ControlPlaneInfo (rules.test.ts lists the deviation).
 */
const auditPolicyRule: RuleDefinition = {
  name: 'audit-policy-content',
  match: hostKindMatch('ControlPlaneInfo'),
  hostSensor: true,
  evaluate: (input) => input.objects.flatMap((obj) => auditPolicyFinding(obj) ?? []),
};

// ---- procMount (C-0211) ------------------------------------------------------------------------

const PROC_MOUNT_KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob'];

/** The API server runs with `--feature-gates=...ProcMountType=true...`. */
export function procMountTypeEnabled(cmdLine: unknown): boolean {
  return (
    typeof cmdLine === 'string' &&
    cmdLine.includes('--feature-gates=') &&
    cmdLine.split(/ +/).some((arg) => arg.includes('ProcMountType=true'))
  );
}

function procMountFindings(workload: K8sObject): Violation[] {
  const ref = podSpecOf(workload);
  if (!ref) return [];
  return containersOf(ref)
    .filter(({ container }) => valueAt(container.securityContext, ['procMount']) !== 'Default')
    .map(({ path }) =>
      violation(workload, {
        alertMessage: `${workload.kind}: ${workload.metadata?.name ?? ''} has containers that do not set 'securityContext.procMount' to 'Default'`,
        alertScore: 7,
        fixPaths: [{ path: `${path}.securityContext.procMount`, value: 'Default' }],
      }),
    );
}

const procMountRule: RuleDefinition = {
  name: 'set-procmount-default',
  match: [
    ...hostKindMatch('ControlPlaneInfo'),
    { group: '', kinds: ['Pod'] },
    { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: 'batch', kinds: ['Job', 'CronJob'] },
  ],
  evaluate: (input) => {
    const gateEnabled = hostObjects(input, 'ControlPlaneInfo').some((obj) =>
      procMountTypeEnabled(valueAt(obj, ['data', 'APIServerInfo', 'cmdLine'])),
    );
    if (!gateEnabled) return [];
    return input.objects.filter((obj) => PROC_MOUNT_KINDS.includes(obj.kind)).flatMap(procMountFindings);
  },
};

export const controlPlaneRules: RuleDefinition[] = [
  hostRule(
    'ensure-that-the-api-server-encryption-providers-are-appropriately-configured',
    'ControlPlaneInfo',
    (objects) => objects.flatMap((obj) => weakEncryptionFinding(obj) ?? []),
  ),
  hostRule('external-secret-storage', 'ControlPlaneInfo', (objects) =>
    objects.flatMap((obj) => noExternalKmsFinding(obj) ?? []),
  ),
  auditPolicyRule,
  procMountRule,
];
