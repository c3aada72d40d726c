/**
 * Shared RBAC matching for the rules of this folder: which role rules grant a permission (with the
 * report paths of the matching entries), which binding subjects are the subject of a vector, and a
 * factory for the many "subject can do X" rules over subject vectors.
 *
 * Every reader here is total: RBAC objects from files can have `rules`, `verbs` or `subjects` missing,
 * null or of the wrong type, and such entries simply match nothing.
 */
import type { K8sObject, KindMatch, RuleDefinition, SubjectVector, Violation } from '../../model.ts';
import { externalViolation } from '../../objects.ts';

export type Loose = Record<string, unknown>;

export function asRecord(value: unknown): Loose | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined;
}

/** The array at `value`, or no entries when it is missing or not an array. */
export function entriesOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The kinds the aggregated RBAC rules declare (the library's `match`). */
export const RBAC_MATCH: readonly KindMatch[] = [
  { group: 'rbac.authorization.k8s.io', kinds: ['Role', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding'] },
];

/** A permission: any listed verb on any listed resource of any listed API group (exact strings; `*` only where listed). */
export interface Grant {
  verbs: readonly string[];
  apiGroups: readonly string[];
  resources: readonly string[];
}

function matchingEntryPaths(list: unknown, wanted: readonly string[], path: string): string[] {
  const paths: string[] = [];
  entriesOf(list).forEach((entry, index) => {
    if (typeof entry === 'string' && wanted.includes(entry)) paths.push(`${path}[${index}]`);
  });
  return paths;
}

/**
 * Whether one role rule grants `grant`: at least one of its verbs, one of its apiGroups and one of its
 * resources are listed. Returns the paths of every matching entry in the library's order (resources,
 * verbs, apiGroups) under `rulePath`, or undefined when the rule does not grant it.
 */
export function grantPaths(rule: unknown, grant: Grant, rulePath: string): string[] | undefined {
  const record = asRecord(rule);
  if (!record) return undefined;
  const resources = matchingEntryPaths(record.resources, grant.resources, `${rulePath}.resources`);
  if (resources.length === 0) return undefined;
  const verbs = matchingEntryPaths(record.verbs, grant.verbs, `${rulePath}.verbs`);
  if (verbs.length === 0) return undefined;
  const apiGroups = matchingEntryPaths(record.apiGroups, grant.apiGroups, `${rulePath}.apiGroups`);
  if (apiGroups.length === 0) return undefined;
  return [...resources, ...verbs, ...apiGroups];
}

/** Whether any rule of a role grants `grant`. */
export function roleGrants(role: K8sObject, grant: Grant): boolean {
  return entriesOf(role.rules).some((rule) => grantPaths(rule, grant, '') !== undefined);
}

/** A role and a binding of a subject vector, with their indices in `relatedObjects` (used in paths). */
export interface VectorLink {
  role: K8sObject;
  roleIndex: number;
  binding: K8sObject;
  bindingIndex: number;
}

/**
 * The (role, binding) pairs of a vector. The library finds them by kind suffix rather than position,
 * so a malformed vector yields no pairs instead of misreading its objects.
 */
export function vectorLinks(vector: SubjectVector): VectorLink[] {
  const related = entriesOf(vector.relatedObjects);
  const links: VectorLink[] = [];
  related.forEach((role, roleIndex) => {
    const roleObject = asRecord(role) as K8sObject | undefined;
    if (typeof roleObject?.kind !== 'string' || !roleObject.kind.endsWith('Role')) return;
    related.forEach((binding, bindingIndex) => {
      const bindingObject = asRecord(binding) as K8sObject | undefined;
      if (typeof bindingObject?.kind !== 'string' || !bindingObject.kind.endsWith('Binding')) return;
      links.push({ role: roleObject, roleIndex, binding: bindingObject, bindingIndex });
    });
  });
  return links;
}

/** Both sides present and equal (the library compares with Rego equality, where a missing field never matches). */
function presentAndEqual(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && a === b;
}

/** Whether a binding subject is the vector's service account: same kind, name and namespace. */
export function isVectorServiceAccount(vector: SubjectVector, subject: unknown): boolean {
  const raw = asRecord(subject);
  return (
    raw !== undefined &&
    presentAndEqual(vector.kind, raw.kind) &&
    presentAndEqual(vector.name, raw.name) &&
    presentAndEqual(vector.namespace, raw.namespace)
  );
}

/**
 * Whether a binding subject is the vector's subject: same kind and name, and the same namespace
 * (service accounts) or the same apiGroup (users and groups).
 */
export function isVectorSubject(vector: SubjectVector, subject: unknown): boolean {
  if (isVectorServiceAccount(vector, subject)) return true;
  const raw = asRecord(subject);
  return (
    raw !== undefined &&
    presentAndEqual(vector.kind, raw.kind) &&
    presentAndEqual(vector.name, raw.name) &&
    presentAndEqual(vector.apiGroup, raw.apiGroup)
  );
}

/** Indices of the binding's subjects that are the vector's subject. */
export function vectorSubjectIndices(vector: SubjectVector, binding: K8sObject): number[] {
  const indices: number[] = [];
  entriesOf(binding.subjects).forEach((subject, index) => {
    if (isVectorSubject(vector, subject)) indices.push(index);
  });
  return indices;
}

/** One permission check of a grant rule; a rule may make several (bind and escalate). */
export interface GrantCheck {
  grant: Grant;
  /** What the subject can do, completing `Subject: <kind>-<name> ...`. */
  can: string;
  /** Restricts which role rules count (e.g. by `resourceNames`). */
  ruleApplies?: (rule: Loose) => boolean;
  /** Restricts which role/binding pairs count (e.g. only the cluster-admin ClusterRole). */
  linkApplies?: (link: VectorLink) => boolean;
}

export interface GrantRuleSpec {
  name: string;
  match?: readonly KindMatch[];
  checks: readonly GrantCheck[];
  alertScore: number;
  /** The library reports the paths as review paths for most rules, as delete paths for cluster-admin. */
  pathsAs: 'review' | 'delete';
}

/**
 * Violations of one check: one per (vector, role/binding pair, granting role rule, binding subject that
 * is the vector's subject). Paths: the matching rule entries, the subject and the binding's roleRef.name.
 */
export function grantViolations(
  vectors: readonly SubjectVector[],
  check: GrantCheck,
  alertScore: number,
  pathsAs: 'review' | 'delete',
): Violation[] {
  const violations: Violation[] = [];
  for (const vector of vectors) {
    for (const link of vectorLinks(vector)) {
      if (check.linkApplies && !check.linkApplies(link)) continue;
      const subjectIndices = vectorSubjectIndices(vector, link.binding);
      if (subjectIndices.length === 0) continue;
      entriesOf(link.role.rules).forEach((rule, ruleIndex) => {
        const record = asRecord(rule);
        if (!record || (check.ruleApplies && !check.ruleApplies(record))) return;
        const matched = grantPaths(
          record,
          check.grant,
          `relatedObjects[${link.roleIndex}].rules[${ruleIndex}]`,
        );
        if (!matched) return;
        for (const subjectIndex of subjectIndices) {
          const paths = [
            ...matched,
            `relatedObjects[${link.bindingIndex}].subjects[${subjectIndex}]`,
            `relatedObjects[${link.bindingIndex}].roleRef.name`,
          ];
          violations.push(
            externalViolation(vector, {
              alertMessage: `Subject: ${vector.kind}-${vector.name} ${check.can}`,
              alertScore,
              failedPaths: paths,
              ...(pathsAs === 'review' ? { reviewPaths: [...paths] } : { deletePaths: [...paths] }),
            }),
          );
        }
      });
    }
  }
  return violations;
}

/** A "subject can do X" rule over subject vectors. */
export function grantRule(spec: GrantRuleSpec): RuleDefinition {
  return {
    name: spec.name,
    match: spec.match ?? RBAC_MATCH,
    aggregator: 'subject-role-rolebinding',
    evaluate: ({ subjects }) =>
      spec.checks.flatMap((check) => grantViolations(subjects, check, spec.alertScore, spec.pathsAs)),
  };
}
