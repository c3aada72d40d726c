/**
 * CVSS v3.0 / v3.1 base score (FIRST CVSS v3.1 specification §7.1, Appendix A for Roundup; v3.0
 * specification §8.1). Temporal and environmental metrics are accepted in the vector but do not
 * change the base score.
 */
import { parseMetrics, requireMetrics } from './vector.ts';
import { severityOfScore, type CvssSeverity } from './severity.ts';

export interface CvssV3Score {
  version: '3.0' | '3.1';
  baseScore: number;
  exploitabilityScore: number;
  impactScore: number;
  severity: CvssSeverity;
}

const BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const;

const ALLOWED: Record<string, readonly string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
  E: ['X', 'U', 'P', 'F', 'H'],
  RL: ['X', 'O', 'T', 'W', 'U'],
  RC: ['X', 'U', 'R', 'C'],
  CR: ['X', 'L', 'M', 'H'],
  IR: ['X', 'L', 'M', 'H'],
  AR: ['X', 'L', 'M', 'H'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'N', 'L', 'H'],
  MI: ['X', 'N', 'L', 'H'],
  MA: ['X', 'N', 'L', 'H'],
};

const AV: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Record<string, number> = { L: 0.77, H: 0.44 };
const PR_UNCHANGED: Record<string, number> = { N: 0.85, L: 0.62, H: 0.27 };
const PR_CHANGED: Record<string, number> = { N: 0.85, L: 0.68, H: 0.5 };
const UI: Record<string, number> = { N: 0.85, R: 0.62 };
const CIA: Record<string, number> = { H: 0.56, L: 0.22, N: 0 };

/**
 * v3.1 Roundup (Appendix A): works on integers so that 4.000000000000001 rounds to 4.0, not 4.1.
 */
export function roundUp31(value: number): number {
  const int = Math.round(value * 100000);
  if (int % 10000 === 0) return int / 100000;
  return (Math.floor(int / 10000) + 1) / 10;
}

/** v3.0 Roundup as the v3.0 specification and its reference calculator define it. */
export function roundUp30(value: number): number {
  return Math.ceil(value * 10) / 10;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** `vector` starts with `CVSS:3.0/` or `CVSS:3.1/`. */
export function scoreV3(vector: string): CvssV3Score {
  const [prefix, ...parts] = vector.split('/');
  const version = prefix === 'CVSS:3.0' ? '3.0' : '3.1';
  const m = parseMetrics(vector, parts, ALLOWED);
  requireMetrics(vector, m, BASE);
  const get = (k: string, table: Record<string, number>): number => table[m.get(k) as string] as number;

  const changed = m.get('S') === 'C';
  const iss = 1 - (1 - get('C', CIA)) * (1 - get('I', CIA)) * (1 - get('A', CIA));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability =
    8.22 * get('AV', AV) * get('AC', AC) * get('PR', changed ? PR_CHANGED : PR_UNCHANGED) * get('UI', UI);
  const roundUp = version === '3.0' ? roundUp30 : roundUp31;
  let baseScore = 0;
  if (impact > 0) {
    baseScore = changed
      ? roundUp(Math.min(1.08 * (impact + exploitability), 10))
      : roundUp(Math.min(impact + exploitability, 10));
  }
  return {
    version,
    baseScore,
    exploitabilityScore: round1(exploitability),
    impactScore: round1(impact),
    severity: severityOfScore(baseScore),
  };
}
