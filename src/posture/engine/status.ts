/** Kubescape's status algebra (controls.md §3.1) and severity buckets (§3.4). */
import type { SeverityName, Status, StatusInfo, SubStatus } from '../report/model.ts';

const STATUS_RANK: Record<Status, number> = { passed: 0, skipped: 1, failed: 2 };

/** The worse of two statuses: failed > skipped > passed. */
export function worseStatus(a: Status, b: Status): Status {
  return STATUS_RANK[a] >= STATUS_RANK[b] ? a : b;
}

const SKIP_PRIORITY: readonly SubStatus[] = [
  'notEvaluated',
  'configuration',
  'integration',
  'requires review',
  'manual review',
];

/** Merge with sub-status (§3.1): the status of `worseStatus`, and the sub-status rules per outcome. */
export function mergeStatusInfo(a: StatusInfo, b: StatusInfo): StatusInfo {
  const status = worseStatus(a.status, b.status);
  if (status === 'failed') return { status, subStatus: '' };
  const subs = [a.subStatus ?? '', b.subStatus ?? ''];
  if (status === 'passed') {
    if (subs.includes('w/exceptions')) return { status, subStatus: 'w/exceptions' };
    if (subs.includes('irrelevant')) return { status, subStatus: 'irrelevant' };
    return { status, subStatus: '' };
  }
  // Only sub-statuses of the skipped side(s) count.
  const skippedSubs = [a, b].filter((s) => s.status === 'skipped').map((s) => s.subStatus ?? '');
  const subStatus = SKIP_PRIORITY.find((candidate) => skippedSubs.includes(candidate)) ?? '';
  const info = [a, b].find((s) => s.status === 'skipped' && (s.subStatus ?? '') === subStatus)?.info;
  return info ? { status, subStatus, info } : { status, subStatus };
}

/** The strongest sub-status of skipped results, by the §3.1 priority. */
export function strongestSkipSubStatus(subStatuses: Iterable<SubStatus>): SubStatus {
  const present = new Set(subStatuses);
  return SKIP_PRIORITY.find((candidate) => present.has(candidate)) ?? '';
}

export function severityOfScore(baseScore: number): SeverityName {
  if (baseScore >= 9) return 'Critical';
  if (baseScore >= 7) return 'High';
  if (baseScore >= 4) return 'Medium';
  if (baseScore >= 1) return 'Low';
  return 'Unknown';
}

export const SEVERITY_ORDER: readonly SeverityName[] = ['Critical', 'High', 'Medium', 'Low', 'Unknown'];

export const STATUS_INFO_TEXT = {
  configuration:
    'Control configurations are empty (docs: https://kubescape.io/docs/frameworks-and-controls/configuring-controls)',
  requiresReview: 'Control type is requires-review',
  manualReview: 'Control type is manual-review',
  notEvaluated: 'Control was not evaluated because required resource types could not be collected',
} as const;
