export * from './db/index.ts';
export type * from './types.ts';
