/** The matcher contract (grype's matcher.Matcher): one matcher per ecosystem family. */
import type { Distro, Package, PackageType } from '../../sbom/index.ts';
import type { CvssScore } from '../cvss/index.ts';
import type { AdvisoryCandidate, AdvisoryProvider } from '../types.ts';
import type { Match } from '../report/types.ts';

export type MatcherId =
  | 'dpkg-matcher'
  | 'rpm-matcher'
  | 'apk-matcher'
  | 'python-matcher'
  | 'javascript-matcher'
  | 'go-module-matcher'
  | 'java-matcher'
  | 'ruby-gem-matcher'
  | 'rust-matcher'
  | 'dotnet-matcher'
  | 'php-composer-matcher'
  | 'hex-matcher'
  | 'dart-pub-matcher'
  | 'stock-matcher';

export type ScanWarningCode =
  /** The package's version is not valid in its ecosystem's scheme: the package was not matched. */
  | 'unparsable-package-version'
  /** A version in an advisory's range could not be compared: that advisory was skipped for the package. */
  | 'unparsable-advisory-version'
  /** A CVSS vector could not be scored; the severity fell back to the next source. */
  | 'invalid-cvss-vector'
  /** OS packages but no distro, or a distro without an OSV ecosystem: they were not matched. */
  | 'unsupported-distro'
  /** A VEX statement or ignore rule that could not be used. */
  | 'invalid-ignore-input';

export interface ScanWarning {
  code: ScanWarningCode;
  message: string;
  /** `name@version` of the package concerned. */
  package?: string;
  advisory?: string;
}

export interface MatchStats {
  packages: number;
  /** Packages no matcher could search (no ecosystem, no distro, no Maven group). */
  unsearchable: number;
  queries: number;
  advisoriesExamined: number;
  withdrawnIgnored: number;
  unparsablePackageVersions: number;
  unparsableAdvisoryVersions: number;
}

export interface MatchContext {
  provider: AdvisoryProvider;
  /** Distro of the scanned image, if the SBOM names one. */
  distro?: Distro;
  warn(warning: ScanWarning): void;
  stats: MatchStats;
  /** Report a finding under its CVE id when its records agree on one (kubevuln's NormalizeByCVE). */
  normalizeByCve?: boolean;
  /**
   * Per-scan memo: lookups repeat (binaries of one source package, the same library in several
   * places) and a record's metadata and CVSS scores are the same for every package it matches.
   */
  memo?: ScanMemo;
}

export interface ScanMemo {
  /** Recent lookup results by `ecosystem \0 name` (least recently used evicted first). */
  found: Map<string, AdvisoryCandidate[]>;
  /** Record metadata by `id \0 namespace` (opaque to callers). */
  records: Map<string, unknown>;
  /** CVSS scores by vector (undefined: the vector cannot be scored); few distinct vectors repeat. */
  cvss: Map<string, CvssScore | undefined>;
}

export function emptyMemo(): ScanMemo {
  return { found: new Map(), records: new Map(), cvss: new Map() };
}

export interface Matcher {
  id: MatcherId;
  /** Package types this matcher is responsible for. */
  packageTypes: readonly PackageType[];
  /** One Match per (vulnerability, package), related records merged. */
  match(pkg: Package, context: MatchContext): Match[];
}

export function emptyStats(): MatchStats {
  return {
    packages: 0,
    unsearchable: 0,
    queries: 0,
    advisoriesExamined: 0,
    withdrawnIgnored: 0,
    unparsablePackageVersions: 0,
    unparsableAdvisoryVersions: 0,
  };
}
