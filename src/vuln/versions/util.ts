import { ErrorCodes, KubeguardError } from '../../common/index.ts';

/**
 * The error every scheme throws for a version it cannot order. The message names the scheme and the
 * version so the matcher can count and report the skipped package or advisory.
 */
export function invalidVersion(scheme: string, version: string, reason: string): KubeguardError {
  // JSON quoting keeps control characters from an SBOM visible and the log line intact.
  return new KubeguardError(
    ErrorCodes.invalidInput,
    `invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`,
    {
      hint: 'the package or advisory with this version is skipped; check where the version string came from',
    },
  );
}

/** -1, 0 or 1. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * Compares two strings of ASCII digits as unbounded non-negative integers (no precision loss, which
 * `Number` would suffer beyond 2^53 and which date-like or pseudo-version components reach).
 */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (let k = 0; k < la; k++) {
    const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Byte-wise (here: UTF-16 code unit) comparison, like C's strcmp or Ruby's String#<=>. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
