/**
 * Garbage collection of storage objects whose workload, container or image no longer runs
 * (storage-api.md §4 "Garbage collection"): one rule per resource, decided on metadata alone.
 */
import type { KubeObject } from '../../api/index.ts';
import { MANAGED_BY_USER, MetadataKeys, SbomTypeValues, storageResources } from '../../api/index.ts';
import type { RunningState } from './running-state.ts';
import { imageIdForms, wlidKey, wlidKind } from './running-state.ts';

/** One object to delete. */
export interface CleanupAction {
  resource: string;
  namespace: string;
  name: string;
  /** Why, for the log. */
  reason: string;
  /** Of the object as listed, so that the delete can skip an object written since. */
  resourceVersion?: number;
}

export interface PlanOptions {
  /**
   * Kubescape's relevancy mode: ApplicationProfiles missing the instance-id or wlid annotation are
   * deleted as well (off by default, as the storage's `relevancyEnabled`).
   */
  relevancy?: boolean;
}

/**
 * Kinds whose WLIDs are judged; the running state holds exactly these. Objects of other kinds
 * (services, RBAC, namespaces, nodes) are kept, since nothing says whether those still exist.
 */
// Kubescape's set also has `service`, but its running state lists no services: it would delete
// every service's scan. Left out on purpose.
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'pod',
  'deployment',
  'replicaset',
  'statefulset',
  'daemonset',
  'job',
  'cronjob',
]);

/** Kinds whose pods come and go by design: their template hashes say nothing, their WLIDs do. */
const BATCH_KINDS = new Set(['job', 'cronjob']);

interface Meta {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The running state, prepared for lookups with the keys objects carry. */
class Running {
  private readonly images = new Set<string>();
  readonly instances: ReadonlySet<string>;
  private readonly wlids = new Map<string, Set<string>>();
  private readonly hashes: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(state: RunningState) {
    for (const id of state.imageIDs) for (const form of imageIdForms(id)) this.images.add(form);
    this.instances = state.instanceIDs;
    for (const [wlid, containers] of state.wlids) {
      const key = wlidKey(wlid);
      const known = this.wlids.get(key);
      this.wlids.set(key, known ? new Set([...known, ...containers]) : new Set(containers));
    }
    this.hashes = state.templateHashes;
  }

  image(imageId: string): boolean {
    return imageIdForms(imageId).some((form) => this.images.has(form));
  }

  containersOf(wlid: string): ReadonlySet<string> | undefined {
    return this.wlids.get(wlidKey(wlid));
  }

  templateHash(namespace: string, hash: string): boolean {
    return this.hashes.get(namespace)?.has(hash) ?? false;
  }
}

/** A reason to delete, or undefined to keep. */
type Rule = (meta: Meta, running: Running) => string | undefined;

const deprecated: Rule = () => 'deprecated kind';

/** Host and node SBOMs (and their manifests) describe machines, not containers. */
function isHostOrNode(meta: Meta): boolean {
  const type = meta.labels[MetadataKeys.sbomType] ?? meta.annotations[MetadataKeys.sbomType];
  return type === SbomTypeValues.host || type === SbomTypeValues.node;
}

function imageNotRunning(imageId: string, running: Running): string | undefined {
  return running.image(imageId) ? undefined : `image ${imageId || '""'} is not used by any container`;
}

function instanceNotRunning(instanceId: string, running: Running): string | undefined {
  return running.instances.has(instanceId) ? undefined : `instance ${instanceId || '""'} is not running`;
}

const byImageId: Rule = (meta, running) => {
  if (isHostOrNode(meta)) return undefined;
  const imageId = meta.annotations[MetadataKeys.imageId];
  if (imageId === undefined) return `no ${MetadataKeys.imageId} annotation`;
  return imageNotRunning(imageId, running);
};

const byImageIdOrInstanceId: Rule = (meta, running) => {
  if (isHostOrNode(meta)) return undefined;
  const imageId = meta.annotations[MetadataKeys.imageId];
  const instanceId = meta.annotations[MetadataKeys.instanceId];
  if (imageId === undefined && instanceId === undefined) {
    return `neither ${MetadataKeys.imageId} nor ${MetadataKeys.instanceId} annotation`;
  }
  return (
    (imageId === undefined ? undefined : imageNotRunning(imageId, running)) ??
    (instanceId === undefined ? undefined : instanceNotRunning(instanceId, running))
  );
};

const byInstanceId: Rule = (meta, running) => {
  if (isHostOrNode(meta)) return undefined;
  const instanceId = meta.annotations[MetadataKeys.instanceId];
  if (instanceId === undefined) return `no ${MetadataKeys.instanceId} annotation`;
  return instanceNotRunning(instanceId, running);
};

/** Only workload kinds are judged; an object without a WLID is kept (Kubescape does the same). */
const byWlid: Rule = (meta, running) => {
  const wlid = meta.annotations[MetadataKeys.wlid];
  if (wlid === undefined || !WORKLOAD_KINDS.has(wlidKind(wlid))) return undefined;
  return running.containersOf(wlid) ? undefined : `workload ${wlid} is not running`;
};

const byWlidAndContainer: Rule = (meta, running) => {
  const wlid = meta.annotations[MetadataKeys.wlid];
  const container = meta.annotations[MetadataKeys.workloadContainerName];
  if (wlid === undefined) return `no ${MetadataKeys.wlid} annotation`;
  if (container === undefined) return `no ${MetadataKeys.workloadContainerName} annotation`;
  const containers = running.containersOf(wlid);
  if (!containers) return `workload ${wlid} is not running`;
  return containers.has(container) ? undefined : `workload ${wlid} has no container ${container}`;
};

/**
 * The template hash names one revision of a workload, so a profile of an old revision goes when
 * its pods and ReplicaSet do. Job pods finish and go while the Job stays: those are judged by WLID.
 */
const byTemplateHashOrWlid: Rule = (meta, running) => {
  const hash = meta.labels[MetadataKeys.instanceTemplateHash];
  const wlid = meta.annotations[MetadataKeys.wlid];
  const kind = (
    meta.labels[MetadataKeys.workloadKind] ?? (wlid === undefined ? '' : wlidKind(wlid))
  ).toLowerCase();
  if (hash && !BATCH_KINDS.has(kind)) {
    return running.templateHash(meta.namespace, hash)
      ? undefined
      : `template hash ${hash} is not running in namespace ${meta.namespace || '""'}`;
  }
  return byWlid(meta, running);
};

const missingInstanceIdOrWlid: Rule = (meta) => {
  if (meta.annotations[MetadataKeys.instanceId] === undefined)
    return `no ${MetadataKeys.instanceId} annotation`;
  if (meta.annotations[MetadataKeys.wlid] === undefined) return `no ${MetadataKeys.wlid} annotation`;
  return undefined;
};

/** The first rule giving a reason decides. */
function anyOf(...rules: Rule[]): Rule {
  return (meta, running) => {
    for (const rule of rules) {
      const reason = rule(meta, running);
      if (reason !== undefined) return reason;
    }
    return undefined;
  };
}

/**
 * Rules per URL resource (the spec keys them by on-disk segment; this store keys by resource).
 * Removed kinds Kubeguard never served are listed too, for stores carried over from Kubescape.
 */
const RULES: Readonly<Record<string, Rule>> = {
  ...Object.fromEntries(
    [
      'applicationactivities',
      'applicationprofilesummaries',
      'networkneighborses',
      ...storageResources.filter((r) => r.deprecated).map((r) => r.plural),
    ].map((resource) => [resource, deprecated]),
  ),
  sbomsyfts: byImageId,
  vulnerabilitymanifests: byImageIdOrInstanceId,
  openvulnerabilityexchangecontainers: byInstanceId,
  sbomsyftfiltereds: byInstanceId,
  seccompprofiles: byTemplateHashOrWlid,
  vulnerabilitymanifestsummaries: byWlidAndContainer,
  workloadconfigurationscans: byWlid,
  workloadconfigurationscansummaries: byWlid,
  applicationprofiles: byTemplateHashOrWlid,
  containerprofiles: byTemplateHashOrWlid,
  networkneighborhoods: byTemplateHashOrWlid,
};

/** Resources garbage collection looks at; objects of any other resource are always kept. */
export const CLEANUP_RESOURCES: readonly string[] = Object.keys(RULES);

function ruleFor(resource: string, options: PlanOptions): Rule | undefined {
  const rule = RULES[resource];
  if (rule && resource === 'applicationprofiles' && options.relevancy)
    return anyOf(rule, missingInstanceIdOrWlid);
  return rule;
}

function metaOf(object: KubeObject): Meta {
  const m = object.metadata ?? {};
  return {
    namespace: m.namespace ?? '',
    name: m.name ?? '',
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
  };
}

/**
 * The objects to delete, in input order: for each object of a resource with a rule, unless users
 * manage it (annotation `kubescape.io/managed-by: User`), the reason its rule gives. Objects need
 * their metadata only.
 */
export function planCleanup(
  state: RunningState,
  objectsByResource:
    ReadonlyMap<string, readonly KubeObject[]> | Readonly<Record<string, readonly KubeObject[]>>,
  options: PlanOptions = {},
): CleanupAction[] {
  const running = new Running(state);
  const entries =
    objectsByResource instanceof Map
      ? [...(objectsByResource as ReadonlyMap<string, readonly KubeObject[]>)]
      : Object.entries(objectsByResource as Readonly<Record<string, readonly KubeObject[]>>);
  const actions: CleanupAction[] = [];
  for (const [resource, objects] of entries) {
    const rule = ruleFor(resource, options);
    if (!rule) continue;
    for (const object of objects) {
      const meta = metaOf(object);
      if (meta.annotations[MetadataKeys.managedBy] === MANAGED_BY_USER) continue;
      const reason = rule(meta, running);
      if (reason === undefined) continue;
      const resourceVersion = Number(object.metadata?.resourceVersion);
      actions.push({
        resource,
        namespace: meta.namespace,
        name: meta.name,
        reason,
        ...(Number.isSafeInteger(resourceVersion) && resourceVersion > 0 ? { resourceVersion } : {}),
      });
    }
  }
  return actions;
}
