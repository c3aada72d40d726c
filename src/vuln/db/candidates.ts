/**
 * The reduced forms of an advisory that matching works on (see AdvisoryCandidate): per package the
 * affected entries' versions, per advisory the reported head. The database stores both next to
 * each (ecosystem, package) index row, so a lookup reads one contiguous stretch of the index and
 * never parses whole records (their details, other packages' entries and ecosystem data).
 */
import type { Advisory, AdvisoryCandidate, AdvisoryHead, AdvisoryQuery, AffectedVersions } from '../types.ts';
import { affectedEntriesFor, indexKeyOf, type IndexKey } from './ecosystems.ts';

/**
 * The ecosystem- and database-specific fields matching reads (matchers/shared/fix.ts `isWontFix`:
 * Debian's tracker marks). The rest (Go symbol lists, Ubuntu binaries, GHSA notes) is dropped.
 */
export const MATCHED_SPECIFIC_KEYS: readonly string[] = ['nodsa', 'nodsa_reason', 'tracker_status'];

function keptSpecific(o: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  let kept: Record<string, unknown> | undefined;
  for (const k of MATCHED_SPECIFIC_KEYS) if (Object.hasOwn(o, k)) (kept ??= {})[k] = o[k];
  return kept;
}

/** An affected entry as matching reads it (an entry already reduced stays as it is). */
export function affectedVersionsOf(entry: AffectedVersions): AffectedVersions {
  const out: AffectedVersions = { ranges: entry.ranges, versions: entry.versions };
  const eco = keptSpecific(entry.ecosystemSpecific);
  if (eco) out.ecosystemSpecific = eco;
  const db = keptSpecific(entry.databaseSpecific);
  if (db) out.databaseSpecific = db;
  return out;
}

/**
 * The reported part of an advisory. `details` only stands in for a missing summary (a finding's
 * description is `summary ?? details`); of the affected entries only their distinct ecosystems.
 */
export function headOf(advisory: AdvisoryHead): AdvisoryHead {
  const head: AdvisoryHead = {
    id: advisory.id,
    aliases: advisory.aliases,
    upstream: advisory.upstream,
    severity: advisory.severity,
    references: advisory.references,
    affected: [...new Set(advisory.affected.map((a) => a.ecosystem))].map((ecosystem) => ({ ecosystem })),
  };
  if (advisory.withdrawn !== undefined) head.withdrawn = advisory.withdrawn;
  if (advisory.summary !== undefined) head.summary = advisory.summary;
  else if (advisory.details !== undefined) head.details = advisory.details;
  if (advisory.databaseSeverity !== undefined) head.databaseSeverity = advisory.databaseSeverity;
  return head;
}

/** What the database stores for one index key of an advisory: positions in `affected`, entries. */
export interface KeyEntries {
  positions: number[];
  entries: AffectedVersions[];
}

/** An index key as one string (a map key). */
export const indexKeyString = (k: IndexKey): string => `${k.family}\0${k.release}\0${k.name}`;

/** The advisory's affected entries grouped by index key, in record order. */
export function entriesByKey(advisory: Advisory): Map<string, KeyEntries> {
  const out = new Map<string, KeyEntries>();
  advisory.affected.forEach((entry, i) => {
    const k = indexKeyOf(entry);
    if (!k) return;
    const key = indexKeyString(k);
    let slot = out.get(key);
    if (!slot) out.set(key, (slot = { positions: [], entries: [] }));
    slot.positions.push(i);
    slot.entries.push(affectedVersionsOf(entry));
  });
  return out;
}

/** A whole advisory as a candidate (providers without a reduced form: `find` results). */
export function candidateOf(advisory: Advisory, query: AdvisoryQuery): AdvisoryCandidate {
  const entries = affectedEntriesFor(advisory, query);
  return {
    id: advisory.id,
    withdrawn: Boolean(advisory.withdrawn),
    entries: () => entries,
    head: () => advisory,
  };
}
