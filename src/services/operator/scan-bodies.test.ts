import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InstanceId, instanceIdSlug } from '../../api/index.ts';
import { newJob } from './context.ts';
import { eventKey, mergeEvents, postureCommand, postureFingerprint } from './continuous.ts';
import { authConfigsFromSecret } from './credentials.ts';
import { imageScanCommand, profileScanCommand } from './image-scan.ts';
import type { KubeObjectJson } from './informer.ts';
import { skipReason, statusPatch } from './operator-commands.ts';
import type { OperatorCommand } from './types.ts';
import { commandNamespace, commandNamespaces } from './vuln-scan.ts';
import type { PodJson } from './workloads.ts';
import { podContainers, templateContainers, topOwner, WORKLOAD_KINDS } from './workloads.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('kubevuln request bodies', () => {
  const job = {
    ...newJob({ commandName: 'scan', jobTracking: { jobID: 'job-1', parentAction: 'parent-1' } }),
    startedAt: new Date('2026-01-02T03:04:05.000Z'),
  };
  const container = {
    containerName: 'nginx',
    imageTag: 'nginx:1.25',
    imageId: 'docker.io/library/nginx@sha256:abc',
    instanceId: new InstanceId({
      apiVersion: 'apps/v1',
      namespace: 'ns',
      kind: 'ReplicaSet',
      name: 'web-1',
      containerName: 'nginx',
      instanceType: 'container',
    }),
    slug: 'replicaset-web-1-nginx-aaaa-bbbb',
  };

  it('image scan: WebsocketScanCommand with session chain, instance slug and credentials', () => {
    const cmd = imageScanCommand(job, 'scan', {
      wlid: 'wlid://cluster-c/namespace-ns/deployment-web',
      namespace: 'ns',
      container,
      credentials: [{ username: 'u', password: 'p', serveraddress: 'reg' }],
    });
    assert.equal(cmd.parentJobID, 'job-1');
    assert.match(cmd.jobID ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(cmd, {
      session: {
        jobIDs: ['parent-1', 'job-1', cmd.jobID],
        timestamp: '2026-01-02T03:04:05.000Z',
        rootJobID: 'parent-1',
        action: 'scan',
      },
      imageTag: 'nginx:1.25',
      jobID: cmd.jobID,
      parentJobID: 'job-1',
      wlid: 'wlid://cluster-c/namespace-ns/deployment-web',
      isScanned: false,
      containerName: 'nginx',
      actionIDN: 0,
      imageHash: 'docker.io/library/nginx@sha256:abc',
      instanceID: 'replicaset-web-1-nginx-aaaa-bbbb',
      credentialsList: [{ username: 'u', password: 'p', serveraddress: 'reg' }],
    });
    const noCreds = imageScanCommand(job, 'scan', { wlid: 'w', namespace: 'ns', container, credentials: [] });
    assert.equal('credentialsList' in noCreds, false, 'omitempty');
    assert.equal('args' in noCreds, false, 'omitempty');
  });

  it('profile scan: args name/namespace of the ContainerProfile', () => {
    const cmd = profileScanCommand(job, 'scan', 'wlid://x', 'replicaset-web-1-nginx-aaaa-bbbb', 'ns', []);
    assert.deepEqual(cmd.args, { name: 'replicaset-web-1-nginx-aaaa-bbbb', namespace: 'ns' });
    assert.equal(cmd.wlid, 'wlid://x');
  });
});

describe('pull secret credentials', () => {
  it('reads dockerconfigjson and dockercfg, splitting auth when username/password are absent', () => {
    const json = {
      auths: {
        'registry.example:5000': { auth: b64('alice:s3cret') },
        'ghcr.io': { username: 'bob', password: 'pw', auth: b64('bob:pw') },
      },
    };
    assert.deepEqual(
      authConfigsFromSecret({
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64(JSON.stringify(json)) },
      }),
      [
        {
          serveraddress: 'registry.example:5000',
          username: 'alice',
          password: 's3cret',
          auth: b64('alice:s3cret'),
        },
        { serveraddress: 'ghcr.io', username: 'bob', password: 'pw', auth: b64('bob:pw') },
      ],
    );
    assert.deepEqual(
      authConfigsFromSecret({
        data: { '.dockercfg': b64(JSON.stringify({ 'quay.io': { username: 'q', password: 'r' } })) },
      }),
      [{ serveraddress: 'quay.io', username: 'q', password: 'r' }],
    );
    assert.deepEqual(authConfigsFromSecret({ data: { '.dockerconfigjson': b64('not json') } }), []);
    assert.deepEqual(authConfigsFromSecret({ data: { token: 'x' } }), []);
  });
});

describe('workloads and identifiers', () => {
  const pod: PodJson = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1-abcde',
      namespace: 'ns',
      labels: { 'pod-template-hash': '1' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true },
      ],
    },
    spec: {
      containers: [
        { name: 'nginx', image: 'nginx:1.25' },
        { name: 'idle', image: 'busybox' },
      ],
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'nginx',
          image: 'docker.io/library/nginx:1.25',
          imageID: 'docker-pullable://docker.io/library/nginx@sha256:abc',
        },
        { name: 'idle', image: 'busybox', imageID: '' },
      ],
    },
  };

  it('takes running containers with their digest and instance slug', () => {
    const [c, ...rest] = podContainers(pod);
    assert.equal(rest.length, 0, 'a container without image ID is not scanned');
    assert.equal(c!.imageId, 'docker.io/library/nginx@sha256:abc', 'docker-pullable:// stripped');
    assert.equal(c!.imageTag, 'nginx:1.25');
    const id = new InstanceId({
      apiVersion: 'apps/v1',
      namespace: 'ns',
      kind: 'ReplicaSet',
      name: 'web-1',
      containerName: 'nginx',
      instanceType: 'container',
      templateHash: '1',
    });
    assert.equal(c!.slug, instanceIdSlug(id));
  });

  it('resolves the WLID owner through ReplicaSet to Deployment', async () => {
    const rs: KubeObjectJson = {
      metadata: {
        name: 'web-1',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
      },
    };
    assert.deepEqual(await topOwner(pod, async (kind) => (kind === 'ReplicaSet' ? rs : undefined)), {
      kind: 'Deployment',
      name: 'web',
    });
    assert.deepEqual(await topOwner(pod, async () => undefined), { kind: 'ReplicaSet', name: 'web-1' });
    assert.deepEqual(await topOwner({ kind: 'Pod', metadata: { name: 'naked' } }, async () => undefined), {
      kind: 'Pod',
      name: 'naked',
    });
  });

  it('scans a workload template as instances of the workload, by tag', () => {
    const deployment: KubeObjectJson = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ns' },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'nginx', image: 'nginx:1.25' }],
            initContainers: [{ name: 'init', image: 'busybox:1' }],
          },
        },
      },
    };
    const containers = templateContainers(deployment);
    assert.deepEqual(
      containers.map((c) => [c.containerName, c.imageTag, c.imageId, c.instanceId.toString()]),
      [
        [
          'nginx',
          'nginx:1.25',
          '',
          'apiVersion-apps/v1/namespace-ns/kind-Deployment/name-web/containerName-nginx',
        ],
        [
          'init',
          'busybox:1',
          '',
          'apiVersion-apps/v1/namespace-ns/kind-Deployment/name-web/initContainerName-init',
        ],
      ],
    );
    const cronJob: KubeObjectJson = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'ns' },
      spec: {
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'alpine:3' }] } } } },
      },
    };
    assert.equal(templateContainers(cronJob)[0]?.imageTag, 'alpine:3');
  });

  it('names the namespaces of scoped commands', () => {
    assert.deepEqual(
      commandNamespaces({
        commandName: 'scan',
        designators: [{ designatorType: 'Attributes', attributes: {} }],
      }),
      [],
    );
    assert.deepEqual(
      commandNamespaces({ commandName: 'scan', wildWlid: 'wlid://cluster-c/namespace-shop' }),
      ['shop'],
    );
    assert.equal(
      commandNamespace({
        commandName: 'scan',
        designators: [{ attributes: { namespace: 'a' } }, { attributes: { namespace: 'b' } }],
      }),
      'a',
    );
  });
});

describe('continuous scanning events', () => {
  const deployment = WORKLOAD_KINDS[0]!;
  const v1: KubeObjectJson = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', resourceVersion: '1', managedFields: [{}] },
    spec: { replicas: 1 },
  };
  const v2 = { ...v1, metadata: { ...v1.metadata, resourceVersion: '2' }, status: { replicas: 1 } };
  const v3 = { ...v1, metadata: { ...v1.metadata, resourceVersion: '3' }, spec: { replicas: 2 } };

  it('keys events by group/version/kind/namespace/name', () => {
    assert.equal(eventKey(deployment, v1), 'apps/v1/Deployment/ns/web');
    assert.equal(
      eventKey(
        WORKLOAD_KINDS.find((k) => k.kind === 'Pod')!,
        v1,
      ),
      '/v1/Pod/ns/web',
    );
  });

  it('rescans on spec changes, not on status-only updates', () => {
    assert.equal(postureFingerprint(v1), postureFingerprint(v2));
    assert.notEqual(postureFingerprint(v1), postureFingerprint(v3));
  });

  it('merges events inside the cooldown', () => {
    const ev = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObjectJson, old?: KubeObjectJson) => ({
      type,
      object,
      old,
      workload: deployment,
    });
    assert.equal(mergeEvents(ev('ADDED', v1), ev('MODIFIED', v2, v1))?.type, 'ADDED');
    assert.equal(mergeEvents(ev('ADDED', v1), ev('DELETED', v2, v2)), undefined);
    const m = mergeEvents(ev('MODIFIED', v2, v1), ev('MODIFIED', v3, v2));
    assert.deepEqual([m?.type, m?.object, m?.old], ['MODIFIED', v3, v1]);
    assert.equal(mergeEvents(ev('DELETED', v1, v1), ev('ADDED', v2))?.type, 'ADDED');
  });

  it('posts scanObject without managedFields', () => {
    const cmd = postureCommand(v1, true);
    const scanV1 = cmd.args?.['scanV1'] as {
      scanObject: KubeObjectJson;
      isDeletedScanObject: boolean;
      hostScanner: boolean;
    };
    assert.equal(cmd.commandName, 'kubescapeScan');
    assert.equal(scanV1.isDeletedScanObject, true);
    assert.equal(scanV1.hostScanner, false);
    assert.equal(scanV1.scanObject.metadata?.managedFields, undefined);
    assert.deepEqual(v1.metadata?.managedFields, [{}], 'the cached object is untouched');
  });
});

describe('OperatorCommand handling', () => {
  const cmd = (status: OperatorCommand['status'], created: string): OperatorCommand => ({
    metadata: { name: 'c', namespace: 'kubescape', creationTimestamp: created },
    spec: { guid: 'g', commandType: 'OperatorAPI' },
    status,
  });
  const now = Date.parse('2026-01-01T01:00:00Z');

  it('skips completed and stale commands', () => {
    assert.equal(skipReason(cmd(undefined, '2026-01-01T00:45:00Z'), now, 30 * 60_000), undefined);
    assert.match(
      skipReason(cmd({ completed: true }, '2026-01-01T00:59:00Z'), now, 30 * 60_000) ?? '',
      /completed/,
    );
    assert.match(skipReason(cmd(undefined, '2026-01-01T00:29:00Z'), now, 30 * 60_000) ?? '', /older/);
  });

  it('writes started/completed status with base64 payload or the error', () => {
    const started = new Date('2026-01-01T00:00:00Z');
    const done = new Date('2026-01-01T00:00:05Z');
    assert.deepEqual(statusPatch(started, undefined), {
      executer: 'operator',
      started: true,
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    assert.deepEqual(statusPatch(started, done, { payload: 'scan-1' }), {
      executer: 'operator',
      started: true,
      startedAt: '2026-01-01T00:00:00.000Z',
      completed: true,
      completedAt: '2026-01-01T00:00:05.000Z',
      error: null,
      payload: b64('scan-1'),
    });
    assert.deepEqual(statusPatch(started, done, { error: 'boom' }).error, { message: 'boom' });
  });
});
