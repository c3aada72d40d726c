import type { K8sObject, ObjectIndex, SubjectVector } from './model.ts';
import { nameOf, namespaceOf, resourceIdOf } from './objects.ts';

export const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'] as const;

interface RawSubject {
  kind?: string;
  name?: string;
  namespace?: string;
  apiGroup?: string;
}

/**
 * Kubescape's subject-role-rolebinding aggregation: one vector per (binding subject, role the
 * binding refers to). A binding matches a role by roleRef kind and name; a Role is looked up in the
 * binding's namespace (as Kubernetes resolves it; Kubescape compares names only, which pairs
 * same-named Roles of every namespace and grows quadratically with namespaces). Linear in the
 * number of bindings: roles are looked up by kind, namespace and name.
 */
export function buildSubjectVectors(index: Pick<ObjectIndex, 'ofKind'>): SubjectVector[] {
  const rolesByRef = new Map<string, K8sObject[]>();
  for (const kind of ['Role', 'ClusterRole']) {
    for (const role of index.ofKind(kind)) {
      const key = roleKey(kind, kind === 'Role' ? namespaceOf(role) : undefined, nameOf(role));
      const list = rolesByRef.get(key);
      if (list) list.push(role);
      else rolesByRef.set(key, [role]);
    }
  }
  const vectors: SubjectVector[] = [];
  for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
    for (const binding of index.ofKind(kind)) {
      const roleRef = binding.roleRef as { kind?: string; name?: string } | undefined;
      const refKind = roleRef?.kind ?? '';
      const roles = rolesByRef.get(
        roleKey(refKind, refKind === 'Role' ? namespaceOf(binding) : undefined, roleRef?.name ?? ''),
      );
      const subjects = binding.subjects;
      if (!roles || !Array.isArray(subjects)) continue;
      for (const role of roles) {
        for (const raw of subjects as RawSubject[]) {
          if (!raw || typeof raw !== 'object') continue;
          const vector: SubjectVector = {
            kind: raw.kind ?? '',
            name: raw.name ?? '',
            relatedObjects: [binding, role],
          };
          if (raw.namespace !== undefined) vector.namespace = raw.namespace;
          if (raw.apiGroup !== undefined) vector.apiGroup = raw.apiGroup;
          vectors.push(vector);
        }
      }
    }
  }
  return vectors;
}

function roleKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${kind === 'Role' ? namespace || 'default' : ''}\u0000${name}`;
}

/** Resource ID of a vector: the related objects' IDs and the subject's own ID, sorted, `/`-joined. */
export function subjectVectorId(vector: SubjectVector): string {
  const own = `${vector.apiGroup ?? ''}/${vector.namespace ?? ''}/${vector.kind}/${vector.name}`;
  return [...vector.relatedObjects.map(resourceIdOf), own].sort().join('/');
}

export function isSubjectVector(value: unknown): value is SubjectVector {
  const related = (value as { relatedObjects?: unknown } | undefined)?.relatedObjects;
  return (
    Array.isArray(related) && related.length === 2 && typeof (value as { kind?: unknown }).kind === 'string'
  );
}
