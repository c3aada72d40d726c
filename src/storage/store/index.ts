export { openSqliteStore } from './sqlite.ts';
export type { SqliteStoreOptions } from './sqlite.ts';
export type { WatchHistoryOptions } from './watch-cache.ts';
export {
  labelKeyProblem,
  labelValueProblem,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';
export type {
  FieldRequirement,
  LabelOperator,
  LabelRequirement,
  ListOptions,
  ListResult,
  ObjectStore,
  StoredRecord,
  WatchEvent,
  WatchOptions,
} from './types.ts';
