/**
 * Severity of one advisory record. Rule: a CVSS v3.1/v3.0 vector decides, else a v4.0 vector (both
 * computed from the vector, never taken from a stored score); without either, the database's own
 * rating (GHSA LOW/MODERATE/HIGH/CRITICAL, Debian urgency, Ubuntu priority); then a CVSS v2
 * vector; else Unknown. v3 goes first because databases still rate by it: GHSA-qw6h-vgh9-j6wx is
 * MODERATE from its v3.1 vector (5.0) while its v4.0 vector scores 2.3. The source used is
 * reported in matchDetails[].found.severitySource.
 */
import { scoreCvss, type CvssScore } from '../../cvss/index.ts';
import type { AdvisoryHead, AdvisorySeverity } from '../../types.ts';
import type { Cvss, GrypeSeverity, SeveritySource } from '../../report/types.ts';

export interface RecordSeverity {
  severity: GrypeSeverity;
  source: SeveritySource;
  cvss: Cvss[];
  /** Vectors that could not be scored, for warnings. */
  invalidVectors: string[];
}

const CVSS_TYPES = new Set(['CVSS_V2', 'CVSS_V3', 'CVSS_V4']);

/** CVSS "None" (0.0) has no grype equivalent; grype's lowest rating is Negligible. */
function fromCvss(score: CvssScore): GrypeSeverity {
  return score.severity === 'None' ? 'Negligible' : score.severity;
}

/** GHSA ratings, Debian urgencies and Ubuntu priorities, case-insensitive. */
const DATABASE_RATINGS: Record<string, GrypeSeverity> = {
  critical: 'Critical',
  high: 'High',
  important: 'High',
  moderate: 'Medium',
  medium: 'Medium',
  low: 'Low',
  negligible: 'Negligible',
  unimportant: 'Negligible',
  'end-of-life': 'Negligible',
  'not yet assigned': 'Unknown',
  untriaged: 'Unknown',
  unknown: 'Unknown',
};

const DEBIAN_URGENCIES = new Set(['unimportant', 'end-of-life', 'not yet assigned', 'low', 'medium', 'high']);

/** Database rating -> grype severity; Debian's tracker marks some urgencies with `*` or `**`. */
export function severityOfRating(rating: string): GrypeSeverity | undefined {
  return DATABASE_RATINGS[rating.trim().toLowerCase().replace(/\*+$/, '').trim()];
}

function isDebianRecord(advisory: AdvisoryHead): boolean {
  return advisory.affected.some((a) => /^debian(:|$)/i.test(a.ecosystem));
}

function score(vector: string, memo: Map<string, CvssScore | undefined> | undefined): CvssScore | undefined {
  if (memo?.has(vector)) return memo.get(vector);
  let result: CvssScore | undefined;
  try {
    result = scoreCvss(vector);
  } catch {
    result = undefined;
  }
  memo?.set(vector, result);
  return result;
}

/**
 * Report entries by score: a scan's memo gives one score object per vector, so the records of a
 * scan that share a vector share its entry too (output data, never mutated), as they share
 * metadata objects already.
 */
const cvssEntries = new WeakMap<CvssScore, Cvss>();

/** A score as the report's Cvss entry (metrics in grype's key order). */
function cvssEntry(s: CvssScore): Cvss {
  let entry = cvssEntries.get(s);
  if (entry) return entry;
  const metrics: Cvss['metrics'] = { baseScore: s.baseScore };
  if (s.exploitabilityScore !== undefined) metrics.exploitabilityScore = s.exploitabilityScore;
  if (s.impactScore !== undefined) metrics.impactScore = s.impactScore;
  entry = { version: s.version, vector: s.vector, metrics, vendorMetadata: {} };
  cvssEntries.set(s, entry);
  return entry;
}

/** The first score of a CVSS version, in record order. */
function pick(scores: CvssScore[], version: string): CvssScore | undefined {
  for (let i = 0; i < scores.length; i++) if ((scores[i] as CvssScore).version === version) return scores[i];
  return undefined;
}

/** `memo` caches scores by vector across records (a scan sees few distinct vectors). */
export function recordSeverity(
  advisory: AdvisoryHead,
  memo?: Map<string, CvssScore | undefined>,
): RecordSeverity {
  const scores: CvssScore[] = [];
  const invalidVectors: string[] = [];
  const cvss: Cvss[] = [];
  const severities = advisory.severity;
  for (let i = 0; i < severities.length; i++) {
    const s = severities[i] as AdvisorySeverity;
    if (!CVSS_TYPES.has(s.type)) continue;
    const result = score(s.score, memo);
    if (result) {
      scores.push(result);
      cvss.push(cvssEntry(result));
    } else invalidVectors.push(s.score);
  }
  const v3 = pick(scores, '3.1') ?? pick(scores, '3.0');
  if (v3) return { severity: fromCvss(v3), source: 'cvss-v3', cvss, invalidVectors };
  const v4 = pick(scores, '4.0');
  if (v4) return { severity: fromCvss(v4), source: 'cvss-v4', cvss, invalidVectors };

  // Ubuntu publishes its priority as an OSV severity entry of type "Ubuntu".
  const ratings: (string | undefined)[] = [advisory.databaseSeverity];
  for (let i = 0; i < severities.length; i++) {
    const s = severities[i] as AdvisorySeverity;
    if (s.type === 'Ubuntu') ratings.push(s.score);
  }
  for (let i = 0; i < ratings.length; i++) {
    const rating = ratings[i];
    const severity = rating ? severityOfRating(rating) : undefined;
    if (severity && rating) {
      const debian =
        isDebianRecord(advisory) && DEBIAN_URGENCIES.has(rating.toLowerCase().replace(/\*+$/, '').trim());
      return { severity, source: debian ? 'debian-urgency' : 'database', cvss, invalidVectors };
    }
  }
  const v2 = pick(scores, '2.0');
  if (v2) return { severity: fromCvss(v2), source: 'cvss-v2', cvss, invalidVectors };
  return { severity: 'Unknown', source: 'none', cvss, invalidVectors };
}
