/**
 * Python core metadata (`METADATA`, `PKG-INFO`): RFC 822 headers up to the first blank line,
 * continuation lines indented, several keys repeatable (Classifier, Requires-Dist, ...). The body
 * (the long description) is not needed.
 */

export type CoreMetadata = Map<string, string[]>;

export function parseCoreMetadata(content: string): CoreMetadata {
  const out: CoreMetadata = new Map();
  let last: string[] | undefined;
  for (const raw of content.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') break;
    if (/^\s/.test(line)) {
      if (last && last.length > 0) last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = out.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    out.set(key, values);
    last = values;
  }
  return out;
}

export function first(m: CoreMetadata, key: string): string | undefined {
  const v = m.get(key)?.[0]?.trim();
  return v ? v : undefined;
}

/** One RECORD row: `path,algorithm=digest,size` (CSV, paths with commas quoted). */
export interface RecordEntry {
  path: string;
  digest?: { algorithm: string; value: string };
  size?: number;
}

function csvRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return cells;
}

export function parseRecord(content: string): RecordEntry[] {
  const out: RecordEntry[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    const [p, hash, size] = csvRow(line);
    if (!p) continue;
    const e: RecordEntry = { path: p };
    const eq = hash?.indexOf('=') ?? -1;
    if (hash && eq > 0) e.digest = { algorithm: hash.slice(0, eq), value: hash.slice(eq + 1) };
    const n = Number(size);
    if (size && Number.isFinite(n)) e.size = n;
    out.push(e);
  }
  return out;
}

/** PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * Licences in order of precision: `License-Expression` (PEP 639), a short `License` field
 * (some packages paste the whole licence text there), then licence trove classifiers.
 */
export function pythonLicenses(m: CoreMetadata): string[] {
  const expression = first(m, 'license-expression');
  if (expression) return [expression];
  const license = first(m, 'license');
  if (license && !license.includes('\n') && license.length <= 120) return [license];
  const fromClassifiers = (m.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()?.trim() ?? '')
    .filter((c) => c && c !== 'OSI Approved');
  return [...new Set(fromClassifiers)];
}
