/** Fix state and the version constraint shown in matchDetails, from the affected entries that matched. */
import type { AffectedRange, AffectedVersions, RangeEvent } from '../../types.ts';
import type { FixState } from '../../report/types.ts';

const has = (o: Record<string, unknown> | undefined, k: string): boolean =>
  o !== undefined && o[k] !== undefined && o[k] !== null && o[k] !== '';

/**
 * Debian's tracker marks open issues it will not fix by a security update `<no-dsa>` or
 * `<ignored>` (`nodsa`/`nodsa_reason` in the tracker JSON, kept by our converter and by osv.dev in
 * ecosystem_specific or database_specific); grype reports those as wont-fix.
 */
export function isWontFix(entry: AffectedVersions): boolean {
  return saysWontFix(entry.ecosystemSpecific) || saysWontFix(entry.databaseSpecific);
}

/** The keys read here are the ones the database keeps of these objects (db/candidates.ts). */
function saysWontFix(o: Record<string, unknown> | undefined): boolean {
  if (has(o, 'nodsa') || has(o, 'nodsa_reason')) return true;
  const status = o?.tracker_status;
  return status === 'ignored' || status === 'no-dsa';
}

/**
 * fixed: a fixed version above the installed one is known for a range containing it;
 * wont-fix: no fix and the distribution said it will not fix; not-fixed: affected ranges without a
 * fix; unknown: matched only through an explicit versions list, which says nothing about fixes.
 */
export function fixStateOf(fixes: string[], entries: AffectedVersions[], matchedByRange: boolean): FixState {
  if (fixes.length > 0) return 'fixed';
  if (entries.some(isWontFix)) return 'wont-fix';
  return matchedByRange ? 'not-fixed' : 'unknown';
}

/** Adds an alternative once (first occurrence wins the position). */
function add(out: string[], alternative: string): void {
  if (!out.includes(alternative)) out.push(alternative);
}

/**
 * One range as intervals: `introduced` opens one (`>= 0` left out when it has an end),
 * `fixed`/`last_affected` close it. Built as strings (this runs for every finding).
 */
function renderRange(range: AffectedRange, out: string[]): void {
  // The open interval so far: '' for `introduced: 0` (no lower bound), undefined when none is open.
  let open: string | undefined;
  for (let i = 0; i < range.events.length; i++) {
    const e = range.events[i] as RangeEvent;
    if (e.introduced !== undefined) {
      if (open !== undefined) add(out, open === '' ? '>= 0' : open);
      open = e.introduced === '0' ? '' : `>= ${e.introduced}`;
    } else if (e.fixed !== undefined || e.last_affected !== undefined) {
      const bound = e.fixed !== undefined ? `< ${e.fixed}` : `<= ${e.last_affected as string}`;
      add(out, open ? `${open}, ${bound}` : bound);
      open = undefined;
    } else if (e.limit !== undefined && e.limit !== '*') {
      open = open ? `${open}, < ${e.limit}` : `< ${e.limit}`;
    }
  }
  if (open !== undefined) add(out, open === '' ? '>= 0' : open);
}

/**
 * grype-style constraint: intervals of all ranges joined with `||`, explicit versions as `= v`
 * when there are no usable ranges, then the version scheme in parentheses.
 */
export function renderConstraint(entries: AffectedVersions[], scheme: string): string {
  const alternatives: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as AffectedVersions;
    let ranges = 0;
    for (let k = 0; k < entry.ranges.length; k++) {
      const r = entry.ranges[k] as AffectedRange;
      if (r.type === 'GIT') continue;
      ranges++;
      renderRange(r, alternatives);
    }
    if (ranges === 0)
      for (let k = 0; k < entry.versions.length; k++) add(alternatives, `= ${entry.versions[k] as string}`);
  }
  return `${alternatives.length > 0 ? alternatives.join(' || ') : 'none'} (${scheme})`;
}
