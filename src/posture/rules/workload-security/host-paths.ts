/**
 * hostPath volumes: any hostPath (C-0048), writable hostPath mounts (C-0045), container runtime
 * sockets (C-0074) and cloud credential directories (C-0020).
 */
import type { ClusterContext, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import type { ContainerScope, Workload } from './containers.ts';
import { WORKLOAD_MATCH, containersIn, describe, workloadsIn } from './containers.ts';
import { asArray, asRecord, fieldAt, isSet } from './values.ts';

/** A hostPath volume of a pod spec with its report path. */
interface HostPathVolume {
  name: unknown;
  hostPath: Record<string, unknown>;
  path: string;
}

function hostPathVolumes(workload: Workload): HostPathVolume[] {
  const result: HostPathVolume[] = [];
  asArray(workload.pod.spec.volumes).forEach((volume, i) => {
    const hostPath = asRecord(fieldAt(volume, 'hostPath'));
    if (!hostPath) return;
    result.push({ name: fieldAt(volume, 'name'), hostPath, path: `${workload.pod.path}.volumes[${i}]` });
  });
  return result;
}

/** Report paths of every `volumeMounts[]` entry (of the selected containers) naming the volume. */
function mountPaths(workload: Workload, volumeName: unknown, scope: ContainerScope): string[] {
  if (volumeName === undefined) return [];
  const paths: string[] = [];
  for (const ref of containersIn(workload, scope)) {
    asArray(ref.container.volumeMounts).forEach((mount, k) => {
      if (fieldAt(mount, 'name') === volumeName) paths.push(`${ref.path}.volumeMounts[${k}]`);
    });
  }
  return paths;
}

interface HostPathRuleOptions {
  name: string;
  /** Containers whose mounts of a failing volume are reported with it. */
  mountScope: ContainerScope;
  message: string;
  /** The test for `hostPath.path` on this cluster, or undefined when the rule does not apply to it. */
  riskyPathTest: (cluster: ClusterContext) => ((hostPathPath: unknown) => boolean) | undefined;
}

/** A rule failing each hostPath volume whose path is risky, with the volume and its mounts as paths. */
function hostPathVolumeRule(options: HostPathRuleOptions): RuleDefinition {
  return {
    name: options.name,
    match: WORKLOAD_MATCH,
    evaluate({ objects, cluster }) {
      const isRisky = options.riskyPathTest(cluster);
      if (!isRisky) return [];
      const violations: Violation[] = [];
      for (const workload of workloadsIn(objects)) {
        for (const volume of hostPathVolumes(workload)) {
          if (!isRisky(volume.hostPath.path)) continue;
          // The volume fails even when no container mounts it; mounts are listed for removal too.
          const paths = [volume.path, ...mountPaths(workload, volume.name, options.mountScope)];
          violations.push(
            violation(workload.object, {
              alertMessage: `${describe(workload.object)} has: ${String(volume.name)} ${options.message}`,
              failedPaths: paths,
              deletePaths: paths,
              alertScore: 7,
            }),
          );
        }
      }
      return violations;
    },
  };
}

export const alertAnyHostPath = hostPathVolumeRule({
  name: 'alert-any-hostpath',
  mountScope: { init: true },
  message: 'as hostPath volume',
  riskyPathTest: () => isSet,
});

const RUNTIME_SOCKETS: ReadonlySet<unknown> = new Set([
  '/var/run/docker.sock',
  '/var/run/docker',
  '/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
]);

export const containersMountingDockerSocket = hostPathVolumeRule({
  name: 'containers-mounting-docker-socket',
  mountScope: { init: true },
  message: 'has mounting to Docker internals.',
  riskyPathTest: () => (path) => RUNTIME_SOCKETS.has(path),
});

/** Host directories and files holding each managed cloud's node credentials. */
const CREDENTIAL_PATHS: Readonly<Record<string, readonly string[]>> = {
  eks: ['/.aws/', '/.aws/config/', '/.aws/credentials/'],
  aks: ['/etc/', '/etc/kubernetes/', '/etc/kubernetes/azure.json', '/.azure/', '/.azure/credentials/'],
  gke: [
    '/.config/gcloud/',
    '/.config/',
    '/gcloud/',
    '/.config/gcloud/application_default_credentials.json',
    '/gcloud/application_default_credentials.json',
  ],
};

/** Directory paths get a trailing `/` so `/.aws` and `/.aws/` compare equal; file names are kept. */
function asDirectoryPath(path: string): string {
  return /[\w-]+\./.test(path) || path.endsWith('/') ? path : `${path}/`;
}

export const alertMountPotentialCredentialsPaths = hostPathVolumeRule({
  name: 'alert-mount-potential-credentials-paths',
  mountScope: {},
  message: 'as volume with potential credentials access.',
  // Only meaningful when the cluster's cloud provider is known.
  riskyPathTest: (cluster) => {
    const provider = (cluster.cloudProvider ?? '').toLowerCase();
    const credentialPaths = Object.hasOwn(CREDENTIAL_PATHS, provider)
      ? CREDENTIAL_PATHS[provider]
      : undefined;
    if (!credentialPaths) return undefined;
    return (path) => typeof path === 'string' && credentialPaths.includes(asDirectoryPath(path));
  },
});

export const alertRwHostPath: RuleDefinition = {
  name: 'alert-rw-hostpath',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      const hostPathNames = new Set(hostPathVolumes(workload).map((volume) => volume.name));
      hostPathNames.delete(undefined);
      for (const ref of containersIn(workload, { init: true })) {
        asArray(ref.container.volumeMounts).forEach((mount, k) => {
          const mountRecord = asRecord(mount);
          if (!mountRecord || !hostPathNames.has(mountRecord.name) || mountRecord.readOnly === true) return;
          violations.push(
            violation(workload.object, {
              alertMessage: `${describe(workload.object)} has: ${String(mountRecord.name)} as hostPath volume`,
              fixPaths: [{ path: `${ref.path}.volumeMounts[${k}].readOnly`, value: 'true' }],
              alertScore: 7,
            }),
          );
        });
      }
    }
    return violations;
  },
};
