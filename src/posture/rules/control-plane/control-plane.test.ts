// Edge cases of the control-plane flag rules beyond the conformance corpus: pod recognition, flags in
// `args`, odd items, and malformed objects that must never make a rule throw.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { mergeConfigInputs } from '../../config.ts';
import { EvaluationContext, runRule } from '../../evaluate.ts';
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { flagListValue, flagOccurrences } from './flags.ts';
import { rules } from './index.ts';

function rule(name: string): RuleDefinition {
  const found = rules.find((r) => r.name === name);
  assert.ok(found, `rule ${name}`);
  return found;
}

function run(name: string, ...objects: K8sObject[]): Violation[] {
  return runRule(rule(name), new EvaluationContext(objects, mergeConfigInputs(undefined))).violations;
}

interface PodOptions {
  name?: string;
  namespace?: string;
  args?: unknown;
}

function pod(command: unknown, options: PodOptions = {}): K8sObject {
  const container: Record<string, unknown> = { name: 'main', command };
  if (options.args !== undefined) container.args = options.args;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name ?? 'kube-apiserver-node', namespace: options.namespace ?? 'kube-system' },
    spec: { containers: [container] },
  };
}

const apiServer = (flags: unknown[], options: PodOptions = {}): K8sObject =>
  pod(['kube-apiserver', ...flags], options);

/** The paths of the only violation, for compact assertions. */
function single(violations: Violation[]): Pick<Violation, 'failedPaths' | 'fixPaths'> {
  assert.equal(violations.length, 1, JSON.stringify(violations));
  const [only] = violations;
  assert.ok(only);
  assert.deepEqual(only.reviewPaths, only.failedPaths);
  return { failedPaths: only.failedPaths, fixPaths: only.fixPaths };
}

describe('flag parsing', () => {
  test('a list value ends at the next space and keeps the space in its origin', () => {
    assert.deepEqual(flagListValue('--a=1 --enable-admission-plugins=X,,Y --b', 'enable-admission-plugins'), {
      origin: ' --enable-admission-plugins=X,,Y ',
      values: ['X', 'Y'],
    });
  });
  test('an item setting the flag twice or with an empty value has no single value', () => {
    assert.equal(
      flagListValue('--authorization-mode=A --authorization-mode=B', 'authorization-mode'),
      undefined,
    );
    assert.equal(flagListValue('--authorization-mode=', 'authorization-mode'), undefined);
    assert.deepEqual(flagOccurrences('--x=a.b', 'x'), [{ origin: '--x=a.b', value: 'a.b' }]);
  });
});

describe('pod recognition', () => {
  const name = 'ensure-that-the-api-server-client-ca-file-argument-is-set-as-appropriate';
  test('only a v1 kube-system Pod with one container running kube-apiserver is checked', () => {
    assert.equal(run(name, apiServer([])).length, 1);
    assert.equal(run(name, apiServer([], { namespace: 'default' })).length, 0);
    assert.equal(run(name, pod(['/usr/local/bin/kube-apiserver'])).length, 1);
    assert.equal(run(name, pod(['kube-apiserver-wrapper'])).length, 0);
    const twoContainers = apiServer([]);
    (twoContainers.spec as { containers: unknown[] }).containers.push({ name: 'sidecar', command: ['x'] });
    assert.equal(run(name, twoContainers).length, 0);
    assert.equal(run(name, { ...apiServer([]), apiVersion: 'apps/v1' }).length, 0);
  });
  test('etcd is found in any namespace by the first word of command[0]', () => {
    const etcd = pod(['etcd --data-dir=/var/lib/etcd'], { name: 'etcd-node', namespace: 'other' });
    assert.deepEqual(single(run('etcd-tls-enabled', etcd)).fixPaths, [
      { path: 'spec.containers[0].command[1]', value: '--cert-file=<path/to/tls-certificate-file.crt>' },
      { path: 'spec.containers[0].command[2]', value: '--key-file=<path/to/tls-key-file.key>' },
    ]);
  });
});

describe('paths', () => {
  test('flags in args are reported at args[i] and missing flags are appended to args', () => {
    const rke2 = pod(['kube-apiserver'], { args: ['--advertise-address=1.2.3.4', '--profiling=true'] });
    assert.deepEqual(single(run('ensure-that-the-api-server-profiling-argument-is-set-to-false', rke2)), {
      failedPaths: ['spec.containers[0].args[1]'],
      fixPaths: [{ path: 'spec.containers[0].args[1]', value: '--profiling=false' }],
    });
    assert.deepEqual(
      single(run('ensure-that-the-api-server-audit-log-path-argument-is-set', rke2)).fixPaths,
      [{ path: 'spec.containers[0].args[2]', value: '--audit-log-path=/var/log/apiserver/audit.log' }],
    );
  });
  test('a second wanted flag keeps its own position even when the first one is set', () => {
    const onlyCert = apiServer(['--tls-cert-file=/c.crt']);
    assert.deepEqual(
      single(
        run(
          'ensure-that-the-api-server-tls-cert-file-and-tls-private-key-file-arguments-are-set-as-appropriate',
          onlyCert,
        ),
      ).fixPaths,
      [{ path: 'spec.containers[0].command[3]', value: '--tls-private-key-file=<path/to/tls-key-file.key>' }],
    );
  });
  test('non-string items keep their index and never match', () => {
    const odd = apiServer([42, null, { x: 1 }, '--authorization-mode=Node']);
    assert.deepEqual(
      single(run('ensure-that-the-api-server-authorization-mode-argument-includes-RBAC', odd)),
      {
        failedPaths: ['spec.containers[0].command[4]'],
        fixPaths: [{ path: 'spec.containers[0].command[4]', value: '--authorization-mode=Node,RBAC' }],
      },
    );
  });
  test('the flag is rewritten in place inside an item that holds several flags', () => {
    const joined = apiServer(['--secure-port=6443 --enable-admission-plugins=NodeRestriction --v=2']);
    assert.deepEqual(
      single(run('ensure-that-the-admission-control-plugin-AlwaysPullImages-is-set', joined)).fixPaths,
      [
        {
          path: 'spec.containers[0].command[1]',
          value: '--secure-port=6443--enable-admission-plugins=NodeRestriction,AlwaysPullImages--v=2',
        },
      ],
    );
  });
  test('etcd peer TLS names the flag list itself as failed', () => {
    const etcd = pod(['etcd'], { args: ['--peer-cert-file=/p.crt'], name: 'etcd-node' });
    assert.deepEqual(single(run('etcd-peer-tls-enabled', etcd)), {
      failedPaths: ['spec.containers[0].args'],
      fixPaths: [{ path: 'spec.containers[0].args[2]', value: '--peer-key-file=<path/to/tls-key-file.key>' }],
    });
  });
});

describe('rule semantics', () => {
  test('removing the only forbidden value: admission plugins get no fix, authorization falls back to RBAC', () => {
    assert.deepEqual(
      single(
        run(
          'ensure-that-the-admission-control-plugin-AlwaysAdmit-is-not-set',
          apiServer(['--enable-admission-plugins=AlwaysAdmit']),
        ),
      ).fixPaths,
      [],
    );
    assert.deepEqual(
      single(
        run(
          'ensure-that-the-api-server-authorization-mode-argument-is-not-set-to-AlwaysAllow',
          apiServer(['--authorization-mode=AlwaysAllow']),
        ),
      ).fixPaths,
      [{ path: 'spec.containers[0].command[1]', value: '--authorization-mode=RBAC' }],
    );
  });
  test('PodSecurityPolicy satisfies the SecurityContextDeny requirement', () => {
    const name =
      'ensure-that-the-admission-control-plugin-SecurityContextDeny-is-set-if-PodSecurityPolicy-is-not-used';
    assert.deepEqual(run(name, apiServer(['--enable-admission-plugins=PodSecurityPolicy'])), []);
    assert.equal(run(name, apiServer([])).length, 1);
  });
  test('DenyServiceExternalIPs must be enabled only when admission plugins are configured', () => {
    const name = 'ensure-that-the-api-server-DenyServiceExternalIPs-is-set';
    assert.deepEqual(run(name, apiServer([])), []);
    assert.deepEqual(single(run(name, apiServer(['--enable-admission-plugins=NodeRestriction']))).fixPaths, [
      { path: 'spec.containers[0].command[1]', value: '--enable-admission-plugins=DenyServiceExternalIPs' },
    ]);
  });
  test('audit log max age: numbers below 30 fail, other values pass', () => {
    const name = 'ensure-that-the-api-server-audit-log-maxage-argument-is-set-to-30-or-as-appropriate';
    assert.deepEqual(run(name, apiServer(['--audit-log-maxage=30'])), []);
    assert.deepEqual(run(name, apiServer(['--audit-log-maxage=soon'])), []);
    const [finding] = run(name, apiServer(['--audit-log-maxage=7']));
    assert.match(finding?.alertMessage ?? '', /is 7 days/);
  });
  test('review rules: present is a review finding, absent is a fix with a placeholder', () => {
    const name = 'ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate';
    assert.deepEqual(single(run(name, apiServer(['--audit-log-maxbackup=10']))), {
      failedPaths: ['spec.containers[0].command[1]'],
      fixPaths: [],
    });
    assert.deepEqual(single(run(name, apiServer([]))), {
      failedPaths: ['spec.containers[0].command[1]'],
      fixPaths: [{ path: 'spec.containers[0].command[1]', value: '--audit-log-maxbackup=YOUR_VALUE' }],
    });
    assert.deepEqual(
      run('ensure-that-the-api-server-request-timeout-argument-is-set-as-appropriate', apiServer([])),
      [],
    );
  });
  test('token auth file: removed from a shared item, no fix when it is the whole item', () => {
    const name = 'ensure-that-the-api-server-token-auth-file-parameter-is-not-set';
    assert.deepEqual(
      single(run(name, apiServer(['--tls-private-key-file=k --token-auth-file=t.csv']))).fixPaths,
      [{ path: 'spec.containers[0].command[1]', value: '--tls-private-key-file=k' }],
    );
    assert.deepEqual(single(run(name, apiServer(['--token-auth-file=t.csv']))).fixPaths, []);
  });
  test('controller manager and scheduler: whole-item profiling check and bind address', () => {
    const cm = pod(['kube-controller-manager', '--profiling=true', '--bind-address=0.0.0.0'], {
      name: 'kube-controller-manager-node',
    });
    assert.equal(run('ensure-that-the-controller-manager-profiling-argument-is-set-to-false', cm).length, 1);
    assert.deepEqual(
      single(run('ensure-that-the-controller-manager-bind-address-argument-is-set-to-127.0.0.1', cm)),
      {
        failedPaths: ['spec.containers[0].command[2]'],
        fixPaths: [{ path: 'spec.containers[0].command[2]', value: '--bind-address=127.0.0.1' }],
      },
    );
    const scheduler = pod(['kube-scheduler', '--profiling=false', '--bind-address=127.0.0.1'], {
      name: 'kube-scheduler-node',
    });
    assert.deepEqual(run('ensure-that-the-scheduler-profiling-argument-is-set-to-false', scheduler), []);
    assert.deepEqual(
      run('ensure-that-the-scheduler-bind-address-argument-is-set-to-127.0.0.1', scheduler),
      [],
    );
  });
  test('etcd-unique-ca fails both pods when etcd trusts the API client CA', () => {
    const etcd = pod(['etcd'], { name: 'etcd-node', args: ['--trusted-ca-file=/pki/ca.crt'] });
    const same = apiServer(['--client-ca-file=/pki/ca.crt']);
    const [found] = run('etcd-unique-ca', etcd, same);
    assert.deepEqual(found?.alertObject.k8sApiObjects, [etcd, same]);
    assert.deepEqual(found?.failedPaths, ['spec.containers[0].args[0]', 'spec.containers[0].command[1]']);
    assert.deepEqual(run('etcd-unique-ca', etcd, apiServer(['--client-ca-file=/pki/other.crt'])), []);
    assert.deepEqual(run('etcd-unique-ca', etcd), []);
  });
  test('insecure port: every container of a kube-apiserver Pod, command and args', () => {
    const twoContainers: K8sObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver-a', namespace: 'kube-system' },
      spec: {
        containers: [
          { name: 'a', command: ['kube-apiserver', '--insecure-port=1'] },
          { name: 'b', command: ['x'], args: ['--insecure-port=1'] },
        ],
      },
    };
    assert.deepEqual(
      run('insecure-port-flag', twoContainers).flatMap((v) => v.failedPaths),
      ['spec.containers[0].command[1]', 'spec.containers[1].args[0]'],
    );
    assert.deepEqual(run('insecure-port-flag', { ...twoContainers, metadata: { name: 'other' } }), []);
  });
});

describe('aggregated API server rules', () => {
  test('read the first kube-system pod named like the API server, whatever its command', () => {
    const server = pod(['/bin/server', '--authorization-mode=Node'], { name: 'my-api-server' });
    assert.deepEqual(single(run('rbac-enabled-native', server)).failedPaths, [
      'spec.containers[0].command[1]',
    ]);
    assert.deepEqual(single(run('k8s-audit-logs-enabled-native', server)).failedPaths, [
      'spec.containers[0].command',
    ]);
    assert.deepEqual(single(run('etcd-encryption-native', server)).fixPaths, [
      { path: 'spec.containers[0].command[2]', value: '--encryption-provider-config=YOUR_VALUE' },
    ]);
    assert.deepEqual(run('psp-enabled-native', server), []);
    assert.deepEqual(run('rbac-enabled-native', { ...server, metadata: { name: 'web' } }), []);
  });
});

describe('encryption provider configuration (host data)', () => {
  const name = 'ensure-that-the-api-server-encryption-provider-config-argument-is-set-as-appropriate';
  const controlPlaneInfo = (content: string): K8sObject => ({
    apiVersion: 'hostdata.kubescape.cloud/v1beta0',
    kind: 'ControlPlaneInfo',
    metadata: { name: 'node-1' },
    data: { APIServerInfo: { encryptionProviderConfigFile: { path: '/enc.yaml', content } } },
  });
  const encode = (text: string): string => Buffer.from(text).toString('base64');
  test('a configuration that does not cover secrets fails as its own object', () => {
    const config =
      'kind: EncryptionConfiguration\nresources:\n  - resources: [pods]\n    providers: [{identity: {}}]\n';
    const [found] = run(name, controlPlaneInfo(encode(config)));
    assert.deepEqual(found?.alertObject.externalObjects, {
      kind: 'EncryptionConfiguration',
      resources: [{ resources: ['pods'], providers: [{ identity: {} }] }],
      name: 'encryption-provider-config',
    });
  });
  test('secrets covered, unreadable content or no content pass', () => {
    const covered = JSON.stringify({
      kind: 'EncryptionConfiguration',
      resources: [{ resources: ['secrets'] }],
    });
    assert.deepEqual(run(name, controlPlaneInfo(encode(covered))), []);
    assert.deepEqual(run(name, controlPlaneInfo('%%%not base64')), []);
    assert.deepEqual(run(name, controlPlaneInfo(encode('a: [unclosed'))), []);
    assert.deepEqual(run(name, { ...controlPlaneInfo(''), data: null }), []);
  });
  test('the API server pod fails without the flag', () => {
    assert.equal(run(name, apiServer([])).length, 1);
    assert.deepEqual(run(name, apiServer(['--encryption-provider-config=/enc.yaml'])), []);
  });
});

describe('every rule is total', () => {
  const malformed: K8sObject[] = [
    { kind: 'Pod' },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-apiserver', namespace: 'kube-system' } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver', namespace: 'kube-system' },
      spec: null,
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver', namespace: 'kube-system' },
      spec: 'x',
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver', namespace: 'kube-system' },
      spec: { containers: [] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver', namespace: 'kube-system' },
      spec: { containers: { 0: { command: ['kube-apiserver'] } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver', namespace: 'kube-system' },
      spec: { containers: [null] },
    },
    pod('kube-apiserver --profiling=true'),
    pod([]),
    pod([7, '--x']),
    pod(['kube-apiserver'], { args: { a: '--profiling=true' } }),
    pod(['kube-apiserver'], { args: null }),
    pod(['etcd', null], { name: 'etcd' }),
    pod(['kube-controller-manager', undefined], { name: 'kcm' }),
    pod(['kube-scheduler', ['--profiling=true']], { name: 'sched' }),
    { apiVersion: 'hostdata.kubescape.cloud/v1beta0', kind: 'ControlPlaneInfo', data: { APIServerInfo: 5 } },
  ];
  for (const definition of rules) {
    test(definition.name, () => {
      assert.doesNotThrow(() =>
        definition.evaluate({
          objects: malformed,
          subjects: [],
          index: new EvaluationContext(malformed, {}).store,
          config: {},
          cluster: {},
        }),
      );
    });
  }
});
