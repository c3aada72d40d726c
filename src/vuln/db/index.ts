/**
 * The offline OSV advisory database: import (JSON files, folders, OSV all.zip, bundles), the SQLite
 * AdvisoryProvider and an in-memory one, `update` with conditional downloads and atomic
 * replacement, bundles for air gaps, and status.
 */
export { BUNDLE_MAGIC, extractBundle, readBundleManifest, writeBundle } from './bundle.ts';
export type { BundleManifest } from './bundle.ts';
export { affectedVersionsOf, candidateOf, headOf } from './candidates.ts';
export {
  affectedEntriesFor,
  knownEcosystems,
  normalizeEcosystem,
  normalizePackageName,
  parseEcosystem,
} from './ecosystems.ts';
export type { EcosystemKey } from './ecosystems.ts';
export { importInto, sourceNameFor } from './importer.ts';
export type { ImportLimits, ImportOptions, ImportStats } from './importer.ts';
export { buildDatabase, lockDatabase } from './install.ts';
export type { BuildInput, BuildOptions, BuildResult } from './install.ts';
export { isNewer, normalizeOsv, skipReasons } from './osv.ts';
export type { ImportWarning, NormalizeResult, SkipReason } from './osv.ts';
export { memoryAdvisoryProvider, memoryProviderFromOsv } from './provider.ts';
export { defaultDbPath, defaultSourcesConfigPath, describeAge, STALE_AFTER_DAYS } from './status.ts';
export type { DbAge } from './status.ts';
export { AdvisoryDb, openAdvisoryDb, SCHEMA_VERSION } from './store.ts';
export type { DbInfo, DbSource, FetchedSource, OpenOptions } from './store.ts';
export { defaultSources, loadSourcesConfig, parseSourceSpec, updateDatabase } from './update.ts';
export type { SourceFetch, SourceSpec, UpdateOptions, UpdateResult } from './update.ts';
export { defaultZipLimits } from './zip.ts';
export type { ZipLimits } from './zip.ts';
