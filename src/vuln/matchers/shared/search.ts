/**
 * The engine every matcher uses (grype's matcher/internal): run the lookups a matcher asks for,
 * evaluate each advisory's affected entries with the ecosystem's version scheme, then merge the
 * records that describe the same vulnerability into one Match (see related.ts).
 */
import { isKubeguardError, messageOf } from '../../../common/index.ts';
import type { Package } from '../../../sbom/index.ts';
import { affectedEntriesFor } from '../../db/index.ts';
import { artifactOf } from '../../report/document.ts';
import type {
  DistroSearch,
  LanguageSearch,
  Match,
  MatchDetails,
  VulnerabilityMetadata,
} from '../../report/types.ts';
import type { Advisory, AffectedPackage, VersionScheme } from '../../types.ts';
import { fixedVersions, isAffected, schemeForEcosystem } from '../../versions/index.ts';
import type { MatchContext, MatcherId } from '../types.ts';
import { fixStateOf, renderConstraint } from './fix.ts';
import { aliasMetadata, dataSourceOf, recordInfo, type RecordInfo } from './records.ts';
import { groupRelated } from './related.ts';

/** One lookup: which ecosystem and name to ask for, and which version to compare. */
export interface SearchQuery {
  /** OSV ecosystem, e.g. `Debian:12`, `PyPI`. */
  ecosystem: string;
  name: string;
  version: string;
  type: 'exact-direct-match' | 'exact-indirect-match';
  /** Distro searches carry the distro; language searches the language. */
  distro?: { type: string; version: string };
  language?: string;
  /** Grype-style namespace of the records found (e.g. `debian:distro:debian:12`). */
  namespace: (advisory: Advisory) => string;
}

interface Candidate {
  advisory: Advisory;
  info: RecordInfo;
  fixes: string[];
  state: ReturnType<typeof fixStateOf>;
  details: MatchDetails[];
}

interface Evaluation {
  affected: boolean;
  fixes: string[];
  matchedByRange: boolean;
}

/** `fix` is a version of the scheme above `version` (a fix the scheme cannot parse is not offered). */
function above(fix: string, version: string, scheme: VersionScheme): boolean {
  return scheme.valid(fix) && scheme.compare(fix, version) > 0;
}

/**
 * Whether the version is affected, and the fix to report: the lowest `fixed` version above the
 * installed one that the record does not itself list as affected (so qs@6.5.2 is told 6.5.3 from
 * its own release line, and a fix of another line that an open range still covers is not offered).
 */
function evaluate(version: string, entries: AffectedPackage[], scheme: VersionScheme): Evaluation {
  let matchedByRange = false;
  let matchedByList = false;
  for (const entry of entries) {
    if (entry.versions.length === 0) {
      if (isAffected(version, entry, scheme)) matchedByRange = true;
    } else if (isAffected(version, { ...entry, versions: [] }, scheme)) matchedByRange = true;
    else if (isAffected(version, { ...entry, ranges: [] }, scheme)) matchedByList = true;
  }
  if (!matchedByRange && !matchedByList) return { affected: false, fixes: [], matchedByRange };
  const candidates = new Set<string>();
  for (const entry of entries)
    for (const f of fixedVersions(entry, scheme)) if (above(f, version, scheme)) candidates.add(f);
  const sorted = sortVersions([...candidates], scheme);
  // One range of two events (`introduced`, `fixed`: most records) has one fix, which ends it.
  const [only] = entries;
  const trivial =
    entries.length === 1 &&
    only?.versions.length === 0 &&
    only.ranges.length === 1 &&
    only.ranges[0]?.events.length === 2;
  const fix = trivial ? sorted[0] : sorted.find((f) => !entries.some((e) => isAffected(f, e, scheme)));
  return { affected: true, fixes: fix === undefined ? [] : [fix], matchedByRange };
}

/** Ascending by the scheme; versions it cannot parse keep their order at the end (still what the advisory says). */
function sortVersions(versions: string[], scheme: VersionScheme): string[] {
  const valid = versions.filter((v) => scheme.valid(v));
  return [...valid.sort((a, b) => scheme.compare(a, b)), ...versions.filter((v) => !scheme.valid(v))];
}

/** Lookups kept per scan: enough for the binaries of one source package, bounded for memory. */
const FOUND_MEMO_SIZE = 256;

function lookup(ctx: MatchContext, ecosystem: string, name: string): Advisory[] {
  if (!ctx.memo) return ctx.provider.find({ ecosystem, name });
  const memo = ctx.memo.found;
  const key = `${ecosystem}\0${name}`;
  let found = memo.get(key);
  if (found) {
    memo.delete(key); // most recently used last
  } else {
    found = ctx.provider.find({ ecosystem, name });
    if (memo.size >= FOUND_MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  }
  memo.set(key, found);
  return found;
}

function cachedRecordInfo(
  ctx: MatchContext,
  advisory: Advisory,
  namespace: string,
): { info: RecordInfo; fresh: boolean } {
  if (!ctx.memo) return { info: recordInfo(advisory, namespace), fresh: true };
  const key = `${advisory.id}\0${namespace}`;
  const cached = ctx.memo.records.get(key) as RecordInfo | undefined;
  if (cached) return { info: cached, fresh: false };
  const info = recordInfo(advisory, namespace, ctx.memo.cvss);
  ctx.memo.records.set(key, info);
  return { info, fresh: true };
}

function searchedBy(q: SearchQuery, namespace: string): DistroSearch | LanguageSearch {
  const pkg = { name: q.name, version: q.version };
  if (q.distro) return { distro: q.distro, namespace, package: pkg };
  return { language: q.language ?? '', namespace, package: pkg };
}

export function searchAndMatch(
  pkg: Package,
  ctx: MatchContext,
  queries: SearchQuery[],
  matcher: MatcherId,
): Match[] {
  const label = `${pkg.name}@${pkg.version}`;
  const candidates = new Map<string, Candidate>();
  const badVersions = new Set<string>();
  for (const q of queries) {
    let scheme: VersionScheme;
    try {
      scheme = schemeForEcosystem(q.ecosystem);
    } catch (err) {
      ctx.stats.unsearchable += 1;
      ctx.warn({ code: 'unsupported-distro', message: messageOf(err), package: label });
      continue;
    }
    if (!scheme.valid(q.version)) {
      if (!badVersions.has(q.version)) {
        badVersions.add(q.version);
        ctx.stats.unparsablePackageVersions += 1;
        ctx.warn({
          code: 'unparsable-package-version',
          message: `${pkg.type} package ${label}: version "${q.version}" is not a valid ${scheme.id} version; not matched`,
          package: label,
        });
      }
      continue;
    }
    ctx.stats.queries += 1;
    for (const advisory of lookup(ctx, q.ecosystem, q.name)) {
      ctx.stats.advisoriesExamined += 1;
      if (advisory.withdrawn) {
        ctx.stats.withdrawnIgnored += 1;
        continue;
      }
      const entries = affectedEntriesFor(advisory, { ecosystem: q.ecosystem, name: q.name });
      if (entries.length === 0) continue;
      let result: Evaluation;
      try {
        result = evaluate(q.version, entries, scheme);
      } catch (err) {
        if (!isKubeguardError(err, 'KG_ERR_INVALID_INPUT')) throw err;
        ctx.stats.unparsableAdvisoryVersions += 1;
        ctx.warn({
          code: 'unparsable-advisory-version',
          message: `advisory ${advisory.id} skipped for ${label}: ${err.message}`,
          package: label,
          advisory: advisory.id,
        });
        continue;
      }
      if (!result.affected) continue;
      const namespace = q.namespace(advisory);
      const detail: MatchDetails = {
        type: q.type,
        matcher,
        searchedBy: searchedBy(q, namespace),
        found: { vulnerabilityID: advisory.id, versionConstraint: renderConstraint(entries, scheme.id) },
      };
      const existing = candidates.get(advisory.id);
      if (existing) {
        // Found again through another lookup (binary and source name): one record, two explanations.
        existing.details.push(detail);
        continue;
      }
      const { info, fresh } = cachedRecordInfo(ctx, advisory, namespace);
      if (detail.found) detail.found.severitySource = info.severity.source;
      for (const vector of fresh ? info.severity.invalidVectors : []) {
        ctx.warn({
          code: 'invalid-cvss-vector',
          message: `advisory ${advisory.id}: CVSS vector "${vector}" cannot be scored; ignored`,
          advisory: advisory.id,
        });
      }
      candidates.set(advisory.id, {
        advisory,
        info,
        fixes: result.fixes,
        state: fixStateOf(result.fixes, entries, result.matchedByRange),
        details: [detail],
      });
    }
  }
  if (candidates.size === 0) return [];

  return groupRelated([...candidates.values()], (c) => c.advisory).map((group) => {
    const primary = group.primary;
    const records = [primary, ...group.related];
    const severity =
      records.map((c) => c.info.metadata.severity).find((s) => s !== undefined && s !== 'Unknown') ??
      'Unknown';
    let relatedVulnerabilities: VulnerabilityMetadata[] = [
      ...group.related.map((c) => c.info.metadata),
      ...group.aliasIds.map(aliasMetadata),
    ];
    let head: VulnerabilityMetadata = { ...primary.info.metadata, severity };
    if (ctx.normalizeByCve && group.cve && group.cve !== primary.advisory.id) {
      // kubevuln's NormalizeByCVE: the CVE becomes the id, the record that matched moves to related.
      const cve = group.cve;
      relatedVulnerabilities = [primary.info.metadata, ...relatedVulnerabilities.filter((r) => r.id !== cve)];
      head = { ...head, id: cve, dataSource: dataSourceOf(cve) };
    }
    return {
      vulnerability: { ...head, fix: { versions: primary.fixes, state: primary.state }, advisories: [] },
      relatedVulnerabilities,
      matchDetails: records.flatMap((c) => c.details),
      artifact: artifactOf(pkg),
    };
  });
}
