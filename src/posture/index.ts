/** Posture engine: Kubescape's misconfiguration controls over Kubernetes objects, without Rego. */
export type {
  AlertObject,
  ClusterContext,
  ConfigInputs,
  FixPath,
  K8sObject,
  KindMatch,
  ObjectIndex,
  ObjectMeta,
  RelatedObjectFinding,
  RuleDefinition,
  RuleInput,
  SubjectVector,
  Violation,
} from './model.ts';
export { DEFAULT_CONFIG_INPUTS, mergeConfigInputs } from './config.ts';
export { resourceIdOf, namespaceOf, nameOf, isClusterScoped } from './objects.ts';
export { podSpecOf, WORKLOAD_KINDS } from './workload.ts';
export { RULES, getRule } from './rules/index.ts';
export { ruleKinds } from './evaluate.ts';
export {
  evaluateRuleOn,
  loadCaseCluster,
  loadCaseConfig,
  loadInputObjects,
  requireRule,
  runCase,
  listCases,
  compareViolations,
  violationsForOutput,
} from './conformance.ts';
export type { CaseResult, CaseComparison } from './conformance.ts';
export {
  CONTROLS,
  FRAMEWORKS,
  getControl,
  getFramework,
  frameworksOfControl,
  severityOf,
} from './controls/index.ts';
export type { ControlDefinition, FrameworkDefinition } from './controls/index.ts';
export { scan, selectFrameworks, ScanInputError, KUBESCAPE_COMPAT_VERSION } from './engine/scan.ts';
export type { ScanObject, ScanProgress, ScanRequest, ScanTarget } from './engine/scan.ts';
export { severityOfScore, SEVERITY_ORDER } from './engine/status.ts';
export { jsonReportChunks, reportToJson } from './engine/json.ts';
export { SECURITY_EXCEPTION_KINDS } from './engine/security-exceptions.ts';
export {
  toStoredScanResults,
  toStoredScanResult,
  mergeWorkloadConfigurationScan,
  mergeWorkloadConfigurationScanSummary,
  summarySpecOf,
  toLabelValue,
} from './engine/storage-objects.ts';
export type { StoredScanResult, StorageObjectOptions } from './engine/storage-objects.ts';
export type * from './report/model.ts';
export * from './report/index.ts';
export * from './input/index.ts';

import { RULES } from './rules/index.ts';
import { ruleKinds } from './evaluate.ts';
import { SECURITY_EXCEPTION_KINDS } from './engine/security-exceptions.ts';

/** Every kind any rule reads, and the exception kinds (what a cluster scan collects). */
export function allRuleKinds(): Set<string> {
  const kinds = new Set<string>(['Namespace', ...SECURITY_EXCEPTION_KINDS]);
  for (const rule of RULES.values()) for (const kind of ruleKinds(rule)) kinds.add(kind);
  return kinds;
}
