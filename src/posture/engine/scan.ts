/**
 * The posture scan: selects controls (frameworks, IDs, scanning scope), evaluates each needed rule
 * once over the shared object index, turns violations into per-resource rule and control results,
 * applies exceptions, and computes statuses, counters, compliance and risk scores exactly as
 * controls.md §3 describes. Results of passed controls are shared frozen objects, so memory grows
 * with failures, not with resources × controls.
 */
import { randomUUID } from 'node:crypto';
import { mergeConfigInputs, configFor } from '../config.ts';
import { CONTROLS, FRAMEWORKS, getControl, getFramework } from '../controls/index.ts';
import type { ControlDefinition, FrameworkDefinition } from '../controls/index.ts';
import { EvaluationContext, runRule } from '../evaluate.ts';
import type { ConfigInputs, K8sObject, RuleDefinition, SubjectVector, Violation } from '../model.ts';
import { isClusterScoped, namespaceOf, resourceIdOf } from '../objects.ts';
import { isSubjectVector, subjectVectorId } from '../rbac.ts';
import type {
  ControlSummary,
  ExceptionPolicy,
  FrameworkSummary,
  InputProblem,
  PostureReport,
  PosturePath,
  ReportResource,
  ResourceControlResult,
  ResourceCounters,
  ResourceResult,
  ResourceRuleResult,
  ResourceSource,
  SeverityCounters,
  SeverityName,
  Status,
  StatusInfo,
  SubStatus,
} from '../report/model.ts';
import { getRule } from '../rules/index.ts';
import { replicasOf } from '../workload.ts';
import { ExceptionMatcher, failingContainerNames, inlineExceptionPolicy } from './exceptions.ts';
import { sanitizeObject } from './sanitize.ts';
import { securityExceptionPolicies } from './security-exceptions.ts';
import {
  STATUS_INFO_TEXT,
  mergeStatusInfo,
  severityOfScore,
  strongestSkipSubStatus,
  worseStatus,
} from './status.ts';

export const KUBESCAPE_COMPAT_VERSION = 'v4.0.0';

export interface ScanObject {
  object: K8sObject;
  source?: ResourceSource;
}

export type ScanTarget = 'cluster' | 'file';

export interface ScanProgress {
  phase: 'evaluate';
  done: number;
  total: number;
  rule: string;
}

export interface ScanRequest {
  objects: readonly ScanObject[];
  target: ScanTarget;
  /** Framework names (case-insensitive; `all` = every framework fitting the target). */
  frameworks?: readonly string[];
  /** Control IDs or names; alone they select a control scan. */
  controls?: readonly string[];
  excludeControls?: readonly string[];
  /** Overrides of the configuration inputs (flat `{key: [values]}`). */
  config?: ConfigInputs;
  exceptions?: readonly ExceptionPolicy[];
  /** Inline `kubescape.io/skip-controls` annotations (default: on for file scans). */
  honorInlineExceptions?: boolean;
  includeNamespaces?: readonly string[];
  excludeNamespaces?: readonly string[];
  cluster?: { name?: string; cloudProvider?: string; serverVersion?: Record<string, string> | null };
  /** Kinds that could not be collected (cluster scans): controls reading only them are notEvaluated. */
  failedKinds?: readonly { kind: string; error: string }[];
  inputProblems?: readonly InputProblem[];
  /** Describes the target in the report metadata (paths or context). */
  targetDescription?: string;
  /**
   * Limits `results` and `resources` to the resources this accepts (summaries still cover every
   * resource): a single-object scan evaluates the cluster but reports one object, and skips
   * copying and sanitizing everything else.
   */
  reportResource?: (resource: { resourceID: string; object: K8sObject | SubjectVector }) => boolean;
  now?: Date;
  onProgress?: (progress: ScanProgress) => void;
}

const DEFAULT_FRAMEWORKS: Record<ScanTarget, readonly string[]> = {
  cluster: ['clusterscan', 'mitre', 'nsa'],
  file: ['workloadscan', 'allcontrols'],
};

const EXTERNAL_DATA_KINDS: Record<string, readonly string[]> = {
  'host-sensor': [
    'KubeletInfo',
    'ControlPlaneInfo',
    'CNIInfo',
    'KubeProxyInfo',
    'LinuxKernelVariables',
    'cloudProviderInfo',
    'APIServerInfo',
    'KubeletCommandLine',
    'KubeletConfiguration',
  ],
  'cloud-provider': ['ClusterDescribe', 'DescribeRepositories', 'PolicyVersion', 'ListEntitiesForPolicies'],
  'image-vulnerabilities': ['ImageVulnerabilities'],
  'service-scan': ['ServiceScanResult'],
  registry: [],
};

const EXTERNAL_DATA_INFO: Record<string, string> = {
  'host-sensor':
    'This control needs node data from the host sensor (kubeguard node-agent); none was collected. Scan a cluster where the node-agent runs, or pass host-data objects as input.',
  'cloud-provider':
    'This control needs data from the cloud provider API (EKS/AKS/GKE cluster description, registries, IAM); none was collected.',
  'image-vulnerabilities':
    'This control needs image vulnerability results (ImageVulnerabilities objects from kubevuln); none were provided.',
  'service-scan':
    'This control needs network service scan results (ServiceScanResult objects); none were provided.',
  registry:
    'This control needs image signature verification against the registry (cosign), which kubeguard does not perform yet.',
};

export function selectFrameworks(
  request: Pick<ScanRequest, 'frameworks' | 'controls' | 'target' | 'cluster'>,
): FrameworkDefinition[] {
  if (request.controls && request.controls.length > 0 && !request.frameworks) return [];
  const names = request.frameworks ?? DEFAULT_FRAMEWORKS[request.target];
  if (names.some((n) => n.toLowerCase() === 'all')) {
    return FRAMEWORKS.filter(
      (f) => !f.deleted && f.controls.length > 0 && scopeFits(f.scanningScope, request),
    );
  }
  return names.map((name) => {
    const framework = getFramework(name);
    if (!framework) {
      throw new ScanInputError(
        `unknown framework "${name}"; known: ${FRAMEWORKS.map((f) => f.name).join(', ')}`,
      );
    }
    return framework;
  });
}

export class ScanInputError extends Error {
  override name = 'ScanInputError';
}

function scopeFits(scopes: readonly string[], request: Pick<ScanRequest, 'target' | 'cluster'>): boolean {
  const provider = request.cluster?.cloudProvider?.toUpperCase();
  return scopes.some((scope) => {
    if (scope === request.target) return true;
    if (request.target !== 'cluster' || !provider) return false;
    return scope === 'cloud' || scope.toUpperCase() === provider;
  });
}

interface RuleFailure {
  object: K8sObject | SubjectVector | Record<string, unknown>;
  paths: PosturePath[];
  rawPaths: string[];
  relatedResourcesIDs: Set<string>;
}

interface RuleOutcome {
  rule: RuleDefinition;
  /** Resource IDs of the rule's inputs and of the resources its violations name, each once. */
  inputIds: string[];
  failures: Map<string, RuleFailure>;
  /** The rule could not run: why (its resources are skipped / the control has no resources). */
  skipped?: { subStatus: SubStatus; info: string };
  /** The rule threw: its inputs are reported skipped with the error. */
  error?: string;
  config: ConfigInputs;
  /** The (shared, frozen) result of every input the rule passed. */
  passed: ResourceRuleResult;
}

interface ResourceEntry {
  id: string;
  object: K8sObject | SubjectVector;
  source?: ResourceSource;
  controls: ResourceControlResult[];
  status: Status;
  /** Risk-score weight (§3.6). */
  weight: number;
}

const EMPTY_COUNTERS = (): ResourceCounters => ({
  passedResources: 0,
  failedResources: 0,
  skippedResources: 0,
  excludedResources: 0,
});
const EMPTY_SEVERITIES = (): SeverityCounters => ({
  criticalSeverity: 0,
  highSeverity: 0,
  mediumSeverity: 0,
  lowSeverity: 0,
});

function inNamespaceScope(obj: K8sObject, request: ScanRequest): boolean {
  if (isClusterScoped(obj) || !obj.metadata) return true;
  const ns = namespaceOf(obj) ?? 'default';
  if (request.excludeNamespaces?.includes(ns)) return false;
  if (request.includeNamespaces && request.includeNamespaces.length > 0)
    return request.includeNamespaces.includes(ns);
  return true;
}

export function scan(request: ScanRequest): PostureReport {
  const now = request.now ?? new Date();
  const frameworks = selectFrameworks(request);
  const controls = selectControls(request, frameworks);
  const config = mergeConfigInputs(request.config);
  const scoped = request.objects.filter((o) => inNamespaceScope(o.object, request));
  const sources = new Map<K8sObject, ResourceSource>();
  for (const o of scoped) if (o.source) sources.set(o.object, o.source);
  const context = new EvaluationContext(
    scoped.map((o) => o.object),
    config,
    request.cluster?.cloudProvider ? { cloudProvider: request.cluster.cloudProvider.toLowerCase() } : {},
  );

  const policies: ExceptionPolicy[] = [
    ...(request.exceptions ?? []),
    ...securityExceptionPolicies(
      scoped.map((o) => o.object),
      context.store.ofKind('Namespace'),
    ),
  ];
  if (request.honorInlineExceptions ?? request.target === 'file') {
    for (const o of scoped) {
      const inline = inlineExceptionPolicy(o.object, resourceIdOf(o.object));
      if (inline) policies.push(inline);
    }
  }
  const matcher = new ExceptionMatcher(policies, request.cluster?.name ?? '', now);
  const failedKinds = new Map((request.failedKinds ?? []).map((f) => [f.kind, f.error]));

  // Evaluate every rule needed by the selected controls once.
  const ruleNames = [...new Set(controls.flatMap((c) => (controlSkipReason(c, context) ? [] : c.rules)))];
  const outcomes = new Map<string, RuleOutcome>();
  const resources = new Map<string, ResourceEntry>();
  ruleNames.forEach((name, i) => {
    request.onProgress?.({ phase: 'evaluate', done: i, total: ruleNames.length, rule: name });
    const rule = getRule(name);
    if (!rule) return;
    outcomes.set(name, evaluateRule(rule, context, failedKinds, resources, sources));
  });
  request.onProgress?.({ phase: 'evaluate', done: ruleNames.length, total: ruleNames.length, rule: '' });

  // Per control: resource results, then the control summary.
  const summaries = new Map<string, ControlSummary>();
  const controlResources = new Map<string, Map<string, Status>>();
  const unnormalized = new Map<string, { unnorm: number; wcs: number }>();
  for (const control of controls) {
    const { summary, statuses, risk } = evaluateControl(control, context, outcomes, resources, matcher);
    summaries.set(control.id, summary);
    controlResources.set(control.id, statuses);
    unnormalized.set(control.id, risk);
  }

  // Resource overall status, severity counters.
  const resourcesSeverity = EMPTY_SEVERITIES();
  for (const entry of resources.values()) {
    entry.status = entry.controls.reduce<Status>((s, c) => worseStatus(s, c.status.status), 'passed');
    if (entry.status !== 'failed') continue;
    for (const c of entry.controls) if (c.status.status === 'failed') bump(resourcesSeverity, c.severity);
  }
  const controlsSeverity = EMPTY_SEVERITIES();
  for (const summary of summaries.values())
    if (summary.status === 'failed') bump(controlsSeverity, summary.severity ?? 'Unknown');

  const frameworkSummaries: FrameworkSummary[] = frameworks.map((framework) =>
    summarizeGroup(
      framework.name,
      framework.version ?? '',
      framework.controls.filter((id) => summaries.has(id)),
      summaries,
      controlResources,
      unnormalized,
    ),
  );
  const overall = summarizeGroup('', '', [...summaries.keys()], summaries, controlResources, unnormalized);

  const reported = request.reportResource;
  const sortedIds = [...resources.keys()]
    .filter((id) => {
      const entry = resources.get(id)!;
      return entry.controls.length > 0 && (!reported || reported({ resourceID: id, object: entry.object }));
    })
    .sort();
  const results: ResourceResult[] = sortedIds.map((id) => ({
    resourceID: id,
    controls: resources.get(id)!.controls,
  }));
  const reportResources: ReportResource[] = sortedIds.map((id) => {
    const entry = resources.get(id)!;
    const resource: ReportResource = { resourceID: id, object: sanitizeResource(entry.object) };
    if (entry.source) resource.source = entry.source;
    return resource;
  });

  const controlsWithSeverity: Record<string, ControlSummary> = {};
  for (const [id, summary] of summaries) controlsWithSeverity[id] = summary;

  const report: PostureReport = {
    generationTime: now.toISOString(),
    clusterAPIServerInfo: request.cluster?.serverVersion ?? null,
    clusterCloudProvider: request.cluster?.cloudProvider ?? '',
    customerGUID: '',
    clusterName: request.cluster?.name ?? '',
    reportGUID: randomUUID(),
    summaryDetails: {
      controls: controlsWithSeverity,
      status: overall.status,
      frameworks: frameworkSummaries,
      resourcesSeverityCounters: resourcesSeverity,
      controlsSeverityCounters: controlsSeverity,
      ResourceCounters: overall.ResourceCounters,
      vulnerabilities: { mapsSeverityToSummary: null, CVEs: null, packageScores: null, images: null },
      score: overall.score,
      complianceScore: overall.complianceScore,
    },
    resources: reportResources,
    attributes: [],
    results,
    metadata: {
      targetMetadata: targetMetadata(request, scoped),
      scanMetadata: {
        targetType: request.target === 'cluster' ? 'Cluster' : 'File',
        kubescapeVersion: KUBESCAPE_COMPAT_VERSION,
        formatVersion: 'v2',
        controlsInputs: '',
        format: 'json',
        formats: ['json'],
        excludedNamespaces: [...(request.excludeNamespaces ?? [])],
        includeNamespaces: [...(request.includeNamespaces ?? [])],
        targetNames: frameworks.length > 0 ? frameworks.map((f) => f.name) : controls.map((c) => c.id),
        failThreshold: 0,
        complianceThreshold: 0,
        scanningTarget: request.target === 'cluster' ? 0 : 1,
        hostScanner: context.store.ofKind('KubeletInfo').length > 0,
        submit: false,
        verboseMode: false,
      },
    },
  };
  if (request.target === 'cluster') {
    report.metadata.clusterMetadata = clusterMetadata(scoped, request);
  }
  if (request.inputProblems && request.inputProblems.length > 0)
    report.inputProblems = [...request.inputProblems];
  return report;
}

function selectControls(
  request: ScanRequest,
  frameworks: readonly FrameworkDefinition[],
): ControlDefinition[] {
  const ids = new Set<string>();
  for (const framework of frameworks) for (const id of framework.controls) ids.add(id);
  for (const wanted of request.controls ?? []) {
    const control = getControl(wanted);
    if (!control)
      throw new ScanInputError(`unknown control "${wanted}"; use an ID like C-0017 or a control name`);
    ids.add(control.id);
  }
  for (const excluded of request.excludeControls ?? []) {
    const control = getControl(excluded);
    if (control) ids.delete(control.id);
  }
  return [...ids]
    .sort()
    .map((id) => CONTROLS.get(id))
    .filter((c): c is ControlDefinition => c !== undefined && scopeFits(c.scanningScope, request));
}

/** Why a control cannot be evaluated at all with the data of this scan (undefined: it can). */
function controlSkipReason(control: ControlDefinition, context: EvaluationContext): string | undefined {
  if (!control.requires) return undefined;
  const kinds = EXTERNAL_DATA_KINDS[control.requires] ?? [];
  if (kinds.some((kind) => context.store.ofKind(kind).length > 0)) return undefined;
  return EXTERNAL_DATA_INFO[control.requires];
}

function evaluateRule(
  rule: RuleDefinition,
  context: EvaluationContext,
  failedKinds: Map<string, string>,
  resources: Map<string, ResourceEntry>,
  sources: Map<K8sObject, ResourceSource>,
): RuleOutcome {
  const config = configFor(rule.configInputs, context.config);
  const outcome: RuleOutcome = {
    rule,
    inputIds: [],
    failures: new Map(),
    config,
    passed: passedRule(rule.name, config),
  };
  if (rule.requiresData) {
    outcome.skipped = {
      subStatus: 'integration',
      info: `This rule needs ${rule.requiresData}, which was not provided.`,
    };
    return outcome;
  }
  const matchKinds = rule.match.flatMap((m) => m.kinds);
  const dynamicKinds = (rule.dynamicMatch ?? []).flatMap((m) => m.kinds);
  if (matchKinds.length === 0 && dynamicKinds.every((kind) => context.store.ofKind(kind).length === 0)) {
    outcome.skipped = {
      subStatus: 'integration',
      info: rule.hostSensor
        ? EXTERNAL_DATA_INFO['host-sensor']!
        : `This rule needs ${dynamicKinds.join(', ')} objects; none were collected.`,
    };
    return outcome;
  }
  const unreadable = [...matchKinds, ...dynamicKinds].filter((kind) => failedKinds.has(kind));
  if (unreadable.length > 0 && unreadable.length === matchKinds.length + dynamicKinds.length) {
    outcome.skipped = {
      subStatus: 'notEvaluated',
      info: `${STATUS_INFO_TEXT.notEvaluated}: ${unreadable.map((k) => `${k} (${failedKinds.get(k)})`).join('; ')}`,
    };
    return outcome;
  }
  let run;
  try {
    run = runRule(rule, context);
  } catch (error) {
    outcome.error = error instanceof Error ? error.message : String(error);
    // Register the inputs so they are reported skipped with the error.
    for (const kind of matchKinds)
      for (const obj of context.store.ofKind(kind)) outcome.inputIds.push(register(obj, resources, sources));
    return outcome;
  }
  const registered = registerAll(run.inputs, resources, sources);
  for (const violation of run.violations) recordViolation(violation, outcome, resources, sources);
  // Violations almost always name inputs: share the input IDs unless one names something else.
  const outside = [...outcome.failures.keys()].filter((id) => !registered.set.has(id));
  outcome.inputIds = outside.length === 0 ? registered.ids : [...registered.ids, ...outside];
  return outcome;
}

const idCache = new WeakMap<object, string>();

/** Resource IDs are asked for once per rule an object is input to: compute each once. */
function idOf(item: K8sObject | SubjectVector): string {
  let id = idCache.get(item);
  if (id === undefined) {
    id = isSubjectVector(item) ? subjectVectorId(item) : resourceIdOf(item as K8sObject);
    idCache.set(item, id);
  }
  return id;
}

interface RegisteredInputs {
  ids: string[];
  set: ReadonlySet<string>;
}

const idsOfInputs = new WeakMap<readonly unknown[], RegisteredInputs>();

/** Registers a rule's inputs; rules with the same kinds share one input array, registered once. */
function registerAll(
  inputs: readonly (K8sObject | SubjectVector)[],
  resources: Map<string, ResourceEntry>,
  sources: Map<K8sObject, ResourceSource>,
): RegisteredInputs {
  let registered = idsOfInputs.get(inputs);
  if (!registered || (registered.ids.length > 0 && !resources.has(registered.ids[0]!))) {
    const ids = [...new Set(inputs.map((input) => register(input, resources, sources)))];
    registered = { ids, set: new Set(ids) };
    idsOfInputs.set(inputs, registered);
  }
  return registered;
}

function register(
  item: K8sObject | SubjectVector,
  resources: Map<string, ResourceEntry>,
  sources: Map<K8sObject, ResourceSource>,
): string {
  const id = idOf(item);
  if (!resources.has(id)) {
    const entry: ResourceEntry = { id, object: item, controls: [], status: 'passed', weight: weightOf(item) };
    const source = sources.get(item as K8sObject);
    if (source) entry.source = source;
    resources.set(id, entry);
  }
  return id;
}

function recordViolation(
  violation: Violation,
  outcome: RuleOutcome,
  resources: Map<string, ResourceEntry>,
  sources: Map<K8sObject, ResourceSource>,
): void {
  const named: (K8sObject | SubjectVector)[] = [];
  if (violation.alertObject.k8sApiObjects?.length) named.push(...violation.alertObject.k8sApiObjects);
  else if (violation.alertObject.externalObjects)
    named.push(violation.alertObject.externalObjects as K8sObject);
  const ids = named.map((item) => {
    const id = idOf(item);
    // Prefer the object already known (the full input object) over a reduced copy in the alert.
    return resources.has(id) ? id : register(item, resources, sources);
  });
  for (const [i, id] of ids.entries()) {
    let failure = outcome.failures.get(id);
    if (!failure) {
      failure = { object: named[i]!, paths: [], rawPaths: [], relatedResourcesIDs: new Set() };
      outcome.failures.set(id, failure);
    }
    for (const other of ids) if (other !== id) failure.relatedResourcesIDs.add(other);
    for (const related of violation.relatedObjects ?? [])
      failure.relatedResourcesIDs.add(resourceIdOf(related.object));
    for (const p of violation.failedPaths ?? []) {
      failure.paths.push({ resourceID: id, failedPath: p });
      failure.rawPaths.push(p);
    }
    for (const p of violation.deletePaths ?? []) {
      failure.paths.push({ resourceID: id, deletePath: p });
      failure.rawPaths.push(p);
    }
    for (const p of violation.reviewPaths ?? []) {
      // RBAC rules repeat their failed paths as review paths; keep each path once.
      if (!(violation.failedPaths ?? []).includes(p)) failure.paths.push({ resourceID: id, reviewPath: p });
      failure.rawPaths.push(p);
    }
    for (const fix of violation.fixPaths ?? []) {
      failure.paths.push({ resourceID: id, fixPath: { path: fix.path, value: String(fix.value) } });
      failure.rawPaths.push(fix.path);
    }
    if (violation.fixCommand) failure.paths.push({ resourceID: id, fixCommand: violation.fixCommand });
  }
}

function passedRule(name: string, config: ConfigInputs): ResourceRuleResult {
  const configured = Object.keys(config).length > 0;
  return Object.freeze({
    name,
    status: 'passed' as Status,
    subStatus: '' as SubStatus,
    ...(configured ? { controlConfigurations: config } : {}),
  });
}

function weightOf(object: K8sObject | SubjectVector): number {
  if (isSubjectVector(object)) return 1;
  const replicas = replicasOf(object as K8sObject);
  return replicas !== undefined && replicas > 1 ? replicas * 1.1 : 1;
}

function evaluateControl(
  control: ControlDefinition,
  context: EvaluationContext,
  outcomes: Map<string, RuleOutcome>,
  resources: Map<string, ResourceEntry>,
  matcher: ExceptionMatcher,
): { summary: ControlSummary; statuses: Map<string, Status>; risk: { unnorm: number; wcs: number } } {
  const severity = severityOfScore(control.baseScore);
  const statuses = new Map<string, Status>();
  const subStatuses: SubStatus[] = [];
  let ignored = 0;
  let unnorm = 0;
  let wcs = 0;
  let controlInfo: StatusInfo | undefined;

  const externalReason = controlSkipReason(control, context);
  const ruleOutcomes = externalReason
    ? []
    : control.rules.map((r) => outcomes.get(r)).filter((o): o is RuleOutcome => !!o);
  const ranOutcomes = ruleOutcomes.filter((o) => !o.skipped);
  if (externalReason) controlInfo = { status: 'skipped', subStatus: 'integration', info: externalReason };
  else if (ruleOutcomes.length > 0 && ranOutcomes.length === 0)
    controlInfo = { status: 'skipped', ...ruleOutcomes[0]!.skipped! };

  // Resources that pass every rule share one frozen result per rule combination.
  const passedResults = new Map<string, ResourceControlResult>();
  const configurationSkip =
    control.actionRequired === 'configuration' &&
    ranOutcomes.length > 0 &&
    ranOutcomes.every((o) => Object.values(o.config).every((values) => values.length === 0));

  const account = (id: string, entry: ResourceEntry, status: StatusInfo): void => {
    statuses.set(id, worseStatus(statuses.get(id) ?? 'passed', status.status));
    if (status.subStatus) subStatuses.push(status.subStatus);
    if (status.status === 'passed' && status.subStatus === 'w/exceptions') ignored++;
    const weight = entry.weight;
    wcs += control.baseScore * weight;
    if (status.status === 'failed') unnorm += control.baseScore * weight;
  };

  // resource → rule results of this control. Most controls have one rule: their resources are
  // walked directly, and plain passes take the shared result without any allocation.
  const perResource = new Map<string, ResourceRuleResult[]>();
  if (ranOutcomes.length === 1 && !configurationSkip) {
    const outcome = ranOutcomes[0]!;
    for (const id of outcome.inputIds) {
      const rule = ruleResultFor(outcome, id, control, resources, matcher);
      if (rule !== outcome.passed) {
        perResource.set(id, [rule]);
        continue;
      }
      const entry = resources.get(id)!;
      let result = passedResults.get(rule.name);
      if (!result)
        passedResults.set(
          rule.name,
          (result = Object.freeze(makeControlResult(control, PASSED, [rule], severity))),
        );
      entry.controls.push(result);
      account(id, entry, PASSED);
    }
  } else {
    for (const outcome of ranOutcomes) {
      for (const id of outcome.inputIds) {
        let list = perResource.get(id);
        if (!list) perResource.set(id, (list = []));
        list.push(ruleResultFor(outcome, id, control, resources, matcher));
      }
    }
  }

  for (const [id, rules] of perResource) {
    const entry = resources.get(id)!;
    const only = rules.length === 1 ? rules[0]! : undefined;
    let status: StatusInfo = only
      ? only.status === 'failed'
        ? FAILED
        : only.status === 'passed' && only.subStatus === ''
          ? PASSED
          : { status: only.status, subStatus: only.subStatus }
      : rules.reduce<StatusInfo>(
          (acc, r) => mergeStatusInfo(acc, { status: r.status, subStatus: r.subStatus }),
          PASSED,
        );
    if (status.status === 'failed' && control.actionRequired === 'requires review') {
      status = { status: 'skipped', subStatus: 'requires review', info: STATUS_INFO_TEXT.requiresReview };
    } else if (status.status === 'failed' && control.actionRequired === 'manual review') {
      status = { status: 'skipped', subStatus: 'manual review', info: STATUS_INFO_TEXT.manualReview };
    } else if (configurationSkip) {
      status = { status: 'skipped', subStatus: 'configuration', info: STATUS_INFO_TEXT.configuration };
    }
    const allPlainPassed = rules.every((r) => r.status === 'passed' && r.subStatus === '' && !r.exception);
    let result: ResourceControlResult;
    if (allPlainPassed && status.status === 'passed') {
      const key = only ? only.name : rules.map((r) => r.name).join(',');
      result = passedResults.get(key) ?? Object.freeze(makeControlResult(control, status, rules, severity));
      passedResults.set(key, result);
    } else {
      result = makeControlResult(control, status, rules, severity);
    }
    entry.controls.push(result);
    account(id, entry, status);
  }

  const counters = EMPTY_COUNTERS();
  for (const status of statuses.values()) {
    if (status === 'failed') counters.failedResources++;
    else if (status === 'skipped') counters.skippedResources++;
    else counters.passedResources++;
  }
  const total = counters.passedResources + counters.failedResources + counters.skippedResources;

  let statusInfo: StatusInfo;
  if (total === 0 && control.actionRequired === 'manual review') {
    const excepted = matcher.matchControl(control.id);
    statusInfo =
      excepted.length > 0
        ? { status: 'passed', subStatus: 'w/exceptions' }
        : { status: 'skipped', subStatus: 'manual review', info: STATUS_INFO_TEXT.manualReview };
  } else if (total === 0 && controlInfo) {
    statusInfo = controlInfo;
  } else if (counters.failedResources > 0) {
    statusInfo = { status: 'failed' };
  } else if (counters.skippedResources > 0) {
    const sub = strongestSkipSubStatus(subStatuses);
    statusInfo = { status: 'skipped', subStatus: sub };
    const info = skipInfo(sub);
    if (info) statusInfo.info = info;
  } else if (total === 0) {
    statusInfo = { status: 'passed', subStatus: 'irrelevant' };
  } else {
    statusInfo = ignored > 0 ? { status: 'passed', subStatus: 'w/exceptions' } : { status: 'passed' };
  }

  const complianceScore =
    statusInfo.status === 'passed' ? 100 : total === 0 ? 0 : (100 * counters.passedResources) / total;
  const summary: ControlSummary = {
    statusInfo,
    controlID: control.id,
    name: control.name,
    status: statusInfo.status,
    resourceIDs: {},
    ResourceCounters: counters,
    subStatusCounters: { ignoredResources: ignored },
    score: wcs === 0 ? 0 : (100 * unnorm) / wcs,
    complianceScore,
    scoreFactor: control.baseScore,
    severity: severityOfScore(control.baseScore),
  };
  if (control.category) summary.category = control.category;
  return { summary, statuses, risk: { unnorm, wcs } };
}

const PASSED: StatusInfo = Object.freeze({ status: 'passed', subStatus: '' });
const FAILED: StatusInfo = Object.freeze({ status: 'failed', subStatus: '' });

function skipInfo(sub: SubStatus): string | undefined {
  switch (sub) {
    case 'configuration':
      return STATUS_INFO_TEXT.configuration;
    case 'requires review':
      return STATUS_INFO_TEXT.requiresReview;
    case 'manual review':
      return STATUS_INFO_TEXT.manualReview;
    case 'notEvaluated':
      return STATUS_INFO_TEXT.notEvaluated;
    default:
      return undefined;
  }
}

function makeControlResult(
  control: ControlDefinition,
  status: StatusInfo,
  rules: ResourceRuleResult[],
  severity: SeverityName,
): ResourceControlResult {
  return { controlID: control.id, name: control.name, status, rules, severity };
}

function ruleResultFor(
  outcome: RuleOutcome,
  id: string,
  control: ControlDefinition,
  resources: Map<string, ResourceEntry>,
  matcher: ExceptionMatcher,
): ResourceRuleResult {
  const name = outcome.rule.name;
  if (outcome.error) {
    return { name, status: 'skipped', subStatus: '', paths: [], relatedResourcesIDs: [] };
  }
  const failure = outcome.failures.get(id);
  if (!failure) return outcome.passed;
  const configured = Object.keys(outcome.config).length > 0;
  const result: ResourceRuleResult = {
    name,
    status: 'failed',
    subStatus: '',
    paths: failure.paths,
    ...(configured ? { controlConfigurations: outcome.config } : {}),
    relatedResourcesIDs: [...failure.relatedResourcesIDs],
  };
  if (matcher.size > 0) {
    const entry = resources.get(id)!;
    const object = entry.object;
    const vector = isSubjectVector(object) ? object : undefined;
    const policies = matcher.match(control.id, name, {
      resourceID: id,
      object: object as K8sObject,
      ...(vector ? { relatedObjects: vector.relatedObjects } : {}),
      ...(entry.source ? { sourcePath: entry.source.relativePath } : {}),
      failingContainers: failingContainerNames(vector ? undefined : (object as K8sObject), failure.rawPaths),
    });
    if (policies.length > 0) {
      result.status = 'passed';
      result.subStatus = 'w/exceptions';
      result.exception = policies;
    }
  }
  return result;
}

function bump(counters: SeverityCounters, severity: SeverityName): void {
  if (severity === 'Critical') counters.criticalSeverity++;
  else if (severity === 'High') counters.highSeverity++;
  else if (severity === 'Medium') counters.mediumSeverity++;
  else if (severity === 'Low') counters.lowSeverity++;
}

function summarizeGroup(
  name: string,
  version: string,
  controlIds: readonly string[],
  summaries: Map<string, ControlSummary>,
  controlResources: Map<string, Map<string, Status>>,
  risks: Map<string, { unnorm: number; wcs: number }>,
): FrameworkSummary {
  const worst = new Map<string, Status>();
  let complianceSum = 0;
  let unnorm = 0;
  let wcs = 0;
  const controls: Record<string, ControlSummary> = {};
  for (const id of controlIds) {
    const summary = summaries.get(id)!;
    const { severity: _severity, ...withoutSeverity } = summary;
    controls[id] = withoutSeverity;
    complianceSum += summary.complianceScore;
    const risk = risks.get(id)!;
    unnorm += risk.unnorm;
    wcs += risk.wcs;
    for (const [resource, status] of controlResources.get(id) ?? []) {
      worst.set(resource, worseStatus(worst.get(resource) ?? 'passed', status));
    }
  }
  const counters = EMPTY_COUNTERS();
  for (const status of worst.values()) {
    if (status === 'failed') counters.failedResources++;
    else if (status === 'skipped') counters.skippedResources++;
    else counters.passedResources++;
  }
  const status: Status =
    counters.failedResources > 0 ? 'failed' : counters.skippedResources > 0 ? 'skipped' : 'passed';
  return {
    name,
    status,
    version,
    score: wcs === 0 ? 100 : (100 * unnorm) / wcs,
    complianceScore: controlIds.length === 0 ? 0 : complianceSum / controlIds.length,
    ResourceCounters: counters,
    controls,
  };
}

function sanitizeResource(object: K8sObject | SubjectVector): Record<string, unknown> {
  if (isSubjectVector(object)) {
    return { ...object, relatedObjects: object.relatedObjects.map((o) => sanitizeObject(o)) };
  }
  return sanitizeObject(object as K8sObject);
}

function targetMetadata(request: ScanRequest, objects: readonly ScanObject[]): Record<string, unknown> {
  if (request.target === 'cluster') {
    return {
      clusterContextMetadata: {
        contextName: request.cluster?.name ?? '',
        cloudProvider: request.cluster?.cloudProvider ?? '',
      },
    };
  }
  const files = new Set(objects.map((o) => o.source?.relativePath).filter(Boolean));
  return { fileContextMetadata: { filePath: request.targetDescription ?? '', numberOfFiles: files.size } };
}

function clusterMetadata(objects: readonly ScanObject[], request: ScanRequest): Record<string, unknown> {
  const perNamespace: Record<string, number> = {};
  let nodes = 0;
  for (const { object } of objects) {
    if (object.kind === 'Node') nodes++;
    const ns = namespaceOf(object);
    if (ns) perNamespace[ns] = (perNamespace[ns] ?? 0) + 1;
  }
  return {
    namespaceToNumberOfResources: perNamespace,
    cloudMetadata: request.cluster?.cloudProvider ? { cloudProvider: request.cluster.cloudProvider } : {},
    contextName: request.cluster?.name ?? '',
    numberOfWorkerNodes: nodes,
  };
}
