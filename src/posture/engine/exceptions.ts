/**
 * Posture exception policies (controls.md §5; opa-utils' exceptions.Processor): which policies
 * turn a failed rule on a resource into passed / w/exceptions. Policies are compiled once per
 * scan; matching is per failed (resource, control, rule) only, so its cost follows the failures.
 */
import type { K8sObject } from '../model.ts';
import type { ExceptionPolicy } from '../report/model.ts';

/** What a policy is matched against. */
export interface ExceptionSubject {
  resourceID: string;
  object: K8sObject | undefined;
  /** For RBAC vectors: the binding and role (tried before the vector itself). */
  relatedObjects?: readonly K8sObject[];
  /** File the object came from (file scans). */
  sourcePath?: string;
  /** Names of containers named in the failed paths (for the `containerName` attribute). */
  failingContainers?: readonly string[];
}

const SPECIAL_KEYS = new Set(['cluster', 'namespace', 'kind', 'name', 'resourceID', 'path']);

interface CompiledDesignator {
  cluster?: RegExp;
  namespace?: RegExp;
  kind?: RegExp;
  name?: RegExp;
  resourceID?: RegExp;
  path?: RegExp;
  labels: [string, RegExp][];
  containerName?: RegExp;
  /** Has no constraint except possibly `cluster` (manual-review controls accept these). */
  clusterOnly: boolean;
  empty: boolean;
}

interface CompiledPolicy {
  policy: ExceptionPolicy;
  /** undefined = applies to every control and rule. */
  controlPatterns: { controlID?: RegExp; ruleName?: RegExp }[] | undefined;
  designators: CompiledDesignator[];
}

function anchored(value: string, flags = ''): RegExp {
  try {
    return new RegExp(`^(?:${value})$`, flags);
  } catch {
    // Not a valid regular expression: compare literally.
    return new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, flags);
  }
}

export class ExceptionMatcher {
  private readonly policies: CompiledPolicy[];

  constructor(
    policies: readonly ExceptionPolicy[],
    private readonly clusterName: string,
    now: Date = new Date(),
  ) {
    this.policies = policies
      .filter((policy) => !isExpired(policy, now))
      .map((policy) => ({
        policy,
        controlPatterns: compileControlPatterns(policy),
        designators: (policy.resources ?? []).map(compileDesignator),
      }));
  }

  get size(): number {
    return this.policies.length;
  }

  /** Policies that except `ruleName` of `controlID` on the subject. */
  match(controlID: string, ruleName: string, subject: ExceptionSubject): ExceptionPolicy[] {
    const matched: ExceptionPolicy[] = [];
    for (const compiled of this.policies) {
      if (!appliesToControl(compiled, controlID, ruleName)) continue;
      if (compiled.designators.some((d) => this.designatorMatches(d, subject))) matched.push(compiled.policy);
    }
    return matched;
  }

  /** Policies that except a manual-review control as a whole (no resource constraint but the cluster). */
  matchControl(controlID: string): ExceptionPolicy[] {
    return this.policies
      .filter(
        (c) => c.controlPatterns !== undefined && c.controlPatterns.some((p) => p.controlID?.test(controlID)),
      )
      .filter(
        (c) =>
          c.designators.length === 0 ||
          c.designators.some((d) => d.clusterOnly && (!d.cluster || d.cluster.test(this.clusterName))),
      )
      .map((c) => c.policy);
  }

  private designatorMatches(d: CompiledDesignator, subject: ExceptionSubject): boolean {
    if (d.empty) return false;
    const candidates = [...(subject.relatedObjects ?? []), subject.object];
    return candidates.some((candidate) => this.objectMatches(d, subject, candidate));
  }

  private objectMatches(
    d: CompiledDesignator,
    subject: ExceptionSubject,
    obj: K8sObject | undefined,
  ): boolean {
    if (d.cluster && !d.cluster.test(this.clusterName)) return false;
    const namespace =
      obj?.kind === 'Namespace' ? (obj.metadata?.name ?? '') : (obj?.metadata?.namespace ?? '');
    const vector = obj as { namespace?: string; name?: string } | undefined;
    if (d.namespace && !d.namespace.test(namespace || vector?.namespace || '')) return false;
    if (d.kind && !d.kind.test(obj?.kind ?? '')) return false;
    if (d.name && !d.name.test(obj?.metadata?.name ?? vector?.name ?? '')) return false;
    if (d.resourceID && !d.resourceID.test(subject.resourceID)) return false;
    if (d.path && !d.path.test(subject.sourcePath ?? '')) return false;
    if (d.labels.length > 0) {
      const labels = obj?.metadata?.labels ?? {};
      const annotations = obj?.metadata?.annotations ?? {};
      const all = (map: Record<string, string>): boolean =>
        d.labels.every(([key, pattern]) => typeof map[key] === 'string' && pattern.test(map[key]));
      if (!all(labels) && !all(annotations)) return false;
    }
    if (d.containerName) {
      const names = subject.failingContainers ?? containerNamesOf(obj);
      if (!names.some((n) => d.containerName?.test(n))) return false;
    }
    return true;
  }
}

function isExpired(policy: ExceptionPolicy, now: Date): boolean {
  if (!policy.expirationDate) return false;
  const time = Date.parse(policy.expirationDate);
  return Number.isFinite(time) && time < now.getTime();
}

function compileControlPatterns(policy: ExceptionPolicy): CompiledPolicy['controlPatterns'] {
  const entries = policy.posturePolicies ?? [];
  if (entries.length === 0) return undefined;
  const patterns: { controlID?: RegExp; ruleName?: RegExp }[] = [];
  for (const entry of entries) {
    // frameworkName never filters at resource level (opa-utils does not pass it).
    if (!entry.controlID && !entry.ruleName && !entry.frameworkName) return undefined;
    const pattern: { controlID?: RegExp; ruleName?: RegExp } = {};
    if (entry.controlID) pattern.controlID = anchored(entry.controlID, 'i');
    if (entry.ruleName) pattern.ruleName = anchored(entry.ruleName, 'i');
    patterns.push(pattern);
  }
  return patterns;
}

function appliesToControl(compiled: CompiledPolicy, controlID: string, ruleName: string): boolean {
  if (!compiled.controlPatterns) return true;
  return compiled.controlPatterns.some(
    (p) => (!p.controlID || p.controlID.test(controlID)) && (!p.ruleName || p.ruleName.test(ruleName)),
  );
}

function compileDesignator(resource: NonNullable<ExceptionPolicy['resources']>[number]): CompiledDesignator {
  const attributes: Record<string, string> = { ...(resource.attributes ?? {}) };
  const type = (resource.designatorType ?? 'Attributes').toLowerCase();
  const isWlid = type === 'wlid' || type === 'wildwlid';
  if (isWlid && resource.wlid) Object.assign(attributes, parseWlid(resource.wlid));
  const d: CompiledDesignator = { labels: [], clusterOnly: true, empty: true };
  for (const [key, raw] of Object.entries(attributes)) {
    if (typeof raw !== 'string') continue;
    const value = type === 'wildwlid' ? raw.replace(/\*/g, '.*') : raw;
    if (key === 'containerName') {
      d.containerName = anchored(value);
      d.clusterOnly = false;
    } else if (SPECIAL_KEYS.has(key)) {
      // WLIDs spell kinds in lower case.
      d[key as 'cluster'] = anchored(value, isWlid && key === 'kind' ? 'i' : '');
      if (key !== 'cluster') d.clusterOnly = false;
    } else {
      d.labels.push([key, anchored(value)]);
      d.clusterOnly = false;
    }
    d.empty = false;
  }
  return d;
}

/** `wlid://cluster-<c>/namespace-<ns>/<kind>-<name>` → designator attributes. */
function parseWlid(wlid: string): Record<string, string> {
  const result: Record<string, string> = {};
  const parts = wlid.replace(/^wlid:\/\//, '').split('/');
  for (const part of parts) {
    if (part.startsWith('cluster-')) result.cluster = part.slice('cluster-'.length);
    else if (part.startsWith('namespace-')) result.namespace = part.slice('namespace-'.length);
    else if (part.includes('-')) {
      const dash = part.indexOf('-');
      result.kind = part.slice(0, dash);
      result.name = part.slice(dash + 1);
    }
  }
  return result;
}

function containerNamesOf(obj: K8sObject | undefined): string[] {
  const names: string[] = [];
  const visit = (spec: unknown): void => {
    const s = spec as { containers?: { name?: string }[]; initContainers?: { name?: string }[] } | undefined;
    for (const c of [
      ...(Array.isArray(s?.containers) ? s.containers : []),
      ...(Array.isArray(s?.initContainers) ? s.initContainers : []),
    ]) {
      if (c && typeof c.name === 'string') names.push(c.name);
    }
  };
  const spec = obj?.spec as Record<string, unknown> | undefined;
  visit(spec);
  visit((spec?.template as { spec?: unknown } | undefined)?.spec);
  visit(
    (
      (spec?.jobTemplate as { spec?: { template?: { spec?: unknown } } } | undefined)?.spec?.template as
        { spec?: unknown } | undefined
    )?.spec,
  );
  return names;
}

/** Container names referenced by failed paths like `spec.template.spec.containers[1].image`. */
export function failingContainerNames(obj: K8sObject | undefined, paths: readonly string[]): string[] {
  const names = new Set<string>();
  for (const p of paths) {
    const m = /(containers|initContainers|ephemeralContainers)\[(\d+)\]/.exec(p);
    if (!m) continue;
    const prefix = p.slice(0, m.index);
    let holder: unknown = obj;
    for (const field of prefix.split('.').filter(Boolean))
      holder = (holder as Record<string, unknown> | undefined)?.[field];
    const list = (holder as Record<string, unknown> | undefined)?.[m[1] as string];
    const container = Array.isArray(list)
      ? (list[Number(m[2])] as { name?: unknown } | undefined)
      : undefined;
    if (typeof container?.name === 'string') names.add(container.name);
  }
  return [...names];
}

/**
 * Inline exceptions: `kubescape.io/skip-controls: "C-0017, C-0055"` (+ optional skip-reason and
 * skip-expiry) on an object become a `disable` policy scoped to that object.
 */
export function inlineExceptionPolicy(obj: K8sObject, resourceID: string): ExceptionPolicy | undefined {
  const annotations = obj.metadata?.annotations;
  const skip = annotations?.['kubescape.io/skip-controls'];
  if (typeof skip !== 'string' || skip.trim() === '') return undefined;
  const controls = skip
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const attributes: Record<string, string> = {
    kind: escape(obj.kind),
    name: escape(obj.metadata?.name ?? ''),
  };
  if (obj.metadata?.namespace) attributes.namespace = escape(obj.metadata.namespace);
  attributes.resourceID = escape(resourceID);
  const policy: ExceptionPolicy = {
    name: `inline-${resourceID}`,
    policyType: 'postureExceptionPolicy',
    actions: ['disable'],
    resources: [{ designatorType: 'Attributes', attributes }],
    posturePolicies: controls.map((controlID) => ({ controlID: escape(controlID) })),
  };
  const reason = annotations?.['kubescape.io/skip-reason'];
  if (reason) policy.reason = reason;
  const expiry = annotations?.['kubescape.io/skip-expiry'];
  if (expiry) policy.expirationDate = expiry;
  return policy;
}
