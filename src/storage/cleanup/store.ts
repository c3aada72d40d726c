import type { KubeObject } from '../../api/index.ts';
import { ErrorCodes, isKubeguardError } from '../../common/index.ts';
import type { ObjectStore } from '../store/index.ts';
import type { CleanupAction } from './plan.ts';
import { CLEANUP_RESOURCES } from './plan.ts';

/** The metadata of every object garbage collection looks at, by resource. */
export function listCleanupObjects(store: ObjectStore): Map<string, KubeObject[]> {
  const objects = new Map<string, KubeObject[]>();
  for (const resource of CLEANUP_RESOURCES) {
    const items: KubeObject[] = [];
    for (const record of store.list(resource).items) {
      let object: KubeObject;
      try {
        object = JSON.parse(record.json) as KubeObject;
      } catch {
        continue; // not judged; the store drops undecodable rows when they are read
      }
      // The record is authoritative for the key and version, whatever the JSON says.
      object.metadata = {
        ...object.metadata,
        namespace: record.namespace,
        name: record.name,
        resourceVersion: String(record.resourceVersion),
      };
      items.push(object);
    }
    objects.set(resource, items);
  }
  return objects;
}

export type CleanupOutcome = 'deleted' | 'gone' | 'changed';

/**
 * Deletes the object of `action` unless it was written after being listed (`changed`: the next
 * run judges it again) or is already gone.
 */
export function applyCleanupAction(store: ObjectStore, action: CleanupAction): CleanupOutcome {
  try {
    store.delete(action.resource, action.namespace, action.name, {
      expectedResourceVersion: action.resourceVersion,
    });
    return 'deleted';
  } catch (err) {
    if (isKubeguardError(err, ErrorCodes.notFound)) return 'gone';
    if (isKubeguardError(err, ErrorCodes.conflict)) return 'changed';
    throw err;
  }
}
