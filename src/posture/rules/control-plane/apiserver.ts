/**
 * kube-apiserver flag rules (CIS 1.2.x): one declarative entry per Kubescape rule; the checks that
 * only one rule needs are written out below the table.
 */
import type { RuleDefinition } from '../../model.ts';
import {
  flagRule,
  forbidListValue,
  rejectSetting,
  required,
  requireFlags,
  requireListValues,
  reviewWhenSet,
  staticPod,
  type FlagCheck,
  type Finding,
} from './checks.ts';
import {
  appendFix,
  appendPath,
  flagItems,
  flagListValue,
  flagOccurrences,
  flagPath,
  mentions,
  replaceAll,
} from './flags.ts';

const apiServer = staticPod('kube-apiserver');

/** The suites CIS 1.23 accepts; C-0143 wants every one of them listed. */
const STRONG_CIPHER_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
] as const;

/** The suites CIS 1.10 calls weak; C-0277 fails a list holding any of them. */
const WEAK_CIPHER_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_RC4_128_SHA',
] as const;

/**
 * C-0277. Kubescape's fix for this rule lists the weak suites themselves (appended to the flag, or
 * as the value of a missing flag), which would make the server weaker. We suggest the list without
 * the weak suites instead (or, for a missing flag, the strong suites); conformance.test.ts records
 * that these fix values differ from the library on purpose.
 */
const noWeakCipherSuites: FlagCheck = (flags) => {
  const findings: Finding[] = [];
  const weakSet: ReadonlySet<string> = new Set(WEAK_CIPHER_SUITES);
  const recommended = STRONG_CIPHER_SUITES.filter((suite) => !weakSet.has(suite));
  for (const [index, item] of flagItems(flags)) {
    const list = flagListValue(item, 'tls-cipher-suites');
    if (!list) continue;
    if (!list.values.some((suite) => weakSet.has(suite))) continue;
    const kept = list.values.filter((suite) => !weakSet.has(suite));
    const path = flagPath(flags, index);
    const value = replaceAll(
      item,
      list.origin,
      `--tls-cipher-suites=${(kept.length > 0 ? kept : recommended).join(',')}`,
    );
    findings.push({ failedPaths: [path], fixPaths: [{ path, value }] });
  }
  if (!mentions(flags, '--tls-cipher-suites')) {
    findings.push({
      failedPaths: [],
      fixPaths: [appendFix(flags, `--tls-cipher-suites=${recommended.join(',')}`)],
    });
  }
  return findings;
};

/** Rego's `to_number` on a flag value: plain decimal notation only. */
function parseNumber(text: string): number | undefined {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

const MIN_AUDIT_LOG_DAYS = 30;

/** C-0131: `--audit-log-maxage` below 30 days is raised to 30, a missing one is added. */
const auditLogMaxAge: FlagCheck = (flags) => {
  const wanted = `--audit-log-maxage=${MIN_AUDIT_LOG_DAYS}`;
  const findings: Finding[] = [];
  for (const [index, item] of flagItems(flags)) {
    const occurrences = flagOccurrences(item, 'audit-log-maxage');
    const only = occurrences.length === 1 ? occurrences[0] : undefined;
    const days = only && parseNumber(only.value);
    if (!only || days === undefined || days >= MIN_AUDIT_LOG_DAYS) continue;
    const path = flagPath(flags, index);
    findings.push({
      failedPaths: [path],
      fixPaths: [{ path, value: replaceAll(item, only.origin, wanted) }],
      alertMessage: `Audit log retention period is ${days} days, which is too small (should be at least ${MIN_AUDIT_LOG_DAYS} days)`,
    });
  }
  if (!mentions(flags, '--audit-log-maxage')) {
    findings.push({
      failedPaths: [],
      fixPaths: [appendFix(flags, wanted)],
      alertMessage: 'Audit log retention period is not set',
    });
  }
  return findings;
};

/** C-0114: any `--token-auth-file=`; the fix removes it from the item (no fix when nothing is left). */
const noTokenAuthFile: FlagCheck = (flags) => {
  const findings: Finding[] = [];
  for (const [index, item] of flagItems(flags)) {
    const first = flagOccurrences(item, 'token-auth-file')[0];
    if (!first) continue;
    const path = flagPath(flags, index);
    const rest = replaceAll(item, first.origin, '');
    findings.push({ failedPaths: [path], fixPaths: rest === '' ? [] : [{ path, value: rest }] });
  }
  return findings;
};

/** C-0135: the first item disabling service account lookup; an item that is only that flag gets no fix. */
const serviceAccountLookupEnabled: FlagCheck = (flags) => {
  const disabled = '--service-account-lookup=false';
  for (const [index, item] of flagItems(flags)) {
    if (!item.includes(disabled)) continue;
    const path = flagPath(flags, index);
    const fixPaths =
      item === disabled ? [] : [{ path, value: replaceAll(item, disabled, '--service-account-lookup=true') }];
    return [{ failedPaths: [path], fixPaths }];
  }
  return [];
};

/** C-0160: no `--audit-policy-file=`; reported at the position where the flag would be added. */
const auditPolicyFileSet: FlagCheck = (flags) =>
  flags.items.some((item) => item?.includes('--audit-policy-file='))
    ? []
    : [{ failedPaths: [appendPath(flags)], fixPaths: [] }];

interface ApiServerRule {
  name: string;
  alertMessage: string;
  check: FlagCheck;
  hostSensor?: boolean;
}

const ADMISSION = 'enable-admission-plugins';
const DISABLED_ADMISSION = 'disable-admission-plugins';
const AUTHORIZATION = 'authorization-mode';

const API_SERVER_RULES: readonly ApiServerRule[] = [
  {
    name: 'ensure-that-the-api-server-anonymous-auth-argument-is-set-to-false',
    alertMessage: 'anonymous requests is enabled',
    check: rejectSetting({
      setting: '--anonymous-auth=true',
      match: 'contains',
      replacement: '--anonymous-auth=false',
      requiredMention: '--anonymous-auth',
    }),
  },
  {
    name: 'ensure-that-the-api-server-token-auth-file-parameter-is-not-set',
    alertMessage: 'token based authentication is enabled (--token-auth-file)',
    check: noTokenAuthFile,
  },
  {
    name: 'ensure-that-the-api-server-DenyServiceExternalIPs-is-not-set',
    alertMessage: 'admission control plugin DenyServiceExternalIPs is enabled',
    check: forbidListValue({ flag: ADMISSION, forbidden: 'DenyServiceExternalIPs', rewrite: 'item' }),
  },
  {
    name: 'ensure-that-the-api-server-DenyServiceExternalIPs-is-set',
    alertMessage: 'admission control plugin DenyServiceExternalIPs is not enabled.',
    check: requireListValues({
      flag: ADMISSION,
      required: ['DenyServiceExternalIPs'],
      whenAbsent: 'pass',
      fix: 'required-only',
    }),
  },
  {
    name: 'ensure-that-the-api-server-kubelet-client-certificate-and-kubelet-client-key-arguments-are-set-as-appropriate',
    alertMessage: 'certificate based kubelet authentication is not enabled',
    check: requireFlags([
      required('kubelet-client-certificate', '<path/to/appropriate/file>'),
      required('kubelet-client-key', '<path/to/appropriate/file>'),
    ]),
  },
  {
    name: 'ensure-that-the-api-server-kubelet-certificate-authority-argument-is-set-as-appropriate',
    alertMessage: 'TLS certificate authority file is not specified',
    check: requireFlags([required('kubelet-certificate-authority', '<path/to/ca.crt>')]),
  },
  {
    name: 'ensure-that-the-api-server-authorization-mode-argument-is-not-set-to-AlwaysAllow',
    alertMessage: 'AlwaysAllow authorization mode is enabled',
    // CIS recommends RBAC when AlwaysAllow was the only mode.
    check: forbidListValue({
      flag: AUTHORIZATION,
      forbidden: 'AlwaysAllow',
      rewrite: 'in-place',
      fallback: 'RBAC',
    }),
  },
  {
    name: 'ensure-that-the-api-server-authorization-mode-argument-includes-Node',
    alertMessage: 'kubelet nodes can read objects that are not associated with them',
    check: requireListValues({ flag: AUTHORIZATION, required: ['Node'], whenAbsent: 'add' }),
  },
  {
    name: 'ensure-that-the-api-server-authorization-mode-argument-includes-RBAC',
    alertMessage: 'RBAC is not enabled',
    check: requireListValues({ flag: AUTHORIZATION, required: ['RBAC'], whenAbsent: 'add' }),
  },
  {
    name: 'ensure-that-the-admission-control-plugin-EventRateLimit-is-set',
    alertMessage:
      'The API server is not configured to limit the rate at which it accepts requests. This could lead to a denial of service attack',
    check: requireListValues({ flag: ADMISSION, required: ['EventRateLimit'], whenAbsent: 'add' }),
  },
  {
    name: 'ensure-that-the-admission-control-plugin-AlwaysAdmit-is-not-set',
    alertMessage:
      'admission control plugin AlwaysAdmit is enabled. This is equal to turning off all admission controllers',
    check: forbidListValue({ flag: ADMISSION, forbidden: 'AlwaysAdmit', rewrite: 'item' }),
  },
  {
    name: 'ensure-that-the-admission-control-plugin-AlwaysPullImages-is-set',
    alertMessage: 'Admission control policy is not set to AlwaysPullImages',
    check: requireListValues({ flag: ADMISSION, required: ['AlwaysPullImages'], whenAbsent: 'add' }),
  },
  {
    name: 'ensure-that-the-admission-control-plugin-SecurityContextDeny-is-set-if-PodSecurityPolicy-is-not-used',
    alertMessage:
      'The SecurityContextDeny admission controller is not enabled. This could allow for privilege escalation in the cluster',
    check: requireListValues({
      flag: ADMISSION,
      required: ['SecurityContextDeny'],
      alternatives: ['PodSecurityPolicy'],
      whenAbsent: 'add',
    }),
  },
  {
    name: 'ensure-that-the-admission-control-plugin-ServiceAccount-is-set',
    alertMessage: 'admission control plugin ServiceAccount is disabled',
    check: forbidListValue({ flag: DISABLED_ADMISSION, forbidden: 'ServiceAccount', rewrite: 'item' }),
  },
  {
    name: 'ensure-that-the-admission-control-plugin-NamespaceLifecycle-is-set',
    alertMessage: 'admission control plugin NamespaceLifecycle is disabled',
    check: forbidListValue({ flag: DISABLED_ADMISSION, forbidden: 'NamespaceLifecycle', rewrite: 'item' }),
  },
  {
    name: 'ensure-that-the-admission-control-plugin-NodeRestriction-is-set',
    alertMessage: 'NodeRestriction is not enabled',
    check: requireListValues({ flag: ADMISSION, required: ['NodeRestriction'], whenAbsent: 'add' }),
  },
  {
    name: 'ensure-that-the-api-server-secure-port-argument-is-not-set-to-0',
    alertMessage: 'the secure port is disabled',
    check: rejectSetting({ setting: '--secure-port=0', match: 'contains' }),
  },
  {
    name: 'ensure-that-the-api-server-profiling-argument-is-set-to-false',
    alertMessage:
      'profiling is enabled. This could potentially be exploited to uncover system and program details.',
    check: rejectSetting({
      setting: '--profiling=true',
      match: 'contains',
      replacement: '--profiling=false',
      requiredMention: '--profiling',
    }),
  },
  {
    name: 'ensure-that-the-api-server-audit-log-path-argument-is-set',
    alertMessage: 'kubernetes API Server is not audited',
    check: requireFlags([required('audit-log-path', '/var/log/apiserver/audit.log')]),
  },
  {
    name: 'ensure-that-the-api-server-audit-log-maxage-argument-is-set-to-30-or-as-appropriate',
    alertMessage: 'Audit log retention period is too small',
    check: auditLogMaxAge,
  },
  {
    name: 'ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate',
    alertMessage: 'Audit log max backup is not set',
    check: reviewWhenSet({
      flag: 'audit-log-maxbackup',
      presentMessage: 'Please validate that the audit log max backup is set to an appropriate value',
      whenAbsent: {
        message: 'Audit log max backup is not set',
        suggestion: '--audit-log-maxbackup=YOUR_VALUE',
      },
    }),
  },
  {
    name: 'ensure-that-the-api-server-audit-log-maxsize-argument-is-set-to-100-or-as-appropriate',
    alertMessage: 'Audit log max size not set',
    // Declared as a host-sensor rule by Kubescape although it only reads the Pod.
    hostSensor: true,
    check: reviewWhenSet({
      flag: 'audit-log-maxsize',
      presentMessage: 'Please validate that audit-log-maxsize has an appropriate value',
      whenAbsent: { message: 'Audit log max size not set', suggestion: '--audit-log-maxsize=YOUR_VALUE' },
    }),
  },
  {
    name: 'ensure-that-the-api-server-request-timeout-argument-is-set-as-appropriate',
    alertMessage: 'Please validate the request timeout flag is set to an appropriate value',
    check: reviewWhenSet({
      flag: 'request-timeout',
      presentMessage: 'Please validate the request timeout flag is set to an appropriate value',
    }),
  },
  {
    name: 'ensure-that-the-api-server-service-account-lookup-argument-is-set-to-true',
    alertMessage: 'service account lookup is disabled',
    check: serviceAccountLookupEnabled,
  },
  {
    name: 'ensure-that-the-api-server-service-account-key-file-argument-is-set-as-appropriate',
    alertMessage: 'the service account public key file is not set',
    hostSensor: true,
    check: requireFlags([required('service-account-key-file', '<path/to/key.pub>')]),
  },
  {
    name: 'ensure-that-the-api-server-etcd-certfile-and-etcd-keyfile-arguments-are-set-as-appropriate',
    alertMessage: 'etcd is not configured to use TLS properly',
    check: requireFlags([
      required('etcd-certfile', '<path/to/client-certificate-file.crt>'),
      required('etcd-keyfile', '<path/to/client-key-file.key>'),
    ]),
  },
  {
    name: 'ensure-that-the-api-server-tls-cert-file-and-tls-private-key-file-arguments-are-set-as-appropriate',
    alertMessage: 'API server is not configured to serve only HTTPS traffic',
    check: requireFlags([
      required('tls-cert-file', '<path/to/tls-certificate-file.crt>'),
      required('tls-private-key-file', '<path/to/tls-key-file.key>'),
    ]),
  },
  {
    name: 'ensure-that-the-api-server-client-ca-file-argument-is-set-as-appropriate',
    alertMessage: 'API server communication is not encrypted properly',
    check: requireFlags([required('client-ca-file', '<path/to/client-ca.crt>')]),
  },
  {
    name: 'ensure-that-the-api-server-etcd-cafile-argument-is-set-as-appropriate',
    alertMessage: 'API server is not configured to use SSL Certificate Authority file for etcd',
    check: requireFlags([required('etcd-cafile', '<path/to/ca-file.crt>')]),
  },
  {
    name: 'ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers',
    alertMessage: 'The API server is not configured to use strong cryptographic ciphers',
    check: requireListValues({
      flag: 'tls-cipher-suites',
      required: STRONG_CIPHER_SUITES,
      whenAbsent: 'add',
    }),
  },
  {
    name: 'ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers-cis1-10',
    alertMessage: 'The API server is not configured to use strong cryptographic ciphers',
    check: noWeakCipherSuites,
  },
  {
    name: 'ensure-that-the-api-server-service-account-extend-token-expiration-is-set-to-false',
    alertMessage: 'service account token expiration extension is enabled',
    check: rejectSetting({
      setting: '--service-account-extend-token-expiration=true',
      match: 'contains',
      replacement: '--service-account-extend-token-expiration=false',
      requiredMention: '--service-account-extend-token-expiration',
    }),
  },
  {
    name: 'k8s-audit-logs-enabled-native-cis',
    alertMessage: 'audit logs are not enabled',
    check: auditPolicyFileSet,
  },
];

export const apiServerRules: RuleDefinition[] = API_SERVER_RULES.map((rule) =>
  flagRule({ ...rule, flagsOf: apiServer }),
);
