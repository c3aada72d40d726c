/** grype's table: one row per match, most severe first; suppressed matches only on request. */
import { compareBySeverity } from './document.ts';
import type { GrypeDocument, Match } from './types.ts';

const HEADER = ['NAME', 'INSTALLED', 'FIXED-IN', 'TYPE', 'VULNERABILITY', 'SEVERITY'];

function fixedIn(m: Match): string {
  const fix = m.vulnerability.fix;
  if (fix.state === 'fixed') return fix.versions.join(', ');
  if (fix.state === 'wont-fix') return "(won't fix)";
  return '';
}

export function renderTable(doc: GrypeDocument, options: { showSuppressed?: boolean } = {}): string {
  const rows: string[][] = [...doc.matches].sort(compareBySeverity).map((m) => row(m, ''));
  if (options.showSuppressed)
    for (const m of [...(doc.ignoredMatches ?? [])].sort(compareBySeverity))
      rows.push(row(m, ' (suppressed)'));
  if (rows.length === 0) return 'No vulnerabilities found\n';
  const table = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  return `${table
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] as number) + 2)))
        .join('')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function row(m: Match, suffix: string): string[] {
  return [
    m.artifact.name,
    m.artifact.version,
    fixedIn(m),
    m.artifact.type,
    m.vulnerability.id,
    `${m.vulnerability.severity ?? 'Unknown'}${suffix}`,
  ];
}
