export { runStorage } from './storage/run.ts';
export type { StorageRoleOptions } from './storage/run.ts';
