/**
 * Kubescape's report path syntax: dot-separated fields, `[n]` list indices, map keys in brackets
 * (`metadata.labels[app]`, `metadata.annotations[service.beta.kubernetes.io/x]`).
 */

/** One step of a report path. A bracketed number may be a list index or a map key (`data[0]`). */
export interface PathSegment {
  text: string;
  bracketed: boolean;
}

export function parseReportPath(reportPath: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let field = '';
  let i = 0;
  const flushField = (): void => {
    if (field !== '') segments.push({ text: field, bracketed: false });
    field = '';
  };
  while (i < reportPath.length) {
    const ch = reportPath[i] as string;
    if (ch === '.') {
      flushField();
      i++;
    } else if (ch === '[') {
      flushField();
      // Keys may contain dots and slashes but not `]` (Kubescape never escapes inside brackets).
      const close = reportPath.indexOf(']', i + 1);
      const end = close < 0 ? reportPath.length : close;
      segments.push({ text: reportPath.slice(i + 1, end), bracketed: true });
      i = end + 1;
    } else {
      field += ch;
      i++;
    }
  }
  flushField();
  return segments;
}

/** The list index a segment names, or undefined when it is a map key. */
export function indexOf(segment: PathSegment): number | undefined {
  return segment.bracketed && /^\d+$/.test(segment.text) ? Number(segment.text) : undefined;
}
