/** Numbers and names derived from a match's severity, shared by SARIF and CycloneDX. */
import type { Match } from './types.ts';

/** Highest CVSS base score of the match's records, if any carries a vector. */
export function highestBaseScore(m: Match): number | undefined {
  const scores = [m.vulnerability, ...m.relatedVulnerabilities].flatMap((v) =>
    v.cvss.map((c) => c.metrics.baseScore),
  );
  return scores.length > 0 ? Math.max(...scores) : undefined;
}

/** A representative score for a rating without CVSS (lower bound of the CVSS band). */
const SCORE_OF_RATING: Record<string, number> = {
  Critical: 9.0,
  High: 7.0,
  Medium: 4.0,
  Low: 0.1,
  Negligible: 0.0,
  Unknown: 0.0,
};

export function securityScore(m: Match): number {
  return highestBaseScore(m) ?? SCORE_OF_RATING[m.vulnerability.severity ?? 'Unknown'] ?? 0;
}
