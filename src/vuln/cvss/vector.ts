import { ErrorCodes, KubeguardError } from '../../common/index.ts';

/**
 * Splits `PREFIX/K:V/K:V` into a map, rejecting duplicates and values outside `allowed`. Metrics
 * missing from the vector are left out; the caller decides which are mandatory.
 */
export function parseMetrics(
  vector: string,
  parts: string[],
  allowed: Record<string, readonly string[]>,
): Map<string, string> {
  const metrics = new Map<string, string>();
  for (const part of parts) {
    const colon = part.indexOf(':');
    const key = colon > 0 ? part.slice(0, colon) : '';
    const value = colon > 0 ? part.slice(colon + 1) : '';
    const values = allowed[key];
    if (!values) throw invalidVector(vector, `unknown metric "${part}"`);
    if (!values.includes(value)) throw invalidVector(vector, `invalid value "${part}"`);
    if (metrics.has(key)) throw invalidVector(vector, `metric ${key} given twice`);
    metrics.set(key, value);
  }
  return metrics;
}

export function requireMetrics(vector: string, metrics: Map<string, string>, names: readonly string[]): void {
  const missing = names.filter((n) => !metrics.has(n));
  if (missing.length > 0) throw invalidVector(vector, `missing ${missing.join(', ')}`);
}

export function invalidVector(vector: string, reason: string): KubeguardError {
  return new KubeguardError(ErrorCodes.invalidInput, `invalid CVSS vector "${vector}": ${reason}`);
}
