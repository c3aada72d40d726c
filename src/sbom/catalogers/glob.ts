/**
 * Path globs for cataloguers and resolvers: `**` matches any number of segments (zero included),
 * `*` and `?` stay within one segment, `{a,b}` is an alternation (expanded first, so it may span
 * segments). Patterns are absolute image paths (a missing leading `/` is added). Compiled once;
 * `wants` runs on every path of every layer, so each glob first checks a literal tail with
 * `endsWith` before it runs its regular expression.
 */
export type PathMatcher = (path: string) => boolean;

function escapeRegExp(s: string): string {
  return s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

function segmentToRegExp(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += escapeRegExp(c);
  }
  return out;
}

/** `a/{b,c/d}/e` -> `a/b/e`, `a/c/d/e` (alternatives may contain `/`; nesting allowed). */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const cuts: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) cuts.push(i);
  }
  if (close < 0) return [pattern];
  const alternatives: string[] = [];
  let from = open + 1;
  for (const cut of [...cuts, close]) {
    alternatives.push(pattern.slice(from, cut));
    from = cut + 1;
  }
  const head = pattern.slice(0, open);
  const tails = expandBraces(pattern.slice(close + 1));
  return alternatives.flatMap((a) => expandBraces(a).flatMap((x) => tails.map((t) => head + x + t)));
}

/** One brace-free glob as a regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const segments = (pattern.startsWith('/') ? pattern.slice(1) : pattern).split('/');
  let source = '^';
  for (const segment of segments) {
    if (segment === '**') source += '(?:/.*)?';
    else source += `/${segmentToRegExp(segment)}`;
  }
  return new RegExp(`${source}$`, 's');
}

/** The literal text every match must end with (empty when the last segment ends with a wildcard). */
function literalTail(pattern: string): string {
  const last = pattern.slice(pattern.lastIndexOf('/') + 1);
  if (last === '**') return '';
  const wild = Math.max(last.lastIndexOf('*'), last.lastIndexOf('?'));
  if (wild < 0) return pattern.includes('/') ? `/${last}` : last;
  return last.slice(wild + 1);
}

export function compileGlob(pattern: string): PathMatcher {
  const expanded = expandBraces(pattern);
  if (expanded.length > 1) return compileGlobs(expanded);
  const re = globToRegExp(pattern);
  const tail = literalTail(pattern);
  return tail ? (path) => path.endsWith(tail) && re.test(path) : (path) => re.test(path);
}

/** One matcher for several globs. */
export function compileGlobs(patterns: readonly string[]): PathMatcher {
  const matchers = patterns.flatMap(expandBraces).map(compileGlob);
  if (matchers.length === 1) return matchers[0] as PathMatcher;
  return (path) => matchers.some((m) => m(path));
}
