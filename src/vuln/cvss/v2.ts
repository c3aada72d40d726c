/**
 * CVSS v2 base score (FIRST "A Complete Guide to the Common Vulnerability Scoring System Version
 * 2.0", §3.2.1). Temporal and environmental metrics are accepted but do not change the base score.
 */
import { parseMetrics, requireMetrics } from './vector.ts';
import { severityOfV2Score, type CvssSeverity } from './severity.ts';

export interface CvssV2Score {
  version: '2.0';
  baseScore: number;
  exploitabilityScore: number;
  impactScore: number;
  severity: CvssSeverity;
}

const ALLOWED: Record<string, readonly string[]> = {
  AV: ['L', 'A', 'N'],
  AC: ['H', 'M', 'L'],
  Au: ['M', 'S', 'N'],
  C: ['N', 'P', 'C'],
  I: ['N', 'P', 'C'],
  A: ['N', 'P', 'C'],
  E: ['U', 'POC', 'F', 'H', 'ND'],
  RL: ['OF', 'TF', 'W', 'U', 'ND'],
  RC: ['UC', 'UR', 'C', 'ND'],
  CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
  TD: ['N', 'L', 'M', 'H', 'ND'],
  CR: ['L', 'M', 'H', 'ND'],
  IR: ['L', 'M', 'H', 'ND'],
  AR: ['L', 'M', 'H', 'ND'],
};

const AV: Record<string, number> = { L: 0.395, A: 0.646, N: 1.0 };
const AC: Record<string, number> = { H: 0.35, M: 0.61, L: 0.71 };
const AU: Record<string, number> = { M: 0.45, S: 0.56, N: 0.704 };
const CIA: Record<string, number> = { N: 0, P: 0.275, C: 0.66 };

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Accepts `AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally in parentheses or prefixed with `CVSS:2.0/`. */
export function scoreV2(vector: string): CvssV2Score {
  let body = vector.trim();
  if (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1);
  if (body.startsWith('CVSS:2.0/')) body = body.slice('CVSS:2.0/'.length);
  const m = parseMetrics(vector, body.split('/'), ALLOWED);
  requireMetrics(vector, m, ['AV', 'AC', 'Au', 'C', 'I', 'A']);
  const get = (k: string, table: Record<string, number>): number => table[m.get(k) as string] as number;

  const impact = 10.41 * (1 - (1 - get('C', CIA)) * (1 - get('I', CIA)) * (1 - get('A', CIA)));
  const exploitability = 20 * get('AV', AV) * get('AC', AC) * get('Au', AU);
  const f = impact === 0 ? 0 : 1.176;
  // f(Impact) = 0 would give -0 for a negative product; the score is then plainly 0.
  const baseScore = f === 0 ? 0 : round1((0.6 * impact + 0.4 * exploitability - 1.5) * f);
  return {
    version: '2.0',
    baseScore,
    exploitabilityScore: round1(exploitability),
    impactScore: round1(impact),
    severity: severityOfV2Score(baseScore),
  };
}
