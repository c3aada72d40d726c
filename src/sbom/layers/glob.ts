/**
 * Globs over absolute image paths, as syft's cataloguers write them: `**` spans any number of
 * segments (also none), `*` and `?` stay within one segment, `{a,b}` alternates, `[...]` is a
 * character class. A pattern without a leading "/" or "**" is taken from the root.
 */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern;
  if (!p.startsWith('/') && !p.startsWith('**')) p = `/${p}`;
  let re = '';
  let braces = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (p[i + 1] === '*') {
        const atStart = i === 0 || p[i - 1] === '/';
        let j = i + 2;
        while (p[j] === '*') j++;
        const atEnd = j === p.length || p[j] === '/';
        if (atStart && atEnd) {
          if (j === p.length) {
            // "/a/**": the directory itself or anything below it.
            if (re.endsWith('/')) re = `${re.slice(0, -1)}(?:/.*)?`;
            else re += '.*';
          } else {
            // "**/" (or "/**/"): zero or more whole segments.
            re += '(?:.*/)?';
            j++;
          }
          i = j - 1;
          continue;
        }
      }
      re += '[^/]*';
      continue;
    }
    if (c === '?') {
      re += '[^/]';
      continue;
    }
    if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close > 0) {
        let body = p.slice(i + 1, close);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
        continue;
      }
    }
    if (c === '{') {
      braces++;
      re += '(?:';
      continue;
    }
    if (c === '}' && braces > 0) {
      braces--;
      re += ')';
      continue;
    }
    if (c === ',' && braces > 0) {
      re += '|';
      continue;
    }
    re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** One matcher for many globs: true when a path matches any. */
export function globMatcher(patterns: string[]): (path: string) => boolean {
  const res = patterns.map(globToRegExp);
  return (path) => res.some((r) => r.test(path));
}
