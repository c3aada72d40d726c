/**
 * Names of the storage objects (storage-api.md §3.1-3.3): image slug, resource slug, instance ID and
 * its slug, WLID. Other Kubescape components compute the same names for the same objects, so these
 * are wire contracts and follow the spec byte for byte. Lengths and cuts are in UTF-8 bytes, as in
 * the Go originals; Kubernetes names are ASCII, where bytes and characters agree.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ErrorCodes, KubeguardError } from '../common/index.ts';
import { MetadataKeys, PodLabels } from './annotations.ts';
import type { KubeObject } from './meta.ts';

const MAX_DNS_SUBDOMAIN_LENGTH = 253;
const SLUG_HASH_LENGTH = 4;
/** Length of `-xxxx-xxxx`. */
const SLUG_HASHES_LENGTH = SLUG_HASH_LENGTH * 2 + 2;
const IMAGE_HASH_STUB_LENGTH = 6;
/** 253 - 6 - 1 = 246. */
const MAX_IMAGE_NAME_LENGTH = MAX_DNS_SUBDOMAIN_LENGTH - IMAGE_HASH_STUB_LENGTH - 1;

const DNS_SUBDOMAIN = /^[a-z0-9][a-z0-9.-]{0,251}[a-z0-9]$/;

function invalid(message: string): KubeguardError {
  return new KubeguardError(ErrorCodes.invalidInput, message);
}

/** Whether `name` can name an object: a lower-case DNS subdomain of 2 to 253 characters. */
export function isValidSlug(name: string): boolean {
  return DNS_SUBDOMAIN.test(name);
}

function checkSlug(slug: string, from: string): string {
  if (!isValidSlug(slug)) {
    throw invalid(`${from} gives "${slug}", which is not a valid object name (lower-case DNS subdomain)`);
  }
  return slug;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function truncateBytes(s: string, maxBytes: number): string {
  const bytes = Buffer.from(s, 'utf8');
  return bytes.length <= maxBytes ? s : bytes.subarray(0, maxBytes).toString('utf8');
}

/**
 * Appends `-<hash[0:4]>-<hash[-4:]>` when `always` or when `base` is too long to fit `maxLength`
 * without them; a too long base is cut to leave room for them.
 */
function withHashParts(base: string, hash: string, maxLength: number, always: boolean): string {
  const maxHashless = maxLength - SLUG_HASHES_LENGTH;
  const parts = `-${hash.slice(0, SLUG_HASH_LENGTH)}-${hash.slice(-SLUG_HASH_LENGTH)}`;
  if (byteLength(base) >= maxHashless) return truncateBytes(base, maxHashless) + parts;
  return always ? base + parts : base;
}

// ---------------------------------------------------------------------------------------------
// Image slug (§3.1)

/**
 * Name of an image's SBOMSyft and VulnerabilityManifest: the image with `://`, `:`, `/`, `_`, `@`
 * replaced by `-` (one left-to-right pass, `://` first at a position), cut to 246 bytes when the
 * image is that long, then `-` and the last 6 characters of the hash, lower-cased. kubevuln passes the
 * normalised tag and the raw image ID; registry scans pass the hash `nohash`.
 */
export function imageInfoToSlug(image: string, imageHash: string): string {
  if (image.length === 0 || imageHash.length < IMAGE_HASH_STUB_LENGTH) {
    throw invalid(
      `cannot name image "${image}" with hash "${imageHash}": the image must not be empty and the hash needs at least ${IMAGE_HASH_STUB_LENGTH} characters`,
    );
  }
  let sanitized = image.replace(/:\/\/|[:/_@]/g, '-');
  // The length test is on the image as given, the cut on the sanitised string (as upstream).
  if (byteLength(image) >= MAX_IMAGE_NAME_LENGTH) sanitized = truncateBytes(sanitized, MAX_IMAGE_NAME_LENGTH);
  const slug = `${sanitized}-${imageHash.slice(-IMAGE_HASH_STUB_LENGTH)}`.toLowerCase();
  return checkSlug(slug, `image "${image}" with hash "${imageHash}"`);
}

// ---------------------------------------------------------------------------------------------
// String and resource slugs (§3.1)

/**
 * Any string as an object name: characters outside `[A-Za-z0-9.-]` become `-`, lower-cased, `-`
 * trimmed, capped at 253, non-alphanumerics trimmed; a result of 243 bytes or more is cut to 243 and
 * gets `-<h[0:4]>-<h[-4:]>` from the hex SHA-256 of the input.
 */
export function stringToSlug(s: string): string {
  let sanitized = s.replace(/[^A-Za-z0-9.-]/gu, '-').toLowerCase();
  sanitized = sanitized.replace(/^-+|-+$/g, '');
  if (sanitized.length > MAX_DNS_SUBDOMAIN_LENGTH) sanitized = sanitized.slice(0, MAX_DNS_SUBDOMAIN_LENGTH);
  sanitized = sanitized.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (sanitized.length === 0) throw invalid(`"${s}" has no character usable in an object name`);
  const slug = withHashParts(sanitized, sha256Hex(s), MAX_DNS_SUBDOMAIN_LENGTH, false).toLowerCase();
  return checkSlug(slug, `"${s}"`);
}

/** Name of a resource's WorkloadConfigurationScan(Summary): the slug of `<Kind>-<name>`. */
export function resourceToSlug(kind: string, name: string): string {
  // controls.md §4.4 describes an older upstream form ("<apiVersion>-<Kind>-<namespace>-<name>" with
  // hash parts always); storage-api.md §3.1 and components.md agree on this one.
  return stringToSlug(`${kind}-${name}`);
}

export interface KindAndName {
  kind: string;
  name: string;
}

/** Name of an RBAC triplet's WorkloadConfigurationScan: the slug of subject, role and binding. */
export function rbacToSlug(subject: KindAndName, role: KindAndName, binding: KindAndName): string {
  // [U] the spec says "slug of subject+role+binding"; the three `<Kind>-<name>` parts are joined with `-`.
  return stringToSlug([subject, role, binding].map((r) => `${r.kind}-${r.name}`).join('-'));
}

// ---------------------------------------------------------------------------------------------
// Instance ID (§3.2)

export const INSTANCE_TYPES = ['container', 'initContainer', 'ephemeralContainer'] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

export interface InstanceIdFields {
  /** Of the parent: `apps/v1` for a ReplicaSet, `v1` for a bare Pod. */
  apiVersion: string;
  namespace: string;
  kind: string;
  name: string;
  containerName: string;
  instanceType: InstanceType;
  /** Replaces `name` in the string form and the slug (DaemonSet/StatefulSet revisions, CronJob runs). */
  alternateName?: string;
  /** Label `pod-template-hash` of the pod; not part of the string form. */
  templateHash?: string;
}

/**
 * One container of one workload: `apiVersion-<apiVersion>/namespace-<ns>/kind-<Kind>/name-<name>/
 * <type>Name-<container>`, stored in annotation `kubescape.io/instance-id`.
 */
export class InstanceId {
  readonly apiVersion: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly containerName: string;
  readonly instanceType: InstanceType;
  readonly alternateName: string;
  readonly templateHash: string;

  constructor(fields: InstanceIdFields) {
    const what = `instance ID (apiVersion "${fields.apiVersion}", namespace "${fields.namespace}", kind "${fields.kind}", name "${fields.name}", container "${fields.containerName}")`;
    for (const key of ['apiVersion', 'namespace', 'kind', 'name', 'containerName'] as const) {
      if (!fields[key]) throw invalid(`invalid ${what}: ${key} must not be empty`);
    }
    if (!INSTANCE_TYPES.includes(fields.instanceType)) {
      throw invalid(
        `invalid ${what}: instance type "${fields.instanceType}" is not one of ${INSTANCE_TYPES.join(', ')}`,
      );
    }
    this.apiVersion = fields.apiVersion;
    this.namespace = fields.namespace;
    this.kind = fields.kind;
    this.name = fields.name;
    this.containerName = fields.containerName;
    this.instanceType = fields.instanceType;
    this.alternateName = fields.alternateName ?? '';
    this.templateHash = fields.templateHash ?? '';
  }

  /** The name used in the string form and the slug: the alternate name when there is one. */
  get effectiveName(): string {
    return this.alternateName || this.name;
  }

  toString(): string {
    return `${this.toStringNoContainer()}/${this.instanceType}Name-${this.containerName}`;
  }

  /** The string form without the container part. */
  toStringNoContainer(): string {
    return `apiVersion-${this.apiVersion}/namespace-${this.namespace}/kind-${this.kind}/name-${this.effectiveName}`;
  }

  /** Hex SHA-256 of the string form (with container, also for no-container slugs). */
  hash(): string {
    return sha256Hex(this.toString());
  }

  /** Labels derived from the instance ID. */
  labels(): Record<string, string> {
    const slash = this.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : this.apiVersion.slice(0, slash);
    const version = slash < 0 ? this.apiVersion : this.apiVersion.slice(slash + 1).split('/')[0]!;
    return {
      [MetadataKeys.workloadApiGroup]: group,
      [MetadataKeys.workloadApiVersion]: version,
      [MetadataKeys.workloadNamespace]: this.namespace,
      [MetadataKeys.workloadKind]: this.kind,
      [MetadataKeys.workloadName]: this.name,
      [MetadataKeys.workloadContainerName]: this.containerName,
      [MetadataKeys.instanceTemplateHash]: this.templateHash,
    };
  }

  /** Parses the string form with a container (the form annotations carry). */
  static parse(s: string): InstanceId {
    const m = /^apiVersion-(.+)\/namespace-([^/]+)\/kind-([^/]+)\/name-([^/]+)\/([^/]+)Name-([^/]+)$/.exec(s);
    const type = m?.[5] as InstanceType | undefined;
    if (!m || !type || !INSTANCE_TYPES.includes(type)) {
      throw invalid(
        `"${s}" is not an instance ID (apiVersion-<v>/namespace-<ns>/kind-<Kind>/name-<name>/<type>Name-<container>)`,
      );
    }
    const id = new InstanceId({
      apiVersion: m[1]!,
      namespace: m[2]!,
      kind: m[3]!,
      name: m[4]!,
      instanceType: type,
      containerName: m[6]!,
    });
    if (id.toString() !== s) throw invalid(`"${s}" is not an instance ID: it does not format back to itself`);
    return id;
  }

  /**
   * The instance IDs of a Pod's containers, init containers and ephemeral containers. The parent is
   * the first owner reference unless it is a Node or a kind Kubescape does not know (then the Pod).
   */
  static fromPod(pod: KubeObject): InstanceId[] {
    const { namespace = '', name = '', labels = {}, ownerReferences = [] } = pod.metadata;
    const spec = (pod['spec'] ?? {}) as PodSpecLike;
    const owner = ownerReferences[0];
    let alternateName = '';
    if (owner?.kind === 'DaemonSet' && Object.hasOwn(labels, PodLabels.controllerRevisionHash)) {
      alternateName = `${owner.name}-${labels[PodLabels.controllerRevisionHash]}`;
    } else if (owner?.kind === 'StatefulSet' && Object.hasOwn(labels, PodLabels.controllerRevisionHash)) {
      alternateName = labels[PodLabels.controllerRevisionHash] ?? '';
    } else if (owner?.kind === 'Job') {
      // A CronJob names its Jobs `<cronjob>-<scheduled time in unix minutes>`; the suffix changes
      // every run, so it is replaced by a hash of the pod spec, which does not.
      const parts = owner.name.split('-');
      if (parts.length > 1 && isUnixTimeInMinutes(parts[parts.length - 1]!)) {
        parts[parts.length - 1] = podSpecHash(spec);
        alternateName = parts.join('-');
      }
    }
    const parent =
      owner && !ignoreOwnerKind(owner.kind)
        ? { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name }
        : { apiVersion: 'v1', kind: 'Pod', name };
    const templateHash = labels[PodLabels.podTemplateHash] ?? '';
    const lists: [ContainerLike[] | undefined, InstanceType][] = [
      [spec.containers, 'container'],
      [spec.initContainers, 'initContainer'],
      [spec.ephemeralContainers, 'ephemeralContainer'],
    ];
    return lists.flatMap(([containers, instanceType]) =>
      (containers ?? []).map(
        (c) =>
          new InstanceId({
            ...parent,
            namespace,
            containerName: c.name,
            instanceType,
            alternateName,
            templateHash,
          }),
      ),
    );
  }
}

interface ContainerLike {
  name: string;
  volumeMounts?: { name: string }[];
  [field: string]: unknown;
}

interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
  volumes?: { name: string; projected?: unknown }[];
  hostname?: string;
  [field: string]: unknown;
}

/**
 * Kinds Kubescape resolves as parents (k8s-interface's built-in resource map, matched the way it
 * does: lower-cased, `y` -> `ies`, else `s` appended unless already there).
 */
// [U] Kubescape can extend this map from API discovery at start-up; the built-in list is used here.
const KNOWN_RESOURCES = new Set([
  'services',
  'pods',
  'replicationcontrollers',
  'podtemplates',
  'namespaces',
  'nodes',
  'configmaps',
  'secrets',
  'serviceaccounts',
  'persistentvolumeclaims',
  'limitranges',
  'resourcequotas',
  'daemonsets',
  'deployments',
  'replicasets',
  'statefulsets',
  'controllerrevisions',
  'jobs',
  'cronjobs',
  'horizontalpodautoscalers',
  'ingresses',
  'podsecuritypolicies',
  'poddisruptionbudgets',
  'networkpolicies',
  'clusterroles',
  'clusterrolebindings',
  'roles',
  'rolebindings',
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
]);

function resourceOfKind(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === '' || lower.endsWith('s')) return lower;
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

function ignoreOwnerKind(kind: string): boolean {
  return kind === 'Node' || !KNOWN_RESOURCES.has(resourceOfKind(kind));
}

const MAX_UNIX_MINUTES = 9223372036854775807n / 60n;

/** Whether a Job name suffix is a schedule time: an integer (Go Atoi syntax) in (0, MaxInt64/60). */
function isUnixTimeInMinutes(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n > 0n && n < MAX_UNIX_MINUTES;
}

/**
 * FNV-32a of the pod spec with projected volumes (and their mounts in containers and init
 * containers) and `hostname` dropped, as a decimal string encoded with Kubernetes' safe alphabet.
 */
// [U] Kubescape hashes Go's dump.ForHash() rendering of the typed PodSpec, which cannot be
// reproduced from JSON: canonical JSON (sorted keys) is hashed instead. Names of CronJob-spawned
// instances are stable across runs here but differ from the ones Kubescape computes.
function podSpecHash(spec: PodSpecLike): string {
  const sanitized = structuredClone(spec);
  const volumes = sanitized.volumes ?? [];
  const projected = new Set(volumes.filter((v) => v.projected != null).map((v) => v.name));
  const kept = volumes.filter((v) => v.projected == null);
  if (kept.length > 0) sanitized.volumes = kept;
  else delete sanitized.volumes;
  for (const c of [...(sanitized.containers ?? []), ...(sanitized.initContainers ?? [])]) {
    const mounts = (c.volumeMounts ?? []).filter((m) => !projected.has(m.name));
    if (mounts.length > 0) c.volumeMounts = mounts;
    else delete c.volumeMounts;
  }
  delete sanitized.hostname;
  return safeEncodeString(String(fnv32a(canonicalJson(sanitized))));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Kubernetes' rand.SafeEncodeString: each character mapped into an alphabet without vowels. */
function safeEncodeString(s: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(s, (ch) => alphabet[ch.codePointAt(0)! % alphabet.length]).join('');
}

/**
 * Object name of an instance: `<kind>-<name>`, then with a container `-<container>-<h[0:4]>-<h[-4:]>`
 * (h = instance ID hash); a base of 243 bytes or more is cut to 243 and gets the hash parts;
 * lower-cased. ContainerProfiles, SBOMSyftFiltereds and relevant manifests use the container form,
 * ApplicationProfiles and NetworkNeighborhoods `noContainer`.
 */
export function instanceIdSlug(id: InstanceId, noContainer = false): string {
  return slugWithin(id, noContainer, MAX_DNS_SUBDOMAIN_LENGTH);
}

/**
 * A unique name for one time-series ContainerProfile: the slug, made to leave room, then
 * `-<32 hex>` (a random UUID's bytes unless `suffixHex` is given). Storage splits it back at the
 * last `-`.
 */
export function instanceIdOneTimeSlug(
  id: InstanceId,
  noContainer = false,
  suffixHex: string = randomUUID().replaceAll('-', ''),
): string {
  const suffix = `-${suffixHex}`;
  return slugWithin(id, noContainer, MAX_DNS_SUBDOMAIN_LENGTH - byteLength(suffix)) + suffix;
}

function slugWithin(id: InstanceId, noContainer: boolean, maxLength: number): string {
  const base = `${id.kind}-${id.effectiveName}${noContainer ? '' : `-${id.containerName}`}`;
  const slug = withHashParts(base, id.hash(), maxLength, !noContainer).toLowerCase();
  return checkSlug(slug, `instance ID "${id.toString()}"`);
}

// ---------------------------------------------------------------------------------------------
// WLID (§3.3)

const WLID_PREFIX = 'wlid://';
const CLUSTER_PREFIX = 'cluster-';
const NAMESPACE_PREFIX = 'namespace-';

/** Kinds a parsed WLID gives back capitalised (armosec's list, plus the cluster RBAC kinds). */
const WLID_KINDS = [
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'ConfigMap',
  'ControllerRevision',
  'CronJob',
  'CustomResourceDefinition',
  'DaemonSet',
  'Deployment',
  'Endpoints',
  'Event',
  'HorizontalPodAutoscaler',
  'Ingress',
  'Job',
  'Lease',
  'LimitRange',
  'LocalSubjectAccessReview',
  'MutatingWebhookConfiguration',
  'Namespace',
  'NetworkPolicy',
  'Node',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Pod',
  'PodDisruptionBudget',
  'PodSecurityPolicy',
  'PodTemplate',
  'PriorityClass',
  'ReplicaSet',
  'ReplicationController',
  'ResourceQuota',
  'Role',
  'RoleBinding',
  'Secret',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'Service',
  'ServiceAccount',
  'StatefulSet',
  'StorageClass',
  'SubjectAccessReview',
  'TokenReview',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
];
const WLID_KIND_BY_LOWER = new Map(WLID_KINDS.map((k) => [k.toLowerCase(), k]));

export interface Wlid {
  /** May be empty: cleanup compares WLIDs without a cluster name. */
  cluster: string;
  namespace: string;
  /** Capitalised when known (`Deployment`), else as written in the WLID. */
  kind: string;
  name: string;
}

/**
 * `wlid://cluster-<cluster>/namespace-<ns>/<kind>-<name>`, the kind lower-cased with `-` removed.
 * As upstream, it stops early when a part is empty: `wlid://cluster-<c>` without a namespace, and
 * `wlid://cluster-<c>/namespace-<ns>` (a namespace-wide wild WLID) without a kind.
 */
export function formatWlid(cluster: string, namespace: string, kind: string, name: string): string {
  let wlid = `${WLID_PREFIX}${CLUSTER_PREFIX}${cluster}`;
  if (!namespace) return wlid;
  wlid += `/${NAMESPACE_PREFIX}${namespace}`;
  const k = kind.toLowerCase().replaceAll('-', '');
  if (!k) return wlid;
  wlid += `/${k}`;
  return name ? `${wlid}-${name}` : wlid;
}

/** Parses a full WLID; the third segment splits at its first `-` into kind and name. */
export function parseWlid(wlid: string): Wlid {
  const bad = (why: string) =>
    invalid(`"${wlid}" is not a WLID (wlid://cluster-<cluster>/namespace-<ns>/<kind>-<name>): ${why}`);
  if (/\s/.test(wlid)) throw bad('it contains whitespace');
  if (!wlid.startsWith(WLID_PREFIX)) throw bad(`it does not start with ${WLID_PREFIX}`);
  const parts = wlid.slice(WLID_PREFIX.length).split('/');
  if (parts.length !== 3) throw bad(`it has ${parts.length} segments instead of 3`);
  const [clusterPart, namespacePart, workloadPart] = parts as [string, string, string];
  if (!clusterPart.startsWith(CLUSTER_PREFIX))
    throw bad(`the first segment does not start with ${CLUSTER_PREFIX}`);
  if (!namespacePart.startsWith(NAMESPACE_PREFIX)) {
    throw bad(`the second segment does not start with ${NAMESPACE_PREFIX}`);
  }
  const namespace = namespacePart.slice(NAMESPACE_PREFIX.length);
  if (!namespace) throw bad('the namespace is empty');
  const dash = workloadPart.indexOf('-');
  if (dash <= 0 || dash === workloadPart.length - 1) throw bad('the last segment is not <kind>-<name>');
  const kind = workloadPart.slice(0, dash);
  return {
    cluster: clusterPart.slice(CLUSTER_PREFIX.length),
    namespace,
    kind: WLID_KIND_BY_LOWER.get(kind.toLowerCase()) ?? kind,
    name: workloadPart.slice(dash + 1),
  };
}
