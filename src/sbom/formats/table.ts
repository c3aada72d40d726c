/** syft's table: NAME VERSION TYPE, sorted by name, version, type; identical rows folded. */
import type { SbomDocument } from '../model.ts';
import { compareStrings } from './common.ts';

const HEADER = ['NAME', 'VERSION', 'TYPE'];

export function renderSbomTable(doc: SbomDocument): string {
  if (doc.packages.length === 0) return 'No packages discovered\n';
  const rows = doc.packages
    .map((p) => [p.name, p.version, p.type])
    .sort(
      (a, b) =>
        compareStrings(a[0] as string, b[0] as string) ||
        compareStrings(a[1] as string, b[1] as string) ||
        compareStrings(a[2] as string, b[2] as string),
    );
  // The same package found twice (e.g. a jar copied to two paths) is one row with a count.
  const folded: string[][] = [];
  let repeats = 0;
  for (const row of rows) {
    const last = folded[folded.length - 1];
    if (last && last[0] === row[0] && last[1] === row[1] && last[2] === row[2]) {
      repeats++;
      continue;
    }
    if (repeats > 0 && last) last[3] = `(+${repeats} duplicate${repeats === 1 ? '' : 's'})`;
    repeats = 0;
    folded.push(row);
  }
  const lastRow = folded[folded.length - 1];
  if (repeats > 0 && lastRow) lastRow[3] = `(+${repeats} duplicate${repeats === 1 ? '' : 's'})`;
  const table = [HEADER, ...folded];
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
