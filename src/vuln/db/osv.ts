/**
 * OSV JSON -> Advisory. Strict where the database depends on a field (id, modified, the package of
 * an affected entry), lenient elsewhere: an optional field of the wrong type is dropped rather than
 * costing the whole record, as osv-scanner does with the same feeds.
 */
import type { Advisory, AdvisorySeverity, AffectedPackage, AffectedRange, RangeEvent } from '../types.ts';
import { indexKeyOf } from './ecosystems.ts';
import type { IndexKey } from './ecosystems.ts';

/** Why an input, a record or an affected entry was not imported. */
export type SkipReason =
  'malformed' | 'unknown-ecosystem' | 'unsafe-path' | 'too-large' | 'corrupt' | 'unsupported';

export const skipReasons: readonly SkipReason[] = [
  'malformed',
  'unknown-ecosystem',
  'unsafe-path',
  'too-large',
  'corrupt',
  'unsupported',
];

export interface ImportWarning {
  /** The file, `archive.zip!entry.json` or `file#record-id` that was skipped. */
  input: string;
  reason: SkipReason;
  message: string;
}

export type NormalizeResult =
  | { ok: true; advisory: Advisory; keys: IndexKey[]; dropped: ImportWarning[] }
  | { ok: false; warning: ImportWarning };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];

const RANGE_TYPES = new Set(['ECOSYSTEM', 'SEMVER', 'GIT']);
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function events(v: unknown): RangeEvent[] {
  if (!Array.isArray(v)) return [];
  const out: RangeEvent[] = [];
  for (const e of v) {
    if (!isObject(e)) continue;
    for (const k of EVENT_KEYS) {
      const value = str(e[k]);
      if (value !== undefined) {
        out.push({ [k]: value });
        break;
      }
    }
  }
  return out;
}

function ranges(v: unknown): AffectedRange[] {
  if (!Array.isArray(v)) return [];
  const out: AffectedRange[] = [];
  for (const r of v) {
    if (!isObject(r)) continue;
    const type = str(r.type)?.toUpperCase();
    if (!type || !RANGE_TYPES.has(type)) continue;
    out.push({ type: type as AffectedRange['type'], events: events(r.events) });
  }
  return out;
}

function severities(v: unknown): AdvisorySeverity[] {
  if (!Array.isArray(v)) return [];
  const out: AdvisorySeverity[] = [];
  for (const s of v) {
    if (!isObject(s)) continue;
    const type = str(s.type);
    const score = str(s.score);
    if (type && score) out.push({ type, score });
  }
  return out;
}

function references(v: unknown): Advisory['references'] {
  if (!Array.isArray(v)) return [];
  const out: Advisory['references'] = [];
  for (const r of v) {
    if (!isObject(r)) continue;
    const url = str(r.url);
    if (url) out.push({ type: str(r.type) ?? 'WEB', url });
  }
  return out;
}

/** A timestamp we can order by (RFC 3339; Go's placeholder `0001-01-01T00:00:00Z` included). */
export function timeOf(value: string): number {
  return Date.parse(value);
}

/** Nanoseconds below the millisecond, which Date.parse drops (osv.dev writes 9 fraction digits). */
function subMillisecond(value: string): number {
  const m = /\.(\d+)/.exec(value);
  return m ? Number((m[1] as string).slice(3, 9).padEnd(6, '0')) : 0;
}

/** True when `a` is strictly newer than `b` (unparsable times fall back to string order). */
export function isNewer(a: string, b: string): boolean {
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a > b;
  if (ta !== tb) return ta > tb;
  return subMillisecond(a) > subMillisecond(b);
}

/** Severity published by the database itself: GHSA's `database_specific.severity`, Debian's urgency. */
function databaseSeverity(raw: Json, affected: AffectedPackage[]): string | undefined {
  const ds = raw.database_specific;
  if (isObject(ds)) {
    const s = str(ds.severity);
    if (s) return s;
  }
  for (const a of affected) {
    const urgency = a.ecosystemSpecific && str(a.ecosystemSpecific.urgency);
    if (urgency) return urgency;
  }
  return undefined;
}

/**
 * Normalises one OSV record. `input` names where it came from, for warnings. Affected entries of
 * an unknown ecosystem or without a usable package are dropped (counted in `dropped`); a record
 * left with no affected entry for that reason is skipped.
 */
export function normalizeOsv(raw: unknown, input: string): NormalizeResult {
  const fail = (reason: SkipReason, message: string): NormalizeResult => ({
    ok: false,
    warning: { input, reason, message },
  });
  if (!isObject(raw)) return fail('malformed', 'not a JSON object');
  const id = str(raw.id)?.trim();
  if (!id) return fail('malformed', 'missing "id"');
  if (id.length > 256 || [...id].some((c) => c < ' '))
    return fail('malformed', `invalid id ${JSON.stringify(id.slice(0, 64))}`);
  const where = `${input}#${id}`;
  const modified = str(raw.modified);
  if (!modified)
    return { ok: false, warning: { input: where, reason: 'malformed', message: 'missing "modified"' } };
  if (Number.isNaN(timeOf(modified)))
    return {
      ok: false,
      warning: { input: where, reason: 'malformed', message: `unparsable "modified" ${modified}` },
    };
  if (raw.affected !== undefined && raw.affected !== null && !Array.isArray(raw.affected))
    return { ok: false, warning: { input: where, reason: 'malformed', message: '"affected" is not a list' } };

  const dropped: ImportWarning[] = [];
  const affected: AffectedPackage[] = [];
  const rawAffected = Array.isArray(raw.affected) ? raw.affected : [];
  for (const [i, a] of rawAffected.entries()) {
    if (!isObject(a)) {
      dropped.push({ input: where, reason: 'malformed', message: `affected[${i}] is not an object` });
      continue;
    }
    // OSV allows affected entries without a package (GIT ranges only): nothing to index, not an error.
    if (a.package === undefined) continue;
    const pkg = a.package;
    const ecosystem = isObject(pkg) ? str(pkg.ecosystem) : undefined;
    const name = isObject(pkg) ? str(pkg.name) : undefined;
    if (!isObject(pkg) || !ecosystem || !name?.trim()) {
      dropped.push({
        input: where,
        reason: 'malformed',
        message: `affected[${i}] has no package ecosystem and name`,
      });
      continue;
    }
    const entry: AffectedPackage = {
      ecosystem,
      name,
      ranges: ranges(a.ranges),
      versions: strings(a.versions),
    };
    const purl = str(pkg.purl);
    if (purl) entry.purl = purl;
    if (isObject(a.ecosystem_specific)) entry.ecosystemSpecific = a.ecosystem_specific;
    if (isObject(a.database_specific)) entry.databaseSpecific = a.database_specific;
    if (!indexKeyOf(entry)) {
      dropped.push({
        input: where,
        reason: 'unknown-ecosystem',
        message: `unknown ecosystem "${ecosystem}"`,
      });
      continue;
    }
    affected.push(entry);
  }
  if (affected.length === 0 && dropped.length > 0) {
    const reason = dropped.some((d) => d.reason === 'malformed') ? 'malformed' : 'unknown-ecosystem';
    const what = [...new Set(dropped.map((d) => d.message))].join('; ');
    return { ok: false, warning: { input: where, reason, message: `no usable affected entry (${what})` } };
  }

  const advisory: Advisory = {
    id,
    modified,
    aliases: strings(raw.aliases),
    related: strings(raw.related),
    upstream: strings(raw.upstream),
    severity: severities(raw.severity),
    references: references(raw.references),
    affected,
  };
  const published = str(raw.published);
  if (published) advisory.published = published;
  const withdrawn = str(raw.withdrawn);
  if (withdrawn) advisory.withdrawn = withdrawn;
  const summary = str(raw.summary);
  if (summary) advisory.summary = summary;
  const details = str(raw.details);
  if (details) advisory.details = details;
  const dbSeverity = databaseSeverity(raw, affected);
  if (dbSeverity) advisory.databaseSeverity = dbSeverity;

  const keys = new Map<string, IndexKey>();
  for (const entry of affected) {
    const k = indexKeyOf(entry) as IndexKey;
    keys.set(`${k.family}\0${k.release}\0${k.name}`, k);
  }
  return { ok: true, advisory, keys: [...keys.values()], dropped };
}
