/** Qualitative severity rating of a CVSS score (CVSS v3.1 §5, v4.0 §6 share the same scale). */
export type CvssSeverity = 'None' | 'Low' | 'Medium' | 'High' | 'Critical';

export function severityOfScore(score: number): CvssSeverity {
  if (score <= 0) return 'None';
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  if (score < 9) return 'High';
  return 'Critical';
}

/** CVSS v2 has no "None" or "Critical": NVD rates 0.0–3.9 Low, 4.0–6.9 Medium, 7.0–10.0 High. */
export function severityOfV2Score(score: number): CvssSeverity {
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  return 'High';
}
