import type { ConfigInputs } from './model.ts';

/**
 * Kubescape's default configuration inputs (`default-config-inputs.json`, settings.postureControlInputs).
 * Users override them with `--controls-config` (a flat `{"key": ["value", ...]}` file).
 */
export const DEFAULT_CONFIG_INPUTS: ConfigInputs = Object.freeze({
  imageRepositoryAllowList: [],
  imageDigestExemptRepositories: [],
  floatingImageTags: [],
  trustedCosignPublicKeys: [],
  insecureCapabilities: [
    'SETPCAP',
    'NET_ADMIN',
    'NET_RAW',
    'SYS_MODULE',
    'SYS_RAWIO',
    'SYS_PTRACE',
    'SYS_ADMIN',
    'SYS_BOOT',
    'MAC_OVERRIDE',
    'MAC_ADMIN',
    'PERFMON',
    'ALL',
    'BPF',
  ],
  publicRegistries: [],
  untrustedRegistries: [],
  sensitiveInterfaces: [
    'nifi',
    'argo-server',
    'weave-scope-app',
    'kubeflow',
    'kubernetes-dashboard',
    'jenkins',
    'prometheus-deployment',
    'ollama',
    'vllm',
    'kserve',
    'triton-inference-server',
    'ray-dashboard',
    'ray-head',
    'mlflow',
    'jupyterhub',
    'seldon',
    'bentoml',
  ],
  max_critical_vulnerabilities: ['5'],
  max_high_vulnerabilities: ['10'],
  sensitiveKeyNames: [
    'aws_secret_access_key',
    'azure_batchai_storage_key',
    'azure_batch_key',
    'secret',
    'key',
    'password',
    'pwd',
    'token',
    'jwt',
    'bearer',
    'credential',
  ],
  sensitiveValues: [
    'BEGIN \\w+ PRIVATE KEY',
    'PRIVATE KEY',
    'eyJhbGciO',
    'JWT',
    'Bearer',
    '_key_',
    '_secret_',
    'AKIA[0-9A-Z]{16}',
    'ghp_[0-9A-Za-z]{36}',
    'AIza[0-9A-Za-z\\-_]{35}',
    'xox[baprs]-[0-9A-Za-z]{10,48}',
  ],
  sensitiveKeyNamesAllowed: [],
  sensitiveValuesAllowed: [],
  memory_request_max: [],
  memory_request_min: ['0'],
  memory_limit_max: [],
  memory_limit_min: ['0'],
  cpu_request_max: [],
  cpu_request_min: ['0'],
  cpu_limit_max: [],
  cpu_limit_min: ['0'],
  sandbox_cpu_limit_max: [],
  sandbox_memory_limit_max: [],
  recommendedLabels: ['app', 'tier', 'phase', 'version', 'owner', 'env'],
  k8sRecommendedLabels: [
    'app.kubernetes.io/name',
    'app.kubernetes.io/instance',
    'app.kubernetes.io/version',
    'app.kubernetes.io/component',
    'app.kubernetes.io/part-of',
    'app.kubernetes.io/managed-by',
    'app.kubernetes.io/created-by',
  ],
  hardenedSandboxRuntimeClasses: ['gvisor'],
  servicesNames: [],
  wlKnownNames: [],
});

/** Defaults overlaid with the user's values (a key present in `overrides` replaces the default list). */
export function mergeConfigInputs(overrides: ConfigInputs | undefined): ConfigInputs {
  return Object.freeze({ ...DEFAULT_CONFIG_INPUTS, ...(overrides ?? {}) });
}

/** The slice of the configuration a rule declared. */
export function configFor(keys: readonly string[] | undefined, config: ConfigInputs): ConfigInputs {
  const slice: Record<string, readonly string[]> = {};
  for (const key of keys ?? []) slice[key] = config[key] ?? [];
  return slice;
}
