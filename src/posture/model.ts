/**
 * The posture engine's data model. Rules are small pure functions over Kubernetes objects (and the
 * synthetic host/cloud objects of the host sensor and cloud collectors); they return violations in
 * the shape Kubescape's rule library emits, so results can be compared with its test cases and
 * written into the same report and storage objects.
 */

/** Any Kubernetes (or synthetic host/cloud) object as read from a file or the API server. */
export interface K8sObject {
  apiVersion?: string;
  kind: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string }[];
  [field: string]: unknown;
}

/** A fix the user can apply: set `path` (report path syntax, see paths.ts) to `value`. */
export interface FixPath {
  path: string;
  value: string;
}

/**
 * An RBAC "subject vector" (Kubescape's subject-role-rolebinding aggregation): one binding subject,
 * with the binding and the role it refers to as `relatedObjects` ([binding, role]). Paths in
 * violations about it are relative to the vector (`relatedObjects[1].rules[0].verbs[0]`).
 */
export interface SubjectVector {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
  relatedObjects: [K8sObject, K8sObject];
}

/** What a violation names as failing: Kubernetes objects, or one synthetic/external object. */
export interface AlertObject {
  k8sApiObjects?: K8sObject[];
  /** A subject vector, a host-sensor object (KubeletInfo, ControlPlaneInfo, ...) or a cloud object. */
  externalObjects?: SubjectVector | K8sObject | Record<string, unknown>;
}

/** One finding of one rule, in the shape of Kubescape's rule output (`expected.json` of the cases). */
export interface Violation {
  alertMessage: string;
  alertObject: AlertObject;
  failedPaths: string[];
  reviewPaths: string[];
  deletePaths: string[];
  fixPaths: FixPath[];
  fixCommand?: string;
  /**
   * Objects the finding involves besides the failing one (e.g. the binding that grants a workload's
   * service account its role), with the paths to change there.
   */
  relatedObjects?: RelatedObjectFinding[];
  /** Informative only. */
  alertScore?: number;
}

export interface RelatedObjectFinding {
  object: K8sObject;
  failedPaths?: string[];
  reviewPaths?: string[];
  deletePaths?: string[];
  fixPaths?: FixPath[];
}

/** Kinds a rule reads. `group` is informative (kinds are matched by name). */
export interface KindMatch {
  group: string;
  kinds: readonly string[];
}

export type ConfigInputs = Readonly<Record<string, readonly string[]>>;

/** Facts about the scanned cluster that are not objects. */
export interface ClusterContext {
  /** `eks`, `aks`, `gke` or undefined when unknown / not a managed cluster. */
  cloudProvider?: string;
}

/** Read-only lookups over the objects a rule may read; built once per scan, shared by all rules. */
export interface ObjectIndex {
  /** Every object of the kind, in input order. */
  ofKind(kind: string): readonly K8sObject[];
  /**
   * Objects of the kind in a namespace, with Kubescape's namespace equality: a missing namespace
   * equals `default`.
   */
  inNamespace(kind: string, namespace: string | undefined): readonly K8sObject[];
  /** One object by kind, namespace (missing = `default`; ignored for cluster-scoped kinds) and name. */
  get(kind: string, namespace: string | undefined, name: string): K8sObject | undefined;
}

/** Everything one evaluation of a rule sees. */
export interface RuleInput {
  /** The objects of the rule's kinds (`match` + `dynamicMatch`), grouped by kind, each kind in input order. */
  objects: readonly K8sObject[];
  /** Subject vectors, only for rules with `aggregator: 'subject-role-rolebinding'` (then `objects` is empty). */
  subjects: readonly SubjectVector[];
  /** Lookups restricted to the rule's kinds (querying another kind throws: declare it in `kinds`). */
  index: ObjectIndex;
  /** The configuration inputs the rule declared (`configInputs`), defaults merged with overrides. */
  config: ConfigInputs;
  cluster: ClusterContext;
}

export interface RuleDefinition {
  /** Kubescape rule name, e.g. `immutable-container-filesystem` (appears in stored results). */
  name: string;
  /** Kinds from the rule's `match` (Kubernetes kinds). */
  match: readonly KindMatch[];
  /** Kinds from the rule's `dynamicMatch` (host-sensor / cloud / synthetic kinds). */
  dynamicMatch?: readonly KindMatch[];
  /** Keys of `settings.postureControlInputs` the rule reads. */
  configInputs?: readonly string[];
  /** Needs node data from the host sensor / node-agent. */
  hostSensor?: boolean;
  /** Cloud providers the rule is relevant for (`EKS`, `AKS`, `GKE`). */
  cloudProviders?: readonly string[];
  /**
   * `subject-role-rolebinding`: the rule receives subject vectors instead of objects.
   * `apiserver-pod`: the rule receives only the first kube-system Pod whose name contains
   * `apiserver` / `api-server`.
   */
  aggregator?: 'subject-role-rolebinding' | 'apiserver-pod';
  /**
   * Data beyond objects that the scan must provide for the rule to be meaningful (e.g. image
   * signatures from the registry). Without it the engine reports the rule's controls skipped
   * with this text as the reason instead of evaluating the rule.
   */
  requiresData?: string;
  evaluate(input: RuleInput): Violation[];
}
