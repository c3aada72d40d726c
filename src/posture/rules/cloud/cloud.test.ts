import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeConfigInputs } from '../../config.ts';
import { EvaluationContext, runRule } from '../../evaluate.ts';
import type { ConfigInputs, K8sObject, Violation } from '../../model.ts';
import {
  aksSecretsEncrypted,
  eksLoggingIncomplete,
  eksSecretsEncrypted,
  gkeLoggingDisabled,
} from './cluster-describe.ts';
import { rules } from './index.ts';
import { parseQuantity } from './quantity.ts';
import { ecrStatementReadOnly } from './registries-and-iam.ts';
import { egressRuleScoped, imageFromRegistry, imageTagFloating, withRegistryHost } from './sandbox.ts';
import { exposedByService } from './vulnerabilities.ts';

function run(name: string, objects: K8sObject[], config?: ConfigInputs): Violation[] {
  const rule = rules.find((candidate) => candidate.name === name);
  assert.ok(rule, `rule ${name}`);
  return runRule(rule, new EvaluationContext(objects, mergeConfigInputs(config))).violations;
}

const describeCluster = (provider: 'eks' | 'aks' | 'gke', data: unknown): K8sObject => ({
  apiVersion: {
    eks: 'eks.amazonaws.com/v1',
    aks: 'management.azure.com/v1',
    gke: 'container.googleapis.com/v1',
  }[provider],
  kind: 'ClusterDescribe',
  metadata: { name: `${provider}-cluster`, provider },
  data,
});

describe('ClusterDescribe', () => {
  test('EKS control-plane logging needs every log type', () => {
    const logging = (...types: string[][]) => ({
      Cluster: { Logging: { ClusterLogging: types.map((t) => ({ Enabled: true, Types: t })) } },
    });
    assert.equal(eksLoggingIncomplete(logging(['api', 'audit'], ['scheduler'])), true);
    assert.equal(
      eksLoggingIncomplete(logging(['api', 'audit', 'authenticator'], ['controllerManager', 'scheduler'])),
      false,
    );
    assert.equal(eksLoggingIncomplete({ Cluster: {} }), false);
  });

  test('secrets encryption per provider', () => {
    const kms = { Provider: { KeyArn: 'arn:aws:kms:k' }, Resources: ['secrets'] };
    assert.equal(eksSecretsEncrypted({ Cluster: { EncryptionConfig: [kms] } }), true);
    assert.equal(eksSecretsEncrypted({ Cluster: { EncryptionConfig: null } }), false);
    assert.equal(
      eksSecretsEncrypted({ Cluster: { EncryptionConfig: [{ ...kms, Provider: { KeyArn: '' } }] } }),
      false,
    );
    assert.equal(
      eksSecretsEncrypted({
        cluster: { encryptionConfig: [{ provider: { keyArn: 'k' }, resources: ['secrets'] }] },
      }),
      true,
    );
    const pools = (...atHost: boolean[]) => ({
      properties: { agentPoolProfiles: atHost.map((enableEncryptionAtHost) => ({ enableEncryptionAtHost })) },
    });
    assert.equal(aksSecretsEncrypted(pools(true, true)), true);
    assert.equal(aksSecretsEncrypted(pools(true, false)), false);
    assert.equal(aksSecretsEncrypted(pools()), false);
    assert.equal(
      gkeLoggingDisabled({ logging_config: { component_config: { enable_components: [] } } }),
      true,
    );
    assert.equal(
      gkeLoggingDisabled({ logging_config: { component_config: { enable_components: ['SYSTEM'] } } }),
      false,
    );
  });

  test('checks apply to their provider only, and clusters without data are not judged', () => {
    const name = 'secret-etcd-encryption-cloud';
    assert.equal(
      run(name, [describeCluster('gke', { database_encryption: { state: 'ENCRYPTED' } })]).length,
      0,
    );
    const [gke] = run(name, [describeCluster('gke', { database_encryption: { state: 'DECRYPTED' } })]);
    assert.deepEqual(gke?.failedPaths, ['data.database_encryption.state']);
    assert.equal(run(name, [{ ...describeCluster('eks', undefined), data: undefined }]).length, 0);
    const mislabelled = { ...describeCluster('eks', {}), apiVersion: 'management.azure.com/v1' };
    assert.equal(run(name, [mislabelled]).length, 0);
  });

  test('EKS endpoint access', () => {
    const vpc = (
      EndpointPrivateAccess: boolean,
      EndpointPublicAccess: boolean,
      PublicAccessCidrs: string[],
    ) =>
      describeCluster('eks', {
        Cluster: { ResourcesVpcConfig: { EndpointPrivateAccess, EndpointPublicAccess, PublicAccessCidrs } },
      });
    const publicOnPrivate = 'ensure-endpointpublicaccess-is-disabled-on-private-nodes-eks';
    assert.equal(run(publicOnPrivate, [vpc(true, true, ['0.0.0.0/0'])]).length, 1);
    assert.equal(run(publicOnPrivate, [vpc(true, true, ['10.0.0.0/8'])]).length, 0);
    assert.equal(run('ensure-endpointprivateaccess-is-enabled', [vpc(false, false, [])]).length, 1);
  });

  test('AKS checks need properties where the library binds them', () => {
    assert.equal(run('ensure-azure-rbac-is-set', [describeCluster('aks', {})]).length, 0);
    assert.equal(
      run('ensure-azure-rbac-is-set', [describeCluster('aks', { properties: { aadProfile: null } })]).length,
      1,
    );
    assert.equal(
      run('rule-cni-enabled-aks', [
        describeCluster('aks', {
          properties: { networkProfile: { networkPlugin: 'kubenet', networkPolicy: 'calico' } },
        }),
      ]).length,
      0,
    );
    assert.equal(
      run('rule-cni-enabled-aks', [
        describeCluster('aks', { properties: { networkProfile: { networkPlugin: 'kubenet' } } }),
      ]).length,
      1,
    );
  });
});

describe('registries and IAM', () => {
  test('ECR read-only statement', () => {
    const actions = [
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:BatchCheckLayerAvailability',
    ];
    assert.equal(ecrStatementReadOnly({ Effect: 'Allow', Resource: '*', Action: actions }), true);
    assert.equal(
      ecrStatementReadOnly({ Effect: 'Allow', Resource: '*', Action: [...actions, 'ecr:PutImage'] }),
      false,
    );
    assert.equal(ecrStatementReadOnly({ Effect: 'Allow', Resource: '*', Action: 'ecr:*' }), false);
  });

  test('node instance role policies that are not read-only fail', () => {
    const entities: K8sObject = {
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'ListEntitiesForPolicies',
      metadata: { name: 'c', provider: 'eks' },
      data: { rolesPolicies: { 'arn:p': { PolicyRoles: [{ RoleName: 'x-NodeInstanceRole-y' }] } } },
    };
    const policies = (Statement: unknown): K8sObject => ({
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'PolicyVersion',
      metadata: { name: 'c', provider: 'eks' },
      data: { policiesDocuments: { 'arn:p': { Statement } } },
    });
    const name = 'ensure_nodeinstancerole_has_right_permissions_for_ecr';
    assert.equal(
      run(name, [entities, policies([{ Effect: 'Allow', Resource: '*', Action: 'ecr:*' }])]).length,
      1,
    );
    assert.equal(run(name, [entities, policies('nonsense')]).length, 0);
  });

  test('image scanning on repositories', () => {
    const repos = (Repositories: unknown): K8sObject => ({
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'DescribeRepositories',
      metadata: { name: 'r', provider: 'eks' },
      data: { Repositories },
    });
    const name = 'ensure-image-scanning-enabled-cloud';
    assert.equal(run(name, [repos([{ ImageScanningConfiguration: { ScanOnPush: true } }, {}])]).length, 1);
    assert.equal(run(name, [repos([{ ImageScanningConfiguration: { ScanOnPush: true } }])]).length, 0);
    assert.equal(run(name, [repos(null)]).length, 0);
  });
});

describe('image vulnerabilities', () => {
  const pod: K8sObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'img:1' }] },
  };
  const service = (type: string, selector: object, namespace = 'ns'): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace },
    spec: { type, selector },
  });
  const scan = (data: unknown): K8sObject => ({
    apiVersion: 'armo.vuln.images/v1',
    kind: 'ImageVulnerabilities',
    metadata: { name: 'img:1' },
    data,
  });

  test('exposure compares selector values with label values in the same namespace', () => {
    assert.equal(exposedByService(pod, [service('NodePort', { app: 'web' })]), true);
    assert.equal(exposedByService(pod, [service('ClusterIP', { app: 'web' })]), false);
    assert.equal(exposedByService(pod, [service('LoadBalancer', { app: 'web' }, 'other')]), false);
  });

  test('exposed critical and RCE findings name the pod and the scan', () => {
    const objects = [
      pod,
      service('NodePort', { app: 'web' }),
      scan([{ severity: 'Critical', categories: { isRce: true } }]),
    ];
    const [critical] = run('exposed-critical-pods', objects);
    assert.deepEqual(critical?.failedPaths, ['status.containerStatuses[0].imageID']);
    assert.equal(run('exposed-rce-pods', objects).length, 1);
    assert.equal(
      run('exposed-rce-pods', [pod, service('NodePort', { app: 'web' }), scan([{ severity: 'Low' }])]).length,
      0,
    );
  });

  test('excessive vulnerabilities use the configured maxima', () => {
    const highs = scan(Array.from({ length: 3 }, () => ({ severity: 'High' })));
    assert.equal(run('excessive_amount_of_vulnerabilities_pods', [pod, highs]).length, 0);
    assert.equal(
      run('excessive_amount_of_vulnerabilities_pods', [pod, highs], { max_high_vulnerabilities: ['2'] })
        .length,
      1,
    );
    assert.equal(
      run('excessive_amount_of_vulnerabilities_pods', [pod, highs], { max_high_vulnerabilities: ['x'] })
        .length,
      0,
    );
    assert.equal(run('excessive_amount_of_vulnerabilities_pods', [pod, scan('oops')]).length, 0);
  });
});

describe('Agent Sandbox', () => {
  const template = (podSpec: unknown, spec: object = {}): K8sObject => ({
    apiVersion: 'extensions.agents.x-k8s.io/v1alpha1',
    kind: 'SandboxTemplate',
    metadata: { name: 't', namespace: 'ns' },
    spec: { podTemplate: { spec: podSpec }, ...spec },
  });

  test('quantities', () => {
    const rows: [unknown, number | undefined][] = [
      ['500m', 0.5],
      ['1k', 1000],
      [2, 2],
      ['1.5', 1.5],
      ['256Mi', 256 * 2 ** 20],
      ['1e3', 1000],
      ['1G', 1e9],
      ['ten', undefined],
      ['', undefined],
      [null, undefined],
    ];
    for (const [value, expected] of rows) assert.equal(parseQuantity(value), expected, String(value));
  });

  test('registry allowlist boundaries', () => {
    assert.equal(withRegistryHost('nginx'), 'docker.io/nginx');
    assert.equal(withRegistryHost('library/nginx:1'), 'docker.io/library/nginx:1');
    assert.equal(withRegistryHost('localhost/app'), 'localhost/app');
    assert.equal(imageFromRegistry('gcr.io/p/app:1', 'gcr.io'), true);
    assert.equal(imageFromRegistry('gcr.io:5000/p/app:1', 'gcr.io'), false);
    assert.equal(imageFromRegistry('gcrXio/p/app', 'gcr.io'), false);
    assert.equal(imageFromRegistry('gcr.io.evil.com/p', 'gcr.io'), false);
    assert.equal(imageFromRegistry('gcr.io/p/app:1', 'gcr.io/p/app'), true);
    assert.equal(imageFromRegistry('gcr.io/p/app@sha256:abc', 'gcr.io/p/app'), true);
    assert.equal(imageFromRegistry('nginx', 'docker.io'), true);
  });

  test('floating tags', () => {
    assert.equal(imageTagFloating('app', []), true);
    assert.equal(imageTagFloating('app:latest', []), true);
    assert.equal(imageTagFloating('registry:5000/app', []), true);
    assert.equal(imageTagFloating('registry:5000/app:v1', []), false);
    assert.equal(imageTagFloating('app@sha256:abc', ['latest']), false);
    assert.equal(imageTagFloating('app:nightly', ['nightly']), true);
  });

  test('egress scoping', () => {
    assert.equal(egressRuleScoped({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }), true);
    assert.equal(
      egressRuleScoped({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }),
      false,
    );
    assert.equal(egressRuleScoped({ to: [{ podSelector: {} }] }), false);
    assert.equal(egressRuleScoped({ to: [{ namespaceSelector: { matchLabels: { a: 'b' } } }] }), true);
    assert.equal(egressRuleScoped({ to: [] }), false);
    assert.equal(egressRuleScoped('nonsense'), false);
  });

  test('egress policy rule paths', () => {
    const paths = (spec: object) =>
      run('agent-sandbox-egress-policy', [template({}, spec)]).flatMap((v) => v.failedPaths);
    assert.deepEqual(paths({}), ['spec.networkPolicy']);
    assert.deepEqual(paths({ networkPolicyManagement: 'Unmanaged' }), ['spec.networkPolicyManagement']);
    assert.deepEqual(paths({ networkPolicy: 'x' }), ['spec.networkPolicy']);
    assert.deepEqual(paths({ networkPolicy: { egress: {} } }), ['spec.networkPolicy.egress']);
    assert.deepEqual(paths({ networkPolicy: { egress: [] } }), []);
    assert.deepEqual(paths({ networkPolicy: { ingress: [] } }), []);
    assert.deepEqual(paths({ networkPolicy: { egress: [{}] } }), ['spec.networkPolicy.egress']);
  });

  test('resource ceilings', () => {
    const containers = [
      { name: 'a', resources: { limits: { cpu: '2', memory: '1Gi' } } },
      { name: 'b', resources: { limits: { cpu: 'lots' } } },
    ];
    const cpu = run('resources-sandbox-cpu-limits', [template({ containers })], {
      sandbox_cpu_limit_max: ['1500m'],
    });
    assert.deepEqual(
      cpu.flatMap((v) => v.failedPaths),
      ['spec.podTemplate.spec.containers[0].resources.limits.cpu'],
    );
    const memory = run('resources-sandbox-memory-limits', [template({ containers })], {
      sandbox_memory_limit_max: ['512Mi'],
    });
    assert.deepEqual(
      memory.flatMap((v) => v.failedPaths),
      ['spec.podTemplate.spec.containers[0].resources.limits.memory'],
    );
    assert.deepEqual(
      memory.flatMap((v) => v.fixPaths),
      [{ path: 'spec.podTemplate.spec.containers[1].resources.limits.memory', value: 'YOUR_VALUE' }],
    );
  });

  test('runtime class and image rules cover init containers', () => {
    const spec = {
      runtimeClassName: 'runc',
      initContainers: [{ name: 'i', image: 'evil.io/x:latest' }],
      containers: [],
    };
    assert.equal(run('agent-sandbox-hardened-runtime-class', [template(spec)]).length, 1);
    assert.equal(
      run('agent-sandbox-hardened-runtime-class', [template({ ...spec, runtimeClassName: 'gvisor' })]).length,
      0,
    );
    const [registry] = run('agent-sandbox-image-registry-allowlist', [template(spec)], {
      imageRepositoryAllowList: ['gcr.io'],
    });
    assert.deepEqual(registry?.failedPaths, ['spec.podTemplate.spec.initContainers[0].image']);
    assert.equal(run('agent-sandbox-image-tag-provenance', [template(spec)]).length, 1);
  });
});

describe('managed cluster objects', () => {
  const node = (name: string, osImage?: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { nodeInfo: osImage === undefined ? {} : { osImage } },
  });

  test('Fargate and container-optimized OS', () => {
    assert.equal(
      run('alert-fargate-not-in-use', [node('a'), node('b')])[0]?.alertObject.k8sApiObjects?.length,
      2,
    );
    assert.equal(run('alert-fargate-not-in-use', [node('a'), node('fargate-b')]).length, 0);
    assert.equal(run('alert-fargate-not-in-use', []).length, 0);
    assert.equal(
      run('alert-container-optimized-os-not-in-use', [
        node('a', 'Bottlerocket OS 1.0'),
        node('b', 'Ubuntu'),
        node('c'),
      ]).length,
      2,
    );
  });

  test('AWS HTTPS load balancers need a certificate annotation', () => {
    const lb = (annotations: Record<string, string>): K8sObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: 'ns', annotations },
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
    });
    assert.equal(run('ensure-https-loadbalancers-encrypted-with-tls-aws', [lb({})]).length, 1);
    assert.equal(
      run('ensure-https-loadbalancers-encrypted-with-tls-aws', [
        lb({ 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn' }),
      ]).length,
      0,
    );
  });

  test('odd objects never throw', () => {
    const odd: K8sObject[] = [
      { kind: 'Node' },
      { kind: 'Service', spec: null },
      { kind: 'Ingress', metadata: { name: 'i', annotations: null as unknown as Record<string, string> } },
      { kind: 'Role' },
      { kind: 'Pod', spec: { containers: 'x' } },
      { kind: 'ImageVulnerabilities', data: 5 },
      { kind: 'SandboxTemplate', spec: 'x' },
      { kind: 'SandboxTemplate', spec: { podTemplate: { spec: { containers: [null, 5, { image: 7 }] } } } },
      {
        kind: 'ClusterDescribe',
        apiVersion: 'eks.amazonaws.com/v1',
        metadata: { provider: 'eks' },
        data: 'x',
      },
      {
        kind: 'ClusterDescribe',
        apiVersion: 'management.azure.com/v1',
        metadata: { provider: 'aks' },
        data: [],
      },
      { kind: 'ListEntitiesForPolicies', metadata: { provider: 'eks' }, data: { rolesPolicies: [1] } },
      { kind: 'PolicyVersion', metadata: { provider: 'aks' }, data: { roleDefinitions: {} } },
      {
        kind: 'DescribeRepositories',
        apiVersion: 'container.googleapis.com/v1',
        metadata: { provider: 'gke' },
      },
    ];
    for (const rule of rules) assert.doesNotThrow(() => run(rule.name, odd), rule.name);
  });
});
