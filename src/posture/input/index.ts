/**
 * Reading Kubernetes objects from files for `kubeguard scan <paths...>`, and finding report paths
 * back in those files (SARIF locations and fixes).
 */
export { loadPaths, loadText, MAX_FILE_BYTES } from './load.ts';
export type { LoadOptions, LoadResult, LoadedObject } from './load.ts';
export { fixEdit, locate, SourceLocator } from './locate.ts';
export type { SourcePosition, TextEdit } from './locate.ts';
export { parseReportPath } from './report-path.ts';
export type { PathSegment } from './report-path.ts';
