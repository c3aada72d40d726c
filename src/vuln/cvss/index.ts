/**
 * CVSS scoring from vector strings: v2, v3.0, v3.1 and v4.0. `scoreCvss` picks the version from the
 * vector's prefix (`CVSS:3.1/`, `CVSS:4.0/`; none or `CVSS:2.0/` means v2).
 */
import { scoreV2 } from './v2.ts';
import { scoreV3 } from './v3.ts';
import { scoreV4 } from './v4.ts';
import type { CvssSeverity } from './severity.ts';

export { severityOfScore, severityOfV2Score } from './severity.ts';
export type { CvssSeverity } from './severity.ts';
export { scoreV2, scoreV3, scoreV4 };
export { roundUp30, roundUp31 } from './v3.ts';

export interface CvssScore {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  /** The vector as given (trimmed). */
  vector: string;
  baseScore: number;
  /** v2 and v3 only. */
  exploitabilityScore?: number;
  impactScore?: number;
  severity: CvssSeverity;
}

/** Throws KubeguardError (invalid input) naming the vector when it cannot be scored. */
export function scoreCvss(vector: string): CvssScore {
  const v = vector.trim();
  if (v.startsWith('CVSS:4.0/')) {
    const s = scoreV4(v);
    return { version: s.version, vector: v, baseScore: s.baseScore, severity: s.severity };
  }
  const s = v.startsWith('CVSS:3.0/') || v.startsWith('CVSS:3.1/') ? scoreV3(v) : scoreV2(v);
  return {
    version: s.version,
    vector: v,
    baseScore: s.baseScore,
    exploitabilityScore: s.exploitabilityScore,
    impactScore: s.impactScore,
    severity: s.severity,
  };
}
