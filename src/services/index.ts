export { runStorage } from './storage/run.ts';
export type { StorageRoleOptions } from './storage/run.ts';
export { collectClusterObjects } from './posture/collect.ts';
export type { CollectOptions, CollectResult } from './posture/collect.ts';
export { runKubevuln } from './kubevuln/index.ts';
export type { KubevulnOptions, RunningKubevuln } from './kubevuln/index.ts';
export { ClusterReader } from './posture/collect.ts';
export { DEFAULT_EXCLUDED_NAMESPACES, runPostureService } from './posture/run.ts';
export type { PostureServiceOptions, RunningPostureService } from './posture/run.ts';
export type { PostScanRequest, ScanObjectRef, ScanPlan } from './posture/scan-request.ts';
export type { ScanExecutor, ScanOutcome, ScanTask } from './posture/scan-queue.ts';
export {
  DEFAULT_EXCLUDE_NAMESPACES,
  DEFAULT_TRIGGER_URL,
  defaultOperatorConfig,
  kubescapeSchedulerBody,
  kubevulnSchedulerBody,
  runOperator,
  triggerAction,
} from './operator/index.ts';
export type {
  Command as OperatorTriggerCommand,
  OperatorCommand,
  OperatorConfig,
  PostScanRequest as OperatorPostScanRequest,
  RunOperatorOptions,
  RunningOperator,
  WebsocketScanCommand,
} from './operator/index.ts';
