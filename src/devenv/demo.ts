/**
 * The demo workloads of `kubeguard dev up`: a namespace `demo` with Deployments and a naked Pod
 * running the local registry's test images, some insecure on purpose (privileged, host paths, host
 * namespaces, no resource limits) so the posture results have something to say.
 *
 * The dev cluster has no controller-manager and no kubelet, so this module does their part: a
 * Deployment gets its ReplicaSet and one Pod with owner references (real uids), and the Pod gets
 * the status a kubelet would report — Running, with each container's imageID digest — through the
 * `pods/status` subresource. The operator then sees exactly what it sees in a real cluster.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../common/index.ts';
import { silentLogger } from '../common/index.ts';
import { parseReference } from '../sbom/index.ts';
import { registryClientFor } from './environment.ts';
import type { Json, KubeObjectJson } from './kube-api.ts';
import { DevKubeApi, KubeApiError } from './kube-api.ts';
import type { DevPaths } from './paths.ts';
import type { RegistryInfo } from './registry.ts';

export const DEMO_NAMESPACE = 'demo';
const STORAGE_API = '/apis/spdx.softwarecomposition.kubescape.io/v1beta1';

export interface ContainerImage {
  name: string;
  /** The reference in the pod spec, e.g. 127.0.0.1:5000/test/debian:12-minbase. */
  image: string;
  /** What a kubelet reports as imageID: repository@digest. */
  imageId: string;
}

export interface WorkloadSpec {
  kind: 'Deployment' | 'Pod';
  namespace: string;
  name: string;
  /** The pod spec; its containers' images must match `containers`. */
  podSpec: Json & { containers: Json[] };
  containers: ContainerImage[];
  labels?: Record<string, string>;
}

/** What was created: the objects' API paths, owner first. */
export interface RunningWorkload {
  spec: WorkloadSpec;
  paths: string[];
}

// Kubernetes' rand.SafeEncodeString alphabet: no vowels, no look-alikes, as pod-template-hash uses.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function safeHash(text: string, length: number): string {
  const bytes = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE[bytes[i]! % SAFE.length];
  return out;
}

const nsPath = (namespace: string) => `/api/v1/namespaces/${namespace}`;
const deploymentsPath = (namespace: string) => `/apis/apps/v1/namespaces/${namespace}/deployments`;
const replicaSetsPath = (namespace: string) => `/apis/apps/v1/namespaces/${namespace}/replicasets`;
const podsPath = (namespace: string) => `${nsPath(namespace)}/pods`;

function ownerRef(obj: KubeObjectJson, apiVersion: string, kind: string): Json {
  return {
    apiVersion,
    kind,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** What a kubelet reports for a pod whose containers all started. */
function runningPodStatus(containers: ContainerImage[], now: string): Json {
  return {
    phase: 'Running',
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: now },
      { type: 'Ready', status: 'True', lastTransitionTime: now },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
    ],
    hostIP: '127.0.0.1',
    podIP: '10.244.0.10',
    startTime: now,
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: c.imageId,
      containerID: `containerd://${createHash('sha256').update(`${c.name}${c.imageId}${now}`).digest('hex')}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
}

export async function ensureNamespace(api: DevKubeApi, namespace: string): Promise<void> {
  await api.apply('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
}

/**
 * Creates the workload and plays controller-manager and kubelet for it: Deployment → ReplicaSet →
 * Pod (owner references with the real uids), statuses as the controllers and the kubelet would set
 * them. Re-running updates the objects in place.
 */
export async function runWorkload(api: DevKubeApi, spec: WorkloadSpec): Promise<RunningWorkload> {
  const now = new Date().toISOString();
  const labels = { app: spec.name, ...spec.labels };
  if (spec.kind === 'Pod') {
    const collection = podsPath(spec.namespace);
    await api.apply(collection, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: spec.name, namespace: spec.namespace, labels },
      spec: spec.podSpec,
    });
    await api.mergePatchStatus(`${collection}/${spec.name}`, runningPodStatus(spec.containers, now));
    return { spec, paths: [`${collection}/${spec.name}`] };
  }
  const template = { metadata: { labels }, spec: spec.podSpec };
  const deployment = await api.apply(deploymentsPath(spec.namespace), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, namespace: spec.namespace, labels },
    spec: { replicas: 1, selector: { matchLabels: { app: spec.name } }, template },
  });
  // The Deployment controller names the ReplicaSet after a hash of the pod template.
  const hash = safeHash(JSON.stringify(template), 10);
  const rsLabels = { ...labels, 'pod-template-hash': hash };
  const rsName = `${spec.name}-${hash}`;
  const replicaSet = await api.apply(replicaSetsPath(spec.namespace), {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace: spec.namespace,
      labels: rsLabels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [ownerRef(deployment, 'apps/v1', 'Deployment')],
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: spec.name, 'pod-template-hash': hash } },
      template: { metadata: { labels: rsLabels }, spec: spec.podSpec },
    },
  });
  const podName = `${rsName}-${safeHash(rsName, 5)}`;
  await api.apply(podsPath(spec.namespace), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace: spec.namespace,
      labels: rsLabels,
      ownerReferences: [ownerRef(replicaSet, 'apps/v1', 'ReplicaSet')],
    },
    spec: spec.podSpec,
  });
  // Kubelet first (the pod runs), then the controllers count it.
  await api.mergePatchStatus(
    `${podsPath(spec.namespace)}/${podName}`,
    runningPodStatus(spec.containers, now),
  );
  const counts = { replicas: 1, readyReplicas: 1, availableReplicas: 1 };
  await api.mergePatchStatus(`${replicaSetsPath(spec.namespace)}/${rsName}`, {
    ...counts,
    fullyLabeledReplicas: 1,
    observedGeneration: 1,
  });
  await api.mergePatchStatus(`${deploymentsPath(spec.namespace)}/${spec.name}`, {
    ...counts,
    updatedReplicas: 1,
    observedGeneration: 1,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
    ],
  });
  return {
    spec,
    paths: [
      `${deploymentsPath(spec.namespace)}/${spec.name}`,
      `${replicaSetsPath(spec.namespace)}/${rsName}`,
      `${podsPath(spec.namespace)}/${podName}`,
    ],
  };
}

/** Deletes a workload and, as the garbage collector would, what it owns (pods first). */
export async function deleteWorkload(api: DevKubeApi, workload: RunningWorkload): Promise<void> {
  for (const objectPath of [...workload.paths].reverse()) await api.remove(objectPath);
}

/** The digest each reference points at in the registry (what a kubelet would pull). */
export async function resolveDigests(
  registry: RegistryInfo,
  references: string[],
): Promise<Map<string, string>> {
  const client = registryClientFor(registry);
  const digests = new Map<string, string>();
  try {
    for (const reference of references) {
      digests.set(reference, (await client.manifest(parseReference(reference))).digest);
    }
  } finally {
    await client.close();
  }
  return digests;
}

/** A container of `image` with the digest it resolves to, as the kubelet reports it. */
export function containerImage(name: string, image: string, digest: string): ContainerImage {
  const at = image.lastIndexOf(':');
  const repository = at > image.lastIndexOf('/') ? image.slice(0, at) : image;
  return { name, image, imageId: `${repository}@${digest}` };
}

export const DEMO_IMAGES = ['test/debian:12-minbase', 'test/busybox:1.35', 'test/npm:1', 'test/python:1'];

/** The demo's workloads, on images of `registry` with their digests. */
export function demoWorkloads(
  registry: string,
  digests: Map<string, string>,
  namespace = DEMO_NAMESPACE,
): WorkloadSpec[] {
  const ref = (image: string) => `${registry}/${image}`;
  const container = (name: string, image: string, extra: Json = {}) => ({
    name,
    image: ref(image),
    ...extra,
  });
  const run = (name: string, image: string) =>
    containerImage(name, ref(image), digests.get(ref(image)) ?? '');
  const limits = {
    resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
  };
  return [
    {
      // Insecure on purpose: privileged, a host path, root, no limits.
      kind: 'Deployment',
      namespace,
      name: 'web',
      containers: [run('app', 'test/debian:12-minbase')],
      podSpec: {
        containers: [
          container('app', 'test/debian:12-minbase', {
            command: ['sleep', 'infinity'],
            securityContext: { privileged: true },
            volumeMounts: [{ name: 'host-logs', mountPath: '/host/var/log' }],
          }),
        ],
        volumes: [{ name: 'host-logs', hostPath: { path: '/var/log' } }],
      },
    },
    {
      // The well-behaved one: limits, non-root, read-only root filesystem, no privilege escalation.
      kind: 'Deployment',
      namespace,
      name: 'cache',
      containers: [run('cache', 'test/busybox:1.35')],
      podSpec: {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          container('cache', 'test/busybox:1.35', {
            command: ['sh', '-c', 'while true; do sleep 3600; done'],
            ...limits,
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
          }),
        ],
      },
    },
    {
      // Two containers with language packages (npm, PyPI); no limits.
      kind: 'Deployment',
      namespace,
      name: 'shop',
      containers: [run('frontend', 'test/npm:1'), run('backend', 'test/python:1')],
      podSpec: {
        containers: [
          container('frontend', 'test/npm:1', { ports: [{ containerPort: 3000 }] }),
          container('backend', 'test/python:1', {
            ports: [{ containerPort: 8000 }],
            securityContext: { capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] } },
          }),
        ],
      },
    },
    {
      // A naked debug pod in the host's namespaces with the host's root mounted.
      kind: 'Pod',
      namespace,
      name: 'debug',
      containers: [run('debug', 'test/busybox:1.35')],
      podSpec: {
        hostNetwork: true,
        hostPID: true,
        containers: [
          container('debug', 'test/busybox:1.35', {
            command: ['sleep', '86400'],
            volumeMounts: [{ name: 'host', mountPath: '/host' }],
          }),
        ],
        volumes: [{ name: 'host', hostPath: { path: '/' } }],
      },
    },
  ];
}

export interface DemoInfo {
  namespace: string;
  workloads: RunningWorkload[];
  /** Distinct image digests the workloads run (one VulnerabilityManifest each). */
  images: string[];
}

/** Creates (or updates) the demo namespace and workloads. */
export async function demoUp(
  paths: DevPaths,
  registry: RegistryInfo,
  logger: Logger = silentLogger,
  namespace = DEMO_NAMESPACE,
): Promise<DemoInfo> {
  const digests = await resolveDigests(
    registry,
    DEMO_IMAGES.map((i) => `${registry.address}/${i}`),
  );
  const api = new DevKubeApi(paths);
  try {
    await ensureNamespace(api, namespace);
    const workloads: RunningWorkload[] = [];
    for (const spec of demoWorkloads(registry.address, digests, namespace)) {
      workloads.push(await runWorkload(api, spec));
      logger.info(`${spec.kind.toLowerCase()}/${spec.name} running in namespace ${namespace}`, {
        images: spec.containers.map((c) => c.image).join(' '),
      });
    }
    return { namespace, workloads, images: [...new Set(digests.values())] };
  } finally {
    api.close();
  }
}

export interface ResultCounts {
  /** VulnerabilityManifestSummaries of the expected workload containers. */
  vulnerabilityManifestSummaries: number;
  /** WorkloadConfigurationScanSummaries of the expected workloads. */
  workloadConfigurationScanSummaries: number;
  /** Non-filtered VulnerabilityManifests of the expected image digests (in the services' namespace). */
  vulnerabilityManifests: number;
}

/** What a set of workloads should produce: its namespace, workloads (kind, name, containers) and image digests. */
export interface ResultTargets {
  namespace: string;
  workloads: { kind: string; name: string; containers: string[] }[];
  digests: string[];
  /** Where SBOMs and manifests live (default kubescape). */
  servicesNamespace?: string;
}

export function demoTargets(demo: DemoInfo): ResultTargets {
  return {
    namespace: demo.namespace,
    workloads: demo.workloads.map((w) => ({
      kind: w.spec.kind,
      name: w.spec.name,
      containers: w.spec.containers.map((c) => c.name),
    })),
    digests: demo.images,
  };
}

async function listMetadata(api: DevKubeApi, urlPath: string): Promise<KubeObjectJson['metadata'][]> {
  try {
    const items = (await api.request<{ items?: KubeObjectJson[] }>('GET', urlPath)).items ?? [];
    return items.map((i) => i.metadata);
  } catch (err) {
    // The storage may be restarting: count nothing this time.
    if (err instanceof KubeApiError && err.status >= 500) return [];
    throw err;
  }
}

/**
 * What the storage holds now for the targets (metadata-only lists, matched on the workload labels
 * and the image-id annotation the services write).
 */
export async function resultCounts(paths: DevPaths, targets: ResultTargets): Promise<ResultCounts> {
  const api = new DevKubeApi(paths);
  try {
    const ns = targets.namespace;
    const label = (m: KubeObjectJson['metadata'], key: string) =>
      (m.labels?.[`kubescape.io/${key}`] ?? '').toLowerCase();
    const wanted = new Set(targets.workloads.map((w) => `${w.kind}/${w.name}`.toLowerCase()));
    const wantedContainers = new Set(
      targets.workloads.flatMap((w) => w.containers.map((c) => `${w.kind}/${w.name}/${c}`.toLowerCase())),
    );
    const vms = await listMetadata(api, `${STORAGE_API}/namespaces/${ns}/vulnerabilitymanifestsummaries`);
    const wcss = await listMetadata(
      api,
      `${STORAGE_API}/namespaces/${ns}/workloadconfigurationscansummaries`,
    );
    const manifests = await listMetadata(
      api,
      `${STORAGE_API}/namespaces/${targets.servicesNamespace ?? 'kubescape'}/vulnerabilitymanifests?labelSelector=${encodeURIComponent('kubescape.io/context=non-filtered')}`,
    );
    const digests = new Set(targets.digests);
    const imageDigests = new Set(
      manifests
        .filter((m) => m.annotations?.['kubescape.io/status'] === 'ready')
        .map((m) => (m.annotations?.['kubescape.io/image-id'] ?? '').split('@')[1] ?? '')
        .filter((d) => digests.has(d)),
    );
    return {
      vulnerabilityManifestSummaries: vms.filter((m) =>
        wantedContainers.has(
          `${label(m, 'workload-kind')}/${label(m, 'workload-name')}/${label(m, 'workload-container-name')}`,
        ),
      ).length,
      workloadConfigurationScanSummaries: wcss.filter((m) =>
        wanted.has(`${label(m, 'workload-kind')}/${label(m, 'workload-name')}`),
      ).length,
      vulnerabilityManifests: imageDigests.size,
    };
  } finally {
    api.close();
  }
}

/** Polls until every expected result exists or the time is up; returns the last counts. */
export async function waitForResults(
  paths: DevPaths,
  targets: ResultTargets,
  expected: ResultCounts,
  options: { timeoutMs: number; intervalMs?: number; onProgress?: (counts: ResultCounts) => void },
): Promise<{ done: boolean; counts: ResultCounts }> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const counts = await resultCounts(paths, targets);
    const key = JSON.stringify(counts);
    if (key !== last) options.onProgress?.(counts);
    last = key;
    const done =
      counts.vulnerabilityManifestSummaries >= expected.vulnerabilityManifestSummaries &&
      counts.workloadConfigurationScanSummaries >= expected.workloadConfigurationScanSummaries &&
      counts.vulnerabilityManifests >= expected.vulnerabilityManifests;
    if (done || Date.now() > deadline) return { done, counts };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
}

/** The counts a set of targets should reach. */
export function expectedResults(targets: ResultTargets): ResultCounts {
  return {
    vulnerabilityManifestSummaries: targets.workloads.reduce((n, w) => n + w.containers.length, 0),
    workloadConfigurationScanSummaries: targets.workloads.length,
    vulnerabilityManifests: new Set(targets.digests).size,
  };
}
