/**
 * Agent Sandbox rules over SandboxTemplate (`extensions.agents.x-k8s.io`): the sandbox pod template
 * lives at `spec.podTemplate.spec`; the egress policy at `spec.networkPolicy`.
 */
import type { ConfigInputs, K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { asArray, asObject, isNonEmpty, isTruthy, valueAt } from '../host/values.ts';
import { parseQuantity } from './quantity.ts';

const SANDBOX_TEMPLATE = [{ group: 'extensions.agents.x-k8s.io', kinds: ['SandboxTemplate'] }];
const POD_SPEC_PATH = 'spec.podTemplate.spec';

const templatesOf = (objects: readonly K8sObject[]): K8sObject[] =>
  objects.filter((obj) => obj.kind === 'SandboxTemplate');
const nameOf = (template: K8sObject): string => template.metadata?.name ?? '<unnamed>';

interface SandboxContainer {
  container: unknown;
  /** Report path, e.g. `spec.podTemplate.spec.initContainers[0]`. */
  path: string;
}

function containersOf(
  template: K8sObject,
  types: readonly ('containers' | 'initContainers')[],
): SandboxContainer[] {
  return types.flatMap((type) =>
    (asArray(valueAt(template, ['spec', 'podTemplate', 'spec', type])) ?? []).map((container, index) => ({
      container,
      path: `${POD_SPEC_PATH}.${type}[${index}]`,
    })),
  );
}

function sandboxRule(
  name: string,
  configInputs: string[],
  findings: (template: K8sObject, config: ConfigInputs) => Violation[],
): RuleDefinition {
  return {
    name,
    match: SANDBOX_TEMPLATE,
    ...(configInputs.length > 0 ? { configInputs } : {}),
    evaluate: ({ objects, config }) => templatesOf(objects).flatMap((template) => findings(template, config)),
  };
}

// ---- hardened runtime class (C-0297) -------------------------------------------------------------

function runtimeClassFindings(template: K8sObject, config: ConfigInputs): Violation[] {
  const runtimeClass = valueAt(template, ['spec', 'podTemplate', 'spec', 'runtimeClassName']) ?? '';
  const hardened = config.hardenedSandboxRuntimeClasses ?? [];
  if (runtimeClass !== '' && hardened.some((allowed) => allowed === runtimeClass)) return [];
  const alertMessage =
    runtimeClass === ''
      ? `SandboxTemplate '${nameOf(template)}' does not define runtimeClassName.`
      : `SandboxTemplate '${nameOf(template)}' uses runtimeClassName '${String(runtimeClass)}', which is not in the approved hardened runtime list.`;
  return [
    violation(template, { alertMessage, alertScore: 7, failedPaths: [`${POD_SPEC_PATH}.runtimeClassName`] }),
  ];
}

// ---- egress policy (C-0301) ----------------------------------------------------------------------

const UNIVERSAL_CIDRS: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

function selectorNonEmpty(selector: unknown): boolean {
  const value = asObject(selector);
  if (!value) return false;
  const labels = asObject(value.matchLabels);
  const expressions = asArray(value.matchExpressions);
  return (
    (labels !== undefined && isNonEmpty(labels)) || (expressions !== undefined && expressions.length > 0)
  );
}

/** A peer narrows the destination: a non-universal CIDR, or a non-empty pod/namespace selector. */
export function egressPeerScoped(peer: unknown): boolean {
  const cidr = valueAt(asObject(valueAt(peer, ['ipBlock'])), ['cidr']);
  if (typeof cidr === 'string' && cidr !== '' && !UNIVERSAL_CIDRS.has(cidr)) return true;
  return (
    selectorNonEmpty(valueAt(peer, ['podSelector'])) || selectorNonEmpty(valueAt(peer, ['namespaceSelector']))
  );
}

/** An egress rule is scoped when it lists destinations and every one of them is scoped. */
export function egressRuleScoped(rule: unknown): boolean {
  const to = asArray(valueAt(rule, ['to']));
  return to !== undefined && to.length > 0 && to.every(egressPeerScoped);
}

function egressFindings(template: K8sObject): Violation[] {
  const report = (path: string, alertMessage: string): Violation[] => [
    violation(template, { alertMessage, alertScore: 7, failedPaths: [path] }),
  ];
  const name = nameOf(template);
  const spec = asObject(template.spec);
  // Omitted (or null) management means Managed.
  const management = spec?.networkPolicyManagement ?? 'Managed';
  if (management !== 'Managed') {
    return report(
      'spec.networkPolicyManagement',
      `SandboxTemplate '${name}' has networkPolicyManagement set to '${String(management)}'; must be 'Managed' or omitted to enforce a policy.`,
    );
  }
  const policy = spec?.networkPolicy ?? null;
  if (policy === null) {
    return report(
      'spec.networkPolicy',
      `SandboxTemplate '${name}' does not define a custom networkPolicy; the Secure Default allows public-internet egress.`,
    );
  }
  const policyObject = asObject(policy);
  if (!policyObject) {
    return report(
      'spec.networkPolicy',
      `SandboxTemplate '${name}' has a structurally invalid networkPolicy.`,
    );
  }
  // No egress list (or an empty one) means no egress is allowed.
  const egress = policyObject.egress ?? null;
  if (egress === null) return [];
  const rules = asArray(egress);
  if (!rules) {
    return report(
      'spec.networkPolicy.egress',
      `SandboxTemplate '${name}' has a structurally invalid egress block.`,
    );
  }
  if (rules.every(egressRuleScoped)) return [];
  return report(
    'spec.networkPolicy.egress',
    `SandboxTemplate '${name}' has an egress rule without a scoped 'to' selector, which permits traffic to any destination.`,
  );
}

// ---- image provenance (C-0304) -------------------------------------------------------------------

/** A first path component naming a registry host (`gcr.io`, `host:5000`, `localhost`). */
const isRegistryHost = (component: string): boolean =>
  component.includes('.') || component.includes(':') || component === 'localhost';

/** Docker Hub images (`nginx`, `library/nginx`) get their implicit `docker.io/` host. */
export function withRegistryHost(image: string): string {
  const parts = image.split('/');
  return parts.length > 1 && isRegistryHost(parts[0] ?? '') ? image : `docker.io/${image}`;
}

/**
 * The image is under the allowed entry (a registry or repository): the entry followed by `/`, a
 * digest, a tag, or nothing. A `:` followed by a path is a port of another registry host.
 */
export function imageFromRegistry(image: string, registry: string): boolean {
  const normalized = withRegistryHost(image);
  if (registry.endsWith('/')) return normalized.startsWith(registry);
  if (normalized === registry) return true;
  if (!normalized.startsWith(registry)) return false;
  const rest = normalized.slice(registry.length);
  return rest.startsWith('/') || rest.startsWith('@') || (rest.startsWith(':') && !rest.includes('/'));
}

function imageFindings(
  template: K8sObject,
  fails: (image: string) => boolean,
  message: (container: string, image: string, kind: string) => string,
): Violation[] {
  return containersOf(template, ['containers', 'initContainers']).flatMap(({ container, path }) => {
    const image = valueAt(container, ['image']);
    if (typeof image !== 'string' || image === '' || !fails(image)) return [];
    const containerName = valueAt(container, ['name']);
    const kind = path.includes('.initContainers[') ? 'initContainer' : 'container';
    return [
      violation(template, {
        alertMessage: message(typeof containerName === 'string' ? containerName : '<unnamed>', image, kind),
        alertScore: 7,
        failedPaths: [`${path}.image`],
      }),
    ];
  });
}

/** The tag of the last path component (`repo:tag`), undefined for digests or untagged images. */
function explicitTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const last = image.split('/').pop() ?? '';
  const parts = last.split(':');
  return parts.length === 2 ? parts[1] : undefined;
}

/** Untagged, `:latest`, or a configured floating tag; digests are pinned. */
export function imageTagFloating(image: string, floatingTags: readonly string[]): boolean {
  const tag = explicitTag(image);
  const pinned = image.includes('@') || (tag !== undefined && tag !== 'latest');
  return !pinned || (tag !== undefined && floatingTags.includes(tag));
}

// ---- resource ceilings (C-0303) ------------------------------------------------------------------

function limitFindings(
  template: K8sObject,
  resource: 'cpu' | 'memory',
  maxima: readonly string[],
): Violation[] {
  const name = nameOf(template);
  return containersOf(template, ['containers']).flatMap(({ container, path }) => {
    const limitPath = `${path}.resources.limits.${resource}`;
    const containerName = String(valueAt(container, ['name']) ?? '<unnamed>');
    const limit = valueAt(container, ['resources', 'limits', resource]);
    if (!isTruthy(limit)) {
      return [
        violation(template, {
          alertMessage: `SandboxTemplate '${name}' container '${containerName}' does not have ${resource === 'cpu' ? 'CPU' : 'memory'} limits set.`,
          alertScore: 7,
          fixPaths: [{ path: limitPath, value: 'YOUR_VALUE' }],
        }),
      ];
    }
    const value = parseQuantity(limit);
    const exceeded = maxima.find((max) => {
      const ceiling = parseQuantity(max);
      return value !== undefined && ceiling !== undefined && value > ceiling;
    });
    if (exceeded === undefined) return [];
    return [
      violation(template, {
        alertMessage: `SandboxTemplate '${name}' container '${containerName}' ${resource === 'cpu' ? 'CPU' : 'memory'} limit '${String(limit)}' exceeds the configured maximum '${exceeded}'.`,
        alertScore: 7,
        failedPaths: [limitPath],
        reviewPaths: [limitPath],
      }),
    ];
  });
}

export const sandboxRules: RuleDefinition[] = [
  sandboxRule(
    'agent-sandbox-hardened-runtime-class',
    ['hardenedSandboxRuntimeClasses'],
    runtimeClassFindings,
  ),
  sandboxRule('agent-sandbox-egress-policy', [], egressFindings),
  sandboxRule('agent-sandbox-image-registry-allowlist', ['imageRepositoryAllowList'], (template, config) => {
    const allowed = config.imageRepositoryAllowList ?? [];
    return imageFindings(
      template,
      (image) => !allowed.some((registry) => imageFromRegistry(image, registry)),
      (container, image, kind) =>
        `SandboxTemplate '${nameOf(template)}' ${kind} '${container}' uses image '${image}' from a registry not in the allowed list.`,
    );
  }),
  sandboxRule('agent-sandbox-image-tag-provenance', ['floatingImageTags'], (template, config) =>
    imageFindings(
      template,
      (image) => imageTagFloating(image, config.floatingImageTags ?? []),
      (container, image, kind) =>
        `SandboxTemplate '${nameOf(template)}' ${kind} '${container}' uses image '${image}' which is untagged, uses the mutable ':latest' tag, or uses a configured floating tag. Pin to an explicit version tag or digest.`,
    ),
  ),
  sandboxRule('resources-sandbox-cpu-limits', ['sandbox_cpu_limit_max'], (template, config) =>
    limitFindings(template, 'cpu', config.sandbox_cpu_limit_max ?? []),
  ),
  sandboxRule('resources-sandbox-memory-limits', ['sandbox_memory_limit_max'], (template, config) =>
    limitFindings(template, 'memory', config.sandbox_memory_limit_max ?? []),
  ),
];
