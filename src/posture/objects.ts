import type { K8sObject, ObjectIndex, Violation, FixPath, AlertObject } from './model.ts';

/** Kinds whose objects have no namespace (so lookups ignore the namespace argument). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'PodSecurityPolicy',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CSIDriver',
  'CSINode',
  'CertificateSigningRequest',
  'CiliumClusterwideNetworkPolicy',
  'GatewayClass',
]);

export const HOST_DATA_GROUP = 'hostdata.kubescape.cloud';

export function nameOf(obj: { metadata?: { name?: string } } | undefined): string {
  return obj?.metadata?.name ?? '';
}

export function namespaceOf(obj: { metadata?: { namespace?: string } } | undefined): string | undefined {
  return obj?.metadata?.namespace || undefined;
}

/** Kubescape's namespace equality: equal, or a missing namespace on either side standing for `default`. */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return (a || 'default') === (b || 'default');
}

export function isClusterScoped(obj: K8sObject): boolean {
  return CLUSTER_SCOPED_KINDS.has(obj.kind);
}

export function isHostDataObject(obj: K8sObject): boolean {
  return (obj.apiVersion ?? '').startsWith(HOST_DATA_GROUP + '/');
}

/** `group/version` split; the core group is empty. */
export function splitApiVersion(apiVersion: string | undefined): { group: string; version: string } {
  const value = apiVersion ?? '';
  const slash = value.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: value }
    : { group: value.slice(0, slash), version: value.slice(slash + 1) };
}

/**
 * Kubescape's resource ID: `<group>/<version>/<namespace>/<Kind>/<name>` (core group empty,
 * cluster-scoped objects with an empty namespace); host-sensor objects `<apiVersion>/<Kind>/<name>`.
 */
export function resourceIdOf(obj: K8sObject): string {
  if (isHostDataObject(obj)) return `${obj.apiVersion}/${obj.kind}/${nameOf(obj)}`;
  const { group, version } = splitApiVersion(obj.apiVersion);
  return `${group}/${version}/${namespaceOf(obj) ?? ''}/${obj.kind}/${nameOf(obj)}`;
}

function namespaceKey(kind: string, namespace: string | undefined): string {
  return CLUSTER_SCOPED_KINDS.has(kind) ? '' : namespace || 'default';
}

const EMPTY: readonly K8sObject[] = Object.freeze([]);

/** Builds the shared lookup index over all objects of a scan (one pass, O(n)). */
export class ObjectStore implements ObjectIndex {
  private readonly byKind = new Map<string, K8sObject[]>();
  private readonly byKindNamespace = new Map<string, K8sObject[]>();
  private readonly byKey = new Map<string, K8sObject>();

  constructor(objects: Iterable<K8sObject>) {
    for (const obj of objects) this.add(obj);
  }

  private add(obj: K8sObject): void {
    const kind = obj.kind;
    push(this.byKind, kind, obj);
    const ns = namespaceKey(kind, namespaceOf(obj));
    push(this.byKindNamespace, `${kind}\u0000${ns}`, obj);
    const key = `${kind}\u0000${ns}\u0000${nameOf(obj)}`;
    if (!this.byKey.has(key)) this.byKey.set(key, obj);
  }

  kinds(): IterableIterator<string> {
    return this.byKind.keys();
  }

  ofKind(kind: string): readonly K8sObject[] {
    return this.byKind.get(kind) ?? EMPTY;
  }

  inNamespace(kind: string, namespace: string | undefined): readonly K8sObject[] {
    return this.byKindNamespace.get(`${kind}\u0000${namespaceKey(kind, namespace)}`) ?? EMPTY;
  }

  get(kind: string, namespace: string | undefined, name: string): K8sObject | undefined {
    return this.byKey.get(`${kind}\u0000${namespaceKey(kind, namespace)}\u0000${name}`);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A view of an index that only answers for declared kinds, so a rule cannot read undeclared input. */
export function restrictIndex(index: ObjectIndex, kinds: ReadonlySet<string>, ruleName: string): ObjectIndex {
  const check = (kind: string): void => {
    if (!kinds.has(kind)) {
      throw new Error(`rule ${ruleName} reads kind ${kind} that it does not declare in match/dynamicMatch`);
    }
  };
  return {
    ofKind(kind) {
      check(kind);
      return index.ofKind(kind);
    },
    inNamespace(kind, namespace) {
      check(kind);
      return index.inNamespace(kind, namespace);
    },
    get(kind, namespace, name) {
      check(kind);
      return index.get(kind, namespace, name);
    },
  };
}

export interface ViolationFields {
  alertMessage: string;
  failedPaths?: string[];
  reviewPaths?: string[];
  deletePaths?: string[];
  fixPaths?: FixPath[];
  fixCommand?: string;
  alertScore?: number;
}

/** A violation naming Kubernetes objects (the common case). */
export function violation(objects: K8sObject | K8sObject[], fields: ViolationFields): Violation {
  return withDefaults({ k8sApiObjects: Array.isArray(objects) ? objects : [objects] }, fields);
}

/** A violation naming a synthetic object (subject vector, host-sensor or cloud object). */
export function externalViolation(
  external: NonNullable<AlertObject['externalObjects']>,
  fields: ViolationFields,
): Violation {
  return withDefaults({ externalObjects: external }, fields);
}

function withDefaults(alertObject: AlertObject, fields: ViolationFields): Violation {
  const result: Violation = {
    alertMessage: fields.alertMessage,
    alertObject,
    failedPaths: fields.failedPaths ?? [],
    reviewPaths: fields.reviewPaths ?? [],
    deletePaths: fields.deletePaths ?? [],
    fixPaths: fields.fixPaths ?? [],
  };
  if (fields.fixCommand !== undefined) result.fixCommand = fields.fixCommand;
  if (fields.alertScore !== undefined) result.alertScore = fields.alertScore;
  return result;
}
