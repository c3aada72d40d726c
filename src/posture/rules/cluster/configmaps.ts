/**
 * ConfigMap content rules: credentials stored in plain ConfigMaps (C-0012) and the kube-proxy
 * metrics endpoint exposed on all interfaces (C-0291).
 */
import { Buffer } from 'node:buffer';
import { parseAllDocuments } from 'yaml';
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { asRecord, explicitNamespaceOf, isRegoFalsy, kinds } from './values.ts';

// ---- credentials in ConfigMaps ---------------------------------------------------------------

/**
 * Compiles a configured pattern (Go RE2 syntax) for JavaScript. RE2's leading inline flags such as
 * `(?i)` become RegExp flags; a pattern JavaScript cannot compile matches nothing instead of
 * failing the rule, as an erroring `regex.match` does in the library.
 */
export function compileGoPattern(pattern: string): RegExp | undefined {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline?.[1]) {
    source = source.slice(inline[0].length);
    flags = [...new Set(inline[1].replace(/U/g, ''))].join('');
  }
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined;
  }
}

function compileAll(patterns: readonly string[] | undefined): RegExp[] {
  return (patterns ?? []).map(compileGoPattern).filter((regex): regex is RegExp => regex !== undefined);
}

/**
 * Go's strict standard base64 decoding (padding required, line breaks ignored), as the library's
 * `base64.decode`; undefined for text that is not base64.
 */
export function decodeStrictBase64(text: string): string | undefined {
  const compact = text.replace(/[\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

interface CredentialPolicy {
  keyNames: string[];
  values: RegExp[];
  allowedValues: RegExp[];
  allowedKeyNames: string[];
}

function isSensitiveEntry(key: string, value: unknown, policy: CredentialPolicy): boolean {
  if (value === '') return false;
  const lowerKey = key.toLowerCase();
  // The user's allow lists win over every detection.
  if (typeof value === 'string' && policy.allowedValues.some((regex) => regex.test(value))) return false;
  if (policy.allowedKeyNames.some((allowed) => lowerKey.includes(allowed))) return false;
  if (policy.keyNames.some((keyName) => lowerKey.includes(keyName))) return true;
  if (typeof value !== 'string') return false;
  if (policy.values.some((regex) => regex.test(value))) return true;
  // Values may hide behind base64 (e.g. a copied Secret value).
  const decoded = decodeStrictBase64(value);
  return decoded !== undefined && policy.values.some((regex) => regex.test(decoded));
}

const credentialsInConfigMap: RuleDefinition = {
  name: 'rule-credentials-configmap',
  match: [kinds('*', 'ConfigMap')],
  configInputs: [
    'sensitiveValues',
    'sensitiveValuesAllowed',
    'sensitiveKeyNames',
    'sensitiveKeyNamesAllowed',
  ],
  evaluate: ({ objects, config }) => {
    const lowered = (values: readonly string[] | undefined): string[] =>
      (values ?? []).filter((value) => typeof value === 'string').map((value) => value.toLowerCase());
    const policy: CredentialPolicy = {
      keyNames: lowered(config.sensitiveKeyNames),
      values: compileAll(config.sensitiveValues),
      allowedValues: compileAll(config.sensitiveValuesAllowed),
      allowedKeyNames: lowered(config.sensitiveKeyNamesAllowed),
    };
    return objects.flatMap((configMap) =>
      Object.entries(asRecord(configMap.data) ?? {})
        .filter(([key, value]) => isSensitiveEntry(key, value, policy))
        .map(([key]) =>
          violation(configMap, {
            alertMessage: `this configmap has sensitive information: ${nameOf(configMap)}`,
            failedPaths: [`data[${key}]`],
            deletePaths: [`data[${key}]`],
            alertScore: 9,
          }),
        ),
    );
  },
};

// ---- kube-proxy metrics bind address ---------------------------------------------------------

/** The KubeProxyConfiguration text: the first of the keys kubeadm and distributions use. */
function kubeProxyConfigText(configMap: K8sObject): unknown {
  const data = asRecord(configMap.data);
  if (!data) return undefined;
  for (const key of ['config.conf', 'kubeconfig.conf', 'config']) {
    if (!isRegoFalsy(data[key])) return data[key];
  }
  return undefined;
}

/** The first YAML document as plain data; undefined when the text is not (valid) YAML. */
function parseFirstYamlDocument(text: string): { value: unknown } | undefined {
  try {
    const [first] = parseAllDocuments(text);
    if (!first) return { value: null };
    if (first.errors.length > 0) return undefined;
    return { value: first.toJS() as unknown };
  } catch {
    return undefined;
  }
}

/** Why the metrics endpoint is exposed, or undefined when it is bound to a specific address. */
function metricsExposure(metricsBindAddress: unknown): string | undefined {
  if (isRegoFalsy(metricsBindAddress)) {
    return 'kube-proxy metrics service binding address is not configured (may default to all interfaces)';
  }
  if (metricsBindAddress === '') {
    return 'kube-proxy metrics service binding address is empty (may default to all interfaces)';
  }
  if (typeof metricsBindAddress === 'string' && metricsBindAddress.startsWith('0.0.0.0')) {
    return `kube-proxy metrics service is bound to all interfaces (${metricsBindAddress}) instead of localhost`;
  }
  return undefined;
}

const kubeProxyMetricsBoundToLocalhost: RuleDefinition = {
  name: 'ensure-that-the-kube-proxy-metrics-service-is-bound-to-localhost',
  match: [kinds('', 'ConfigMap')],
  evaluate: ({ objects }) =>
    objects.flatMap((configMap): Violation[] => {
      if (nameOf(configMap) !== 'kube-proxy' || explicitNamespaceOf(configMap) !== 'kube-system') return [];
      const text = kubeProxyConfigText(configMap);
      if (typeof text !== 'string') return [];
      const parsed = parseFirstYamlDocument(text);
      if (!parsed) return [];
      const alertMessage = metricsExposure(asRecord(parsed.value)?.metricsBindAddress);
      return alertMessage
        ? [violation(configMap, { alertMessage, failedPaths: ['data'], alertScore: 7 })]
        : [];
    }),
};

export const configMapRules: RuleDefinition[] = [credentialsInConfigMap, kubeProxyMetricsBoundToLocalhost];
