/**
 * The grype-compatible document kubevuln stores in a VulnerabilityManifest (storage-api.md §2.4),
 * defined here because src/vuln may not import src/api; field names are identical and
 * test/integration/vuln-document-types.test.ts checks assignability to the api types.
 */

export type FixState = 'fixed' | 'not-fixed' | 'wont-fix' | 'unknown';

/** Exact case; VulnerabilityManifestSummary counts only these strings. */
export type GrypeSeverity = 'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible' | 'Unknown';

/** Most severe first. */
export const SEVERITY_ORDER: readonly GrypeSeverity[] = [
  'Critical',
  'High',
  'Medium',
  'Low',
  'Negligible',
  'Unknown',
];

export interface CvssMetrics {
  baseScore: number;
  exploitabilityScore?: number;
  impactScore?: number;
}

export interface Cvss {
  version: string;
  vector: string;
  metrics: CvssMetrics;
  vendorMetadata?: Record<string, unknown>;
}

export interface VulnerabilityMetadata {
  id: string;
  dataSource: string;
  namespace?: string;
  severity?: string;
  urls: string[];
  description?: string;
  cvss: Cvss[];
}

export interface Fix {
  versions: string[];
  state: FixState;
}

export interface AdvisoryLink {
  id: string;
  link: string;
}

export interface Vulnerability extends VulnerabilityMetadata {
  fix: Fix;
  advisories: AdvisoryLink[];
}

/** `searchedBy` of a distro match. */
export interface DistroSearch {
  distro: { type: string; version: string };
  namespace: string;
  package: { name: string; version: string };
}

/** `searchedBy` of a language (ecosystem) match. */
export interface LanguageSearch {
  language: string;
  namespace: string;
  package: { name: string; version: string };
}

/** Where the severity shown in `vulnerability.severity` came from. */
export type SeveritySource = 'cvss-v4' | 'cvss-v3' | 'cvss-v2' | 'database' | 'debian-urgency' | 'none';

export interface Found {
  vulnerabilityID: string;
  /** The affected ranges of the record, e.g. `>= 0, < 2.36-9+deb12u3 (deb)`. */
  versionConstraint: string;
  /** Kubeguard addition: which input decided the severity (grype consumers ignore unknown keys). */
  severitySource?: SeveritySource;
}

export interface MatchDetails {
  /** `exact-direct-match` (by the package's own name) or `exact-indirect-match` (by its source package). */
  type: 'exact-direct-match' | 'exact-indirect-match' | 'cpe-match';
  matcher: string;
  searchedBy?: DistroSearch | LanguageSearch;
  found?: Found;
}

export interface Coordinates {
  path: string;
  layerID?: string;
}

export interface Upstream {
  name: string;
  version?: string;
}

export interface Artifact {
  name: string;
  version: string;
  type: string;
  locations: Coordinates[];
  language: string;
  licenses: string[];
  cpes: string[];
  purl: string;
  upstreams: Upstream[];
  metadataType?: string;
  metadata?: Record<string, unknown>;
}

export interface Match {
  vulnerability: Vulnerability;
  relatedVulnerabilities: VulnerabilityMetadata[];
  matchDetails: MatchDetails[];
  artifact: Artifact;
}

export interface IgnoreRulePackage {
  name?: string;
  version?: string;
  /** Always written (Go field without omitempty in kubevuln's type). */
  language: string;
  type?: string;
  location?: string;
  'upstream-name'?: string;
}

/** grype's IgnoreRule as written into `appliedIgnoreRules` (grype field names). */
export interface IgnoreRule {
  vulnerability?: string;
  'fix-state'?: string;
  package?: IgnoreRulePackage;
  /** Why the rule exists (user text, or the VEX statement that produced it). */
  reason?: string;
  'vex-status'?: string;
  'vex-justification'?: string;
}

export interface IgnoredMatch extends Match {
  appliedIgnoreRules: IgnoreRule[];
}

export interface DocumentSource {
  type: string;
  target?: unknown;
}

export interface Distribution {
  name: string;
  version: string;
  idLike: string[];
}

export interface DbDescriptor {
  built: string;
  checksum: string;
  schemaVersion: number;
}

export interface Descriptor {
  name: string;
  version: string;
  configuration?: Record<string, unknown>;
  db?: DbDescriptor;
}

export interface GrypeDocument {
  matches: Match[];
  ignoredMatches?: IgnoredMatch[];
  source: DocumentSource | null;
  distro: Distribution;
  descriptor: Descriptor;
}
