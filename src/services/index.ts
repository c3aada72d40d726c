export { runStorage } from './storage/run.ts';
export type { StorageRoleOptions } from './storage/run.ts';
export { collectClusterObjects } from './posture/collect.ts';
export type { CollectOptions, CollectResult } from './posture/collect.ts';
