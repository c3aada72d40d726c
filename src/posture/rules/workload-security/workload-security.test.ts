// Edge cases of the workload-security rules beyond the conformance corpus: malformed objects, the
// container-vs-pod precedence rules, image reference parsing and resource quantities.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeConfigInputs } from '../../config.ts';
import { EvaluationContext, runRule } from '../../evaluate.ts';
import type { ClusterContext, ConfigInputs, K8sObject, RuleDefinition, Violation } from '../../model.ts';
import {
  hasLatestTag,
  hasPinnedDigest,
  hasTagOrDigest,
  isUnderRepository,
  normalizeImageName,
} from './images.ts';
import { rules } from './index.ts';
import { cpuToMillicores, memoryToBytes } from './quantities.ts';

function ruleNamed(name: string): RuleDefinition {
  const rule = rules.find((candidate) => candidate.name === name);
  assert.ok(rule, `rule ${name}`);
  return rule;
}

function run(
  name: string,
  objects: K8sObject[],
  config?: ConfigInputs,
  cluster?: ClusterContext,
): Violation[] {
  const context = new EvaluationContext(objects, mergeConfigInputs(config), cluster);
  return runRule(ruleNamed(name), context).violations;
}

/** Every path a rule reported, by kind: failed `F:`, review `R:`, delete `D:`, fix `X:path=value`. */
function paths(violations: Violation[]): string[] {
  return violations
    .flatMap((v) => [
      ...v.failedPaths.map((p) => `F:${p}`),
      ...v.reviewPaths.map((p) => `R:${p}`),
      ...v.deletePaths.map((p) => `D:${p}`),
      ...v.fixPaths.map((f) => `X:${f.path}=${f.value}`),
    ])
    .sort();
}

function pod(spec: unknown, metadata: Record<string, unknown> = { name: 'p' }): K8sObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function deployment(podSpec: unknown): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { template: { spec: podSpec } },
  };
}

const MALFORMED: K8sObject[] = [
  { kind: 'Pod' },
  { kind: 'Pod', metadata: null, spec: null } as unknown as K8sObject,
  pod('not a spec'),
  pod({ containers: 'abc', initContainers: 5, ephemeralContainers: { a: 1 }, volumes: 'v' }),
  pod({
    securityContext: 'root',
    volumes: [null, 'x', { name: 'v' }, { name: 'h', hostPath: null }, { name: 'h2', hostPath: { path: 5 } }],
    containers: [
      null,
      'container',
      7,
      {
        name: 3,
        image: 5,
        imagePullPolicy: 'IfNotPresent',
        command: 'sudo',
        env: 'env',
        envFrom: { secretRef: {} },
        ports: 'ports',
        resources: 'lots',
        securityContext: 'privileged',
        volumeMounts: 7,
      },
      {
        env: [null, 'x', { name: { nested: true }, value: 5 }, { value: { secret: 'x' } }],
        envFrom: [null, { secretRef: null }],
        ports: [null, { hostPort: 'x' }],
        resources: { limits: 'x', requests: { cpu: {}, memory: [] } },
        securityContext: {
          capabilities: { add: 'SYS_ADMIN', drop: 'ALL' },
          seccompProfile: 'x',
          windowsOptions: 'x',
        },
        volumeMounts: [null, { name: 5, readOnly: 'no' }],
        command: [null, 5, { sudo: true }],
      },
    ],
  }),
  pod({ securityContext: { sysctls: 'x', supplementalGroups: { 0: 0 }, fsGroup: '1', seccompProfile: [] } }),
  pod({
    securityContext: { sysctls: [null, { name: 5 }, { value: '1' }] },
    os: 'windows',
    nodeSelector: 'x',
  }),
  { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: null } },
  { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: [] } } },
  { apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: 'x' } },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    spec: {
      jobTemplate: { spec: { template: { spec: { containers: [{}], volumes: [{}], securityContext: [] } } } },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    spec: { template: { spec: { containers: [{ env: [{}] }] } } },
  },
  { apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', spec: null } as unknown as K8sObject,
];

describe('workload-security rules', () => {
  test('never throw on malformed objects', () => {
    const config: ConfigInputs = {
      sensitiveValues: ['(?i)bad(', '\\z', '(?<=x)'],
      sensitiveValuesAllowed: ['['],
      cpu_limit_max: ['lots'],
      memory_request_min: ['1Xi'],
    };
    for (const rule of rules) {
      for (const cluster of [{}, { cloudProvider: 'eks' }]) {
        assert.doesNotThrow(() => run(rule.name, MALFORMED, config, cluster), rule.name);
      }
    }
  });

  test('image signature rules need registry data and report nothing themselves', () => {
    for (const name of ['has-image-signature', 'verify-image-signature']) {
      assert.equal(ruleNamed(name).requiresData, 'image signatures from the registry (cosign)');
      assert.deepEqual(run(name, [pod({ containers: [{ image: 'nginx' }] })]), []);
    }
  });

  test('non-root: a root user set on the pod is fixed on the pod', () => {
    const violations = run('non-root-containers', [
      pod({ securityContext: { runAsUser: 0, runAsGroup: 10 }, containers: [{ name: 'c' }] }),
    ]);
    assert.deepEqual(paths(violations), ['X:spec.securityContext.runAsUser=1000']);
  });

  test('non-root: runAsNonRoot on the container wins over the pod, runAsGroup 0 still fails', () => {
    const violations = run('non-root-containers', [
      pod({
        securityContext: { runAsNonRoot: false },
        containers: [{ securityContext: { runAsNonRoot: true, runAsGroup: 0 } }],
      }),
    ]);
    assert.deepEqual(paths(violations), ['X:spec.containers[0].securityContext.runAsGroup=1000']);
  });

  test('seccomp RuntimeDefault: wrong values are reported where they are set', () => {
    const violations = run('set-seccomp-profile-RuntimeDefault', [
      pod({
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        containers: [
          {},
          { securityContext: { seccompProfile: { type: 'Localhost' } } },
          { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
        ],
      }),
      deployment({ containers: [{}] }),
    ]);
    assert.deepEqual(paths(violations), [
      'F:spec.containers[1].securityContext.seccompProfile.type',
      'F:spec.securityContext.seccompProfile.type',
      'R:spec.containers[1].securityContext.seccompProfile.type',
      'R:spec.securityContext.seccompProfile.type',
      'X:spec.template.spec.containers[0].securityContext.seccompProfile.type=RuntimeDefault',
    ]);
  });

  test('linux hardening: a pod-level seccomp profile covers init containers too', () => {
    const covered = pod({
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{}],
    });
    assert.deepEqual(run('linux-hardening', [covered]), []);
    assert.deepEqual(paths(run('linux-hardening', [pod({ initContainers: [{}], containers: [] })])), [
      'X:spec.initContainers[0].securityContext.seccompProfile=YOUR_VALUE',
    ]);
  });

  test('NET_RAW: dropping ALL fails when NET_RAW is added back; the fix appends to drop', () => {
    const violations = run('drop-capability-netraw', [
      pod({
        containers: [
          { securityContext: { capabilities: { drop: ['ALL'], add: ['NET_RAW'] } } },
          { securityContext: { capabilities: { drop: ['CHOWN', 'SETUID'] } } },
          { securityContext: { capabilities: { drop: ['NET_RAW'], add: ['NET_RAW'] } } },
        ],
      }),
    ]);
    assert.deepEqual(paths(violations), [
      'D:spec.containers[0].securityContext.capabilities.add',
      'F:spec.containers[0].securityContext.capabilities.add',
      'X:spec.containers[1].securityContext.capabilities.drop[2]=NET_RAW',
    ]);
  });

  test('privilege escalation: nothing fails when every PodSecurityPolicy forbids it', () => {
    const psp: K8sObject = {
      kind: 'PodSecurityPolicy',
      metadata: { name: 'psp' },
      spec: { allowPrivilegeEscalation: false },
    };
    const workload = pod({ containers: [{}] });
    assert.deepEqual(run('rule-allow-privilege-escalation', [workload, psp]), []);
    const permissive: K8sObject = { kind: 'PodSecurityPolicy', metadata: { name: 'open' }, spec: {} };
    assert.equal(run('rule-allow-privilege-escalation', [workload, psp, permissive]).length, 1);
  });

  test('credentials: file paths, allowed names and unparsable patterns', () => {
    const workload = pod({
      containers: [
        {
          env: [
            { name: 'API_TOKEN', value: '/var/run/secrets/token' },
            { name: 'DB_PASSWORD', value: 'hunter2' },
            { name: 'PASSWORD_FILE', value: 'x' },
            { name: 'GREETING', value: 'Bearer abc' },
            { name: 'EMPTY_SECRET', value: '' },
            { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          ],
        },
      ],
    });
    const violations = run('rule-credentials-in-env-var', [workload], {
      sensitiveKeyNamesAllowed: ['_FILE'],
      sensitiveValues: ['Bearer', '(unclosed'],
    });
    assert.deepEqual(
      paths(violations).filter((p) => p.startsWith('F:')),
      [
        'F:spec.containers[0].env[1].name',
        'F:spec.containers[0].env[1].value',
        'F:spec.containers[0].env[3].name',
        'F:spec.containers[0].env[3].value',
      ],
    );
  });

  test('duplicate env: every occurrence of a repeated name, ReplicationController included', () => {
    const rc: K8sObject = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc' },
      spec: { template: { spec: { containers: [{ env: [{ name: 'A' }, { name: 'B' }, { name: 'A' }] }] } } },
    };
    assert.deepEqual(paths(run('duplicate-env-var', [rc])), [
      'F:spec.template.spec.containers[0].env[0].name',
      'F:spec.template.spec.containers[0].env[2].name',
    ]);
  });

  test('cloud credential mounts depend on the cluster provider', () => {
    const workload = pod({
      containers: [{ volumeMounts: [{ name: 'aws' }] }],
      volumes: [
        { name: 'aws', hostPath: { path: '/.aws' } },
        { name: 'azure', hostPath: { path: '/etc/kubernetes/azure.json' } },
      ],
    });
    assert.deepEqual(run('alert-mount-potential-credentials-paths', [workload]), []);
    assert.deepEqual(
      paths(run('alert-mount-potential-credentials-paths', [workload], {}, { cloudProvider: 'eks' })),
      [
        'D:spec.containers[0].volumeMounts[0]',
        'D:spec.volumes[0]',
        'F:spec.containers[0].volumeMounts[0]',
        'F:spec.volumes[0]',
      ],
    );
    assert.deepEqual(
      paths(run('alert-mount-potential-credentials-paths', [workload], {}, { cloudProvider: 'aks' })),
      ['D:spec.volumes[1]', 'F:spec.volumes[1]'],
    );
  });

  test('pull policy: untagged, latest and floating tags fail unless pulled Always', () => {
    const workload = pod({
      containers: [
        { image: 'registry:5000/app', imagePullPolicy: 'IfNotPresent' },
        { image: 'app:1.0', imagePullPolicy: 'IfNotPresent' },
        { image: 'app:latest', imagePullPolicy: 'Never' },
        { image: 'app:stable', imagePullPolicy: 'IfNotPresent' },
        { image: 'app:latest' },
        { image: 'app@sha256:' + 'a'.repeat(64), imagePullPolicy: 'Never' },
      ],
    });
    const failed = paths(
      run('image-pull-policy-is-not-set-to-always', [workload], { floatingImageTags: ['stable'] }),
    ).filter((p) => p.startsWith('F:') && p.endsWith('.image'));
    assert.deepEqual(failed, [
      'F:spec.containers[0].image',
      'F:spec.containers[2].image',
      'F:spec.containers[3].image',
    ]);
  });

  test('resources: bounds compare normalized quantities', () => {
    const workload = deployment({
      containers: [
        { resources: { limits: { cpu: 2, memory: '1Gi' }, requests: { cpu: '250m', memory: '1G' } } },
      ],
    });
    const cpu = run('resources-cpu-limit-and-request', [workload], {
      cpu_limit_max: ['1500m'],
      cpu_request_min: ['0.1'],
    });
    assert.deepEqual(paths(cpu), [
      'F:spec.template.spec.containers[0].resources.limits.cpu',
      'R:spec.template.spec.containers[0].resources.limits.cpu',
    ]);
    const memory = run('resources-memory-limit-and-request', [workload], { memory_request_max: ['1000Mi'] });
    assert.deepEqual(paths(memory), []);
  });

  test('old registry: only kube-system workloads', () => {
    const image = { containers: [{ image: 'k8s.gcr.io/pause:3.1' }] };
    assert.equal(
      run('rule-identify-old-k8s-registry', [pod(image, { name: 'a', namespace: 'default' })]).length,
      0,
    );
    assert.equal(
      run('rule-identify-old-k8s-registry', [pod(image, { name: 'b', namespace: 'kube-system' })]).length,
      1,
    );
  });

  test('CVE versions are read from the image tag', () => {
    const argo = deployment({
      containers: [
        { image: 'quay.io/argoproj/argocd:v2.1.8' },
        { image: 'argocd:v2.1.9' },
        { image: 'argocd:v2.2.x' },
      ],
    });
    assert.deepEqual(paths(run('CVE-2022-24348', [argo])), [
      'F:spec.template.spec.containers[0].image',
      'R:spec.template.spec.containers[0].image',
    ]);
    assert.equal(
      run('CVE-2022-39328', [deployment({ containers: [{ image: 'grafana/grafana:9.2.3-ubuntu' }] })]).length,
      1,
    );
    assert.equal(
      run('CVE-2022-47633', [deployment({ containers: [{ image: 'kyverno/kyverno:v1.8.5' }] })]).length,
      0,
    );
  });
});

describe('image references', () => {
  test('normalize like docker/distribution', () => {
    assert.equal(normalizeImageName('nginx'), 'docker.io/library/nginx');
    assert.equal(normalizeImageName('nginx:1.25'), 'docker.io/library/nginx:1.25');
    assert.equal(normalizeImageName('bitnami/redis'), 'docker.io/bitnami/redis');
    assert.equal(normalizeImageName('index.docker.io/nginx'), 'docker.io/library/nginx');
    assert.equal(normalizeImageName('localhost/app'), 'localhost/app');
    assert.equal(
      normalizeImageName('registry.example.com:5000/team/app:v1'),
      'registry.example.com:5000/team/app:v1',
    );
    const digest = 'sha256:' + 'a'.repeat(64);
    assert.equal(normalizeImageName(`gcr.io/p/app@${digest}`), `gcr.io/p/app@${digest}`);
    assert.equal(normalizeImageName('Nginx'), undefined);
    assert.equal(normalizeImageName('nginx@sha256:abc'), undefined);
    assert.equal(normalizeImageName('a'.repeat(64)), undefined);
    assert.equal(normalizeImageName(42), undefined);
  });

  test('digests, tags and repository prefixes', () => {
    assert.ok(hasPinnedDigest('nginx:1.25@sha256:' + 'a'.repeat(64)));
    assert.ok(!hasPinnedDigest('nginx@sha256:' + 'A'.repeat(64)));
    assert.ok(hasPinnedDigest('nginx@custom-algorithm:a'));
    assert.ok(!hasPinnedDigest('registry:5000/nginx'));
    assert.ok(isUnderRepository('internal/app:1', 'internal'));
    assert.ok(!isUnderRepository('internal-other/app:1', 'internal'));
    assert.ok(!hasTagOrDigest('registry:5000/app'));
    assert.ok(hasTagOrDigest('registry:5000/app:1'));
    assert.ok(hasLatestTag('registry:5000/app:latest'));
    assert.ok(!hasLatestTag('app:latest-alpine'));
  });
});

describe('quantities', () => {
  test('cpu in millicores', () => {
    assert.equal(cpuToMillicores('500m'), 500);
    assert.equal(cpuToMillicores(1), 1000);
    assert.equal(cpuToMillicores('0.5'), 500);
    assert.equal(cpuToMillicores('lots'), undefined);
    assert.equal(cpuToMillicores({}), undefined);
  });

  test('memory in bytes', () => {
    assert.equal(memoryToBytes('1Gi'), 1024 ** 3);
    assert.equal(memoryToBytes('1G'), 1e9);
    assert.equal(memoryToBytes('400m'), 0.4);
    assert.equal(memoryToBytes(128), 128);
    assert.equal(memoryToBytes('1Xi'), undefined);
  });
});
