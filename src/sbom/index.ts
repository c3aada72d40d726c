export * from './image/index.ts';
export type {
  Distro,
  Package,
  PackageLocation,
  PackageType,
  ParseIssue,
  Relationship,
  SbomDocument,
  SbomModel,
  SbomSource,
  SbomStatus,
} from './model.ts';
export type {
  CatalogueContext,
  CatalogueResult,
  Cataloguer,
  FileInfo,
  FileResolver,
  FileType,
} from './resolver.ts';
export * from './layers/index.ts';
export * from './sources/index.ts';
export * from './catalogers/index.ts';
export * from './formats/index.ts';
export { catalogueSource, generateSbom, mergeFindings, selectCataloguers } from './generate.ts';
export type { GeneratedSbom, GenerateOptions, SbomProgress } from './generate.ts';
