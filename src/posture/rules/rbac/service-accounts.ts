/**
 * Workload ↔ service account ↔ binding joins, built once per evaluation so each workload is resolved
 * by map lookups (linear in the number of objects, not workloads × bindings).
 */
import type { K8sObject, KindMatch } from '../../model.ts';
import { nameOf } from '../../objects.ts';
import { asRecord, entriesOf, type Loose } from './grants.ts';

/** Where the pod spec lives per workload kind (the library's paths). */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export const WORKLOAD_MATCH: readonly KindMatch[] = [
  { group: '', kinds: ['Pod', 'ServiceAccount'] },
  { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
  { group: 'batch', kinds: ['Job', 'CronJob'] },
];

export const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'] as const;
export const ROLE_KINDS = ['Role', 'ClusterRole'] as const;

export interface WorkloadPodSpec {
  /** The pod spec; empty when the workload has none (the library reads a missing spec as empty). */
  spec: Loose;
  /** Report path of the pod spec, e.g. `spec.template.spec`. */
  path: string;
}

/** The pod spec of a workload kind, undefined for other kinds. */
export function workloadPodSpec(obj: K8sObject): WorkloadPodSpec | undefined {
  const segments = POD_SPEC_PATHS[obj.kind];
  if (!segments) return undefined;
  let current: Loose | undefined = obj;
  for (const segment of segments) current = asRecord(current?.[segment]);
  return { spec: current ?? {}, path: segments.join('.') };
}

/**
 * Kubescape's namespace of an object: a missing or empty namespace is `default` (its rule tests and
 * file scans give such objects the default namespace).
 */
export function namespaceKey(namespace: unknown): string {
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

function key(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

/** Service accounts by namespace and name. */
export class ServiceAccountIndex {
  private readonly byKey = new Map<string, K8sObject[]>();

  constructor(serviceAccounts: readonly K8sObject[]) {
    for (const account of serviceAccounts) {
      const name = account.metadata?.name;
      if (typeof name !== 'string') continue;
      push(this.byKey, key(namespaceKey(account.metadata?.namespace), name), account);
    }
  }

  /**
   * The service accounts a workload runs as: `serviceAccountName`, or `default` when it is unset, in
   * the workload's namespace. A non-string name (null, number) names none, as in the library.
   */
  of(workload: K8sObject, spec: Loose): readonly K8sObject[] {
    const name = spec.serviceAccountName === undefined ? 'default' : spec.serviceAccountName;
    if (typeof name !== 'string') return [];
    return this.byKey.get(key(namespaceKey(workload.metadata?.namespace), name)) ?? [];
  }
}

/** How a workload gets its service account token: pod spec `true`, or unset and not disabled by the account. */
export type TokenMount = 'explicit' | 'by-default';

export function tokenMount(spec: Loose, serviceAccount: K8sObject): TokenMount | undefined {
  const podSetting = spec.automountServiceAccountToken;
  if (podSetting === true) return 'explicit';
  if (podSetting === false) return undefined;
  return serviceAccount.automountServiceAccountToken === false ? undefined : 'by-default';
}

/** A binding naming a service account, with the subject's index (its delete path). */
export interface ServiceAccountGrant {
  binding: K8sObject;
  subjectIndex: number;
}

/**
 * Bindings by the service accounts among their subjects (kind ServiceAccount, name and namespace as
 * written in the subject: a subject without a namespace names no account).
 */
export class ServiceAccountBindingIndex {
  private readonly byAccount = new Map<string, ServiceAccountGrant[]>();
  /** Some binding grants to every authenticated user or every service account. */
  readonly bindsAllServiceAccounts: boolean;

  constructor(bindings: readonly K8sObject[]) {
    let bindsAll = false;
    for (const binding of bindings) {
      entriesOf(binding.subjects).forEach((subject, subjectIndex) => {
        const raw = asRecord(subject);
        if (!raw) return;
        if (raw.name === 'system:authenticated' || raw.name === 'system:serviceaccounts') bindsAll = true;
        if (
          raw.kind !== 'ServiceAccount' ||
          typeof raw.name !== 'string' ||
          typeof raw.namespace !== 'string'
        ) {
          return;
        }
        push(this.byAccount, key(raw.namespace, raw.name), { binding, subjectIndex });
      });
    }
    this.bindsAllServiceAccounts = bindsAll;
  }

  /** The binding subjects naming this service account. */
  of(serviceAccount: K8sObject): readonly ServiceAccountGrant[] {
    return (
      this.byAccount.get(key(namespaceKey(serviceAccount.metadata?.namespace), nameOf(serviceAccount))) ?? []
    );
  }
}

/**
 * Roles passing a test, for resolving a binding's roleRef: ClusterRoles by name, Roles by namespace
 * and name. The library compares names only; a Role of another namespace is never what a RoleBinding
 * refers to, and keying by namespace keeps lookups constant when every namespace has a same-named Role.
 */
export class RoleIndex {
  private readonly clusterRoles = new Map<string, K8sObject[]>();
  private readonly namespacedRoles = new Map<string, K8sObject[]>();

  constructor(roles: readonly K8sObject[], keep: (role: K8sObject) => boolean) {
    for (const role of roles) {
      const name = role.metadata?.name;
      if (typeof name !== 'string' || !keep(role)) continue;
      if (role.kind === 'ClusterRole') {
        push(this.clusterRoles, name, role);
      } else if (role.kind === 'Role') {
        push(this.namespacedRoles, key(namespaceKey(role.metadata?.namespace), name), role);
      }
    }
  }

  /** Roles named by the binding's roleRef; of the roleRef's kind only when `matchKind`. */
  referencedBy(binding: K8sObject, matchKind: boolean): K8sObject[] {
    const roleRef = asRecord(binding.roleRef);
    if (typeof roleRef?.name !== 'string') return [];
    const found: K8sObject[] = [];
    if (!matchKind || roleRef.kind === 'ClusterRole') {
      found.push(...(this.clusterRoles.get(roleRef.name) ?? []));
    }
    if (!matchKind || roleRef.kind === 'Role') {
      const namespace = namespaceKey(binding.metadata?.namespace);
      found.push(...(this.namespacedRoles.get(key(namespace, roleRef.name)) ?? []));
    }
    return found;
  }
}

function push<V>(map: Map<string, V[]>, mapKey: string, value: V): void {
  const list = map.get(mapKey);
  if (list) list.push(value);
  else map.set(mapKey, [value]);
}
