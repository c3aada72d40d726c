// Hand-written edge cases for the workload-relation rules: the joins Kubescape's test cases cover
// thinly (namespace defaulting, selector corner cases, named ports, Cilium spec lists) and
// malformed objects, which must never make a rule throw.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configFor, mergeConfigInputs } from '../../config.ts';
import { EvaluationContext, runRule } from '../../evaluate.ts';
import type { ConfigInputs, K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { ObjectStore } from '../../objects.ts';
import { LabelIndex, SelectorIndex } from './label-index.ts';
import { rules } from './index.ts';
import { isSubPathVulnerableKubelet } from './cves.ts';

function rule(name: string): RuleDefinition {
  const found = rules.find((candidate) => candidate.name === name);
  assert.ok(found, `rule ${name}`);
  return found;
}

/** Runs a rule as the engine does (only its declared kinds, restricted index). */
function run(name: string, objects: K8sObject[], config?: ConfigInputs): Violation[] {
  return runRule(rule(name), new EvaluationContext(objects, mergeConfigInputs(config))).violations;
}

/** Runs a rule over every object, as Kubescape's own test runner does (kinds not filtered). */
function runUnfiltered(name: string, objects: K8sObject[]): Violation[] {
  const definition = rule(name);
  return definition.evaluate({
    objects,
    subjects: [],
    index: new ObjectStore(objects),
    config: configFor(definition.configInputs, mergeConfigInputs(undefined)),
    cluster: {},
  });
}

/** `Kind/name` of every failing object, sorted and deduplicated. */
function failing(violations: Violation[]): string[] {
  const names = violations.flatMap((v) => {
    const objects = v.alertObject.k8sApiObjects;
    if (objects) return objects.map((o) => `${o.kind}/${o.metadata?.name ?? ''}`);
    const external = v.alertObject.externalObjects as { kind?: string; name?: string };
    return [`${external.kind ?? ''}/${external.name ?? ''}`];
  });
  return [...new Set(names)].sort();
}

function pod(
  name: string,
  extra: { namespace?: string; labels?: Record<string, string>; spec?: unknown } = {},
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}), labels: extra.labels },
    spec: extra.spec ?? { containers: [{ name: 'app', image: 'nginx:1.25' }] },
  };
}

function deployment(
  name: string,
  labels: Record<string, string> | undefined,
  extra: Record<string, unknown> = {},
): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'prod' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
      ...extra,
    },
  };
}

/** A Service in `prod` unless another namespace (or null: none) is given. */
function service(name: string, spec: Record<string, unknown>, namespace: string | null = 'prod'): K8sObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(namespace ? { namespace } : {}) }, spec };
}

describe('malformed objects', () => {
  const malformed: K8sObject[] = [
    { kind: 'Pod' },
    { kind: 'Pod', metadata: { name: 'p' }, spec: 'not-a-spec' },
    {
      kind: 'Pod',
      metadata: { name: 'q', labels: 'x' as unknown as Record<string, string> },
      spec: { containers: 'x' },
    },
    {
      kind: 'Pod',
      metadata: { name: 'r' },
      spec: { containers: [null, 3, { volumeMounts: 'x' }], volumes: [null, 'v'] },
    },
    { kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: 'x', template: 'y', strategy: 7 } },
    {
      kind: 'Deployment',
      metadata: { name: 'e' },
      spec: { selector: { matchExpressions: 'x' }, template: { metadata: 5 } },
    },
    { kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: [] } },
    { kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { selector: [1] } },
    { kind: 'Service', metadata: { name: 's' }, spec: { selector: [], ports: 'x', type: 'NodePort' } },
    {
      kind: 'Service',
      metadata: { name: 't', namespace: 'default' },
      spec: { selector: 'abc', ports: [null] },
    },
    { kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ http: { paths: 'x' } }, null] } },
    {
      kind: 'HTTPRoute',
      metadata: { name: 'h', namespace: 'default' },
      spec: { rules: [{ backendRefs: [5] }] },
    },
    {
      kind: 'NetworkPolicy',
      metadata: { name: 'n' },
      spec: { podSelector: { matchLabels: 'x', matchExpressions: [7] } },
    },
    { kind: 'CiliumNetworkPolicy', metadata: { name: 'cnp' }, spec: 'x', specs: 'y' },
    {
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'ccnp' },
      specs: [null, { endpointSelector: 'x' }],
    },
    { kind: 'HorizontalPodAutoscaler', metadata: { name: 'hpa' }, spec: { scaleTargetRef: 'x' } },
    { kind: 'ServiceAccount', metadata: { name: 'default' }, automountServiceAccountToken: 'no' },
    { kind: 'Node', metadata: { name: 'node' }, status: { nodeInfo: { kubeletVersion: 119 } } },
    { kind: 'ConfigMap', metadata: { name: 'cm' }, data: 'x' },
  ];

  for (const definition of rules) {
    test(`${definition.name} does not throw`, () => {
      assert.doesNotThrow(() => run(definition.name, malformed));
      assert.doesNotThrow(() => runUnfiltered(definition.name, malformed));
    });
  }
});

describe('service accounts', () => {
  test('automount: an unset pod setting defers to the referenced account in the same namespace', () => {
    const disabled = {
      kind: 'ServiceAccount',
      metadata: { name: 'builder', namespace: 'ci' },
      automountServiceAccountToken: false,
    };
    const usesBuilder = pod('a', {
      namespace: 'ci',
      spec: { serviceAccountName: 'builder', containers: [] },
    });
    const otherNamespace = pod('b', {
      namespace: 'prod',
      spec: { serviceAccountName: 'builder', containers: [] },
    });
    assert.deepEqual(failing(run('automount-service-account', [disabled, usesBuilder, otherNamespace])), [
      'Pod/b',
    ]);
  });

  test('automount: a missing namespace is the default namespace for the account lookup', () => {
    const defaultAccount = {
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'default' },
      automountServiceAccountToken: false,
    };
    assert.deepEqual(run('automount-service-account', [defaultAccount, pod('a')]), []);
    const explicit = pod('b', { spec: { automountServiceAccountToken: true, containers: [] } });
    const [violation] = run('automount-service-account', [defaultAccount, explicit]);
    assert.deepEqual(violation?.failedPaths, ['spec.automountServiceAccountToken']);
    assert.deepEqual(violation?.fixPaths, [{ path: 'spec.automountServiceAccountToken', value: 'false' }]);
  });

  test('deprecated serviceAccount with an empty serviceAccountName is both moved and flagged', () => {
    const wl = pod('a', { spec: { serviceAccount: 'old', serviceAccountName: '' } });
    const violations = run('deprecated-service-account-field', [wl]);
    assert.deepEqual(
      violations.flatMap((v) => v.fixPaths),
      [{ path: 'spec.serviceAccountName', value: 'old' }],
    );
    assert.deepEqual(
      run('deprecated-service-account-field', [
        pod('b', { spec: { serviceAccount: 'x', serviceAccountName: 'x' } }),
      ]),
      [],
    );
  });

  test('non-existent service account: default and empty names always resolve', () => {
    const objects = [
      pod('a', { spec: { serviceAccountName: 'default' } }),
      pod('b', { spec: { serviceAccountName: '' } }),
      pod('c', { spec: { serviceAccountName: 'ghost' } }),
      pod('d', { spec: { serviceAccountName: 'real' } }),
      { kind: 'ServiceAccount', metadata: { name: 'real' } },
    ];
    assert.deepEqual(failing(run('non-existent-service-account', objects)), ['Pod/c']);
  });
});

describe('network policies', () => {
  const policy = (name: string, spec: unknown, kind = 'NetworkPolicy', namespace = 'prod'): K8sObject => ({
    kind,
    metadata: { name, namespace },
    spec,
  });

  test('a NetworkPolicy without podSelector selects nothing; an empty one selects the namespace', () => {
    const wl = pod('a', { namespace: 'prod', labels: { app: 'a' } });
    const missing = policy('missing', { policyTypes: ['Ingress'] });
    assert.deepEqual(failing(run('ensure_network_policy_configured_in_labels', [wl, missing])), ['Pod/a']);
    const empty = policy('empty', { podSelector: {} }, 'NetworkPolicy', 'other');
    assert.deepEqual(failing(run('ensure_network_policy_configured_in_labels', [wl, empty])), ['Pod/a']);
    const selecting = policy('sel', { podSelector: { matchLabels: { app: 'a' } } });
    assert.deepEqual(run('ensure_network_policy_configured_in_labels', [wl, selecting]), []);
  });

  test('a Cilium select-all policy does not cover a template without metadata', () => {
    const noMetadata: K8sObject = {
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'prod' },
      spec: { template: { spec: {} } },
    };
    const cnp = policy('all', { endpointSelector: {} }, 'CiliumNetworkPolicy');
    assert.deepEqual(failing(run('ensure_network_policy_configured_in_labels', [noMetadata, cnp])), [
      'Deployment/d',
    ]);
  });

  test('ingress-and-egress-blocked needs a selecting policy that restricts traffic', () => {
    const wl = pod('a', { namespace: 'prod', labels: { app: 'a' } });
    const noTypes = policy('plain', { podSelector: {} });
    assert.deepEqual(failing(run('ingress-and-egress-blocked', [wl, noTypes])), ['Pod/a']);
    const egress = policy('egress', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'] });
    assert.deepEqual(run('ingress-and-egress-blocked', [wl, noTypes, egress]), []);
  });

  test('Cilium specs lists: one spec selects, another restricts; matchExpressions-only selects nothing', () => {
    const wl = pod('a', { namespace: 'prod', labels: { app: 'a' } });
    const split: K8sObject = {
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'split' },
      specs: [
        { endpointSelector: { matchLabels: { app: 'a' } } },
        { endpointSelector: { matchLabels: { app: 'z' } }, egress: [{}] },
      ],
    };
    assert.deepEqual(run('ingress-and-egress-blocked', [wl, split]), []);
    const expressions = policy(
      'expr',
      { endpointSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, ingress: [{}] },
      'CiliumNetworkPolicy',
    );
    assert.deepEqual(failing(run('ingress-and-egress-blocked', [wl, expressions])), ['Pod/a']);
  });

  test('dangling-networkpolicy evaluates matchExpressions against workloads of the namespace', () => {
    const wl = deployment('web', { app: 'web', tier: 'front' });
    const notIn = policy('not-in', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
    });
    const exists = policy('exists', {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    });
    const elsewhere = policy(
      'elsewhere',
      { podSelector: { matchLabels: { app: 'web' } } },
      'NetworkPolicy',
      'other',
    );
    const unknownOperator = policy('odd', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'Like' }] },
    });
    const result = run('dangling-networkpolicy', [wl, notIn, exists, elsewhere, unknownOperator]);
    assert.deepEqual(failing(result), [
      'NetworkPolicy/elsewhere',
      'NetworkPolicy/not-in',
      'NetworkPolicy/odd',
    ]);
    assert.deepEqual(result[0]?.failedPaths, ['spec.podSelector']);
  });
});

describe('service joins', () => {
  test('exposure-to-internet: a named targetPort must be declared by a container', () => {
    const wl = deployment('web', { app: 'web' });
    const named = service('named', {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ port: 80, targetPort: 'http' }],
    });
    assert.deepEqual(run('exposure-to-internet', [wl, named]), []);
    const withPort = deployment('api', { app: 'web' });
    const template = (withPort.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
      .template;
    template.spec.containers[0] = { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] };
    assert.deepEqual(failing(run('exposure-to-internet', [withPort, named])), ['Deployment/api']);
    // The named container port must also speak the Service port's protocol (TCP by default).
    const udp = service('udp', {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ targetPort: 'http', protocol: 'UDP' }],
    });
    assert.deepEqual(run('exposure-to-internet', [withPort, udp]), []);
  });

  test('exposure-to-internet: Ingress and Service join only with explicit, equal namespaces', () => {
    const wl = { ...deployment('web', { app: 'web' }), metadata: { name: 'web' } };
    const svc = service('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }, null);
    const ingress = (namespace?: string): K8sObject => ({
      kind: 'Ingress',
      metadata: { name: 'ing', ...(namespace ? { namespace } : {}) },
      spec: { rules: [{ http: { paths: [{ backend: { service: { name: 'web' } } }] } }] },
    });
    assert.deepEqual(run('exposure-to-internet', [wl, svc, ingress()]), []);
    const namespaced = service('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }, 'default');
    const [found] = run('exposure-to-internet', [wl, namespaced, ingress('default')]);
    assert.deepEqual(failing(found ? [found] : []), ['Deployment/web']);
    const related = (found as Violation & { relatedObjects?: { failedPaths?: string[] }[] }).relatedObjects;
    assert.deepEqual(related?.[0]?.failedPaths, ['spec.rules[0].http.paths[0].backend.service.name']);
  });

  test('gateway API routes need a Service backend of the route namespace', () => {
    const wl = deployment('web', { app: 'web' });
    const svc = service('web', { selector: { app: 'web' } });
    const route = (kind: unknown): K8sObject => ({
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'prod' },
      spec: { rules: [{ backendRefs: [{ kind, name: 'web' }] }, { backendRefs: [{ kind, name: 'web' }] }] },
    });
    assert.deepEqual(failing(run('exposure-to-internet-via-gateway-api', [wl, svc, route('Service')])), [
      'Deployment/web',
    ]);
    assert.deepEqual(run('exposure-to-internet-via-gateway-api', [wl, svc, route('Backend')]), []);
    const exposed = service('web', { type: 'LoadBalancer', selector: { app: 'web' } });
    assert.deepEqual(run('exposure-to-internet-via-gateway-api', [wl, exposed, route('Service')]), []);
  });

  test('istio: a VirtualService on a public gateway resolves short and qualified hosts', () => {
    const wl = deployment('web', { app: 'web' });
    const svc = service('web', { selector: { app: 'web' } });
    const ingressGateway = {
      kind: 'Service',
      metadata: { name: 'igw', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
      spec: { type: 'ClusterIP' },
    };
    const gateway = {
      kind: 'Gateway',
      metadata: { name: 'edge-public', namespace: 'gw' },
      spec: { selector: { istio: 'ingressgateway' } },
    };
    const virtualService = (host: string, gatewayRef: string): K8sObject => ({
      kind: 'VirtualService',
      metadata: { name: 'vs', namespace: 'prod' },
      spec: { gateways: [gatewayRef], http: [{ route: [{ destination: { host } }] }] },
    });
    const base = [wl, svc, ingressGateway, gateway];
    assert.deepEqual(
      failing(
        runUnfiltered('exposure-to-internet-via-istio-ingress', [
          ...base,
          virtualService('web', 'gw/edge-public'),
        ]),
      ),
      ['Deployment/web'],
    );
    assert.deepEqual(
      failing(
        runUnfiltered('exposure-to-internet-via-istio-ingress', [
          ...base,
          virtualService('web.prod.svc.cluster.local', 'gw/edge-public'),
        ]),
      ),
      ['Deployment/web'],
    );
    assert.deepEqual(
      runUnfiltered('exposure-to-internet-via-istio-ingress', [
        ...base,
        virtualService('web.other', 'gw/edge-public'),
      ]),
      [],
    );
    // Without the namespace the gateway is looked up in the VirtualService's namespace.
    assert.deepEqual(
      runUnfiltered('exposure-to-internet-via-istio-ingress', [
        ...base,
        virtualService('web', 'edge-public'),
      ]),
      [],
    );
  });

  test('ssh: a Pod selector equality ignores pod-template-hash', () => {
    const wl = pod('a', { namespace: 'prod', labels: { app: 'a', 'pod-template-hash': '123' } });
    const ssh = service('ssh', { selector: { app: 'a' }, ports: [{ port: 2222 }] });
    const [found] = run('rule-can-ssh-to-pod-v1', [wl, ssh]);
    assert.deepEqual(found?.failedPaths, ['metadata.labels']);
    assert.equal((found?.alertObject.externalObjects as { kind?: string }).kind, 'Pod');
    const subset = service('ssh', { selector: { app: 'a' }, ports: [{ targetPort: 22 }] });
    assert.deepEqual(
      run('rule-can-ssh-to-pod-v1', [pod('b', { namespace: 'prod', labels: { app: 'a', x: 'y' } }), subset]),
      [],
    );
  });

  test('sensitive interfaces need a published Service of the same explicit namespace', () => {
    const wl = {
      ...deployment('jenkins-main', { app: 'jenkins' }),
      metadata: { name: 'jenkins-main', namespace: 'ci' },
    };
    const lbWithoutIp = service('lb', { type: 'LoadBalancer', selector: { app: 'jenkins' } }, 'ci');
    const nodePort = service('np', { type: 'NodePort', selector: { app: 'jenkins' } }, 'ci');
    const otherNamespace = service('np2', { type: 'NodePort', selector: { app: 'jenkins' } }, 'prod');
    const violations = run('exposed-sensitive-interfaces-v1', [wl, lbWithoutIp, nodePort, otherNamespace]);
    assert.equal(violations.length, 1);
    const external = violations[0]?.alertObject.externalObjects as { relatedObjects?: K8sObject[] };
    assert.equal(external.relatedObjects?.[0]?.metadata?.name, 'np');
  });

  test('service-with-no-workload: ReplicationController templates count, ExternalName is skipped', () => {
    const rc = {
      kind: 'ReplicationController',
      metadata: { name: 'rc' },
      spec: { template: { metadata: { labels: { app: 'legacy' } } } },
    };
    const selected = service('legacy', { selector: { app: 'legacy' } }, null);
    const external = service('ext', { type: 'ExternalName', selector: { app: 'none' } }, null);
    const orphan = service('orphan', { selector: { app: 'none' } }, null);
    assert.deepEqual(failing(run('service-with-no-workload', [rc, selected, external, orphan])), [
      'Service/orphan',
    ]);
  });

  test('unauthenticated-service: the scan result must share the Service name and namespace', () => {
    const wl = deployment('op', { app: 'op' });
    const svc = service('op', { selector: { app: 'op' } });
    const scan = (namespace: string): K8sObject => ({
      kind: 'ServiceScanResult',
      metadata: { name: 'op', namespace },
      spec: { ports: [{ port: 80, authenticated: false }] },
    });
    assert.deepEqual(failing(runUnfiltered('unauthenticated-service', [wl, svc, scan('prod')])), [
      'Deployment/op',
    ]);
    assert.deepEqual(runUnfiltered('unauthenticated-service', [wl, svc, scan('other')]), []);
  });
});

describe('mounted objects', () => {
  test('a Secret volume counts only when the Secret exists in the workload namespace and is mounted', () => {
    const spec = {
      containers: [{ name: 'a', volumeMounts: [{ name: 'other' }, { name: 'creds' }] }, { name: 'b' }],
      volumes: [{ name: 'creds', secret: { secretName: 'db' } }],
    };
    const secret = (namespace?: string): K8sObject => ({
      kind: 'Secret',
      metadata: { name: 'db', ...(namespace ? { namespace } : {}) },
    });
    const [found] = run('workload-mounted-secrets', [pod('a', { spec }), secret('default')]);
    assert.deepEqual(found?.failedPaths, ['spec.containers[0].volumeMounts[1]']);
    assert.deepEqual(found?.deletePaths, ['spec.containers[0].volumeMounts[1]']);
    assert.deepEqual(run('workload-mounted-secrets', [pod('a', { spec }), secret('prod')]), []);
  });

  test('workload-mounted-pvc reads the claims (unlike the library metadata) and needs the claim to exist', () => {
    const spec = {
      containers: [{ volumeMounts: [{ name: 'data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }],
    };
    const claim = { kind: 'PersistentVolumeClaim', metadata: { name: 'c' } };
    assert.deepEqual(failing(run('workload-mounted-pvc', [pod('a', { spec }), claim])), ['Pod/a']);
    assert.deepEqual(run('workload-mounted-pvc', [pod('a', { spec })]), []);
  });

  test('external secret storage: the fix path follows the pod template', () => {
    const [found] = run('ensure-external-secrets-storage-is-in-use', [deployment('d', { app: 'd' })]);
    assert.deepEqual(found?.fixPaths, [
      { path: 'spec.template.spec.volumes[0].csi.volumeAttributes.secretProviderClass', value: 'YOUR_VALUE' },
    ]);
  });
});

describe('CVE conditions', () => {
  test('kubelet versions are compared as Kubescape compares them (strings)', () => {
    assert.equal(isSubPathVulnerableKubelet('v1.20.10'), true);
    // String order, as in Kubescape: v1.20.11 sorts before v1.20.9 and counts as vulnerable.
    assert.equal(isSubPathVulnerableKubelet('v1.20.11'), true);
    assert.equal(isSubPathVulnerableKubelet('v1.21.5'), false);
    assert.equal(isSubPathVulnerableKubelet('v1.22.2'), false);
    assert.equal(isSubPathVulnerableKubelet('v1.18.0'), true);
  });

  test('CVE-2021-25741 lists only subPath mounts, and only with a vulnerable node', () => {
    const spec = {
      containers: [
        {
          name: 'a',
          volumeMounts: [
            { name: 'x', subPathExpr: '$(POD)' },
            { name: 'y', subPath: 'p' },
          ],
        },
      ],
    };
    const node = (version: string): K8sObject => ({
      kind: 'Node',
      metadata: { name: 'n' },
      status: { nodeInfo: { kubeletVersion: version } },
    });
    const [found] = run('CVE-2021-25741', [pod('a', { spec }), node('v1.21.2')]);
    assert.deepEqual(found?.failedPaths, ['spec.containers[0].volumeMounts[1].subPath']);
    assert.deepEqual(run('CVE-2021-25741', [pod('a', { spec }), node('v1.23.0')]), []);
  });

  test('CVE-2021-25742 needs a tagged vulnerable image and no guarding ConfigMap in the namespace', () => {
    const controller = (image: string, namespace?: string): K8sObject => ({
      kind: 'Deployment',
      metadata: { name: 'ingress', ...(namespace ? { namespace } : {}) },
      spec: { template: { spec: { containers: [{ image }] } } },
    });
    const guard = {
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'ingress' },
      data: { 'allow-snippet-annotations': 'false' },
    };
    assert.equal(
      run('CVE-2021-25742', [controller('k8s.gcr.io/ingress-nginx/controller:v0.48.1', 'ingress')]).length,
      1,
    );
    assert.deepEqual(
      run('CVE-2021-25742', [controller('k8s.gcr.io/ingress-nginx/controller:v0.48.1', 'ingress'), guard]),
      [],
    );
    assert.deepEqual(
      run('CVE-2021-25742', [controller('k8s.gcr.io/ingress-nginx/controller:v0.49.3', 'ingress')]),
      [],
    );
    assert.deepEqual(
      run('CVE-2021-25742', [controller('registry:5000/ingress-nginx/controller', 'ingress')]),
      [],
    );
    assert.deepEqual(run('CVE-2021-25742', [controller('k8s.gcr.io/ingress-nginx/controller:v1.0.0')]), []);
  });
});

describe('selectors, targets and labels', () => {
  test('mismatching-selector names the matchLabels path before the expressions path', () => {
    const wl = deployment('d', { app: 'd' });
    (wl.spec as Record<string, unknown>).selector = {
      matchLabels: { app: 'x' },
      matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }],
    };
    assert.deepEqual(run('mismatching-selector', [wl])[0]?.failedPaths, ['spec.selector.matchLabels']);
    (wl.spec as Record<string, unknown>).selector = {
      matchExpressions: [{ key: 'app', operator: 'In', values: ['d'] }],
    };
    assert.deepEqual(run('mismatching-selector', [wl]), []);
  });

  test('hpa-has-target skips custom kinds and compares namespaces with defaulting', () => {
    const hpa = (kind: string, name: string): K8sObject => ({
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: `${kind}-${name}` },
      spec: { scaleTargetRef: { kind, name } },
    });
    const target = { kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' } };
    const result = run('hpa-has-target', [
      hpa('Rollout', 'x'),
      hpa('StatefulSet', 'db'),
      hpa('Deployment', 'db'),
      target,
    ]);
    assert.deepEqual(failing(result), ['HorizontalPodAutoscaler/Deployment-db']);
  });

  test('label usage: an empty recommendation list asks for YOUR_LABEL on both sides', () => {
    const wl = deployment('d', { app: 'd' });
    const [found] = run('label-usage-for-resources', [wl], { recommendedLabels: [] });
    assert.deepEqual(
      found?.fixPaths.map((fix) => fix.path),
      ['metadata.labels[YOUR_LABEL]', 'spec.template.metadata.labels[YOUR_LABEL]'],
    );
    assert.deepEqual(
      run('k8s-common-labels-usage', [{ kind: 'Deployment', metadata: { name: 'x' }, spec: {} }]),
      [],
    );
  });
});

describe('label indexes', () => {
  test('LabelIndex narrows by matchLabels, In and Exists and falls back to everything', () => {
    const index = new LabelIndex<string>();
    index.add('web', { app: 'web', tier: 'front' });
    index.add('db', { app: 'db' });
    assert.deepEqual(index.candidatesForSelector({ matchLabels: { app: 'web' } }), ['web']);
    assert.deepEqual(
      [
        ...index.candidatesForSelector({
          matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }],
        }),
      ].sort(),
      ['db', 'web'],
    );
    assert.deepEqual(
      index.candidatesForSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }),
      ['web'],
    );
    assert.deepEqual(
      index.candidatesForSelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }),
      ['web', 'db'],
    );
  });

  test('SelectorIndex returns empty selectors for any labels', () => {
    const index = new SelectorIndex<string>();
    index.add('all', {});
    index.add('web', { app: 'web', tier: 'front' });
    assert.deepEqual(index.candidates({ app: 'web' }), ['all', 'web']);
    assert.deepEqual(index.candidates(undefined), ['all']);
  });
});
