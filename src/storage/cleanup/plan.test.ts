import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { formatWlid } from '../../api/index.ts';
import { planCleanup } from './plan.ts';
import type { PlanOptions } from './plan.ts';
import type { RunningState } from './running-state.ts';
import { addRunningTemplateHash, addRunningWlid, emptyRunningState } from './running-state.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const nginxInstance =
  'apiVersion-apps/v1/namespace-web/kind-ReplicaSet/name-nginx-6799fc88d8/containerName-nginx';
const initInstance =
  'apiVersion-apps/v1/namespace-web/kind-ReplicaSet/name-nginx-6799fc88d8/initContainerName-init-db';
const goneInstance =
  'apiVersion-apps/v1/namespace-web/kind-ReplicaSet/name-nginx-5d4f7c9b8/containerName-nginx';
const deployment = formatWlid('prod', 'web', 'Deployment', 'nginx');
const cronJob = formatWlid('prod', 'batch', 'CronJob', 'report');

function runningState(): RunningState {
  const state = emptyRunningState();
  for (const id of [
    `docker-pullable://nginx@${digest('a')}`,
    `docker.io/library/redis@${digest('b')}`,
    digest('c'),
  ]) {
    state.imageIDs.add(id);
  }
  state.instanceIDs.add(nginxInstance);
  state.instanceIDs.add(initInstance);
  // Collected without a cluster name, as the service does; objects carry the cluster's.
  addRunningWlid(state, formatWlid('', 'web', 'Deployment', 'nginx'), ['nginx', 'init-db']);
  addRunningWlid(state, formatWlid('', 'web', 'ReplicaSet', 'nginx-6799fc88d8'), ['nginx', 'init-db']);
  addRunningWlid(state, formatWlid('', 'batch', 'CronJob', 'report'), ['report']);
  addRunningTemplateHash(state, 'web', '6799fc88d8');
  return state;
}

interface Meta {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** [case, resource, metadata, expected verdict (a reason pattern when deleted)] */
type Row = [string, string, Meta, 'keep' | RegExp];

const imageId = 'kubescape.io/image-id';
const instanceId = 'kubescape.io/instance-id';
const wlid = 'kubescape.io/wlid';
const containerName = 'kubescape.io/workload-container-name';
const sbomType = 'kubescape.io/sbom-type';
const templateHash = 'kubescape.io/instance-template-hash';
const workloadKind = 'kubescape.io/workload-kind';
const user = { 'kubescape.io/managed-by': 'User' };

// prettier-ignore
const rows: Row[] = [
  // Deprecated kinds: always, unless users manage them.
  ['SBOMSPDXv2p3', 'sbomspdxv2p3s', { annotations: { [imageId]: `redis@${digest('b')}` } }, /deprecated/],
  ['SBOMSPDXv2p3Filtered', 'sbomspdxv2p3filtereds', {}, /deprecated/],
  ['SBOMSummary', 'sbomsummaries', {}, /deprecated/],
  ['ApplicationActivity', 'applicationactivities', {}, /deprecated/],
  ['ApplicationProfileSummary', 'applicationprofilesummaries', {}, /deprecated/],
  ['NetworkNeighbors', 'networkneighborses', {}, /deprecated/],
  ['user-managed deprecated object', 'sbomsummaries', { annotations: user }, 'keep'],

  // SBOMSyft: by image ID.
  ['image by digest (kubelet spells it docker-pullable://nginx@…)', 'sbomsyfts', { annotations: { [imageId]: `docker.io/library/nginx@${digest('a')}` } }, 'keep'],
  ['image by full ID', 'sbomsyfts', { annotations: { [imageId]: `docker.io/library/redis@${digest('b')}` } }, 'keep'],
  ['image whose running ID is a bare digest', 'sbomsyfts', { annotations: { [imageId]: `quay.io/x/y@${digest('c')}` } }, 'keep'],
  ['image not running', 'sbomsyfts', { annotations: { [imageId]: `docker.io/library/nginx@${digest('d')}` } }, /image .* is not used/],
  ['no image-id annotation', 'sbomsyfts', { labels: { [sbomType]: 'image' } }, /no kubescape.io\/image-id/],
  ['empty image-id annotation', 'sbomsyfts', { annotations: { [imageId]: '' } }, /image "" is not used/],
  ['host SBOM', 'sbomsyfts', { labels: { [sbomType]: 'host' } }, 'keep'],
  ['node SBOM', 'sbomsyfts', { labels: { [sbomType]: 'node' }, annotations: { [imageId]: digest('e') } }, 'keep'],
  ['user-managed orphan SBOM', 'sbomsyfts', { annotations: { ...user, [imageId]: digest('d') } }, 'keep'],

  // VulnerabilityManifest: by image ID or instance ID, whichever it has.
  ['image manifest, image running', 'vulnerabilitymanifests', { annotations: { [imageId]: `nginx@${digest('a')}` } }, 'keep'],
  ['relevant manifest, instance running', 'vulnerabilitymanifests', { annotations: { [instanceId]: nginxInstance } }, 'keep'],
  ['both running', 'vulnerabilitymanifests', { annotations: { [imageId]: digest('b'), [instanceId]: initInstance } }, 'keep'],
  ['neither annotation', 'vulnerabilitymanifests', {}, /neither/],
  ['image running, instance gone', 'vulnerabilitymanifests', { annotations: { [imageId]: digest('a'), [instanceId]: goneInstance } }, /instance .* is not running/],
  ['instance running, image gone', 'vulnerabilitymanifests', { annotations: { [imageId]: digest('f'), [instanceId]: nginxInstance } }, /image .* is not used/],
  ['image gone', 'vulnerabilitymanifests', { annotations: { [imageId]: digest('f') } }, /image .* is not used/],
  ['host manifest', 'vulnerabilitymanifests', { labels: { [sbomType]: 'host' } }, 'keep'],

  // OpenVEX and filtered SBOMs: by instance ID.
  ['VEX of a running instance', 'openvulnerabilityexchangecontainers', { annotations: { [instanceId]: nginxInstance } }, 'keep'],
  ['VEX of a gone instance', 'openvulnerabilityexchangecontainers', { annotations: { [instanceId]: goneInstance } }, /is not running/],
  ['VEX without instance ID', 'openvulnerabilityexchangecontainers', { annotations: { [imageId]: digest('a') } }, /no kubescape.io\/instance-id/],
  ['filtered SBOM of a running init container', 'sbomsyftfiltereds', { annotations: { [instanceId]: initInstance } }, 'keep'],
  ['filtered SBOM of a gone instance', 'sbomsyftfiltereds', { annotations: { [instanceId]: goneInstance } }, /is not running/],
  ['filtered SBOM without instance ID', 'sbomsyftfiltereds', {}, /no kubescape.io\/instance-id/],

  // SeccompProfile: by template hash unless a Job or CronJob, else by WLID.
  ['seccomp, hash running', 'seccompprofiles', { namespace: 'web', labels: { [templateHash]: '6799fc88d8', [workloadKind]: 'Deployment' } }, 'keep'],
  ['seccomp, hash of an old revision', 'seccompprofiles', { namespace: 'web', labels: { [templateHash]: '5d4f7c9b8', [workloadKind]: 'Deployment' }, annotations: { [wlid]: deployment } }, /template hash 5d4f7c9b8/],
  ['seccomp, hash running in another namespace only', 'seccompprofiles', { namespace: 'other', labels: { [templateHash]: '6799fc88d8' } }, /template hash/],
  ['seccomp of a CronJob: hash ignored, WLID running', 'seccompprofiles', { namespace: 'batch', labels: { [templateHash]: 'gone', [workloadKind]: 'CronJob' }, annotations: { [wlid]: cronJob } }, 'keep'],
  ['seccomp of a Job: WLID gone', 'seccompprofiles', { namespace: 'batch', labels: { [templateHash]: 'gone', [workloadKind]: 'Job' }, annotations: { [wlid]: formatWlid('prod', 'batch', 'Job', 'once') } }, /workload .* is not running/],
  ['seccomp of a CronJob (kind from the WLID)', 'seccompprofiles', { namespace: 'batch', labels: { [templateHash]: 'gone' }, annotations: { [wlid]: cronJob } }, 'keep'],
  ['seccomp without hash, WLID running', 'seccompprofiles', { namespace: 'web', annotations: { [wlid]: deployment } }, 'keep'],
  ['seccomp without hash, WLID gone', 'seccompprofiles', { namespace: 'web', annotations: { [wlid]: formatWlid('prod', 'web', 'StatefulSet', 'db') } }, /workload .* is not running/],
  ['seccomp with neither', 'seccompprofiles', { namespace: 'web' }, 'keep'],

  // VulnerabilityManifestSummary: by WLID and container name.
  ['summary of a running container', 'vulnerabilitymanifestsummaries', { namespace: 'web', annotations: { [wlid]: deployment, [containerName]: 'nginx' } }, 'keep'],
  ['summary of a running init container, WLID of another cluster name', 'vulnerabilitymanifestsummaries', { annotations: { [wlid]: formatWlid('other-name', 'web', 'Deployment', 'nginx'), [containerName]: 'init-db' } }, 'keep'],
  ['summary without WLID', 'vulnerabilitymanifestsummaries', { annotations: { [containerName]: 'nginx' } }, /no kubescape.io\/wlid/],
  ['summary without container name', 'vulnerabilitymanifestsummaries', { annotations: { [wlid]: deployment } }, /no kubescape.io\/workload-container-name/],
  ['summary of a gone workload', 'vulnerabilitymanifestsummaries', { annotations: { [wlid]: formatWlid('prod', 'web', 'Deployment', 'api'), [containerName]: 'nginx' } }, /workload .* is not running/],
  ['summary of a removed container', 'vulnerabilitymanifestsummaries', { annotations: { [wlid]: deployment, [containerName]: 'sidecar' } }, /has no container sidecar/],

  // WorkloadConfigurationScan(Summary): by WLID, workload kinds only.
  ['scan of a running Deployment', 'workloadconfigurationscans', { annotations: { [wlid]: deployment } }, 'keep'],
  ['scan of a gone Deployment', 'workloadconfigurationscans', { annotations: { [wlid]: formatWlid('prod', 'web', 'Deployment', 'api') } }, /workload .* is not running/],
  ['scan of a gone Pod', 'workloadconfigurationscans', { annotations: { [wlid]: formatWlid('prod', 'web', 'Pod', 'debug') } }, /workload .* is not running/],
  ['scan of a Service', 'workloadconfigurationscans', { annotations: { [wlid]: formatWlid('prod', 'web', 'Service', 'nginx') } }, 'keep'],
  ['scan of a ClusterRole', 'workloadconfigurationscans', { annotations: { [wlid]: 'wlid://cluster-prod/namespace-/clusterrole-admin' } }, 'keep'],
  ['scan without WLID', 'workloadconfigurationscans', {}, 'keep'],
  ['scan summary of a running CronJob', 'workloadconfigurationscansummaries', { annotations: { [wlid]: cronJob } }, 'keep'],
  ['scan summary of a gone DaemonSet', 'workloadconfigurationscansummaries', { annotations: { [wlid]: formatWlid('prod', 'kube-system', 'DaemonSet', 'proxy') } }, /workload .* is not running/],

  // Profiles: by template hash / WLID.
  ['profile, hash running', 'applicationprofiles', { namespace: 'web', labels: { [templateHash]: '6799fc88d8', [workloadKind]: 'Deployment' } }, 'keep'],
  ['profile, hash gone', 'applicationprofiles', { namespace: 'web', labels: { [templateHash]: '5d4f7c9b8', [workloadKind]: 'Deployment' } }, /template hash/],
  ['user-defined profile', 'applicationprofiles', { namespace: 'web', labels: { [templateHash]: '5d4f7c9b8' }, annotations: user }, 'keep'],
  ['neighborhood of a CronJob', 'networkneighborhoods', { namespace: 'batch', labels: { [templateHash]: 'x', [workloadKind]: 'CronJob' }, annotations: { [wlid]: cronJob } }, 'keep'],
  ['neighborhood, hash gone', 'networkneighborhoods', { namespace: 'web', labels: { [templateHash]: '5d4f7c9b8' } }, /template hash/],
  ['container profile, hash running', 'containerprofiles', { namespace: 'web', labels: { [templateHash]: '6799fc88d8' } }, 'keep'],
  ['container profile, WLID gone', 'containerprofiles', { namespace: 'web', annotations: { [wlid]: formatWlid('prod', 'web', 'Pod', 'debug') } }, /workload .* is not running/],

  // Kinds without a rule.
  ['KnownServer', 'knownservers', {}, 'keep'],
  ['CollapseConfiguration', 'collapseconfigurations', {}, 'keep'],
];

function object(name: string, meta: Meta, resourceVersion?: string): KubeObject {
  return {
    metadata: {
      name,
      namespace: meta.namespace ?? 'kubescape',
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
  };
}

function verdict(resource: string, meta: Meta, options?: PlanOptions) {
  const actions = planCleanup(runningState(), { [resource]: [object('x', meta)] }, options);
  assert.ok(actions.length <= 1);
  return actions[0];
}

describe('planCleanup', () => {
  for (const [name, resource, meta, expected] of rows) {
    it(`${resource}: ${name} -> ${expected === 'keep' ? 'keep' : 'delete'}`, () => {
      const action = verdict(resource, meta);
      if (expected === 'keep') {
        assert.equal(action, undefined, `deleted: ${action?.reason}`);
      } else {
        assert.ok(action, 'kept');
        assert.match(action.reason, expected);
      }
    });
  }

  it('with relevancy, also deletes ApplicationProfiles without instance-id or wlid', () => {
    const running = { namespace: 'web', labels: { [templateHash]: '6799fc88d8' } };
    assert.equal(verdict('applicationprofiles', running), undefined);
    assert.match(verdict('applicationprofiles', running, { relevancy: true })?.reason ?? '', /instance-id/);
    const complete = { ...running, annotations: { [instanceId]: nginxInstance } };
    assert.match(verdict('applicationprofiles', complete, { relevancy: true })?.reason ?? '', /wlid/);
    const both = { ...running, annotations: { [instanceId]: nginxInstance, [wlid]: deployment } };
    assert.equal(verdict('applicationprofiles', both, { relevancy: true }), undefined);
    assert.equal(verdict('networkneighborhoods', running, { relevancy: true }), undefined);
  });

  it('returns resource, key, reason and resourceVersion in input order, from a Map or a record', () => {
    const orphan = { annotations: { [imageId]: digest('d') } };
    const objects = new Map([
      [
        'sbomsyfts',
        [
          object('b', orphan, '7'),
          object('keep', { annotations: { [imageId]: digest('b') } }),
          object('a', orphan),
        ],
      ],
      ['sbomsummaries', [object('old', { namespace: 'web' }, '3')]],
    ]);
    const expected = [
      {
        resource: 'sbomsyfts',
        namespace: 'kubescape',
        name: 'b',
        reason: `image ${digest('d')} is not used by any container`,
        resourceVersion: 7,
      },
      {
        resource: 'sbomsyfts',
        namespace: 'kubescape',
        name: 'a',
        reason: `image ${digest('d')} is not used by any container`,
      },
      {
        resource: 'sbomsummaries',
        namespace: 'web',
        name: 'old',
        reason: 'deprecated kind',
        resourceVersion: 3,
      },
    ];
    assert.deepEqual(planCleanup(runningState(), objects), expected);
    assert.deepEqual(planCleanup(runningState(), Object.fromEntries(objects)), expected);
  });

  it('deletes everything that depends on running state when nothing runs', () => {
    const objects = {
      sbomsyfts: [object('s', { annotations: { [imageId]: digest('a') } })],
      vulnerabilitymanifestsummaries: [
        object('v', { annotations: { [wlid]: deployment, [containerName]: 'nginx' } }),
      ],
      applicationprofiles: [object('p', { namespace: 'web', labels: { [templateHash]: '6799fc88d8' } })],
    };
    assert.deepEqual(
      planCleanup(emptyRunningState(), objects).map((a) => a.name),
      ['s', 'v', 'p'],
    );
  });
});
