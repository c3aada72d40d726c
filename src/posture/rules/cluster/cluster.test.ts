// Edge cases of the cluster-object rules: what fails, which paths and fixes are reported, and that
// malformed objects never make a rule throw.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { mergeConfigInputs } from '../../config.ts';
import { EvaluationContext, ruleKinds, runRule } from '../../evaluate.ts';
import type { ConfigInputs, K8sObject, Violation } from '../../model.ts';
import { compileGoPattern, decodeStrictBase64 } from './configmaps.ts';
import { rules } from './index.ts';
import { isVulnerableContainerd } from './nodes.ts';

function run(ruleName: string, objects: K8sObject[], config?: ConfigInputs): Violation[] {
  const rule = rules.find((candidate) => candidate.name === ruleName);
  assert.ok(rule, `rule ${ruleName} exists`);
  return runRule(rule, new EvaluationContext(objects, mergeConfigInputs(config))).violations;
}

/** `kind/name` of every failing object, sorted. */
function failing(violations: Violation[]): string[] {
  return violations
    .flatMap((v) => v.alertObject.k8sApiObjects ?? [])
    .map((o) => `${o.kind}/${o.metadata?.name ?? ''}`)
    .sort();
}

function obj(
  kind: string,
  name: string,
  namespace?: string,
  fields: Record<string, unknown> = {},
): K8sObject {
  const metadata: Record<string, unknown> = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  return { apiVersion: 'v1', kind, metadata, ...fields };
}

describe('totality', () => {
  // Every field a rule reads, replaced by values of the wrong type.
  const junkValues: unknown[] = [null, 7, 'text', true, [], [null, 3, 'x'], { a: null }];
  test('no rule throws on malformed objects of its kinds', () => {
    for (const rule of rules) {
      for (const kind of ruleKinds(rule)) {
        for (const junk of junkValues) {
          const objects: K8sObject[] = [
            { kind },
            { kind, metadata: junk as K8sObject['metadata'] },
            {
              kind,
              metadata: { name: 'x', namespace: 'default', labels: junk as Record<string, string> },
              spec: junk,
              specs: junk,
              data: junk,
              subjects: junk,
              webhooks: junk,
              status: { nodeInfo: junk },
              parameters: junk,
              provisioner: junk,
              automountServiceAccountToken: junk,
            },
            {
              kind,
              metadata: { name: 'kube-proxy', namespace: 'kube-system' },
              data: { 'config.conf': junk, pwd: junk },
              spec: {
                rules: [junk, { http: { paths: [junk, { backend: junk }] }, backendRefs: [junk] }],
                defaultBackend: junk,
                endpointSelector: junk,
                runAsUser: { rule: 'MustRunAs', ranges: junk },
                storageClassName: junk,
              },
              subjects: [junk],
              webhooks: [{ rules: [junk] }],
              status: { nodeInfo: { containerRuntimeVersion: junk, kubeletVersion: junk } },
            },
          ];
          assert.doesNotThrow(
            () => run(rule.name, objects),
            `${rule.name} on ${kind} with ${JSON.stringify(junk)}`,
          );
        }
      }
    }
  });
});

describe('<kind>-in-default-namespace', () => {
  test('explicit default fails, a missing namespace gets a fix, other namespaces pass', () => {
    const found = run('configmap-in-default-namespace', [
      obj('ConfigMap', 'in-default', 'default'),
      obj('ConfigMap', 'no-namespace'),
      obj('ConfigMap', 'elsewhere', 'apps'),
    ]);
    assert.deepEqual(failing(found), ['ConfigMap/in-default', 'ConfigMap/no-namespace']);
    const explicit = found.find((v) => v.alertObject.k8sApiObjects?.[0]?.metadata?.name === 'in-default');
    assert.deepEqual(explicit?.failedPaths, ['metadata.namespace']);
    assert.deepEqual(explicit?.reviewPaths, ['metadata.namespace']);
    assert.deepEqual(explicit?.fixPaths, []);
    const missing = found.find((v) => v.alertObject.k8sApiObjects?.[0]?.metadata?.name === 'no-namespace');
    assert.deepEqual(missing?.failedPaths, []);
    assert.deepEqual(missing?.fixPaths, [{ path: 'metadata.namespace', value: 'YOUR_NAMESPACE' }]);
  });

  test('the API server discovery Service and Endpoints are exempt only in an explicit default', () => {
    assert.deepEqual(run('service-in-default-namespace', [obj('Service', 'kubernetes', 'default')]), []);
    assert.deepEqual(run('endpoints-in-default-namespace', [obj('Endpoints', 'kubernetes', 'default')]), []);
    assert.deepEqual(failing(run('service-in-default-namespace', [obj('Service', 'kubernetes')])), [
      'Service/kubernetes',
    ]);
    // The exemption is for those two kinds only.
    assert.deepEqual(
      failing(run('configmap-in-default-namespace', [obj('ConfigMap', 'kubernetes', 'default')])),
      ['ConfigMap/kubernetes'],
    );
  });

  test('the kubernetes EndpointSlice is exempt; look-alikes carrying its label are not', () => {
    const label = { 'kubernetes.io/service-name': 'kubernetes' };
    const slice = (name: string, labels: Record<string, string>): K8sObject => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: 'default', labels },
    });
    const found = run('endpointslice-in-default-namespace', [
      slice('kubernetes', label),
      slice('kubernetes-spoof', label),
      slice('kubernetes', {}),
    ]);
    assert.deepEqual(failing(found), ['EndpointSlice/kubernetes', 'EndpointSlice/kubernetes-spoof']);
  });
});

describe('pod security admission', () => {
  const namespace = (name: string, labels?: Record<string, string>): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: labels ? { name, labels } : { name },
  });
  const webhook = (kind: string, scope: unknown): K8sObject => ({
    kind,
    metadata: { name: 'hook' },
    webhooks: [{ rules: [scope === undefined ? {} : { scope }] }],
  });

  test('any enforce label counts; a namespaced webhook means an external policy engine', () => {
    const namespaces = [
      namespace('bare'),
      namespace('versioned', { 'pod-security.kubernetes.io/enforce-version': 'v1.30' }),
    ];
    const found = run('pod-security-admission-applied-1', [
      ...namespaces,
      webhook('ValidatingWebhookConfiguration', 'Cluster'),
    ]);
    assert.deepEqual(failing(found), ['Namespace/bare']);
    assert.deepEqual(found[0]?.fixPaths, [
      { path: 'metadata.labels[pod-security.kubernetes.io/enforce]', value: 'YOUR_VALUE' },
    ]);
    assert.deepEqual(
      run('pod-security-admission-applied-2', [...namespaces, webhook('MutatingWebhookConfiguration', '*')]),
      [],
    );
    // An unset scope is not read as a policy engine; nor is a webhook of the other kind.
    assert.equal(
      run('pod-security-admission-applied-2', [
        ...namespaces,
        webhook('MutatingWebhookConfiguration', undefined),
      ]).length,
      1,
    );
    assert.equal(
      run('pod-security-admission-applied-2', [...namespaces, webhook('ValidatingWebhookConfiguration', '*')])
        .length,
      1,
    );
  });

  test('baseline accepts baseline and restricted; restricted only restricted', () => {
    const enforce = (level: string): K8sObject =>
      namespace(level, { 'pod-security.kubernetes.io/enforce': level });
    const namespaces = [enforce('privileged'), enforce('baseline'), enforce('restricted'), namespace('none')];
    const baseline = run('pod-security-admission-baseline-applied-2', namespaces);
    assert.deepEqual(failing(baseline), ['Namespace/none', 'Namespace/privileged']);
    assert.equal(baseline[0]?.fixPaths[0]?.value, 'baseline');
    const restricted = run('pod-security-admission-restricted-applied-1', namespaces);
    assert.deepEqual(failing(restricted), ['Namespace/baseline', 'Namespace/none', 'Namespace/privileged']);
    assert.equal(restricted[0]?.fixPaths[0]?.value, 'restricted');
  });
});

describe('namespaces', () => {
  test('namespace-without-service-account: only the default account does not count', () => {
    const found = run('namespace-without-service-account', [
      obj('Namespace', 'only-default'),
      obj('Namespace', 'own'),
      obj('ServiceAccount', 'default', 'only-default'),
      obj('ServiceAccount', 'builder', 'own'),
    ]);
    assert.deepEqual(failing(found), ['Namespace/only-default']);
  });

  test('internal-networking: a policy must name the namespace; a cluster-wide default covers all', () => {
    const namespaces = [obj('Namespace', 'default'), obj('Namespace', 'apps'), obj('Namespace', 'web')];
    const policies = [
      obj('NetworkPolicy', 'unnamespaced'), // written without a namespace: does not count for `default`
      obj('CiliumNetworkPolicy', 'apps-policy', 'apps'),
    ];
    assert.deepEqual(failing(run('internal-networking', [...namespaces, ...policies])), [
      'Namespace/default',
      'Namespace/web',
    ]);
    const clusterWide = (body: Record<string, unknown>, inSpecs = false): K8sObject => ({
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'ccnp' },
      ...(inSpecs ? { specs: [body] } : { spec: body }),
    });
    const everything = { endpointSelector: {}, ingress: [{}] };
    assert.deepEqual(run('internal-networking', [...namespaces, clusterWide(everything)]), []);
    assert.deepEqual(run('internal-networking', [...namespaces, clusterWide(everything, true)]), []);
    const selective = { endpointSelector: { matchLabels: { role: 'db' } }, ingress: [{}] };
    const optedOut = { ...everything, enableDefaultDeny: { ingress: false, egress: false } };
    const noRules = { endpointSelector: {} };
    for (const body of [selective, optedOut, noRules]) {
      assert.equal(
        run('internal-networking', [...namespaces, clusterWide(body)]).length,
        3,
        JSON.stringify(body),
      );
    }
  });

  test('internal-networking stays linear on large clusters', () => {
    const objects: K8sObject[] = [];
    for (let i = 0; i < 25_000; i++) {
      objects.push(obj('Namespace', `ns-${i}`));
      if (i % 2 === 0) objects.push(obj('NetworkPolicy', 'deny', `ns-${i}`));
    }
    const started = performance.now();
    assert.equal(run('internal-networking', objects).length, 12_500);
    assert.ok(performance.now() - started < 5_000, 'evaluated within 5s');
  });
});

describe('pod security policies', () => {
  const psp = (name: string, spec: Record<string, unknown>): K8sObject => ({
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    metadata: { name },
    spec,
  });

  test('fail every PSP only when all of them are permissive', () => {
    assert.deepEqual(
      run('psp-deny-hostpid', [psp('a', { hostPID: true }), psp('b', { hostPID: false })]),
      [],
    );
    const found = run('psp-deny-hostpid', [psp('a', { hostPID: true }), psp('b', { hostPID: true })]);
    assert.deepEqual(failing(found), ['PodSecurityPolicy/a', 'PodSecurityPolicy/b']);
    assert.deepEqual(found[0]?.failedPaths, ['spec.hostPID']);
    assert.deepEqual(found[0]?.deletePaths, ['spec.hostPID']);
  });

  test('root: MustRunAsNonRoot or a range above 0 denies root', () => {
    const rootAllowed = [
      psp('any', { runAsUser: { rule: 'RunAsAny' } }),
      psp('zero', { runAsUser: { rule: 'MustRunAs', ranges: [{ min: 0, max: 10 }] } }),
      psp('unset', {}),
    ];
    assert.equal(run('psp-deny-root-container', rootAllowed).length, 3);
    const nonRoot = psp('ranged', { runAsUser: { rule: 'MustRunAs', ranges: [{ min: 0 }, { min: 1000 }] } });
    assert.deepEqual(run('psp-deny-root-container', [...rootAllowed, nonRoot]), []);
  });

  test('required drop capabilities: the fix adds ALL', () => {
    const found = run('psp-required-drop-capabilities', [psp('a', { requiredDropCapabilities: [] })]);
    assert.deepEqual(found[0]?.fixPaths, [{ path: 'spec.requiredDropCapabilities[0]', value: 'ALL' }]);
    assert.deepEqual(found[0]?.failedPaths, []);
    assert.deepEqual(
      run('psp-required-drop-capabilities', [
        psp('a', {}),
        psp('b', { requiredDropCapabilities: ['NET_RAW'] }),
      ]),
      [],
    );
  });
});

describe('accounts and bindings', () => {
  test('automount-default-service-account: true fails, unset gets a fix, false and other names pass', () => {
    const found = run('automount-default-service-account', [
      obj('ServiceAccount', 'default', 'a', { automountServiceAccountToken: true }),
      obj('ServiceAccount', 'default', 'b'),
      obj('ServiceAccount', 'default', 'c', { automountServiceAccountToken: false }),
      obj('ServiceAccount', 'builder', 'd', { automountServiceAccountToken: true }),
    ]);
    assert.equal(found.length, 2);
    assert.deepEqual(found[0]?.deletePaths, ['automountServiceAccountToken']);
    assert.deepEqual(found[1]?.fixPaths, [{ path: 'automountServiceAccountToken', value: 'false' }]);
  });

  test('bindings to default ServiceAccounts and to anonymous users name the subject', () => {
    const binding = (name: string, subjects: unknown[], labels?: Record<string, string>): K8sObject => ({
      kind: 'ClusterRoleBinding',
      metadata: labels ? { name, labels } : { name },
      subjects,
    });
    const defaultAccount = { kind: 'ServiceAccount', name: 'default', namespace: 'x' };
    const found = run('ensure-default-service-accounts-has-only-default-roles', [
      binding('custom', [{ kind: 'Group', name: 'dev' }, defaultAccount]),
      binding('bootstrap', [defaultAccount], { 'kubernetes.io/bootstrapping': 'rbac-defaults' }),
    ]);
    assert.deepEqual(failing(found), ['ClusterRoleBinding/custom']);
    assert.deepEqual(found[0]?.failedPaths, ['subjects[1]']);
    const anonymous = run('anonymous-access-enabled', [
      binding('public', [
        { kind: 'Group', name: 'system:authenticated' },
        { name: 'system:unauthenticated' },
      ]),
    ]);
    assert.deepEqual(anonymous[0]?.deletePaths, ['subjects[1]']);
  });
});

describe('routing', () => {
  test('ingress-no-tls: a missing tls fails, an empty list is a definition', () => {
    const ingress = (name: string, spec?: Record<string, unknown>): K8sObject => ({
      kind: 'Ingress',
      metadata: { name, namespace: 'web' },
      ...(spec ? { spec } : {}),
    });
    const found = run('ingress-no-tls', [
      ingress('none', {}),
      ingress('nospec'),
      ingress('empty', { tls: [] }),
    ]);
    assert.deepEqual(failing(found), ['Ingress/none', 'Ingress/nospec']);
    assert.deepEqual(found[0]?.fixPaths, [{ path: 'spec.tls', value: '<your-tls-definition>' }]);
  });

  test('dangling-ingress-backend checks path and default backends in the ingress namespace', () => {
    const ingress: K8sObject = {
      kind: 'Ingress',
      metadata: { name: 'site', namespace: 'web' },
      spec: {
        defaultBackend: { service: { name: 'missing-default' } },
        rules: [
          {
            http: {
              paths: [
                { backend: { service: { name: 'api' } } },
                { backend: { service: { name: 'other-ns' } } },
                { backend: { resource: { kind: 'Bucket', name: 'static' } } },
              ],
            },
          },
        ],
      },
    };
    const found = run('dangling-ingress-backend', [
      ingress,
      obj('Service', 'api', 'web'),
      obj('Service', 'other-ns', 'elsewhere'),
    ]);
    assert.deepEqual(found.map((v) => v.failedPaths[0]).sort(), [
      'spec.defaultBackend.service.name',
      'spec.rules[0].http.paths[1].backend.service.name',
    ]);
  });

  test('dangling-gateway-backend follows cross-namespace refs and skips non-Service backends', () => {
    const route: K8sObject = {
      kind: 'TCPRoute',
      metadata: { name: 'db', namespace: 'apps' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'postgres', namespace: 'data' },
              { name: 'postgres' },
              { name: 'bucket', kind: 'Bucket', group: 'storage.example.com' },
            ],
          },
        ],
      },
    };
    const found = run('dangling-gateway-backend', [route, obj('Service', 'postgres', 'data')]);
    assert.deepEqual(
      found.map((v) => v.failedPaths[0]),
      ['spec.rules[0].backendRefs[1].name'],
    );
  });
});

describe('storage', () => {
  test('pv-without-encryption judges the volume by its class', () => {
    const storageClass = (name: string, fields: Record<string, unknown>): K8sObject => ({
      kind: 'StorageClass',
      metadata: { name },
      ...fields,
    });
    const volume = (name: string, className?: string): K8sObject => ({
      kind: 'PersistentVolume',
      metadata: { name },
      spec: className ? { storageClassName: className } : {},
    });
    const found = run('pv-without-encryption', [
      storageClass('plain', { provisioner: 'ebs.csi.aws.com' }),
      storageClass('ebs-encrypted', { provisioner: 'ebs.csi.aws.com', parameters: { encrypted: 'true' } }),
      storageClass('azure', { provisioner: 'disk.csi.azure.com' }),
      volume('a', 'plain'),
      volume('b', 'ebs-encrypted'),
      volume('c', 'azure'),
      volume('d', 'unknown-class'),
      volume('e'),
    ]);
    assert.deepEqual(failing(found), ['PersistentVolume/a']);
    assert.deepEqual(found[0]?.fixPaths, [
      { path: 'spec.storageClassName', value: '<your encrypted storage class>' },
    ]);
  });
});

describe('configmaps', () => {
  test('rule-credentials-configmap: key names, value patterns, base64 and allow lists', () => {
    const configMap = obj('ConfigMap', 'settings', 'apps', {
      data: {
        DB_PASSWORD: 'hunter2',
        EMPTY_TOKEN: '',
        HEADER: 'Bearer abc',
        ENCODED: Buffer.from('-----BEGIN RSA PRIVATE KEY-----').toString('base64'),
        LOG_LEVEL: 'debug',
        ALLOWED_KEY_FILE: 'secret-value',
      },
    });
    const found = run('rule-credentials-configmap', [configMap], { sensitiveKeyNamesAllowed: ['_file'] });
    assert.deepEqual(found.map((v) => v.failedPaths[0]).sort(), [
      'data[DB_PASSWORD]',
      'data[ENCODED]',
      'data[HEADER]',
    ]);
    assert.deepEqual(found[0]?.deletePaths, found[0]?.failedPaths);
    const allowed = run('rule-credentials-configmap', [configMap], { sensitiveValuesAllowed: ['^hunter'] });
    assert.ok(!allowed.some((v) => v.failedPaths[0] === 'data[DB_PASSWORD]'));
  });

  test('Go patterns and base64 are read as the library reads them', () => {
    assert.ok(compileGoPattern('(?i)bearer')?.test('BEARER x'));
    assert.equal(compileGoPattern('(unclosed'), undefined);
    assert.equal(decodeStrictBase64('aGk='), 'hi');
    assert.equal(decodeStrictBase64('aGk'), undefined); // padding is required
    assert.equal(decodeStrictBase64('not base64!'), undefined);
  });

  test('kube-proxy metrics address: all interfaces, empty or missing fail; localhost passes', () => {
    const kubeProxy = (data: Record<string, unknown>, namespace = 'kube-system'): K8sObject =>
      obj('ConfigMap', 'kube-proxy', namespace, { data });
    const rule = 'ensure-that-the-kube-proxy-metrics-service-is-bound-to-localhost';
    const config = (address: string): string =>
      `kind: KubeProxyConfiguration\nmetricsBindAddress: ${address}\n`;
    assert.equal(run(rule, [kubeProxy({ 'config.conf': config('0.0.0.0:10249') })]).length, 1);
    assert.equal(run(rule, [kubeProxy({ 'config.conf': config('""') })]).length, 1);
    assert.equal(run(rule, [kubeProxy({ 'config.conf': 'kind: KubeProxyConfiguration\n' })]).length, 1);
    assert.equal(run(rule, [kubeProxy({ config: config('0.0.0.0:10249') })])[0]?.failedPaths[0], 'data');
    assert.deepEqual(run(rule, [kubeProxy({ 'config.conf': config('127.0.0.1:10249') })]), []);
    assert.deepEqual(run(rule, [kubeProxy({ 'config.conf': 'a: [unclosed' })]), []);
    assert.deepEqual(run(rule, [kubeProxy({ 'config.conf': config('0.0.0.0:10249') }, 'default')]), []);
  });
});

describe('nodes', () => {
  const node = (nodeInfo: Record<string, unknown>): K8sObject => ({
    kind: 'Node',
    metadata: { name: 'n1' },
    status: { nodeInfo },
  });

  test('CVE-2022-23648: affected containerd releases only', () => {
    assert.ok(isVulnerableContainerd(1, 6, 0));
    assert.ok(isVulnerableContainerd(1, 4, 11));
    assert.ok(isVulnerableContainerd(0, 9, 9));
    assert.ok(!isVulnerableContainerd(1, 6, 1));
    assert.ok(!isVulnerableContainerd(1, 5, 10));
    assert.ok(!isVulnerableContainerd(2, 0, 0));
    const found = run('CVE-2022-23648', [node({ containerRuntimeVersion: 'containerd://1.5.9' })]);
    assert.deepEqual(found[0]?.failedPaths, ['status.nodeInfo.containerRuntimeVersion']);
    for (const version of [
      'containerd://1.5.9-rc.1',
      'containerd://1.5',
      'docker://1.4.0',
      'containerd://1.7.2',
    ]) {
      assert.deepEqual(run('CVE-2022-23648', [node({ containerRuntimeVersion: version })]), [], version);
    }
  });

  test('outdated-k8s-version reviews kubelets outside the supported releases', () => {
    const found = run('outdated-k8s-version', [node({ kubeletVersion: 'v1.29.4' })]);
    assert.deepEqual(found[0]?.reviewPaths, ['status.nodeInfo.kubeletVersion']);
    assert.deepEqual(found[0]?.failedPaths, []);
    assert.deepEqual(run('outdated-k8s-version', [node({ kubeletVersion: 'v1.35.2' })]), []);
    assert.deepEqual(run('outdated-k8s-version', [node({})]), []);
  });
});

describe('review lists', () => {
  test('webhook configurations are listed; manual rules report nothing', () => {
    const hooks = [obj('MutatingWebhookConfiguration', 'm'), obj('ValidatingWebhookConfiguration', 'v')];
    assert.deepEqual(failing(run('list-all-mutating-webhooks', hooks)), ['MutatingWebhookConfiguration/m']);
    assert.deepEqual(failing(run('list-all-validating-webhooks', hooks)), [
      'ValidatingWebhookConfiguration/v',
    ]);
    assert.deepEqual(run('rule-manual', hooks), []);
    assert.deepEqual(run('rule-hostile-multitenant-workloads', hooks), []);
  });
});
