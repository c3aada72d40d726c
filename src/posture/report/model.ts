/**
 * Kubescape's JSON report (format version v2, controls.md §4.1). The engine builds it; every output
 * format (table, SARIF, JUnit, HTML, Prometheus) renders from it.
 */

export type Status = 'passed' | 'failed' | 'skipped';
export type SubStatus =
  | ''
  | 'w/exceptions'
  | 'irrelevant'
  | 'configuration'
  | 'integration'
  | 'requires review'
  | 'manual review'
  | 'notEvaluated';
export type SeverityName = 'Critical' | 'High' | 'Medium' | 'Low' | 'Unknown';

export interface StatusInfo {
  status: Status;
  subStatus?: SubStatus;
  info?: string;
}

export interface ResourceCounters {
  passedResources: number;
  failedResources: number;
  skippedResources: number;
  excludedResources: number;
}

export interface SeverityCounters {
  criticalSeverity: number;
  highSeverity: number;
  mediumSeverity: number;
  lowSeverity: number;
}

export interface ControlSummary {
  statusInfo: StatusInfo;
  controlID: string;
  name: string;
  status: Status;
  resourceIDs: Record<string, never>;
  ResourceCounters: ResourceCounters;
  subStatusCounters: { ignoredResources: number };
  score: number;
  complianceScore: number;
  scoreFactor: number;
  category?: { name: string; subCategory?: { name: string } };
  /** Only in summaryDetails.controls (not in the per-framework copies). */
  severity?: SeverityName;
}

export interface FrameworkSummary {
  name: string;
  status: Status;
  version: string;
  score: number;
  complianceScore: number;
  ResourceCounters: ResourceCounters;
  controls: Record<string, ControlSummary>;
}

export interface SummaryDetails {
  controls: Record<string, ControlSummary>;
  status: Status;
  frameworks: FrameworkSummary[];
  resourcesSeverityCounters: SeverityCounters;
  controlsSeverityCounters: SeverityCounters;
  ResourceCounters: ResourceCounters;
  vulnerabilities: { mapsSeverityToSummary: null; CVEs: null; packageScores: null; images: null };
  score: number;
  complianceScore: number;
}

/** One entry of a rule's `paths`: exactly one of the path fields, plus the resource it is about. */
export interface PosturePath {
  resourceID: string;
  failedPath?: string;
  reviewPath?: string;
  deletePath?: string;
  fixPath?: { path: string; value: string };
  fixCommand?: string;
}

export interface ExceptionPolicy {
  name: string;
  policyType?: string;
  actions?: string[];
  attributes?: Record<string, unknown>;
  resources?: { designatorType?: string; attributes?: Record<string, string>; wlid?: string }[];
  posturePolicies?: { frameworkName?: string; controlID?: string; ruleName?: string }[];
  reason?: string;
  expirationDate?: string;
  [field: string]: unknown;
}

export interface ResourceRuleResult {
  name: string;
  status: Status;
  subStatus: SubStatus;
  paths?: PosturePath[];
  controlConfigurations?: Record<string, readonly string[]>;
  exception?: ExceptionPolicy[];
  relatedResourcesIDs?: string[];
}

export interface ResourceControlResult {
  controlID: string;
  name: string;
  status: StatusInfo;
  rules: ResourceRuleResult[];
  severity: SeverityName;
}

export interface ResourceResult {
  resourceID: string;
  controls: ResourceControlResult[];
}

export interface ResourceSource {
  path: string;
  relativePath: string;
  fileType: 'YAML' | 'JSON' | '';
  helmChartName: string;
  /** Kubeguard extension: 1-based line where the object's document starts. */
  line?: number;
}

export interface ReportResource {
  resourceID: string;
  /** The sanitized object (secrets and env values masked, status/managedFields removed). */
  object: Record<string, unknown>;
  source?: ResourceSource;
}

/** A problem found while reading the input (malformed YAML, unreadable file, ...). */
export interface InputProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface ScanMetadata {
  targetType: string;
  kubescapeVersion: string;
  formatVersion: 'v2';
  controlsInputs: string;
  format: string;
  formats: string[];
  excludedNamespaces: string[];
  includeNamespaces: string[];
  targetNames: string[];
  failThreshold: number;
  complianceThreshold: number;
  /** 0 Cluster, 1 File, 2 Repo, 3 GitLocal, 4 Directory. */
  scanningTarget: number;
  hostScanner: boolean;
  submit: boolean;
  verboseMode: boolean;
}

export interface PostureReport {
  generationTime: string;
  clusterAPIServerInfo: Record<string, string> | null;
  clusterCloudProvider: string;
  customerGUID: string;
  clusterName: string;
  reportGUID: string;
  summaryDetails: SummaryDetails;
  resources: ReportResource[];
  attributes: unknown[];
  results: ResourceResult[];
  metadata: {
    targetMetadata: Record<string, unknown>;
    clusterMetadata?: Record<string, unknown>;
    scanMetadata: ScanMetadata;
  };
  /** Kubeguard extension: input problems (files and lines) that did not stop the scan. */
  inputProblems?: InputProblem[];
}
