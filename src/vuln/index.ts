// Public API of the vulnerability engine: the offline OSV database, version schemes, CVSS,
// SBOM file readers, matchers, the grype-compatible document and its renderings.
export * from './db/index.ts';
export { fixedVersions, isAffected, schemeForEcosystem } from './versions/index.ts';
export type * from './types.ts';
export {
  roundUp30,
  roundUp31,
  scoreCvss,
  scoreV2,
  scoreV3,
  scoreV4,
  severityOfScore,
  severityOfV2Score,
} from './cvss/index.ts';
export type { CvssScore, CvssSeverity } from './cvss/index.ts';
export {
  detectSbomFormat,
  formatPurl,
  parsePurl,
  parseSbom,
  purlMatches,
  readSbomFile,
  tryParsePurl,
} from './sbom-input/index.ts';
export type { Purl, SbomFormat } from './sbom-input/index.ts';
export { distroEcosystems, emptyStats, matcherFor, matchers } from './matchers/index.ts';
export type {
  Matcher,
  MatchContext,
  MatcherId,
  MatchStats,
  ScanWarning,
  ScanWarningCode,
} from './matchers/index.ts';
export {
  applyIgnoreRules,
  applyVex,
  buildDocument,
  OUTPUT_FORMATS,
  parseIgnoreRules,
  parseIgnoreRulesYaml,
  parseOpenVex,
  renderCycloneDx,
  renderDocument,
  renderOpenVex,
  renderSarif,
  renderTable,
  severityAtLeast,
  SEVERITY_ORDER,
} from './report/index.ts';
export type {
  Artifact,
  FixState,
  GrypeDocument,
  GrypeSeverity,
  IgnoreRule,
  IgnoredMatch,
  Match,
  MatchDetails,
  OutputFormat,
  SeveritySource,
  VexStatement,
  Vulnerability,
  VulnerabilityMetadata,
} from './report/index.ts';
export { scanSbom } from './scan.ts';
export type { ScanOptions, ScanResult } from './scan.ts';
