/**
 * The storage calls the posture writer makes: KubeObjects' create-or-merge, list, delete and plain
 * replace. A full scan rewrites every result; knowing the stored objects' metadata from one LIST
 * lets it replace each object with one request instead of create (409), get and replace.
 */
import type { KubeObjects } from '../shared/kube-objects.ts';

export type PostureStorage = Pick<KubeObjects, 'upsert' | 'delete' | 'list' | 'replace'>;
