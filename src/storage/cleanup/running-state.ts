/**
 * What runs in the cluster, as garbage collection sees it (storage-api.md §4): gathered from Pods and
 * workloads by the caller, compared here with the keys storage objects carry.
 */

export interface RunningState {
  /** `imageID`s of pod container statuses, as reported (`docker-pullable://…`, `repo@sha256:…`, `sha256:…`). */
  imageIDs: Set<string>;
  /** Instance IDs of every container, init and ephemeral container, in string form (§3.2). */
  instanceIDs: Set<string>;
  /** WLID (any cluster name, or none) -> names of its containers, init and ephemeral containers. */
  wlids: Map<string, Set<string>>;
  /**
   * Namespace -> `pod-template-hash` values of its pods and workloads. Per namespace because the
   * hash covers the pod template only: the same template deployed in two namespaces has one hash.
   */
  templateHashes: Map<string, Set<string>>;
}

export function emptyRunningState(): RunningState {
  return { imageIDs: new Set(), instanceIDs: new Set(), wlids: new Map(), templateHashes: new Map() };
}

/** Adds `containers` to the ones known for `wlid` (creating the entry even when there are none). */
export function addRunningWlid(state: RunningState, wlid: string, containers: Iterable<string> = []): void {
  let names = state.wlids.get(wlid);
  if (!names) state.wlids.set(wlid, (names = new Set()));
  for (const c of containers) names.add(c);
}

export function addRunningTemplateHash(state: RunningState, namespace: string, hash: string): void {
  if (!hash) return;
  let hashes = state.templateHashes.get(namespace);
  if (!hashes) state.templateHashes.set(namespace, (hashes = new Set()));
  hashes.add(hash);
}

const RUNTIME_PREFIX = /^(?:docker-pullable|docker|containerd|cri-o):\/\//;
const TRAILING_DIGEST = /(?:^|@)([a-z0-9]+:[a-f0-9]{32,})$/i;

/**
 * The forms an image ID is compared in: without a runtime prefix (`docker-pullable://`), and its
 * digest alone. kubevuln writes `repo@sha256:…` normalised to its own repository spelling
 * (`docker.io/library/nginx`) while kubelets report what the runtime says (`nginx@sha256:…`, or a
 * bare digest), so the digest is what reliably matches; the full string still matches IDs
 * without one.
 */
export function imageIdForms(imageId: string): string[] {
  const id = imageId.trim().replace(RUNTIME_PREFIX, '');
  if (id === '') return [];
  const digest = TRAILING_DIGEST.exec(id)?.[1]?.toLowerCase();
  return digest && digest !== id ? [id, digest] : [id];
}

/**
 * A WLID without its cluster part (`namespace-<ns>/<kind>-<name>`), lower-cased: Kubescape
 * compares WLIDs with an empty cluster name, since the cluster name a writer used may differ from
 * the one the storage knows. A string that is not a WLID is returned as it is.
 */
export function wlidKey(wlid: string): string {
  const scheme = wlid.indexOf('://');
  if (scheme < 0) return wlid.toLowerCase();
  const rest = wlid.slice(scheme + 3);
  const slash = rest.indexOf('/');
  return (slash < 0 ? rest : rest.slice(slash + 1)).toLowerCase();
}

/** The lower-case kind of a WLID (`deployment`), or '' when it names none. */
export function wlidKind(wlid: string): string {
  const key = wlidKey(wlid);
  if (!key.includes('/')) return '';
  const last = key.slice(key.lastIndexOf('/') + 1);
  const dash = last.indexOf('-');
  return dash > 0 ? last.slice(0, dash) : '';
}
