export { allowAll } from './apiserver/auth.ts';
export type {
  AuthorizationAttributes,
  Authenticator,
  Authorizer,
  Decision,
  UserInfo,
} from './apiserver/auth.ts';
export { StorageServer } from './apiserver/server.ts';
export { StatusError } from './apiserver/status.ts';
export {
  CLEANUP_RESOURCES,
  WORKLOAD_KINDS,
  addRunningTemplateHash,
  addRunningWlid,
  applyCleanupAction,
  emptyRunningState,
  imageIdForms,
  listCleanupObjects,
  planCleanup,
  wlidKey,
  wlidKind,
} from './cleanup/index.ts';
export type { CleanupAction, CleanupOutcome, PlanOptions, RunningState } from './cleanup/index.ts';
export { createStorageServer } from './create.ts';
export type { CreateStorageServerOptions } from './create.ts';
export { storageKinds } from './kinds/index.ts';
export type { KindDefinition } from './kinds/define.ts';
export { openSqliteStore, parseFieldSelector, parseLabelSelector } from './store/index.ts';
export type { ObjectStore, StoredRecord } from './store/index.ts';
