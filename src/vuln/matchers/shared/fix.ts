/** Fix state and the version constraint shown in matchDetails, from the affected entries that matched. */
import type { AffectedPackage, AffectedRange } from '../../types.ts';
import type { FixState } from '../../report/types.ts';

const has = (o: Record<string, unknown> | undefined, k: string): boolean =>
  o !== undefined && o[k] !== undefined && o[k] !== null && o[k] !== '';

/**
 * Debian's tracker marks open issues it will not fix by a security update `<no-dsa>` or
 * `<ignored>` (`nodsa`/`nodsa_reason` in the tracker JSON, kept by our converter and by osv.dev in
 * ecosystem_specific or database_specific); grype reports those as wont-fix.
 */
export function isWontFix(entry: AffectedPackage): boolean {
  for (const o of [entry.ecosystemSpecific, entry.databaseSpecific]) {
    if (has(o, 'nodsa') || has(o, 'nodsa_reason')) return true;
    const status = o?.tracker_status;
    if (status === 'ignored' || status === 'no-dsa') return true;
  }
  return false;
}

/**
 * fixed: a fixed version above the installed one is known for a range containing it;
 * wont-fix: no fix and the distribution said it will not fix; not-fixed: affected ranges without a
 * fix; unknown: matched only through an explicit versions list, which says nothing about fixes.
 */
export function fixStateOf(fixes: string[], entries: AffectedPackage[], matchedByRange: boolean): FixState {
  if (fixes.length > 0) return 'fixed';
  if (entries.some(isWontFix)) return 'wont-fix';
  return matchedByRange ? 'not-fixed' : 'unknown';
}

/** One range as intervals: `introduced` opens one (`>= 0` left out when it has an end), `fixed`/`last_affected` close it. */
function renderRange(range: AffectedRange): string[] {
  const intervals: string[][] = [];
  let open: string[] | undefined;
  for (const e of range.events) {
    if (e.introduced !== undefined) {
      if (open) intervals.push(open);
      open = e.introduced === '0' ? [] : [`>= ${e.introduced}`];
    } else if (e.fixed !== undefined || e.last_affected !== undefined) {
      const bound = e.fixed !== undefined ? `< ${e.fixed}` : `<= ${e.last_affected as string}`;
      intervals.push([...(open ?? []), bound]);
      open = undefined;
    } else if (e.limit !== undefined && e.limit !== '*') {
      (open ??= []).push(`< ${e.limit}`);
    }
  }
  if (open) intervals.push(open);
  return intervals.map((parts) => (parts.length > 0 ? parts.join(', ') : '>= 0'));
}

/**
 * grype-style constraint: intervals of all ranges joined with `||`, explicit versions as `= v`
 * when there are no usable ranges, then the version scheme in parentheses.
 */
export function renderConstraint(entries: AffectedPackage[], scheme: string): string {
  const alternatives: string[] = [];
  for (const entry of entries) {
    const ranges = entry.ranges.filter((r) => r.type !== 'GIT');
    for (const r of ranges) alternatives.push(...renderRange(r));
    if (ranges.length === 0) for (const v of entry.versions) alternatives.push(`= ${v}`);
  }
  const unique = [...new Set(alternatives)];
  return `${unique.length > 0 ? unique.join(' || ') : 'none'} (${scheme})`;
}
