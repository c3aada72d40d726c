import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeConfigInputs } from '../../config.ts';
import { EvaluationContext, runRule } from '../../evaluate.ts';
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { auditPolicyCovers, procMountTypeEnabled } from './control-plane.ts';
import {
  apiServerAffectedByCve20223172,
  kernelAffectedByCve20220185,
  parseKubernetesVersion,
} from './cves.ts';
import { ownershipMismatch, permissionsExceed } from './files.ts';
import { rules } from './index.ts';
import { decodeBase64, filterObject } from './values.ts';

const HOST = 'hostdata.kubescape.cloud/v1beta0';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function rule(name: string): RuleDefinition {
  const found = rules.find((candidate) => candidate.name === name);
  assert.ok(found, `rule ${name}`);
  return found;
}

/** Runs a rule the way the engine does (only the rule's kinds are visible). */
function run(name: string, objects: K8sObject[]): Violation[] {
  return runRule(rule(name), new EvaluationContext(objects, mergeConfigInputs(undefined))).violations;
}

/** Runs a rule on objects regardless of its declared kinds (for rules whose logic reads other kinds). */
function evaluateDirectly(name: string, objects: K8sObject[]): Violation[] {
  const index = new EvaluationContext(objects, {}).store;
  return rule(name).evaluate({ objects, subjects: [], index, config: {}, cluster: {} });
}

const root = { uid: 0, gid: 0, username: 'root', groupname: 'root' };
const fileEntry = (path: string, permissions: number, ownership: object = root) => ({
  path,
  permissions,
  ownership,
});

function kubelet(cmdLine: unknown, configFile?: unknown, name = 'node-1'): K8sObject {
  return {
    apiVersion: HOST,
    kind: 'KubeletInfo',
    metadata: { name },
    data: { cmdLine, ...(configFile === undefined ? {} : { configFile }) },
  };
}

describe('values', () => {
  test('json.filter keeps selected paths and packs selected array elements', () => {
    const source = { kind: 'X', data: { files: [{ a: 1 }, { b: 2 }, { c: 3 }], other: true } };
    assert.deepEqual(filterObject(source, [['kind'], ['data', 'files', 2], ['data', 'missing']]), {
      kind: 'X',
      data: { files: [{ c: 3 }] },
    });
  });

  test('base64 decoding is strict', () => {
    assert.equal(decodeBase64(b64('abc: 1')), 'abc: 1');
    assert.equal(decodeBase64(''), '');
    assert.equal(decodeBase64('not base64!'), undefined);
    assert.equal(decodeBase64('YWJj='), undefined);
    assert.equal(decodeBase64(42), undefined);
  });
});

describe('file permissions and ownership', () => {
  test('permission masks', () => {
    assert.equal(permissionsExceed(0o644, 0o600), true);
    assert.equal(permissionsExceed(0o400, 0o600), false);
    assert.equal(permissionsExceed(0o600, 0o644), false);
    assert.equal(permissionsExceed(0o660, 0o644), true);
    assert.equal(permissionsExceed(0o700, 0o700), false);
  });

  test('ownership passes when the sensor reports an error', () => {
    assert.equal(ownershipMismatch({ error: 'not found' }, 'root', 'root'), false);
    assert.equal(ownershipMismatch({ ...root, groupname: 'wheel' }, 'root', 'root'), true);
    assert.equal(ownershipMismatch(root, 'root', 'root'), false);
  });

  const controlPlane: K8sObject = {
    apiVersion: HOST,
    kind: 'ControlPlaneInfo',
    metadata: { name: 'cp-1' },
    data: {
      PKIDir: fileEntry('/etc/kubernetes/pki', 0o755, { ...root, username: 'kube' }),
      PKIFiles: [
        fileEntry('/etc/kubernetes/pki/ca.crt', 0o644),
        fileEntry('/etc/kubernetes/pki/ca.key', 0o644),
        fileEntry('/etc/kubernetes/pki/sa.pub', 0o666, { error: 'permission denied' }),
      ],
      etcdDataDir: fileEntry('/var/lib/etcd', 0o700),
    },
  };

  test('PKI rules pick files by suffix and report only the failing entry', () => {
    const keys = run('ensure-that-the-Kubernetes-PKI-key-file-permissions-are-set-to-600', [controlPlane]);
    assert.equal(keys.length, 1);
    assert.deepEqual(keys[0]?.alertObject.externalObjects, {
      apiVersion: HOST,
      kind: 'ControlPlaneInfo',
      metadata: { name: 'cp-1' },
      data: { PKIFiles: [fileEntry('/etc/kubernetes/pki/ca.key', 0o644)] },
    });
    assert.equal(keys[0]?.fixCommand, 'chmod 600 /etc/kubernetes/pki/ca.key');
    const certs = run(
      'ensure-that-the-Kubernetes-PKI-certificate-file-permissions-are-set-to-600-or-more-restrictive',
      [controlPlane],
    );
    assert.equal(certs.length, 1);
  });

  test('PKI ownership checks the directory and every file, skipping unreadable ownership', () => {
    const owners = run('ensure-that-the-Kubernetes-PKI-directory-and-file-ownership-is-set-to-root-root', [
      controlPlane,
    ]);
    assert.equal(owners.length, 1);
    assert.equal(owners[0]?.fixCommand, 'chown root:root /etc/kubernetes/pki');
  });

  test('missing files, odd modes and partial ownership are not findings', () => {
    const odd: K8sObject = {
      apiVersion: HOST,
      kind: 'ControlPlaneInfo',
      metadata: { name: 'odd' },
      data: {
        APIServerInfo: { specsFile: { path: '/x', permissions: '0644', ownership: { username: 'nobody' } } },
        adminConfigFile: null,
        PKIFiles: 'not a list',
        etcdDataDir: { permissions: 0o777 },
      },
    };
    for (const candidate of rules) assert.doesNotThrow(() => run(candidate.name, [odd]), candidate.name);
    assert.deepEqual(
      run(
        'ensure-that-the-API-server-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
        [odd],
      ),
      [],
    );
    assert.deepEqual(
      run('ensure-that-the-API-server-pod-specification-file-ownership-is-set-to-root-root', [odd]),
      [],
    );
    assert.deepEqual(
      run('ensure-that-the-etcd-data-directory-permissions-are-set-to-700-or-more-restrictive', [odd]),
      [],
    );
  });
});

describe('kubelet settings', () => {
  const config = (yaml: string) => ({ content: b64(yaml) });

  test('a command-line flag decides before the config file', () => {
    assert.equal(
      run('anonymous-requests-to-kubelet-updated', [kubelet('kubelet --anonymous-auth=true')]).length,
      1,
    );
    assert.equal(
      run('anonymous-requests-to-kubelet-updated', [
        kubelet(
          'kubelet --anonymous-auth=false --config=/c',
          config('authentication: {anonymous: {enabled: true}}'),
        ),
      ]).length,
      0,
    );
  });

  test('the config file is read when the flag is absent', () => {
    const [finding] = run('anonymous-requests-to-kubelet-updated', [
      kubelet('kubelet --config=/c', config('authentication:\n  anonymous:\n    enabled: true\n')),
    ]);
    assert.deepEqual(finding?.failedPaths, ['authentication.anonymous.enabled']);
    assert.deepEqual(finding?.reviewPaths, ['authentication.anonymous.enabled']);
    assert.deepEqual((finding?.alertObject.externalObjects as { data: unknown }).data, {
      configFile: { content: 'authentication:\n  anonymous:\n    enabled: true\n' },
    });
  });

  test('a config file without content is reported unnamed; undecodable content is not judged', () => {
    const [unreadable] = run('kubelet-event-qps', [kubelet('kubelet --config=/c', {})]);
    assert.equal(unreadable?.alertMessage, 'Failed to analyze config file');
    assert.equal((unreadable?.alertObject.externalObjects as { metadata?: unknown }).metadata, undefined);
    assert.deepEqual(run('kubelet-event-qps', [kubelet('kubelet --config=/c', { content: '%%%' })]), []);
    assert.deepEqual(run('kubelet-event-qps', [kubelet('kubelet --config=/c', config('a: [unclosed'))]), []);
    assert.equal(
      run('kubelet-event-qps', [kubelet('kubelet --config=/c', config('eventRecordQPS: 0'))]).length,
      1,
    );
  });

  test('defaults apply without flag and config', () => {
    assert.equal(run('kubelet-protect-kernel-defaults', [kubelet('kubelet')]).length, 1);
    assert.equal(run('kubelet-rotate-certificates', [kubelet('kubelet')]).length, 0);
    const [noCa] = run('enforce-kubelet-client-tls-authentication-updated', [kubelet('kubelet')]);
    assert.deepEqual(noCa?.alertObject.externalObjects, {
      apiVersion: HOST,
      kind: 'KubeletInfo',
      data: { cmdLine: 'kubelet' },
    });
  });

  test('pod PID limit is read from the config file even without --config', () => {
    assert.equal(run('kubelet-set-pod-limit', [kubelet('kubelet', config('podPidsLimit: 0'))]).length, 0);
    assert.equal(run('kubelet-set-pod-limit', [kubelet('kubelet', config('maxPods: 10'))]).length, 1);
    assert.equal(
      run('kubelet-set-pod-limit', [kubelet('kubelet --pod-max-pids=100', config('maxPods: 10'))]).length,
      0,
    );
  });

  test('server certificate rotation fails only when explicitly disabled', () => {
    const name = 'kubelet-rotate-kubelet-server-certificate';
    assert.equal(
      run(name, [kubelet('kubelet --feature-gates=RotateKubeletServerCertificate=false')]).length,
      1,
    );
    assert.equal(run(name, [kubelet('kubelet --rotate-server-certificates=false')]).length, 1);
    assert.equal(
      run(name, [kubelet('kubelet', config('featureGates: {RotateKubeletServerCertificate: false}'))]).length,
      1,
    );
    assert.equal(run(name, [kubelet('kubelet', config('featureGates: {}'))]).length, 0);
  });

  test('cipher suites: weak command-line suites and weak config lists fail', () => {
    const name = 'kubelet-strong-cryptography-ciphers';
    assert.equal(run(name, [kubelet('kubelet --tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA')]).length, 1);
    assert.equal(
      run(name, [kubelet('kubelet --tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256')]).length,
      0,
    );
    assert.equal(
      run(name, [
        kubelet('kubelet --config=/c', config('TLSCipherSuites: [TLS_RSA_WITH_AES_128_GCM_SHA256]')),
      ]).length,
      0,
    );
    assert.equal(
      run(name, [kubelet('kubelet --config=/c', config('TLSCipherSuites: [TLS_RSA_WITH_RC4_128_SHA]'))])
        .length,
      1,
    );
  });

  test('TLS certificate settings are judged on KubeletInfo-shaped data', () => {
    const name = 'validate-kubelet-tls-configuration-updated';
    assert.equal(evaluateDirectly(name, [kubelet('kubelet --tls-cert-file=a')]).length, 1);
    assert.equal(
      evaluateDirectly(name, [
        kubelet('kubelet --tls-cert-file=a --config=/c', config('tlsPrivateKeyFile: b')),
      ]).length,
      0,
    );
    assert.equal(
      evaluateDirectly(name, [kubelet('kubelet --config=/c', config('tlsCertFile: a'))]).length,
      1,
    );
  });

  test('odd kubelet objects never throw', () => {
    const odd: K8sObject[] = [
      kubelet(42),
      kubelet(null),
      kubelet('kubelet --config=/c', 'not an object'),
      kubelet('kubelet --config=/c', { content: b64('\u0000 : [') }),
      kubelet('kubelet --config=/c', { content: b64('- just\n- a list\n') }),
      kubelet('kubelet --config=/c', { content: b64('"scalar"') }),
      { apiVersion: HOST, kind: 'KubeletInfo' },
      { apiVersion: HOST, kind: 'KubeletInfo', data: [] },
    ];
    for (const candidate of rules) {
      assert.doesNotThrow(() => run(candidate.name, odd), candidate.name);
      assert.doesNotThrow(() => evaluateDirectly(candidate.name, odd), candidate.name);
    }
  });
});

describe('control plane', () => {
  const withEncryptionConfig = (content: unknown): K8sObject => ({
    apiVersion: HOST,
    kind: 'ControlPlaneInfo',
    metadata: { name: 'cp' },
    data: { APIServerInfo: { encryptionProviderConfigFile: { path: '/enc.yaml', content } } },
  });

  test('encryption providers: a resource without aescbc/secretbox/kms gets a fix path', () => {
    const yaml =
      'kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n- resources: [configmaps]\n  providers:\n  - aescbc: {}\n';
    const [finding] = run('ensure-that-the-api-server-encryption-providers-are-appropriately-configured', [
      withEncryptionConfig(b64(yaml)),
    ]);
    assert.deepEqual(finding?.fixPaths, [
      { path: 'resources[0].providers[1]', value: '{"aescbc" | "secretbox" | "kms" : <provider config>}' },
    ]);
    assert.equal(
      (finding?.alertObject.externalObjects as { name?: string }).name,
      'encryption-provider-config',
    );
  });

  test('external KMS: JSON content is accepted and a recommended plugin passes', () => {
    const json = JSON.stringify({
      kind: 'EncryptionConfiguration',
      resources: [{ resources: ['secrets'], providers: [{ kms: { name: 'aws-encryption-provider' } }] }],
    });
    assert.deepEqual(run('external-secret-storage', [withEncryptionConfig(b64(json))]), []);
    const [finding] = run('external-secret-storage', [withEncryptionConfig(b64('resources: []'))]);
    assert.deepEqual(
      finding?.fixPaths.map((fix) => fix.path),
      ['resources[0].resources[0]', 'resources[0].providers[0].kms'],
    );
    for (const content of [undefined, 'x', b64('[1, 2]'), b64(': :')]) {
      assert.deepEqual(run('external-secret-storage', [withEncryptionConfig(content)]), []);
    }
  });

  test('audit policy coverage', () => {
    const rule = (level: string, ...resources: string[]) => ({
      level,
      resources: [{ group: '', resources }],
    });
    const complete = [
      rule('Metadata', 'secrets', 'configmaps', 'tokenreviews'),
      rule(
        'RequestResponse',
        'pods',
        'deployments',
        'pods/exec',
        'pods/portforward',
        'pods/proxy',
        'services/proxy',
      ),
    ];
    assert.equal(auditPolicyCovers(complete), true);
    assert.equal(auditPolicyCovers([...complete, rule('None', 'pods')]), false);
    assert.equal(auditPolicyCovers(complete.slice(1)), false);
    assert.equal(auditPolicyCovers('nonsense'), false);
  });

  test('audit policy rule reports a missing --audit-policy-file', () => {
    const info: K8sObject = {
      apiVersion: HOST,
      kind: 'ControlPlaneInfo',
      metadata: { name: 'cp' },
      data: { APIServerInfo: { cmdLine: 'kube-apiserver --foo' } },
    };
    const [finding] = evaluateDirectly('audit-policy-content', [info]);
    assert.equal(finding?.alertMessage, 'audit logs are not enabled');
  });

  test('procMount is only required with the ProcMountType gate', () => {
    assert.equal(procMountTypeEnabled('kube-apiserver --feature-gates=A=true,ProcMountType=true'), true);
    assert.equal(procMountTypeEnabled('kube-apiserver ProcMountType=true'), false);
    const deployment: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns' },
      spec: {
        template: {
          spec: { containers: [{ name: 'a', securityContext: { procMount: 'Default' } }, { name: 'b' }] },
        },
      },
    };
    const controlPlane = (cmdLine: string): K8sObject => ({
      apiVersion: HOST,
      kind: 'ControlPlaneInfo',
      metadata: { name: 'cp' },
      data: { APIServerInfo: { cmdLine } },
    });
    assert.deepEqual(run('set-procmount-default', [controlPlane('kube-apiserver'), deployment]), []);
    const [finding] = run('set-procmount-default', [
      controlPlane('x --feature-gates=ProcMountType=true'),
      deployment,
    ]);
    assert.deepEqual(finding?.fixPaths, [
      { path: 'spec.template.spec.containers[1].securityContext.procMount', value: 'Default' },
    ]);
  });
});

describe('node facts and CVEs', () => {
  test('CNI support for network policies', () => {
    const cni = (names: unknown): K8sObject => ({
      apiVersion: HOST,
      kind: 'CNIInfo',
      metadata: { name: 'n' },
      data: { CNINames: names },
    });
    const generic = 'ensure-that-the-cni-in-use-supports-network-policies';
    assert.equal(run(generic, [cni(['Flannel'])]).length, 1);
    assert.equal(run(generic, [cni(['Flannel', 'Calico'])]).length, 0);
    assert.equal(run(generic, [cni(['aws'])]).length, 1);
    assert.equal(run(generic, [cni(undefined)]).length, 0);
    assert.equal(run('ensure-network-policy-is-enabled-eks', [cni(['aws'])]).length, 1);
    assert.equal(run('ensure-network-policy-is-enabled-eks', [cni(['aws', 'Cilium'])]).length, 0);
  });

  test('kernel versions affected by CVE-2022-0185', () => {
    const rows: [string, boolean][] = [
      ['5.13.0-39-generic', true],
      ['5.16.1', true],
      ['5.16.2', false],
      ['5.0.21', false],
      ['4.19.0', false],
      ['5.4.0-1059-azure', true],
      ['5.4.0-1067-azure', false],
      ['5.10.0-1001-azure', false],
      ['garbage', false],
    ];
    for (const [version, affected] of rows)
      assert.equal(kernelAffectedByCve20220185(version), affected, version);
  });

  test('CVE-2022-0185 needs unprivileged user namespaces on the node', () => {
    const node: K8sObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { nodeInfo: { kernelVersion: '5.13.0-39-generic', operatingSystem: 'linux' } },
    };
    const vars = (value: string): K8sObject => ({
      apiVersion: HOST,
      kind: 'LinuxKernelVariables',
      metadata: { name: 'n1' },
      data: [{ key: 'unprivileged_userns_clone', value }],
    });
    assert.deepEqual(run('CVE-2022-0185', [node, vars('0\n')]), []);
    const [finding] = run('CVE-2022-0185', [node, vars('1\n')]);
    assert.deepEqual(finding?.failedPaths, ['kernelVersion']);
    assert.equal((finding?.alertObject.externalObjects as { name?: string }).name, 'n1');
  });

  test('API server versions affected by CVE-2022-3172', () => {
    assert.deepEqual(parseKubernetesVersion('v1.24.3-gke.100'), [1, 24, 3]);
    assert.equal(parseKubernetesVersion('garbage'), undefined);
    assert.equal(apiServerAffectedByCve20223172([1, 24, 3]), true);
    assert.equal(apiServerAffectedByCve20223172([1, 24, 5]), false);
    assert.equal(apiServerAffectedByCve20223172([1, 25, 0]), true);
    assert.equal(apiServerAffectedByCve20223172([1, 26, 0]), false);
    assert.equal(apiServerAffectedByCve20223172(undefined), true);
  });

  test('instance metadata access', () => {
    const info = (access: unknown): K8sObject => ({
      apiVersion: HOST,
      kind: 'cloudProviderInfo',
      metadata: { name: 'n' },
      data: { providerMetaDataAPIAccess: access },
    });
    assert.equal(run('instance-metadata-api-access', [info(true)]).length, 1);
    assert.equal(run('instance-metadata-api-access', [info('true')]).length, 0);
  });
});
