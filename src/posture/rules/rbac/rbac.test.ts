// Hand-written edge cases for the RBAC rules: path order of grants, subject matching, the rules'
// special joins, and totality on malformed RBAC objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EvaluationContext, runRule } from '../../evaluate.ts';
import type { K8sObject, SubjectVector, Violation } from '../../model.ts';
import { grantPaths } from './grants.ts';
import { rules } from './index.ts';

function run(ruleName: string, objects: K8sObject[]): Violation[] {
  const rule = rules.find((candidate) => candidate.name === ruleName);
  assert.ok(rule, `rule ${ruleName}`);
  return runRule(rule, new EvaluationContext(objects, {})).violations;
}

const RBAC = 'rbac.authorization.k8s.io/v1';

function clusterRole(name: string, roleRules: unknown): K8sObject {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name }, rules: roleRules };
}

function role(name: string, namespace: string, roleRules: unknown): K8sObject {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules: roleRules };
}

function binding(
  kind: string,
  name: string,
  roleRef: unknown,
  subjects: unknown,
  namespace?: string,
): K8sObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: namespace ? { name, namespace } : { name },
    roleRef,
    subjects,
  };
}

const user = (name: string) => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
const group = (name: string) => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
const serviceAccount = (name: string, namespace: string) => ({ kind: 'ServiceAccount', name, namespace });
const clusterRoleRef = (name: string) => ({
  apiGroup: 'rbac.authorization.k8s.io',
  kind: 'ClusterRole',
  name,
});
const roleRef = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });

function subjectOf(found: Violation): string {
  const vector = found.alertObject.externalObjects as SubjectVector;
  return `${vector.kind}/${vector.name}`;
}

test('grantPaths lists resources, verbs, then apiGroups, every matching entry', () => {
  const rule = {
    apiGroups: ['apps', ''],
    resources: ['pods', 'secrets', '*'],
    verbs: ['get', 'create', '*'],
  };
  assert.deepEqual(
    grantPaths(rule, { verbs: ['create', '*'], apiGroups: ['', '*'], resources: ['pods', '*'] }, 'r'),
    ['r.resources[0]', 'r.resources[2]', 'r.verbs[1]', 'r.verbs[2]', 'r.apiGroups[1]'],
  );
});

test('grantPaths needs a match in every dimension and tolerates malformed rules', () => {
  const grant = { verbs: ['create'], apiGroups: [''], resources: ['pods'] };
  assert.equal(
    grantPaths({ apiGroups: ['apps'], resources: ['pods'], verbs: ['create'] }, grant, 'r'),
    undefined,
  );
  assert.equal(grantPaths({ apiGroups: [''], resources: ['pods'] }, grant, 'r'), undefined);
  assert.equal(grantPaths({ apiGroups: [''], resources: ['pods'], verbs: 'create' }, grant, 'r'), undefined);
  assert.equal(grantPaths({ apiGroups: [''], resources: ['pods'], verbs: [null, 7] }, grant, 'r'), undefined);
  assert.equal(grantPaths(null, grant, 'r'), undefined);
  assert.equal(grantPaths(['pods'], grant, 'r'), undefined);
});

test('a grant rule reports each subject of a shared binding with its own subject index', () => {
  const found = run('rule-can-create-pod', [
    clusterRole('pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]),
    binding('ClusterRoleBinding', 'b', clusterRoleRef('pods'), [group('a'), group('b')]),
  ]);
  assert.deepEqual(
    found.map((v) => [subjectOf(v), v.failedPaths.at(-2)]),
    [
      ['Group/a', 'relatedObjects[0].subjects[0]'],
      ['Group/b', 'relatedObjects[0].subjects[1]'],
    ],
  );
  assert.deepEqual(found[0]?.reviewPaths, found[0]?.failedPaths);
  assert.deepEqual(found[0]?.deletePaths, []);
});

test('a subject with neither namespace nor apiGroup is never the vector subject (as in the library)', () => {
  const found = run('rule-can-list-get-secrets-v1', [
    clusterRole('secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
    binding('ClusterRoleBinding', 'b', clusterRoleRef('secrets'), [{ kind: 'User', name: 'bare' }]),
  ]);
  assert.deepEqual(found, []);
});

test('each granting role rule is a separate finding', () => {
  const found = run('rule-can-list-get-secrets-v1', [
    role('r', 'ns', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      { apiGroups: ['*'], resources: ['secrets'], verbs: ['list'] },
      { apiGroups: [''], resources: ['*'], verbs: ['watch', '*'] },
    ]),
    binding('RoleBinding', 'b', roleRef('r'), [serviceAccount('sa', 'ns')], 'ns'),
  ]);
  assert.deepEqual(
    found.map((v) => v.failedPaths),
    [
      [
        'relatedObjects[1].rules[1].resources[0]',
        'relatedObjects[1].rules[1].verbs[0]',
        'relatedObjects[1].rules[1].apiGroups[0]',
        'relatedObjects[0].subjects[0]',
        'relatedObjects[0].roleRef.name',
      ],
      [
        'relatedObjects[1].rules[2].resources[0]',
        'relatedObjects[1].rules[2].verbs[0]',
        'relatedObjects[1].rules[2].verbs[1]',
        'relatedObjects[1].rules[2].apiGroups[0]',
        'relatedObjects[0].subjects[0]',
        'relatedObjects[0].roleRef.name',
      ],
    ],
  );
});

test('bind and escalate are separate findings with their own messages', () => {
  const found = run('rule-can-bind-escalate', [
    clusterRole('rbac', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['*'] }]),
    binding('ClusterRoleBinding', 'b', clusterRoleRef('rbac'), [user('jane')]),
  ]);
  assert.deepEqual(
    found.map((v) => v.alertMessage),
    ['Subject: User-jane can bind roles/clusterroles', 'Subject: User-jane can escalate roles/clusterroles'],
  );
});

test('coredns configmap updates count only without resourceNames or when they name coredns', () => {
  const withNames = (resourceNames: unknown) =>
    run('rule-can-update-configmap-v1', [
      clusterRole('cm', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['patch'], resourceNames }]),
      binding('ClusterRoleBinding', 'b', clusterRoleRef('cm'), [user('jane')]),
    ]).length;
  assert.equal(withNames(undefined), 1);
  assert.equal(withNames(['kube-proxy', 'coredns']), 1);
  assert.equal(withNames(['kube-proxy']), 0);
  assert.equal(withNames('coredns'), 0);
});

test('cluster-admin-role needs the cluster-admin ClusterRole bound by a ClusterRoleBinding', () => {
  const admin = clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
  const viaRoleBinding = run('cluster-admin-role', [
    admin,
    binding('RoleBinding', 'b', clusterRoleRef('cluster-admin'), [user('jane')], 'ns'),
  ]);
  assert.deepEqual(viaRoleBinding, []);
  const [found, ...rest] = run('cluster-admin-role', [
    admin,
    binding('ClusterRoleBinding', 'b', clusterRoleRef('cluster-admin'), [user('jane')]),
  ]);
  assert.equal(rest.length, 0);
  assert.ok(found);
  assert.deepEqual(found.deletePaths, found.failedPaths);
  assert.deepEqual(found.reviewPaths, []);
  // Any other role with the same rules is the list-all-cluster-admins rule's concern, not this one's.
  assert.deepEqual(
    run('cluster-admin-role', [
      clusterRole('admin-like', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      binding('ClusterRoleBinding', 'b', clusterRoleRef('admin-like'), [user('jane')]),
    ]),
    [],
  );
});

test('dashboard rule reports every subject entry of the binding, except for the dashboard account', () => {
  const found = run('rule-access-dashboard-subject-v1', [
    clusterRole('kubernetes-dashboard', []),
    binding('ClusterRoleBinding', 'b', clusterRoleRef('kubernetes-dashboard'), [
      serviceAccount('kubernetes-dashboard', 'kubernetes-dashboard'),
      user('jane'),
    ]),
  ]);
  assert.deepEqual(
    found.map((v) => [subjectOf(v), v.failedPaths[0]]),
    [
      ['User/jane', 'relatedObjects[0].subjects[0]'],
      ['User/jane', 'relatedObjects[0].subjects[1]'],
    ],
  );
});

test('access-container-service-account reports service accounts only', () => {
  const found = run('access-container-service-account-v1', [
    role('r', 'default', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]),
    binding(
      'RoleBinding',
      'b',
      roleRef('r'),
      [user('jane'), serviceAccount('default', 'default')],
      'default',
    ),
  ]);
  assert.deepEqual(found.map(subjectOf), ['ServiceAccount/default']);
  assert.deepEqual(found[0]?.failedPaths, []);
});

test('system:authenticated bound to a role reaching pods fails with the library paths', () => {
  const viewer = clusterRole('system:viewer', [
    { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get'] },
  ]);
  const found = run('system-authenticated-allowed-to-take-over-cluster', [
    binding('ClusterRoleBinding', 'system:viewer', clusterRoleRef('system:viewer'), [
      user('jane'),
      group('system:authenticated'),
    ]),
    viewer,
  ]);
  assert.deepEqual(
    found.map((v) => [subjectOf(v), v.failedPaths]),
    [['Group/system:authenticated', ['', 'relatedObjects[0].subjects[1]', 'relatedObjects[1].roleRef.name']]],
  );
  // This rule joins strictly: a RoleBinding to a ClusterRole, or a roleRef apiGroup not prefixing the
  // role's apiVersion, does not count.
  assert.deepEqual(
    run('system-authenticated-allowed-to-take-over-cluster', [
      binding('RoleBinding', 'rb', clusterRoleRef('system:viewer'), [group('system:authenticated')], 'ns'),
      viewer,
    ]),
    [],
  );
  assert.deepEqual(
    run('system-authenticated-allowed-to-take-over-cluster', [
      binding('ClusterRoleBinding', 'crb', { ...clusterRoleRef('system:viewer'), apiGroup: 'other.io' }, [
        group('system:authenticated'),
      ]),
      viewer,
    ]),
    [],
  );
});

test('malformed RBAC objects never throw', () => {
  const malformed: K8sObject[] = [
    { kind: 'ClusterRole', metadata: { name: 'a' }, rules: 'everything' },
    { kind: 'ClusterRole', metadata: { name: 'b' }, rules: [null, 3, { verbs: null, resources: {} }] },
    { kind: 'ClusterRole', metadata: { name: 'cluster-admin' } },
    { kind: 'Role', rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    { kind: 'ClusterRoleBinding', metadata: { name: 'c' }, roleRef: clusterRoleRef('a'), subjects: null },
    {
      kind: 'ClusterRoleBinding',
      metadata: { name: 'd' },
      roleRef: clusterRoleRef('b'),
      subjects: [null, 'x', 7],
    },
    { kind: 'ClusterRoleBinding', metadata: { name: 'e' }, roleRef: null, subjects: [user('jane')] },
    {
      kind: 'ClusterRoleBinding',
      metadata: { name: 'f' },
      roleRef: clusterRoleRef('cluster-admin'),
      subjects: {},
    },
    { kind: 'RoleBinding', roleRef: { kind: 'Role' }, subjects: [{ kind: 'ServiceAccount' }] },
    { kind: 'ServiceAccount', metadata: {} },
    { kind: 'ServiceAccount' },
    { kind: 'Pod', metadata: { name: 'p' }, spec: null },
    { kind: 'Deployment', metadata: { name: 'd' }, spec: { template: 'x' } },
    { kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: [] } } } } },
  ];
  for (const rule of rules) {
    assert.doesNotThrow(() => run(rule.name, malformed), rule.name);
  }
});

// ---- workload ↔ service account ↔ binding rules ----------------------------------------------------

function pod(name: string, spec: Record<string, unknown>, namespace?: string): K8sObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: namespace ? { name, namespace } : { name }, spec };
}

function account(name: string, namespace: string | undefined, automount?: boolean): K8sObject {
  const obj: K8sObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } };
  if (namespace && obj.metadata) obj.metadata.namespace = namespace;
  if (automount !== undefined) obj.automountServiceAccountToken = automount;
  return obj;
}

test('serviceaccount-token-mount: failed path when explicit, fix path when mounted by default', () => {
  const bound = binding('RoleBinding', 'b', roleRef('r'), [serviceAccount('default', 'default')], 'default');
  const explicit = run('serviceaccount-token-mount', [
    pod('p', { automountServiceAccountToken: true }, 'default'),
    account('default', 'default', false),
    bound,
  ]);
  assert.deepEqual(
    explicit.map((v) => [v.failedPaths, v.fixPaths]),
    [[['spec.automountServiceAccountToken'], []]],
  );
  const byDefault = run('serviceaccount-token-mount', [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: { jobTemplate: { spec: { template: { spec: {} } } } },
    },
    account('default', undefined),
    bound,
  ]);
  assert.deepEqual(
    byDefault.map((v) => [v.failedPaths, v.fixPaths]),
    [[[], [{ path: 'spec.jobTemplate.spec.template.spec.automountServiceAccountToken', value: 'false' }]]],
  );
});

test('serviceaccount-token-mount: passes when the token is off or the account has no binding', () => {
  const bound = binding('RoleBinding', 'b', roleRef('r'), [serviceAccount('builder', 'ci')], 'ci');
  const spec = { serviceAccountName: 'builder' };
  assert.deepEqual(
    run('serviceaccount-token-mount', [pod('p', spec, 'ci'), account('builder', 'ci', false), bound]),
    [],
  );
  assert.deepEqual(
    run('serviceaccount-token-mount', [
      pod('p', { ...spec, automountServiceAccountToken: false }, 'ci'),
      account('builder', 'ci'),
      bound,
    ]),
    [],
  );
  assert.deepEqual(run('serviceaccount-token-mount', [pod('p', spec, 'ci'), account('builder', 'ci')]), []);
  // Bound in another namespace only.
  assert.deepEqual(
    run('serviceaccount-token-mount', [pod('p', spec, 'other'), account('builder', 'other'), bound]),
    [],
  );
  // Any binding to all service accounts counts for every account.
  const everyone = binding('ClusterRoleBinding', 'all', clusterRoleRef('view'), [
    group('system:serviceaccounts'),
  ]);
  assert.equal(
    run('serviceaccount-token-mount', [pod('p', spec, 'ci'), account('builder', 'ci'), everyone]).length,
    1,
  );
});

const adminRole = clusterRole('admin-like', [{ apiGroups: [''], resources: ['*'], verbs: ['*'] }]);

test('workload-with-administrative-roles joins workload, account, binding subject and role', () => {
  const deployment: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { spec: { serviceAccountName: 'web' } } },
  };
  const found = run('workload-with-administrative-roles', [
    deployment,
    account('web', 'shop'),
    adminRole,
    // roleRef kind is not compared by this rule.
    binding(
      'RoleBinding',
      'b',
      { kind: 'Role', name: 'admin-like' },
      [user('x'), serviceAccount('web', 'shop')],
      'shop',
    ),
  ]);
  assert.equal(found.length, 1);
  const related = (
    found[0] as Violation & { relatedObjects?: { object: K8sObject; deletePaths?: string[] }[] }
  ).relatedObjects;
  assert.deepEqual(
    related?.map((r) => [r.object.kind, r.deletePaths]),
    [
      ['ServiceAccount', undefined],
      ['RoleBinding', ['subjects[1]']],
      ['ClusterRole', undefined],
    ],
  );
  assert.equal(
    found[0]?.alertMessage,
    'Deployment: web in the following namespace: shop has administrative roles',
  );
});

test('workload-with-cluster-takeover-roles compares roleRef kind and needs a takeover grant', () => {
  const objects = (ref: unknown, roleRules: unknown): K8sObject[] => [
    pod('p', {}, 'default'),
    account('default', 'default'),
    clusterRole('r', roleRules),
    binding('ClusterRoleBinding', 'b', ref, [serviceAccount('default', 'default')]),
  ];
  const secrets = [{ apiGroups: [''], resources: ['secrets'], verbs: ['watch'] }];
  assert.equal(run('workload-with-cluster-takeover-roles', objects(clusterRoleRef('r'), secrets)).length, 1);
  assert.equal(run('workload-with-cluster-takeover-roles', objects(roleRef('r'), secrets)).length, 0);
  const readOnlyPods = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }];
  assert.equal(
    run('workload-with-cluster-takeover-roles', objects(clusterRoleRef('r'), readOnlyPods)).length,
    0,
  );
  // A workload without a namespace is in `default`.
  const noNamespace = objects(clusterRoleRef('r'), secrets).map((obj) =>
    obj.kind === 'Pod' ? pod('p', {}) : obj,
  );
  assert.equal(run('workload-with-cluster-takeover-roles', noNamespace).length, 1);
});

test('a RoleBinding refers to the Role of its own namespace only', () => {
  const objects = (roleNamespace: string): K8sObject[] => [
    pod('p', {}, 'team'),
    account('default', 'team'),
    role('edit', roleNamespace, [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]),
    binding('RoleBinding', 'b', roleRef('edit'), [serviceAccount('default', 'team')], 'team'),
  ];
  assert.equal(run('workload-with-cluster-takeover-roles', objects('team')).length, 1);
  assert.equal(run('workload-with-cluster-takeover-roles', objects('other')).length, 0);
});

test('workload joins stay linear: many workloads, accounts and bindings', () => {
  const objects: K8sObject[] = [adminRole];
  const count = 5000;
  for (let i = 0; i < count; i++) {
    const namespace = `ns${i % 50}`;
    objects.push(pod(`p${i}`, { serviceAccountName: `sa${i}` }, namespace));
    objects.push(account(`sa${i}`, namespace));
    objects.push(
      binding(
        'RoleBinding',
        `b${i}`,
        clusterRoleRef('admin-like'),
        [serviceAccount(`sa${i}`, namespace)],
        namespace,
      ),
    );
  }
  const started = performance.now();
  assert.equal(run('workload-with-administrative-roles', objects).length, count);
  assert.equal(run('serviceaccount-token-mount', objects).length, count);
  assert.ok(performance.now() - started < 5000);
});
