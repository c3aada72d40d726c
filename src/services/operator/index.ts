export { runOperator } from './run.ts';
export type { RunOperatorOptions, RunningOperator } from './run.ts';
export { defaultOperatorConfig, DEFAULT_EXCLUDE_NAMESPACES, splitList } from './config.ts';
export type { OperatorConfig } from './config.ts';
export {
  DEFAULT_TRIGGER_URL,
  kubescapeSchedulerBody,
  kubevulnSchedulerBody,
  triggerAction,
} from './trigger.ts';
export type { Command, OperatorCommand, PostScanRequest, WebsocketScanCommand } from './types.ts';
