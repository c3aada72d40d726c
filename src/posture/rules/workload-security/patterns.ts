/**
 * User-configured regular expressions (sensitiveValues, sensitiveValuesAllowed) are written for Go's
 * RE2, which Kubescape uses. This translates the few RE2-only spellings that appear in practice and
 * treats a pattern JavaScript cannot compile as matching nothing, like a failing Rego `regex.match`.
 */

const compiled = new Map<string, RegExp | null>();

/** Leading inline flags such as `(?i)` or `(?is)`, which JavaScript only accepts as RegExp flags. */
const LEADING_FLAGS = /^\(\?([ims]+)\)/;

function translate(pattern: string, flags: string): RegExp | null {
  let source = pattern;
  let allFlags = flags;
  const leading = LEADING_FLAGS.exec(source);
  if (leading?.[1]) {
    source = source.slice(leading[0].length);
    allFlags += leading[1];
  }
  // RE2's absolute anchors; without the `m` flag `^` and `$` mean the same in JavaScript.
  source = source.replace(/\\A/g, '^').replace(/\\z/g, '$');
  try {
    return new RegExp(source, [...new Set(allFlags)].join(''));
  } catch {
    return null;
  }
}

/** Compiles (once) an RE2 pattern; null when it cannot be compiled. */
export function goRegExp(pattern: string, flags = ''): RegExp | null {
  const key = `${flags}\u0000${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    regex = translate(pattern, flags);
    compiled.set(key, regex);
  }
  return regex;
}

/** Unanchored RE2 match, as Rego's `regex.match(pattern, value)`. */
export function matchesGoPattern(pattern: string, value: string, flags = ''): boolean {
  return goRegExp(pattern, flags)?.test(value) ?? false;
}
