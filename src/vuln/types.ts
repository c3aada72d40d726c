/**
 * Contracts between the parts of the vulnerability engine: advisories as stored (OSV), the
 * database as a provider queried by criteria (grype's vulnerability.Provider), and version schemes.
 */

/** One OSV event of a range: exactly one key is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}

export interface AffectedPackage {
  /** OSV ecosystem as published, e.g. "Debian:12", "npm", "PyPI", "Alpine:v3.20". */
  ecosystem: string;
  /** Package name as published (Debian: the source package). */
  name: string;
  purl?: string;
  ranges: AffectedRange[];
  /** Explicitly listed affected versions. */
  versions: string[];
  ecosystemSpecific?: Record<string, unknown>;
  databaseSpecific?: Record<string, unknown>;
}

export interface AdvisorySeverity {
  /** "CVSS_V2", "CVSS_V3", "CVSS_V4", "Ubuntu", ... */
  type: string;
  score: string;
}

/** An OSV record, normalized. */
export interface Advisory {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  related: string[];
  /** OSV `upstream` (e.g. the CVEs a DSA fixes). */
  upstream: string[];
  summary?: string;
  details?: string;
  severity: AdvisorySeverity[];
  /** `database_specific.severity` (GHSA: LOW/MODERATE/HIGH/CRITICAL) or Debian urgency. */
  databaseSeverity?: string;
  references: { type: string; url: string }[];
  affected: AffectedPackage[];
}

export interface DbMetadata {
  schemaVersion: number;
  /** When the database was built (ISO 8601). */
  built: string;
  /** Checksum identifying the database content (goes into the grype descriptor). */
  checksum: string;
  sources: { name: string; url?: string; records: number; updated: string }[];
  counts: { advisories: number; affected: number; skipped: number };
}

/** Criteria for one lookup: ecosystem as in OSV and the (normalized) package name. */
export interface AdvisoryQuery {
  ecosystem: string;
  name: string;
}

/**
 * What matching reads of one affected entry: its ranges and versions, and the ecosystem- and
 * database-specific fields (Debian's `nodsa`, `tracker_status`: a fix that will not come).
 */
export type AffectedVersions = Pick<
  AffectedPackage,
  'ranges' | 'versions' | 'ecosystemSpecific' | 'databaseSpecific'
>;

/**
 * What a finding reports of an advisory: ids for grouping related records, description, severity
 * sources, references, and the ecosystems of its affected entries (which say whose rating a
 * database severity is). A whole Advisory is one; the database stores this part separately.
 */
export type AdvisoryHead = Pick<
  Advisory,
  | 'id'
  | 'withdrawn'
  | 'aliases'
  | 'upstream'
  | 'summary'
  | 'details'
  | 'severity'
  | 'databaseSeverity'
  | 'references'
> & { affected: Pick<AffectedPackage, 'ecosystem'>[] };

/**
 * One advisory found by a lookup, reduced to what matching needs before it knows the package is
 * affected. The database keeps both parts as JSON text and parses them on each call: a rejected
 * candidate never pays for its head, and a lookup kept for reuse holds two strings, not objects.
 */
export interface AdvisoryCandidate {
  id: string;
  withdrawn: boolean;
  /** The advisory's affected entries the query selects, in record order (as `affectedEntriesFor`). */
  entries(): AffectedVersions[];
  /** The reported part. */
  head(): AdvisoryHead;
}

export interface AdvisoryProvider {
  /** Advisories with an affected entry for this ecosystem and package (withdrawn ones included, flagged). */
  find(query: AdvisoryQuery): Advisory[];
  /**
   * The advisories `find` returns, in the same order, as candidates. Optional: a provider that has
   * a cheaper form than whole records (the SQLite database) implements it; matching falls back to
   * `find` otherwise.
   */
  candidates?(query: AdvisoryQuery): AdvisoryCandidate[];
  /**
   * Optional: runs `fn` (all lookups of a scan) against one consistent view of the advisories. The
   * SQLite database takes one read transaction for them instead of one per lookup.
   */
  read?<T>(fn: () => T): T;
  metadata(): DbMetadata;
  close(): void;
}

/** A version comparator for one scheme (dpkg, rpm, PEP 440, ...). */
export interface VersionScheme {
  id: string;
  /** True when the string is a valid version of this scheme. */
  valid(version: string): boolean;
  /** <0, 0, >0; throws KG_ERR_INVALID_INPUT naming the version when one side is unparsable. */
  compare(a: string, b: string): number;
}
