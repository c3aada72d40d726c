import type { AffectedPackage, AffectedRange, RangeEvent, VersionScheme } from '../types.ts';
import { go } from './go.ts';
import { semver } from './semver.ts';
import { invalidVersion, sortSmall } from './util.ts';

/** The part of an affected entry that decides which versions it covers. */
type Covered = Pick<AffectedPackage, 'ranges' | 'versions'>;

/**
 * OSV range evaluation, as the pseudocode in https://ossf.github.io/osv-schema/#evaluation:
 * a version is affected when it is listed in `versions` or lies in any range. Per range, events
 * are sorted by version (`introduced: "0"` first) and walked: `introduced` (inclusive) switches
 * vulnerability on, `fixed` (exclusive) and `last_affected` (inclusive) switch it off; `limit`
 * events cap the range (`v < some limit`, `*` is infinity). GIT ranges need a commit graph and are
 * ignored for version matching.
 *
 * Matching evaluates every candidate of every package, mostly before the code is optimized, so
 * the walk works on the record's own event objects (no copies per event) and sorts without the
 * built-in sort's work arrays.
 */

/**
 * SEMVER ranges are compared as SemVer whatever the ecosystem. The Go scheme is SemVer with Go's
 * spellings (optional `v`, `go1.21` toolchain tags, `v1.2` shorthand) and the same order on every
 * SemVer string, so Go keeps it and a `go1.22.1` stdlib version still matches a SEMVER range.
 */
export function schemeForRange(type: AffectedRange['type'], scheme: VersionScheme): VersionScheme {
  if (type !== 'SEMVER') return scheme;
  return scheme.id === go.id ? go : semver;
}

/** Checked up front so that the error names the offending version before any comparison runs. */
function ensureValid(scheme: VersionScheme, version: string): void {
  if (!scheme.valid(version)) throw invalidVersion(scheme.id, version, 'cannot be parsed');
}

/** An event's kind: the first of its keys that is set, in this order (an event has one). */
const INTRODUCED = 0;
const FIXED = 1;
const LAST_AFFECTED = 2;
const LIMIT = 3;
const NONE = -1;

function kindOf(e: RangeEvent): number {
  if (e.introduced !== undefined) return INTRODUCED;
  if (e.fixed !== undefined) return FIXED;
  if (e.last_affected !== undefined) return LAST_AFFECTED;
  if (e.limit !== undefined) return LIMIT;
  return NONE;
}

/** The version of the event's kind. */
function versionOf(e: RangeEvent): string {
  return (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit) as string;
}

const isZeroIntroduced = (e: RangeEvent): boolean => e.introduced === '0';

/** Events the walk visits: all but limits (and events without a kind). */
function isWalked(e: RangeEvent): boolean {
  const kind = kindOf(e);
  return kind !== LIMIT && kind !== NONE;
}

/**
 * OSV "sorted(range.events)": by version, `introduced: "0"` lowest; ties keep the record's order.
 * Sorts in place (callers pass an array of their own).
 */
function sortEvents(events: RangeEvent[], scheme: VersionScheme): RangeEvent[] {
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as RangeEvent;
    if (!isZeroIntroduced(e)) ensureValid(scheme, versionOf(e));
  }
  if (events.length < 2) return events;
  return sortSmall(events, (a, b) => compareEvents(a, b, scheme));
}

/** The order of sortEvents. */
function compareEvents(a: RangeEvent, b: RangeEvent, scheme: VersionScheme): number {
  const az = isZeroIntroduced(a);
  const bz = isZeroIntroduced(b);
  if (az || bz) return az === bz ? 0 : az ? -1 : 1;
  return scheme.compare(versionOf(a), versionOf(b));
}

/** One step of the walk over sorted events: whether the version is vulnerable after `e`. */
function step(vulnerable: boolean, version: string, e: RangeEvent, scheme: VersionScheme): boolean {
  const kind = kindOf(e);
  if (kind === INTRODUCED)
    return isZeroIntroduced(e) || scheme.compare(version, e.introduced as string) >= 0 ? true : vulnerable;
  if (kind === FIXED) return scheme.compare(version, e.fixed as string) >= 0 ? false : vulnerable;
  return scheme.compare(version, e.last_affected as string) > 0 ? false : vulnerable; // last_affected
}

/** True when the version is below one of the range's `limit` events (validated first, in order). */
function beforeLimits(version: string, events: RangeEvent[], scheme: VersionScheme): boolean {
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as RangeEvent;
    if (kindOf(e) === LIMIT && !(e.limit as string).includes('*')) ensureValid(scheme, e.limit as string);
  }
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as RangeEvent;
    if (kindOf(e) !== LIMIT) continue;
    const limit = e.limit as string;
    if (limit.includes('*') || scheme.compare(version, limit) < 0) return true;
  }
  return false;
}

/**
 * A range's walked events (all but limits), validated and sorted, and whether it has limits: what
 * evaluating several versions against the same ranges (the fix search) need not redo. Per
 * evaluation (the scheme of a range is fixed there), keyed by the range object.
 */
export type SortedRanges = Map<AffectedRange, { walked: RangeEvent[]; limited: boolean }>;

/** IncludedInRanges for one range; the version is already known to be valid for `scheme`. */
function inRange(
  version: string,
  range: AffectedRange,
  scheme: VersionScheme,
  sorted?: SortedRanges,
): boolean {
  const events = range.events;
  if (events.length <= 2) {
    // Most ranges (`introduced`, then `fixed` or `last_affected`; or `introduced` alone): sort
    // and walk as below, without the arrays. Limits and empty events take the general way.
    const a = events[0];
    const b = events[1];
    if (a !== undefined && isWalked(a) && (b === undefined || isWalked(b))) {
      if (!isZeroIntroduced(a)) ensureValid(scheme, versionOf(a));
      if (b === undefined) return step(false, version, a, scheme);
      if (!isZeroIntroduced(b)) ensureValid(scheme, versionOf(b));
      const swap = compareEvents(a, b, scheme) > 0;
      const afterFirst = step(false, version, swap ? b : a, scheme);
      return step(afterFirst, version, swap ? a : b, scheme);
    }
  }
  return inRangeGeneral(version, range, scheme, sorted);
}

/** inRange for ranges with limits, events without a kind or more than two events. */
function inRangeGeneral(
  version: string,
  range: AffectedRange,
  scheme: VersionScheme,
  sorted?: SortedRanges,
): boolean {
  const events = range.events;
  const known = sorted?.get(range);
  let walked: RangeEvent[];
  let limited = false;
  if (known) {
    walked = known.walked;
    limited = known.limited;
  } else {
    walked = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as RangeEvent;
      const kind = kindOf(e);
      if (kind === LIMIT) limited = true;
      else if (kind !== NONE) walked.push(e);
    }
  }
  // No limit event is the implicit { limit: "*" }. Checked before the events are validated (as
  // the OSV pseudocode does): a version beyond the limits is not affected whatever they say.
  if (limited && !beforeLimits(version, events, scheme)) return false;
  if (!known) {
    sortEvents(walked, scheme);
    sorted?.set(range, { walked, limited });
  }
  let vulnerable = false;
  for (let i = 0; i < walked.length; i++)
    vulnerable = step(vulnerable, version, walked[i] as RangeEvent, scheme);
  return vulnerable;
}

/**
 * True when `version` equals an entry of an explicit `versions` list (as a string, or by the
 * scheme): `isAffected` of an entry without ranges. Never throws.
 */
export function isListed(version: string, versions: readonly string[], scheme: VersionScheme): boolean {
  if (versions.length === 0) return false;
  if (versions.includes(version)) return true;
  if (!scheme.valid(version)) return false;
  // Listed strings may be tags or otherwise foreign to the scheme (osv.dev fills them from git); skip those.
  return versions.some((v) => scheme.valid(v) && scheme.compare(version, v) === 0);
}

/**
 * True when `version` lies in one of the ECOSYSTEM/SEMVER ranges: `isAffected` of an entry without
 * a `versions` list. Throws as `isAffected` does.
 */
export function inAnyRange(
  version: string,
  ranges: readonly AffectedRange[],
  scheme: VersionScheme,
  sorted?: SortedRanges,
): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i] as AffectedRange;
    if (range.type === 'GIT') continue;
    const s = schemeForRange(range.type, scheme);
    ensureValid(s, version);
    if (inRange(version, range, s, sorted)) return true;
  }
  return false;
}

/**
 * Whether `version` of the package is affected according to one OSV `affected` entry.
 * Throws KG_ERR_INVALID_INPUT naming the version when the installed version or an event version
 * cannot be parsed by the scheme a range needs (a version only ever compared as a string, against
 * the `versions` list, is not an error).
 */
export function isAffected(
  version: string,
  affected: Covered,
  scheme: VersionScheme,
  sorted?: SortedRanges,
): boolean {
  return isListed(version, affected.versions, scheme) || inAnyRange(version, affected.ranges, scheme, sorted);
}

/**
 * The `fixed` versions of the ECOSYSTEM and SEMVER ranges, de-duplicated and sorted ascending, for
 * reports ("fixed in"). A fix version the scheme cannot parse is kept, after the sorted ones, in
 * record order: it is still what the advisory says.
 */
export function fixedVersions(affected: Covered, scheme: VersionScheme): string[] {
  let any = false;
  let allSemver = true;
  const fixed: string[] = [];
  for (let i = 0; i < affected.ranges.length; i++) {
    const r = affected.ranges[i] as AffectedRange;
    if (r.type === 'GIT') continue;
    any = true;
    if (r.type !== 'SEMVER') allSemver = false;
    for (let k = 0; k < r.events.length; k++) {
      const f = (r.events[k] as RangeEvent).fixed;
      if (f !== undefined && !fixed.includes(f)) fixed.push(f);
    }
  }
  if (fixed.length === 0) return fixed;
  const s = any && allSemver ? schemeForRange('SEMVER', scheme) : scheme;
  const valid: string[] = [];
  let invalid: string[] | undefined;
  for (let i = 0; i < fixed.length; i++) {
    const v = fixed[i] as string;
    if (s.valid(v)) valid.push(v);
    else (invalid ??= []).push(v);
  }
  sortSmall(valid, (a, b) => s.compare(a, b));
  return invalid ? [...valid, ...invalid] : valid;
}
