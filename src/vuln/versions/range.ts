import type { AffectedPackage, AffectedRange, RangeEvent, VersionScheme } from '../types.ts';
import { go } from './go.ts';
import { semver } from './semver.ts';
import { invalidVersion } from './util.ts';

/**
 * OSV range evaluation, as the pseudocode in https://ossf.github.io/osv-schema/#evaluation:
 * a version is affected when it is listed in `versions` or lies in any range. Per range, events
 * are sorted by version (`introduced: "0"` first) and walked: `introduced` (inclusive) switches
 * vulnerability on, `fixed` (exclusive) and `last_affected` (inclusive) switch it off; `limit`
 * events cap the range (`v < some limit`, `*` is infinity). GIT ranges need a commit graph and are
 * ignored for version matching.
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

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface Event {
  kind: Kind;
  version: string;
}

function eventOf(e: RangeEvent): Event | undefined {
  if (e.introduced !== undefined) return { kind: 'introduced', version: e.introduced };
  if (e.fixed !== undefined) return { kind: 'fixed', version: e.fixed };
  if (e.last_affected !== undefined) return { kind: 'last_affected', version: e.last_affected };
  if (e.limit !== undefined) return { kind: 'limit', version: e.limit };
  return undefined;
}

const isZeroIntroduced = (e: Event): boolean => e.kind === 'introduced' && e.version === '0';

/** OSV "sorted(range.events)": by version, `introduced: "0"` lowest; ties keep the record's order. */
function sortEvents(events: Event[], scheme: VersionScheme): Event[] {
  for (const e of events) if (!isZeroIntroduced(e)) ensureValid(scheme, e.version);
  return [...events].sort((a, b) => {
    const az = isZeroIntroduced(a);
    const bz = isZeroIntroduced(b);
    if (az || bz) return az === bz ? 0 : az ? -1 : 1;
    return scheme.compare(a.version, b.version);
  });
}

function beforeLimits(version: string, limits: Event[], scheme: VersionScheme): boolean {
  if (limits.length === 0) return true; // implicit { limit: "*" }
  return limits.some((l) => l.version.includes('*') || scheme.compare(version, l.version) < 0);
}

/** IncludedInRanges for one range; the version is already known to be valid for `scheme`. */
function inRange(version: string, range: AffectedRange, scheme: VersionScheme): boolean {
  const events = range.events.map(eventOf).filter((e): e is Event => e !== undefined);
  const limits = events.filter((e) => e.kind === 'limit');
  for (const l of limits) if (!l.version.includes('*')) ensureValid(scheme, l.version);
  if (!beforeLimits(version, limits, scheme)) return false;
  const walked = events.filter((e) => e.kind !== 'limit');
  let vulnerable = false;
  for (const e of sortEvents(walked, scheme)) {
    if (e.kind === 'introduced') {
      if (isZeroIntroduced(e) || scheme.compare(version, e.version) >= 0) vulnerable = true;
    } else if (e.kind === 'fixed') {
      if (scheme.compare(version, e.version) >= 0) vulnerable = false;
    } else if (scheme.compare(version, e.version) > 0) {
      vulnerable = false; // last_affected
    }
  }
  return vulnerable;
}

/** True when `version` equals an entry of the explicit `versions` list (as a string, or by the scheme). */
function listed(version: string, affected: AffectedPackage, scheme: VersionScheme): boolean {
  if (affected.versions.includes(version)) return true;
  if (affected.versions.length === 0 || !scheme.valid(version)) return false;
  // Listed strings may be tags or otherwise foreign to the scheme (osv.dev fills them from git); skip those.
  return affected.versions.some((v) => scheme.valid(v) && scheme.compare(version, v) === 0);
}

/**
 * Whether `version` of the package is affected according to one OSV `affected` entry.
 * Throws KG_ERR_INVALID_INPUT naming the version when the installed version or an event version
 * cannot be parsed by the scheme a range needs (a version only ever compared as a string, against
 * the `versions` list, is not an error).
 */
export function isAffected(version: string, affected: AffectedPackage, scheme: VersionScheme): boolean {
  if (listed(version, affected, scheme)) return true;
  for (const range of affected.ranges) {
    if (range.type === 'GIT') continue;
    const s = schemeForRange(range.type, scheme);
    ensureValid(s, version);
    if (inRange(version, range, s)) return true;
  }
  return false;
}

/**
 * The `fixed` versions of the ECOSYSTEM and SEMVER ranges, de-duplicated and sorted ascending, for
 * reports ("fixed in"). A fix version the scheme cannot parse is kept, after the sorted ones, in
 * record order: it is still what the advisory says.
 */
export function fixedVersions(affected: AffectedPackage, scheme: VersionScheme): string[] {
  const ranges = affected.ranges.filter((r) => r.type !== 'GIT');
  const s =
    ranges.length > 0 && ranges.every((r) => r.type === 'SEMVER') ? schemeForRange('SEMVER', scheme) : scheme;
  const fixed = [
    ...new Set(ranges.flatMap((r) => r.events.flatMap((e) => (e.fixed === undefined ? [] : [e.fixed])))),
  ];
  const valid = fixed.filter((v) => s.valid(v));
  const invalid = fixed.filter((v) => !s.valid(v));
  return [...valid.sort((a, b) => s.compare(a, b)), ...invalid];
}
