/**
 * Kubelet setting rules over KubeletInfo (`data.cmdLine`, `data.configFile.content` = base64 YAML).
 * A setting is decided by its command-line flag when present, else by the `--config` file, else by
 * the kubelet default; Kubescape also reports a `--config` whose content the sensor could not read.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation } from '../../objects.ts';
import { hostKindMatch, hostRule, metadataOf, reducedHostObject } from './host-objects.ts';
import { asString, decodedContentOf, isTruthy, valueAt, type JsonObject } from './values.ts';

/** What the sensor gave for the kubelet config file. */
export type KubeletConfigFile =
  { state: 'missing' } | { state: 'unreadable' } | { state: 'read'; text: string; parsed: unknown };

export interface KubeletView {
  obj: K8sObject;
  cmdLine: string;
  config: KubeletConfigFile;
}

/** The kubelet's command line and config file; objects without a command line are skipped. */
export function kubeletView(obj: K8sObject): KubeletView | undefined {
  const cmdLine = asString(valueAt(obj, ['data', 'cmdLine']));
  if (cmdLine === undefined) return undefined;
  return { obj, cmdLine, config: kubeletConfigFile(obj) };
}

function kubeletConfigFile(obj: K8sObject): KubeletConfigFile {
  const configFile = valueAt(obj, ['data', 'configFile']);
  const content = valueAt(configFile, ['content']);
  if (!isTruthy(content)) return { state: 'missing' };
  const decoded = decodedContentOf(configFile);
  return decoded ? { state: 'read', ...decoded } : { state: 'unreadable' };
}

/** Kubescape's flag tests are substring tests on the whole command line. */
const has = (cmdLine: string, text: string): boolean => cmdLine.includes(text);
const usesConfigFile = (cmdLine: string): boolean => has(cmdLine, '--config');

// ---- alert objects -----------------------------------------------------------------------------

interface Alert {
  message: string;
  score: number;
}

function commandLineFinding(obj: K8sObject, alert: Alert): Violation {
  return externalViolation(reducedHostObject(obj, [['data', 'cmdLine']]), {
    alertMessage: alert.message,
    alertScore: alert.score,
  });
}

function configFileFinding(view: KubeletView, text: string, property: string, alert: Alert): Violation {
  const external: JsonObject = {
    apiVersion: view.obj.apiVersion,
    kind: view.obj.kind,
    metadata: metadataOf(view.obj),
    data: { configFile: { content: text } },
  };
  return externalViolation(external, {
    alertMessage: alert.message,
    alertScore: alert.score,
    failedPaths: [property],
    reviewPaths: [property],
  });
}

/** Kubescape reports a config file without content on an object carrying the host data, unnamed. */
function unreadableConfigFinding(obj: K8sObject, score: number): Violation {
  return externalViolation(
    { apiVersion: obj.apiVersion, kind: obj.kind, data: obj.data },
    { alertMessage: 'Failed to analyze config file', alertScore: score },
  );
}

// ---- declarative setting rules -----------------------------------------------------------------

interface KubeletSettingRule {
  name: string;
  alert: Alert;
  /** Alert for the config-file branch when it words the problem differently. */
  configAlert?: Alert;
  /** The setting is given on the command line (the config file is then not read). */
  setOnCommandLine?: (cmdLine: string) => boolean;
  /** The command-line value is insecure (only asked when `setOnCommandLine`). */
  commandLineFails?: (cmdLine: string) => boolean;
  /** Config-file property (report path) and whether its value is insecure. */
  configProperty?: string;
  configFails?: (config: unknown) => boolean;
  /** Read the config file even without `--config` on the command line. */
  configWithoutFlag?: boolean;
  /** Report a config-file failure on the command line instead of on the config content. */
  configFindingOnCommandLine?: boolean;
  /** Neither flag nor `--config`: the kubelet default is insecure. */
  defaultFails?: 'reduced' | 'command-line-only';
  /** Report a `--config` whose content the sensor could not read. */
  reportsUnreadableConfig?: boolean;
}

function settingFinding(rule: KubeletSettingRule, view: KubeletView): Violation | undefined {
  const { obj, cmdLine, config } = view;
  if (rule.setOnCommandLine?.(cmdLine)) {
    return rule.commandLineFails?.(cmdLine) ? commandLineFinding(obj, rule.alert) : undefined;
  }
  if (!rule.configWithoutFlag && !usesConfigFile(cmdLine)) {
    if (rule.defaultFails === 'reduced') return commandLineFinding(obj, rule.alert);
    if (rule.defaultFails === 'command-line-only') {
      // This branch of the library alert carries neither metadata nor other data.
      return externalViolation(
        { apiVersion: obj.apiVersion, kind: obj.kind, data: { cmdLine } },
        { alertMessage: rule.alert.message, alertScore: rule.alert.score },
      );
    }
    return undefined;
  }
  if (config.state === 'missing') {
    return rule.reportsUnreadableConfig && usesConfigFile(cmdLine)
      ? unreadableConfigFinding(obj, rule.alert.score)
      : undefined;
  }
  if (config.state === 'unreadable' || !rule.configProperty || !rule.configFails?.(config.parsed)) {
    return undefined;
  }
  const alert = rule.configAlert ?? rule.alert;
  return rule.configFindingOnCommandLine
    ? commandLineFinding(obj, alert)
    : configFileFinding(view, config.text, rule.configProperty, alert);
}

function settingRule(rule: KubeletSettingRule): RuleDefinition {
  return hostRule(rule.name, 'KubeletInfo', (objects) =>
    objects.flatMap((obj) => {
      const view = kubeletView(obj);
      return (view && settingFinding(rule, view)) ?? [];
    }),
  );
}

/** Flag present: `--name` anywhere on the command line (also `--name=value`). */
const flagSet =
  (flag: string) =>
  (cmdLine: string): boolean =>
    has(cmdLine, flag);
const flagNotTrue = (flag: string) => (cmdLine: string) => !has(cmdLine, `${flag}=true`);
const at = (config: unknown, path: string): unknown => valueAt(config, path.split('.'));

const STRONG_CIPHERS: ReadonlySet<string> = new Set([
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
]);

/** A config cipher setting is strong when it is a strong suite, or a non-empty list of them. */
function onlyStrongCiphers(value: unknown): boolean {
  if (typeof value === 'string') return STRONG_CIPHERS.has(value);
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((suite) => typeof suite === 'string' && STRONG_CIPHERS.has(suite))
  );
}

const ROTATE_SERVER_GATE = 'RotateKubeletServerCertificate';

const SETTING_RULES: readonly KubeletSettingRule[] = [
  {
    name: 'anonymous-requests-to-kubelet-updated',
    alert: { message: 'Anonymous requests is enabled.', score: 7 },
    setOnCommandLine: flagSet('--anonymous-auth'),
    commandLineFails: (cmd) => has(cmd, '--anonymous-auth=true'),
    configProperty: 'authentication.anonymous.enabled',
    // KubeletConfiguration (v1beta1) defaults anonymous auth to off: only an explicit true fails.
    configFails: (config) => at(config, 'authentication.anonymous.enabled') === true,
    defaultFails: 'reduced',
    reportsUnreadableConfig: true,
  },
  {
    name: 'enforce-kubelet-client-tls-authentication-updated',
    alert: { message: 'kubelet client TLS authentication is not enabled', score: 6 },
    setOnCommandLine: flagSet('--client-ca-file'),
    configProperty: 'authentication.x509.clientCAFile',
    configFails: (config) => !isTruthy(at(config, 'authentication.x509.clientCAFile')),
    defaultFails: 'command-line-only',
    reportsUnreadableConfig: true,
  },
  {
    name: 'kubelet-authorization-mode-alwaysAllow',
    alert: { message: 'Anonymous requests are enabled', score: 10 },
    setOnCommandLine: flagSet('--authorization-mode'),
    commandLineFails: (cmd) => has(cmd, '--authorization-mode=AlwaysAllow'),
    configProperty: 'authorization.mode',
    configFails: (config) => at(config, 'authorization.mode') === 'AlwaysAllow',
    defaultFails: 'reduced',
    reportsUnreadableConfig: true,
  },
  {
    // `--event-qps` is deprecated: only the config file decides.
    name: 'kubelet-event-qps',
    alert: { message: 'Value of the eventRecordQPS argument is set to 0', score: 2 },
    configProperty: 'eventRecordQPS',
    configFails: (config) => at(config, 'eventRecordQPS') === 0,
    reportsUnreadableConfig: true,
  },
  {
    name: 'kubelet-hostname-override',
    alert: { message: 'Argument --hostname-override is set.', score: 3 },
    setOnCommandLine: flagSet('--hostname-override'),
    commandLineFails: () => true,
  },
  {
    // makeIPTablesUtilChains defaults to true: only an explicit false fails.
    name: 'kubelet-ip-tables',
    alert: { message: 'Argument --make-iptables-util-chains is not set to true.', score: 3 },
    configAlert: { message: 'Property makeIPTablesUtilChains is not set to true', score: 3 },
    setOnCommandLine: flagSet('--make-iptables-util-chains'),
    commandLineFails: flagNotTrue('--make-iptables-util-chains'),
    configProperty: 'makeIPTablesUtilChains',
    configFails: (config) => at(config, 'makeIPTablesUtilChains') === false,
    reportsUnreadableConfig: true,
  },
  {
    name: 'kubelet-protect-kernel-defaults',
    alert: { message: 'Argument --protect-kernel-defaults is not set to true.', score: 2 },
    configAlert: { message: 'Property protectKernelDefaults is not set to true', score: 2 },
    setOnCommandLine: flagSet('--protect-kernel-defaults'),
    commandLineFails: flagNotTrue('--protect-kernel-defaults'),
    configProperty: 'protectKernelDefaults',
    configFails: (config) => at(config, 'protectKernelDefaults') !== true,
    defaultFails: 'reduced',
    reportsUnreadableConfig: true,
  },
  {
    name: 'kubelet-rotate-certificates',
    alert: { message: 'Kubelet client certificates rotation is disabled', score: 6 },
    setOnCommandLine: flagSet('--rotate-certificates'),
    commandLineFails: flagNotTrue('--rotate-certificates'),
    configProperty: 'rotateCertificates',
    configFails: (config) => at(config, 'rotateCertificates') === false,
    reportsUnreadableConfig: true,
  },
  {
    // The feature gate is on by default: only an explicit false fails.
    name: 'kubelet-rotate-kubelet-server-certificate',
    alert: { message: `${ROTATE_SERVER_GATE} is set to false`, score: 6 },
    configAlert: { message: `Property featureGates.${ROTATE_SERVER_GATE} is set to false`, score: 6 },
    setOnCommandLine: (cmd) =>
      (has(cmd, '--feature-gates=') && has(cmd, `${ROTATE_SERVER_GATE}=`)) ||
      has(cmd, '--rotate-server-certificates'),
    commandLineFails: (cmd) =>
      (has(cmd, '--feature-gates=') && has(cmd, `${ROTATE_SERVER_GATE}=false`)) ||
      has(cmd, '--rotate-server-certificates=false'),
    configProperty: `featureGates.${ROTATE_SERVER_GATE}`,
    configFails: (config) => valueAt(config, ['featureGates', ROTATE_SERVER_GATE]) === false,
    configWithoutFlag: true,
  },
  {
    name: 'kubelet-set-pod-limit',
    alert: { message: 'Neither argument --pod-max-pids nor podPidsLimit is set.', score: 3 },
    setOnCommandLine: flagSet('--pod-max-pids'),
    configProperty: 'podPidsLimit',
    configFails: (config) => !isTruthy(at(config, 'podPidsLimit')),
    configWithoutFlag: true,
    configFindingOnCommandLine: true,
  },
  {
    name: 'kubelet-streaming-connection-idle-timeout',
    alert: { message: 'Timeouts on streaming connections are enabled', score: 3 },
    // Kubescape's alert for `--streaming-connection-idle-timeout=0` names no object, so the node
    // passes; the flag only keeps the config file from being judged.
    setOnCommandLine: flagSet('--streaming-connection-idle-timeout'),
    configProperty: 'streamingConnectionIdleTimeout',
    configFails: (config) => at(config, 'streamingConnectionIdleTimeout') === 0,
    reportsUnreadableConfig: true,
  },
  {
    name: 'kubelet-strong-cryptography-ciphers',
    alert: { message: 'Kubelet is not configured to only use strong cryptographic ciphers', score: 5 },
    setOnCommandLine: flagSet('--tls-cipher-suites'),
    commandLineFails: (cmd) => ![...STRONG_CIPHERS].some((suite) => has(cmd, `--tls-cipher-suites=${suite}`)),
    configProperty: 'TLSCipherSuites',
    configFails: (config) => {
      const suites = at(config, 'TLSCipherSuites');
      return isTruthy(suites) && !onlyStrongCiphers(suites);
    },
    defaultFails: 'reduced',
  },
  {
    name: 'read-only-port-enabled-updated',
    alert: { message: 'kubelet read-only port is not disabled', score: 4 },
    // As for the streaming timeout, Kubescape's command-line alert names no object: the node passes.
    setOnCommandLine: flagSet('--read-only-port'),
    configProperty: 'readOnlyPort',
    configFails: (config) => {
      const port = at(config, 'readOnlyPort');
      return isTruthy(port) && port !== 0;
    },
    reportsUnreadableConfig: true,
  },
];

// ---- TLS certificate and key (two settings, reported together) ---------------------------------

const TLS_SETTINGS = [
  { flag: '--tls-cert-file', property: 'tlsCertFile' },
  { flag: '--tls-private-key-file', property: 'tlsPrivateKeyFile' },
] as const;

function tlsFinding(view: KubeletView): Violation | undefined {
  const { obj, cmdLine, config } = view;
  const missingOnCommandLine = TLS_SETTINGS.filter((setting) => !has(cmdLine, setting.flag));
  if (missingOnCommandLine.length === 0) return undefined;
  if (!usesConfigFile(cmdLine)) {
    const flags = missingOnCommandLine.map((setting) => setting.flag).join(', ');
    return commandLineFinding(obj, { message: `${flags} should be set`, score: 2 });
  }
  if (config.state !== 'read') return undefined;
  const missing = missingOnCommandLine.filter((setting) => !isTruthy(at(config.parsed, setting.property)));
  if (missing.length === 0) return undefined;
  const names = missing.map((setting) => setting.property).join(', ');
  return externalViolation(
    {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: metadataOf(obj),
      data: { configFile: { content: config.text } },
    },
    { alertMessage: `${names} must be set`, alertScore: 2 },
  );
}

/**
 * The library declares KubeletConfiguration/KubeletCommandLine for this rule but its logic and
 * test data use KubeletInfo (`data.cmdLine`, `data.configFile`); we read KubeletInfo
 * (rules.test.ts lists the deviation).
 */
const tlsRule: RuleDefinition = {
  name: 'validate-kubelet-tls-configuration-updated',
  match: [],
  dynamicMatch: hostKindMatch('KubeletInfo'),
  hostSensor: true,
  evaluate: (input) =>
    input.objects.flatMap((obj) => {
      const view = kubeletView(obj);
      return (view && tlsFinding(view)) ?? [];
    }),
};

export const kubeletRules: RuleDefinition[] = [...SETTING_RULES.map(settingRule), tlsRule];
