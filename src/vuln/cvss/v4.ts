/**
 * CVSS v4.0 score (FIRST CVSS v4.0 specification §8.2): the vector is placed in its MacroVector
 * (six equivalence classes), which gives the score of that MacroVector's highest-severity vector;
 * the score is then lowered by the mean, over the EQs that have a lower MacroVector, of the
 * available score drop scaled by how far the vector is from the highest-severity vector. The
 * arithmetic follows FIRST's reference calculator step by step so that floating-point results (and
 * so the one-decimal rounding) agree with it. Threat and environmental metrics, when present, are
 * applied as the specification says (the result is then a CVSS-BT/BE/BTE score).
 */
import { MACROVECTOR_SCORES, MAX_COMPOSED, MAX_SEVERITY } from './v4-tables.ts';
import { invalidVector, parseMetrics, requireMetrics } from './vector.ts';
import { severityOfScore, type CvssSeverity } from './severity.ts';

export interface CvssV4Score {
  version: '4.0';
  baseScore: number;
  /** The six-digit MacroVector (EQ1..EQ6). */
  macroVector: string;
  severity: CvssSeverity;
}

const BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'] as const;

const ALLOWED: Record<string, readonly string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['N', 'L', 'H'],
  VI: ['N', 'L', 'H'],
  VA: ['N', 'L', 'H'],
  SC: ['N', 'L', 'H'],
  SI: ['N', 'L', 'H'],
  SA: ['N', 'L', 'H'],
  E: ['X', 'A', 'P', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
};

/** Severity level of each value, in 0.1 steps from the most severe (order matters: see distances). */
const LEVELS: [string, Record<string, number>][] = [
  ['AV', { N: 0.0, A: 0.1, L: 0.2, P: 0.3 }],
  ['PR', { N: 0.0, L: 0.1, H: 0.2 }],
  ['UI', { N: 0.0, P: 0.1, A: 0.2 }],
  ['AC', { L: 0.0, H: 0.1 }],
  ['AT', { N: 0.0, P: 0.1 }],
  ['VC', { H: 0.0, L: 0.1, N: 0.2 }],
  ['VI', { H: 0.0, L: 0.1, N: 0.2 }],
  ['VA', { H: 0.0, L: 0.1, N: 0.2 }],
  ['SC', { H: 0.1, L: 0.2, N: 0.3 }],
  ['SI', { S: 0.0, H: 0.1, L: 0.2, N: 0.3 }],
  ['SA', { S: 0.0, H: 0.1, L: 0.2, N: 0.3 }],
  ['CR', { H: 0.0, M: 0.1, L: 0.2 }],
  ['IR', { H: 0.0, M: 0.1, L: 0.2 }],
  ['AR', { H: 0.0, M: 0.1, L: 0.2 }],
  ['E', { U: 0.2, P: 0.1, A: 0 }],
];

const STEP = 0.1;

/** Effective value: unset threat/requirement metrics count as their worst case, M* overrides base. */
function effective(m: Map<string, string>, metric: string): string {
  const value = m.get(metric) ?? 'X';
  if (value === 'X') {
    if (metric === 'E') return 'A';
    if (metric === 'CR' || metric === 'IR' || metric === 'AR') return 'H';
  }
  const modified = m.get(`M${metric}`);
  if (modified !== undefined && modified !== 'X') return modified;
  return value;
}

function macroVectorOf(m: Map<string, string>): string {
  const v = (k: string): string => effective(m, k);
  const [av, pr, ui] = [v('AV'), v('PR'), v('UI')];
  let eq1: number;
  if (av === 'N' && pr === 'N' && ui === 'N') eq1 = 0;
  else if ((av === 'N' || pr === 'N' || ui === 'N') && av !== 'P') eq1 = 1;
  else eq1 = 2;
  const eq2 = v('AC') === 'L' && v('AT') === 'N' ? 0 : 1;
  const [vc, vi, va] = [v('VC'), v('VI'), v('VA')];
  let eq3: number;
  if (vc === 'H' && vi === 'H') eq3 = 0;
  else if (vc === 'H' || vi === 'H' || va === 'H') eq3 = 1;
  else eq3 = 2;
  // MSI/MSA have no M-prefixed override of their own, so effective() returns them as given.
  let eq4: number;
  if (v('MSI') === 'S' || v('MSA') === 'S') eq4 = 0;
  else if (v('SC') === 'H' || v('SI') === 'H' || v('SA') === 'H') eq4 = 1;
  else eq4 = 2;
  const e = v('E');
  const eq5 = e === 'A' ? 0 : e === 'P' ? 1 : 2;
  const eq6 =
    (v('CR') === 'H' && vc === 'H') || (v('IR') === 'H' && vi === 'H') || (v('AR') === 'H' && va === 'H')
      ? 0
      : 1;
  return `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`;
}

function fragmentMap(fragments: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of fragments.split('/')) {
    const [k, val] = part.split(':') as [string, string];
    map.set(k, val);
  }
  return map;
}

const lookup = (macro: string): number => MACROVECTOR_SCORES[macro] ?? Number.NaN;

/** Round half up to one decimal, as the reference calculator does. */
function round1(value: number): number {
  return Number.parseFloat((Math.round(value * 10) / 10).toFixed(1));
}

/** `vector` starts with `CVSS:4.0/`. */
export function scoreV4(vector: string): CvssV4Score {
  const [, ...parts] = vector.split('/');
  const m = parseMetrics(vector, parts, ALLOWED);
  requireMetrics(vector, m, BASE);
  const macroVector = macroVectorOf(m);
  const [eq1, eq2, eq3, eq4, eq5, eq6] = macroVector.split('').map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];

  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((k) => effective(m, k) === 'N')) {
    return { version: '4.0', baseScore: 0, macroVector, severity: 'None' };
  }
  const value = lookup(macroVector);
  if (Number.isNaN(value)) throw invalidVector(vector, `no score for MacroVector ${macroVector}`);

  // 1a. Score of the next lower MacroVector per EQ (NaN when there is none).
  const at = (a: number, b: number, c: number, d: number, e: number, f: number): number =>
    lookup(`${a}${b}${c}${d}${e}${f}`);
  const lowerEq1 = at(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
  const lowerEq2 = at(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
  let lowerEq3Eq6: number;
  if (eq3 === 0 && eq6 === 0) {
    // Two lower neighbours (00 -> 01 and 00 -> 10): take the higher one.
    lowerEq3Eq6 = Math.max(at(eq1, eq2, eq3, eq4, eq5, eq6 + 1), at(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
  } else if (eq3 === 1 && eq6 === 0) {
    lowerEq3Eq6 = at(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
  } else if (eq3 === 2 && eq6 === 1) {
    lowerEq3Eq6 = Number.NaN;
  } else {
    lowerEq3Eq6 = at(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  }
  const lowerEq4 = at(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
  const lowerEq5 = at(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

  // 1b. Distance from the first highest-severity vector of this MacroVector that is at least as
  // severe as the scored vector in every metric.
  const maxVectors: Map<string, string>[] = [];
  const eq3eq6Maxes = MAX_COMPOSED.eq3eq6[eq3]?.[eq6] ?? [];
  for (const a of MAX_COMPOSED.eq1[eq1] ?? [])
    for (const b of MAX_COMPOSED.eq2[eq2] ?? [])
      for (const c of eq3eq6Maxes)
        for (const d of MAX_COMPOSED.eq4[eq4] ?? [])
          for (const e of MAX_COMPOSED.eq5[eq5] ?? [])
            maxVectors.push(fragmentMap(`${a}/${b}/${c}/${d}/${e}`));
  let distances = new Map<string, number>();
  for (const max of maxVectors) {
    distances = new Map(
      LEVELS.map(([metric, levels]) => [
        metric,
        (levels[effective(m, metric)] as number) - (levels[max.get(metric) as string] as number),
      ]),
    );
    if ([...distances.values()].every((d) => d >= 0)) break;
  }
  const d = (k: string): number => distances.get(k) ?? 0;
  const distanceEq1 = d('AV') + d('PR') + d('UI');
  const distanceEq2 = d('AC') + d('AT');
  const distanceEq3Eq6 = d('VC') + d('VI') + d('VA') + d('CR') + d('IR') + d('AR');
  const distanceEq4 = d('SC') + d('SI') + d('SA');

  // 1c/1d. Proportion of each EQ's depth, times the available score drop; EQ5 always contributes 0.
  const depthEq1 = (MAX_SEVERITY.eq1[eq1] as number) * STEP;
  const depthEq2 = (MAX_SEVERITY.eq2[eq2] as number) * STEP;
  const depthEq3Eq6 = (MAX_SEVERITY.eq3eq6[eq3]?.[eq6] as number) * STEP;
  const depthEq4 = (MAX_SEVERITY.eq4[eq4] as number) * STEP;
  let existing = 0;
  let sum = 0;
  const add = (lower: number, distance: number, depth: number): void => {
    const available = value - lower;
    if (Number.isNaN(available)) return;
    existing += 1;
    sum += available * (distance / depth);
  };
  add(lowerEq1, distanceEq1, depthEq1);
  add(lowerEq2, distanceEq2, depthEq2);
  add(lowerEq3Eq6, distanceEq3Eq6, depthEq3Eq6);
  add(lowerEq4, distanceEq4, depthEq4);
  if (!Number.isNaN(value - lowerEq5)) existing += 1;

  // 2./3. Subtract the mean and round.
  const mean = existing === 0 ? 0 : sum / existing;
  const baseScore = round1(Math.max(0, Math.min(10, value - mean)));
  return { version: '4.0', baseScore, macroVector, severity: severityOfScore(baseScore) };
}
