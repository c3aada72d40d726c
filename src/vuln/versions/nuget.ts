import type { VersionScheme } from '../types.ts';
import { compareDigits, compareStrings, invalidVersion, memoize } from './util.ts';

/**
 * NuGet package versions (NuGet.Versioning `NuGetVersion` and `VersionComparer.Default`):
 * `Major[.Minor[.Patch[.Revision]]][-label[.label]...][+metadata]`, missing parts are 0 (so
 * `1.0` == `1.0.0.0`), a release beats its pre-releases, labels compare per SemVer 2.0 except that
 * text compares case-insensitively and a label counts as numeric only if it fits an Int32.
 * Metadata is ignored.
 */
export interface NuGetVersion {
  parts: [string, string, string, string];
  labels: string[];
}

const PATTERN =
  /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const INT32_MAX = '2147483647';

function fitsInt32(digits: string): boolean {
  return compareDigits(digits, INT32_MAX) <= 0;
}

function parse(version: string): NuGetVersion | undefined {
  const m = PATTERN.exec(version.trim());
  if (!m) return undefined;
  const nums = m[1]!.split('.');
  // System.Version components are Int32.
  if (!nums.every(fitsInt32)) return undefined;
  const labels = m[2] ? m[2].split('.') : [];
  // SemVer 2.0: numeric labels carry no leading zero (metadata may).
  if (labels.some((l) => /^0\d+$/.test(l))) return undefined;
  return {
    parts: [nums[0]!, nums[1] ?? '0', nums[2] ?? '0', nums[3] ?? '0'],
    labels,
  };
}

/** Memoized (util.ts `memoize`): the result is shared, never mutate it. */
export const tryParseNuGet: (version: string) => NuGetVersion | undefined = memoize(parse);

export function parseNuGet(version: string): NuGetVersion {
  const parsed = tryParseNuGet(version);
  if (!parsed)
    throw invalidVersion('nuget', version, 'not a NuGet version (1-4 numbers, -labels, +metadata)');
  return parsed;
}

/** Int32.TryParse on a label: digits, an optional minus, within range. */
function labelNumber(label: string): { neg: boolean; digits: string } | undefined {
  const m = /^(-?)(\d+)$/.exec(label);
  if (!m) return undefined;
  const neg = m[1] === '-';
  const limit = neg ? '2147483648' : INT32_MAX;
  return compareDigits(m[2]!, limit) <= 0 ? { neg, digits: m[2]! } : undefined;
}

function compareLabel(a: string, b: string): number {
  const x = labelNumber(a);
  const y = labelNumber(b);
  if (x && y) {
    const zx = /^0+$/.test(x.digits);
    const zy = /^0+$/.test(y.digits);
    const nx = x.neg && !zx;
    const ny = y.neg && !zy;
    if (nx !== ny) return nx ? -1 : 1;
    const r = compareDigits(x.digits, y.digits);
    return nx ? -r : r;
  }
  if (x || y) return x ? -1 : 1; // numeric labels come before text labels
  return compareStrings(a.toUpperCase(), b.toUpperCase()); // StringComparer.OrdinalIgnoreCase
}

export function compareNuGetVersions(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const r = compareDigits(a.parts[i]!, b.parts[i]!);
    if (r !== 0) return r;
  }
  if (a.labels.length === 0 || b.labels.length === 0) {
    return a.labels.length === b.labels.length ? 0 : a.labels.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(a.labels.length, b.labels.length); i++) {
    const x = a.labels[i];
    const y = b.labels[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const r = compareLabel(x, y);
    if (r !== 0) return r;
  }
  return 0;
}

export const nuget: VersionScheme = {
  id: 'nuget',
  valid: (version) => tryParseNuGet(version) !== undefined,
  compare: (a, b) => compareNuGetVersions(parseNuGet(a), parseNuGet(b)),
};
