import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../common/index.ts';
import type { KubeObject } from './meta.ts';
import {
  InstanceId,
  formatWlid,
  imageInfoToSlug,
  instanceIdOneTimeSlug,
  instanceIdSlug,
  isValidSlug,
  parseWlid,
  rbacToSlug,
  resourceToSlug,
  stringToSlug,
} from './names.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hashParts = (s: string) => `-${sha256(s).slice(0, 4)}-${sha256(s).slice(-4)}`;

function rejects(fn: () => unknown, input: string) {
  assert.throws(fn, (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(input));
}

describe('imageInfoToSlug', () => {
  const digest = `sha256:${'0'.repeat(58)}172635`;
  const cases: [string, string, string][] = [
    // The spec's worked example.
    ['docker.io/library/nginx:1.14.0', digest, 'docker.io-library-nginx-1.14.0-172635'],
    ['quay.io/kubescape/kubevuln:v0.3.2', 'nohash', 'quay.io-kubescape-kubevuln-v0.3.2-nohash'],
    ['127.0.0.1:5000/test/my_app:1', digest, '127.0.0.1-5000-test-my-app-1-172635'],
    [`reg.io/a/b@sha256:${'a'.repeat(64)}`, digest, `reg.io-a-b-sha256-${'a'.repeat(64)}-172635`],
    ['oci://reg.io/a:b', digest, 'oci-reg.io-a-b-172635'],
    ['a:/b', digest, 'a--b-172635'],
    ['Docker.IO/Library/Nginx:Latest', 'ABCDEF0', 'docker.io-library-nginx-latest-bcdef0'],
  ];
  for (const [image, hash, expected] of cases) {
    it(`${image} -> ${expected}`, () => assert.equal(imageInfoToSlug(image, hash), expected));
  }

  it('cuts a long image to 246 characters before the hash stub', () => {
    const image = `registry.example.com/${'x'.repeat(240)}:1`;
    const slug = imageInfoToSlug(image, digest);
    assert.equal(slug, `registry.example.com-${'x'.repeat(225)}-172635`);
    assert.equal(slug.length, 253);
  });

  it('keeps an image of 245 characters whole', () => {
    const image = 'r/' + 'y'.repeat(243);
    assert.equal(imageInfoToSlug(image, digest), `r-${'y'.repeat(243)}-172635`);
  });

  for (const [image, hash] of [
    ['', digest],
    ['nginx', 'abc12'],
    ['-nginx', digest],
    ['my image', digest],
    ['nginx.', 'nohash!'],
  ] as const) {
    it(`rejects image ${JSON.stringify(image)} with hash ${JSON.stringify(hash)}`, () =>
      rejects(() => imageInfoToSlug(image, hash), `"${image}"`));
  }
});

describe('stringToSlug and resourceToSlug', () => {
  const cases: [string, string][] = [
    ['Deployment-nginx', 'deployment-nginx'],
    ['deployment-nginx', 'deployment-nginx'],
    ['ClusterRole-system:controller:job-controller', 'clusterrole-system-controller-job-controller'],
    ['Pod-my_pod', 'pod-my-pod'],
    ['--Service--', 'service'],
    ['_.x.y._', 'x.y'],
    ['Pod-café', 'pod-caf'],
    ['Pod-a😀b', 'pod-a-b'],
    ['a..b', 'a..b'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(stringToSlug(input), expected));
  }

  it('cuts at 243 characters and appends hash parts of the original string', () => {
    const input = `Deployment-${'N'.repeat(300)}`;
    const slug = stringToSlug(input);
    assert.equal(slug, `deployment-${'n'.repeat(232)}${hashParts(input)}`);
    assert.equal(slug.length, 253);
  });

  it('adds no hash below 243 characters', () => {
    const input = 'a'.repeat(242);
    assert.equal(stringToSlug(input), input);
    assert.equal(stringToSlug('a'.repeat(243)), `${'a'.repeat(243)}${hashParts('a'.repeat(243))}`);
  });

  for (const bad of ['', '---', '___', 'x', '😀']) {
    it(`rejects ${JSON.stringify(bad)}`, () => rejects(() => stringToSlug(bad), `"${bad}"`));
  }

  it('resourceToSlug slugs <Kind>-<name>', () => {
    assert.equal(resourceToSlug('Deployment', 'nginx'), 'deployment-nginx');
    assert.equal(
      resourceToSlug('ClusterRole', 'system:aggregate-to-edit'),
      'clusterrole-system-aggregate-to-edit',
    );
  });

  it('rbacToSlug joins subject, role and binding', () => {
    assert.equal(
      rbacToSlug(
        { kind: 'ServiceAccount', name: 'default' },
        { kind: 'Role', name: 'reader' },
        { kind: 'RoleBinding', name: 'read' },
      ),
      'serviceaccount-default-role-reader-rolebinding-read',
    );
  });

  it('isValidSlug follows the DNS subdomain rule', () => {
    assert.ok(isValidSlug('ab'));
    assert.ok(isValidSlug('a.b-c'));
    assert.ok(isValidSlug('a'.repeat(253)));
    assert.ok(!isValidSlug('a'));
    assert.ok(!isValidSlug('a'.repeat(254)));
    assert.ok(!isValidSlug('Ab'));
    assert.ok(!isValidSlug('a-'));
    assert.ok(!isValidSlug('a_b'));
  });
});

describe('InstanceId', () => {
  const replicaSet = new InstanceId({
    apiVersion: 'apps/v1',
    namespace: 'default',
    kind: 'ReplicaSet',
    name: 'nginx-6799fc88d8',
    containerName: 'nginx',
    instanceType: 'container',
  });

  it('formats the string form', () => {
    assert.equal(
      replicaSet.toString(),
      'apiVersion-apps/v1/namespace-default/kind-ReplicaSet/name-nginx-6799fc88d8/containerName-nginx',
    );
    assert.equal(
      replicaSet.toStringNoContainer(),
      'apiVersion-apps/v1/namespace-default/kind-ReplicaSet/name-nginx-6799fc88d8',
    );
    assert.equal(replicaSet.hash(), sha256(replicaSet.toString()));
  });

  // The spec's worked example: namespace `default` reproduces the hash parts b5f6…2aff.
  it('slugs the spec example', () => {
    assert.equal(instanceIdSlug(replicaSet), 'replicaset-nginx-6799fc88d8-nginx-b5f6-2aff');
    assert.equal(instanceIdSlug(replicaSet, true), 'replicaset-nginx-6799fc88d8');
  });

  it('uses the alternate name in the string form and the slug', () => {
    const id = new InstanceId({
      apiVersion: 'apps/v1',
      namespace: 'kube-system',
      kind: 'DaemonSet',
      name: 'kube-proxy',
      alternateName: 'kube-proxy-5d8f7c9b6',
      containerName: 'kube-proxy',
      instanceType: 'container',
    });
    assert.equal(
      id.toString(),
      'apiVersion-apps/v1/namespace-kube-system/kind-DaemonSet/name-kube-proxy-5d8f7c9b6/containerName-kube-proxy',
    );
    assert.equal(instanceIdSlug(id), `daemonset-kube-proxy-5d8f7c9b6-kube-proxy${hashParts(id.toString())}`);
    assert.equal(instanceIdSlug(id, true), 'daemonset-kube-proxy-5d8f7c9b6');
  });

  it('cuts long names to 243 characters and appends the hash parts', () => {
    const id = new InstanceId({
      apiVersion: 'apps/v1',
      namespace: 'default',
      kind: 'StatefulSet',
      name: 'n'.repeat(250),
      containerName: 'app',
      instanceType: 'initContainer',
    });
    const parts = hashParts(id.toString());
    assert.equal(instanceIdSlug(id), `statefulset-${'n'.repeat(231)}${parts}`);
    // The no-container slug is hashed from the full string form too.
    assert.equal(instanceIdSlug(id, true), `statefulset-${'n'.repeat(231)}${parts}`);
    assert.equal(instanceIdSlug(id).length, 253);
  });

  it('makes one-time slugs that fit 253 characters', () => {
    const suffix = 'f'.repeat(32);
    assert.equal(
      instanceIdOneTimeSlug(replicaSet, false, suffix),
      `replicaset-nginx-6799fc88d8-nginx-b5f6-2aff-${suffix}`,
    );
    const long = new InstanceId({ ...replicaSet, name: 'n'.repeat(250) });
    const slug = instanceIdOneTimeSlug(long);
    assert.equal(slug.length, 253);
    assert.match(slug, /^replicaset-n{199}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{32}$/);
    assert.notEqual(instanceIdOneTimeSlug(long), slug);
  });

  it('rejects slugs that are not valid names', () => {
    const id = new InstanceId({ ...replicaSet, name: 'My_App' });
    rejects(() => instanceIdSlug(id), id.toString());
  });

  it('rejects empty fields and unknown types, naming the input', () => {
    rejects(() => new InstanceId({ ...replicaSet, namespace: '' }), 'name "nginx-6799fc88d8"');
    rejects(() => new InstanceId({ ...replicaSet, containerName: '' }), 'containerName');
    rejects(() => new InstanceId({ ...replicaSet, instanceType: 'sidecar' as 'container' }), '"sidecar"');
  });

  it('parses its string form back', () => {
    for (const s of [
      replicaSet.toString(),
      'apiVersion-v1/namespace-demo/kind-Pod/name-web/initContainerName-setup',
      'apiVersion-batch/v1/namespace-jobs/kind-Job/name-hello-fmhqwv/ephemeralContainerName-debugger',
    ]) {
      assert.equal(InstanceId.parse(s).toString(), s);
    }
    const parsed = InstanceId.parse(replicaSet.toString());
    assert.deepEqual(
      [
        parsed.apiVersion,
        parsed.namespace,
        parsed.kind,
        parsed.name,
        parsed.instanceType,
        parsed.containerName,
      ],
      ['apps/v1', 'default', 'ReplicaSet', 'nginx-6799fc88d8', 'container', 'nginx'],
    );
  });

  for (const bad of [
    '',
    'apiVersion-apps/v1/namespace-default/kind-ReplicaSet/name-nginx',
    'apiVersion-apps/v1/namespace-default/kind-ReplicaSet/name-nginx/sidecarName-x',
    'apiVersion-apps/v1/namespace-/kind-ReplicaSet/name-nginx/containerName-x',
    'namespace-default/kind-ReplicaSet/name-nginx/containerName-x',
  ]) {
    it(`parse rejects ${JSON.stringify(bad)}`, () => rejects(() => InstanceId.parse(bad), `"${bad}"`));
  }

  it('derives labels', () => {
    const id = new InstanceId({ ...replicaSet, templateHash: '6799fc88d8' });
    assert.deepEqual(id.labels(), {
      'kubescape.io/workload-api-group': 'apps',
      'kubescape.io/workload-api-version': 'v1',
      'kubescape.io/workload-namespace': 'default',
      'kubescape.io/workload-kind': 'ReplicaSet',
      'kubescape.io/workload-name': 'nginx-6799fc88d8',
      'kubescape.io/workload-container-name': 'nginx',
      'kubescape.io/instance-template-hash': '6799fc88d8',
    });
    const pod = new InstanceId({ ...replicaSet, apiVersion: 'v1', kind: 'Pod', name: 'web' });
    assert.equal(pod.labels()['kubescape.io/workload-api-group'], '');
    assert.equal(pod.labels()['kubescape.io/workload-api-version'], 'v1');
  });
});

describe('InstanceId.fromPod', () => {
  const container = (name: string, image = 'nginx:1.25') => ({ name, image });
  function pod(metadata: KubeObject['metadata'], spec: Record<string, unknown>): KubeObject {
    return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', ...metadata }, spec };
  }
  const owner = (kind: string, name: string, apiVersion = 'apps/v1') => ({
    apiVersion,
    kind,
    name,
    uid: 'u',
  });
  const strings = (ids: InstanceId[]) => ids.map((id) => id.toString());

  it('resolves a Deployment pod to its ReplicaSet, with the template hash', () => {
    const ids = InstanceId.fromPod(
      pod(
        {
          name: 'nginx-6799fc88d8-x2x4k',
          labels: { app: 'nginx', 'pod-template-hash': '6799fc88d8' },
          ownerReferences: [owner('ReplicaSet', 'nginx-6799fc88d8')],
        },
        { containers: [container('nginx')] },
      ),
    );
    assert.deepEqual(strings(ids), [
      'apiVersion-apps/v1/namespace-default/kind-ReplicaSet/name-nginx-6799fc88d8/containerName-nginx',
    ]);
    assert.equal(ids[0]!.templateHash, '6799fc88d8');
    assert.equal(instanceIdSlug(ids[0]!), 'replicaset-nginx-6799fc88d8-nginx-b5f6-2aff');
  });

  it('lists containers, init containers and ephemeral containers of a bare pod', () => {
    const ids = InstanceId.fromPod(
      pod(
        { name: 'web' },
        {
          containers: [container('app'), container('sidecar')],
          initContainers: [container('setup')],
          ephemeralContainers: [container('debugger')],
        },
      ),
    );
    assert.deepEqual(strings(ids), [
      'apiVersion-v1/namespace-default/kind-Pod/name-web/containerName-app',
      'apiVersion-v1/namespace-default/kind-Pod/name-web/containerName-sidecar',
      'apiVersion-v1/namespace-default/kind-Pod/name-web/initContainerName-setup',
      'apiVersion-v1/namespace-default/kind-Pod/name-web/ephemeralContainerName-debugger',
    ]);
    assert.equal(ids[0]!.templateHash, '');
  });

  it('keeps the pod as parent when the owner is a Node or an unknown kind', () => {
    for (const o of [owner('Node', 'node-1', 'v1'), owner('Rollout', 'web', 'argoproj.io/v1alpha1')]) {
      const ids = InstanceId.fromPod(
        pod({ name: 'web-1', ownerReferences: [o] }, { containers: [container('app')] }),
      );
      assert.deepEqual(strings(ids), [
        'apiVersion-v1/namespace-default/kind-Pod/name-web-1/containerName-app',
      ]);
    }
  });

  it('names DaemonSet pods <daemonset>-<controller-revision-hash>', () => {
    const ids = InstanceId.fromPod(
      pod(
        {
          name: 'kube-proxy-abcde',
          namespace: 'kube-system',
          labels: { 'controller-revision-hash': '5d8f7c9b6' },
          ownerReferences: [owner('DaemonSet', 'kube-proxy')],
        },
        { containers: [container('kube-proxy')] },
      ),
    );
    assert.equal(
      ids[0]!.toString(),
      'apiVersion-apps/v1/namespace-kube-system/kind-DaemonSet/name-kube-proxy-5d8f7c9b6/containerName-kube-proxy',
    );
    assert.equal(ids[0]!.name, 'kube-proxy');
  });

  it('names StatefulSet pods by the controller-revision-hash', () => {
    const ids = InstanceId.fromPod(
      pod(
        {
          name: 'db-0',
          labels: { 'controller-revision-hash': 'db-7b9c4d5f6' },
          ownerReferences: [owner('StatefulSet', 'db')],
        },
        { containers: [container('postgres')] },
      ),
    );
    assert.equal(
      ids[0]!.toString(),
      'apiVersion-apps/v1/namespace-default/kind-StatefulSet/name-db-7b9c4d5f6/containerName-postgres',
    );
    assert.equal(instanceIdSlug(ids[0]!, true), 'statefulset-db-7b9c4d5f6');
  });

  it('replaces the schedule suffix of CronJob-spawned Jobs with a pod spec hash', () => {
    const spec = (image: string, extra: Record<string, unknown> = {}) => ({
      containers: [
        { ...container('hello', image), volumeMounts: [{ name: 'token', mountPath: '/var/run' }] },
      ],
      volumes: [{ name: 'token', projected: { sources: [] } }],
      ...extra,
    });
    const fromJob = (jobName: string, podSpec: Record<string, unknown>) =>
      InstanceId.fromPod(
        pod({ name: `${jobName}-x1`, ownerReferences: [owner('Job', jobName, 'batch/v1')] }, podSpec),
      )[0]!;
    const a = fromJob('hello-28000000', spec('busybox:1.36'));
    assert.match(
      a.toString(),
      /^apiVersion-batch\/v1\/namespace-default\/kind-Job\/name-hello-[bcdfghjklmnpqrstvwxz2456789]+\/containerName-hello$/,
    );
    // The next run, a different hostname and projected volume: same name.
    const b = fromJob('hello-28000001', {
      ...spec('busybox:1.36', { hostname: 'other' }),
      volumes: [{ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }],
    });
    assert.equal(b.toString(), a.toString());
    // A different pod spec: a different name.
    assert.notEqual(fromJob('hello-28000002', spec('busybox:1.37')).toString(), a.toString());
    // Jobs not named after a schedule keep their name.
    assert.equal(fromJob('migrate', spec('busybox:1.36')).effectiveName, 'migrate');
    assert.equal(fromJob('migrate-v2', spec('busybox:1.36')).effectiveName, 'migrate-v2');
    assert.equal(fromJob('migrate-0', spec('busybox:1.36')).effectiveName, 'migrate-0');
  });

  it('rejects a pod without a namespace, naming it', () => {
    rejects(
      () => InstanceId.fromPod({ metadata: { name: 'web' }, spec: { containers: [container('app')] } }),
      'name "web"',
    );
  });

  it('returns nothing for a pod without containers', () => {
    assert.deepEqual(InstanceId.fromPod(pod({ name: 'web' }, {})), []);
  });
});

describe('WLID', () => {
  const cases: [string, string, string, string, string][] = [
    ['wlid://cluster-prod/namespace-default/deployment-nginx', 'prod', 'default', 'Deployment', 'nginx'],
    [
      'wlid://cluster-prod/namespace-default/replicaset-nginx-6799fc88d8',
      'prod',
      'default',
      'ReplicaSet',
      'nginx-6799fc88d8',
    ],
    [
      'wlid://cluster-c/namespace-kube-system/daemonset-kube-proxy',
      'c',
      'kube-system',
      'DaemonSet',
      'kube-proxy',
    ],
    ['wlid://cluster-c/namespace-db/statefulset-postgres', 'c', 'db', 'StatefulSet', 'postgres'],
    ['wlid://cluster-c/namespace-jobs/cronjob-hello', 'c', 'jobs', 'CronJob', 'hello'],
    ['wlid://cluster-c/namespace-jobs/job-migrate', 'c', 'jobs', 'Job', 'migrate'],
    ['wlid://cluster-c/namespace-demo/pod-web', 'c', 'demo', 'Pod', 'web'],
    [
      'wlid://cluster-c/namespace-demo/replicationcontroller-old',
      'c',
      'demo',
      'ReplicationController',
      'old',
    ],
    ['wlid://cluster-c/namespace-demo/serviceaccount-default', 'c', 'demo', 'ServiceAccount', 'default'],
    [
      'wlid://cluster-c/namespace-kubescape/clusterrolebinding-admin',
      'c',
      'kubescape',
      'ClusterRoleBinding',
      'admin',
    ],
    ['wlid://cluster-c/namespace-demo/rollout-web', 'c', 'demo', 'rollout', 'web'],
    ['wlid://cluster-/namespace-demo/deployment-web', '', 'demo', 'Deployment', 'web'],
  ];
  for (const [wlid, cluster, namespace, kind, name] of cases) {
    it(`${wlid} round-trips`, () => {
      assert.deepEqual(parseWlid(wlid), { cluster, namespace, kind, name });
      assert.equal(formatWlid(cluster, namespace, kind, name), wlid);
    });
  }

  it('formats kinds lower-case without dashes, and stops at the first empty part', () => {
    assert.equal(formatWlid('c', 'ns', 'Some-Kind', 'x'), 'wlid://cluster-c/namespace-ns/somekind-x');
    assert.equal(formatWlid('c', 'ns', '', ''), 'wlid://cluster-c/namespace-ns');
    assert.equal(formatWlid('c', '', 'Deployment', 'x'), 'wlid://cluster-c');
    assert.equal(formatWlid('c', 'ns', 'Deployment', ''), 'wlid://cluster-c/namespace-ns/deployment');
  });

  for (const bad of [
    '',
    'cluster-c/namespace-ns/deployment-x',
    'wlid://cluster-c/namespace-ns',
    'wlid://cluster-c/namespace-ns/deployment',
    'wlid://cluster-c/namespace-ns/deployment-',
    'wlid://cluster-c/namespace-/deployment-x',
    'wlid://c/namespace-ns/deployment-x',
    'wlid://cluster-c/ns/deployment-x',
    'wlid://cluster-c/namespace-ns/deployment-x/extra',
    'wlid://cluster-c/namespace-ns/deployment-my app',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => rejects(() => parseWlid(bad), `"${bad}"`));
  }
});
