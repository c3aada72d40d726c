export * from './image/index.ts';
