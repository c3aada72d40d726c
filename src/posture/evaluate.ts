import { configFor } from './config.ts';
import type {
  ClusterContext,
  ConfigInputs,
  K8sObject,
  RuleDefinition,
  SubjectVector,
  Violation,
} from './model.ts';
import { ObjectStore, nameOf, namespaceOf, restrictIndex } from './objects.ts';
import { buildSubjectVectors } from './rbac.ts';

/** Resource names the rule library writes where it means a kind (Kubescape resolves them by discovery). */
const KIND_ALIASES: Readonly<Record<string, string>> = {
  Gateways: 'Gateway',
  servicesscanresults: 'ServiceScanResult',
};

/** Kinds a rule reads (`match` + `dynamicMatch`), with the library's resource-name spellings resolved. */
export function ruleKinds(rule: RuleDefinition): Set<string> {
  const kinds = new Set<string>();
  for (const match of [...rule.match, ...(rule.dynamicMatch ?? [])]) {
    for (const kind of match.kinds) kinds.add(KIND_ALIASES[kind] ?? kind);
  }
  return kinds;
}

/** Per-scan state shared by all rule evaluations (the object index and lazily built aggregations). */
export class EvaluationContext {
  readonly store: ObjectStore;
  private vectors: SubjectVector[] | undefined;
  /** Inputs per kind set: most rules read the same workload kinds, so each set is built once. */
  private readonly inputsByKinds = new Map<string, readonly K8sObject[]>();

  constructor(
    objects: Iterable<K8sObject>,
    readonly config: ConfigInputs,
    readonly cluster: ClusterContext = {},
  ) {
    this.store = new ObjectStore(objects);
  }

  /** The objects of these kinds a rule evaluates (owned objects left out), shared by rules with the same kinds. */
  inputsOf(kinds: ReadonlySet<string>): readonly K8sObject[] {
    const key = [...kinds].sort().join('\u0000');
    let inputs = this.inputsByKinds.get(key);
    if (!inputs) {
      const collected: K8sObject[] = [];
      for (const kind of kinds) {
        for (const obj of this.store.ofKind(kind)) if (!ownedByMatchedKind(obj, kinds)) collected.push(obj);
      }
      this.inputsByKinds.set(key, (inputs = collected));
    }
    return inputs;
  }

  subjectVectors(): SubjectVector[] {
    this.vectors ??= buildSubjectVectors(this.store);
    return this.vectors;
  }

  /** Kubescape's apiserver-pod aggregator: the first kube-system Pod named like the API server. */
  apiServerPod(): K8sObject | undefined {
    return this.store
      .ofKind('Pod')
      .find(
        (pod) =>
          namespaceOf(pod) === 'kube-system' &&
          (nameOf(pod).includes('apiserver') || nameOf(pod).includes('api-server')),
      );
  }
}

/**
 * Kubescape's filterOutChildResources: an object whose controlling owner is of a kind the rule
 * also reads (a Deployment's ReplicaSet, a ReplicaSet's Pod, a CronJob's Job) is evaluated through
 * its owner only, so one misconfiguration is reported once, on the object the user wrote.
 */
function ownedByMatchedKind(obj: K8sObject, kinds: ReadonlySet<string>): boolean {
  const owner = obj.metadata?.ownerReferences?.[0];
  return owner !== undefined && typeof owner.kind === 'string' && kinds.has(owner.kind);
}

export interface RuleRun {
  rule: RuleDefinition;
  /** What the rule evaluated: objects, or subject vectors for aggregated RBAC rules. */
  inputs: readonly (K8sObject | SubjectVector)[];
  violations: Violation[];
}

/** Evaluates one rule over the scan's objects. Throws what the rule throws (the caller records it). */
export function runRule(rule: RuleDefinition, context: EvaluationContext): RuleRun {
  const kinds = ruleKinds(rule);
  let objects: readonly K8sObject[];
  let subjects: readonly SubjectVector[] = [];
  if (rule.aggregator === 'subject-role-rolebinding') {
    objects = [];
    subjects = context.subjectVectors();
  } else if (rule.aggregator === 'apiserver-pod') {
    const pod = context.apiServerPod();
    objects = pod ? [pod] : [];
  } else {
    objects = context.inputsOf(kinds);
  }
  const violations = rule.evaluate({
    objects,
    subjects,
    index: restrictIndex(context.store, kinds, rule.name),
    config: configFor(rule.configInputs, context.config),
    cluster: context.cluster,
  });
  return { rule, inputs: subjects.length > 0 ? subjects : objects, violations };
}
