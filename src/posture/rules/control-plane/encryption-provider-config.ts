/**
 * C-0141: the API server must run with `--encryption-provider-config` (read from the Pod), and the
 * configuration file the host sensor read from the control-plane node (ControlPlaneInfo) must encrypt
 * Secrets.
 */
import { Buffer } from 'node:buffer';
import { parse as parseYaml } from 'yaml';
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation, HOST_DATA_GROUP } from '../../objects.ts';
import { findingViolation, POD_MATCH, required, requireFlags } from './checks.ts';
import { controlPlaneFlags } from './flags.ts';

const CONTROL_PLANE_INFO_API_VERSION = `${HOST_DATA_GROUP}/v1beta0`;

const flagIsSet = requireFlags([required('encryption-provider-config', '<path/to/encryption-config.yaml>')]);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Strict standard base64 (as Go's decoder), so garbage is rejected rather than half-decoded. */
function decodeBase64(text: string): string | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64').toString('utf8');
}

/** The encryption configuration file's content (YAML or JSON) as an object, when readable. */
function encryptionConfigOf(info: K8sObject): Record<string, unknown> | undefined {
  const apiServerInfo = asRecord(asRecord(info.data)?.APIServerInfo);
  const content = asRecord(apiServerInfo?.encryptionProviderConfigFile)?.content;
  if (typeof content !== 'string') return undefined;
  const text = decodeBase64(content);
  if (text === undefined) return undefined;
  try {
    return asRecord(parseYaml(text));
  } catch {
    return undefined;
  }
}

/** Whether some `resources[]` entry of an EncryptionConfiguration lists `secrets`. */
function coversSecrets(config: Record<string, unknown>): boolean {
  const entries = config.resources;
  if (!Array.isArray(entries)) return false;
  return entries.some((entry) => {
    const resources = asRecord(entry)?.resources;
    return Array.isArray(resources) && resources.includes('secrets');
  });
}

export const encryptionProviderConfig: RuleDefinition = {
  name: 'ensure-that-the-api-server-encryption-provider-config-argument-is-set-as-appropriate',
  match: POD_MATCH,
  dynamicMatch: [{ group: HOST_DATA_GROUP, kinds: ['ControlPlaneInfo'] }],
  hostSensor: true,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const obj of objects) {
      if (obj.kind === 'ControlPlaneInfo' && obj.apiVersion === CONTROL_PLANE_INFO_API_VERSION) {
        const config = encryptionConfigOf(obj);
        if (config && !coversSecrets(config)) {
          // The configuration itself is the failing object, named so that it can be reported.
          violations.push(
            externalViolation(
              { ...config, name: 'encryption-provider-config' },
              { alertMessage: 'Encryption provider config is not covering secrets' },
            ),
          );
        }
        continue;
      }
      const flags = controlPlaneFlags(obj, 'kube-apiserver');
      if (!flags) continue;
      for (const finding of flagIsSet(flags)) {
        violations.push(findingViolation(obj, finding, 'Encryption provider config file not set'));
      }
    }
    return violations;
  },
};
