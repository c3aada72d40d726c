export { CLEANUP_RESOURCES, WORKLOAD_KINDS, planCleanup } from './plan.ts';
export type { CleanupAction, PlanOptions } from './plan.ts';
export {
  addRunningTemplateHash,
  addRunningWlid,
  emptyRunningState,
  imageIdForms,
  wlidKey,
  wlidKind,
} from './running-state.ts';
export type { RunningState } from './running-state.ts';
export { applyCleanupAction, listCleanupObjects } from './store.ts';
export type { CleanupOutcome } from './store.ts';
