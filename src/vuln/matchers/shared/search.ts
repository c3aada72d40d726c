/**
 * The engine every matcher uses (grype's matcher/internal): run the lookups a matcher asks for,
 * evaluate each advisory's affected entries with the ecosystem's version scheme, then merge the
 * records that describe the same vulnerability into one Match (see related.ts).
 *
 * The per-candidate and per-finding code here (and in range.ts, related.ts, fix.ts) uses indexed
 * loops, no for-of, spreads or array callbacks: it runs thousands of times per scan, a process's
 * first scan largely before V8 has optimized it, and iterators allocate at every step there.
 * Only the advisories a package is affected by have their head parsed (AdvisoryCandidate).
 */
import { isKubeguardError, messageOf } from '../../../common/index.ts';
import type { Package } from '../../../sbom/index.ts';
import { candidateOf } from '../../db/index.ts';
import { artifactOf } from '../../report/document.ts';
import type {
  Artifact,
  DistroSearch,
  LanguageSearch,
  Match,
  MatchDetails,
  VulnerabilityMetadata,
} from '../../report/types.ts';
import type { AdvisoryCandidate, AdvisoryHead, AffectedVersions, VersionScheme } from '../../types.ts';
import {
  fixedVersions,
  inAnyRange,
  isAffected,
  isListed,
  schemeForEcosystem,
  sortSmall,
  type SortedRanges,
} from '../../versions/index.ts';
import type { MatchContext, MatcherId } from '../types.ts';
import { fixStateOf, renderConstraint } from './fix.ts';
import { aliasMetadata, dataSourceOf, recordInfo, type RecordInfo } from './records.ts';
import { groupRelated, type Grouped } from './related.ts';

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
  namespace: (advisory: AdvisoryHead) => string;
}

interface Candidate {
  advisory: AdvisoryHead;
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

/**
 * Whether the version is affected, and the fix to report: the lowest `fixed` version above the
 * installed one that the record does not itself list as affected (so qs@6.5.2 is told 6.5.3 from
 * its own release line, and a fix of another line that an open range still covers is not offered).
 */
function evaluate(version: string, entries: AffectedVersions[], scheme: VersionScheme): Evaluation {
  // One range of two events (`introduced`, `fixed`: most records) has one fix, which ends it.
  const only = entries[0];
  const trivial =
    entries.length === 1 &&
    only?.versions.length === 0 &&
    only.ranges.length === 1 &&
    only.ranges[0]?.events.length === 2;
  // Otherwise the fix search evaluates other versions against the same ranges: keep them sorted.
  const sorted: SortedRanges | undefined = trivial ? undefined : new Map();
  let matchedByRange = false;
  let matchedByList = false;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as AffectedVersions;
    if (inAnyRange(version, entry.ranges, scheme, sorted)) matchedByRange = true;
    else if (isListed(version, entry.versions, scheme)) matchedByList = true;
  }
  if (!matchedByRange && !matchedByList) return { affected: false, fixes: [], matchedByRange };
  // Fixes above the installed version, distinct, ascending.
  const above: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const fixes = fixedVersions(entries[i] as AffectedVersions, scheme);
    for (let k = 0; k < fixes.length; k++) {
      const f = fixes[k] as string;
      if (!above.includes(f) && scheme.valid(f) && scheme.compare(f, version) > 0) above.push(f);
    }
  }
  if (above.length === 0) return { affected: true, fixes: [], matchedByRange };
  sortSmall(above, (a, b) => scheme.compare(a, b));
  let fix: string | undefined;
  if (trivial) fix = above[0];
  else {
    for (let k = 0; k < above.length && fix === undefined; k++) {
      const f = above[k] as string;
      let affected = false;
      for (let i = 0; i < entries.length && !affected; i++)
        affected = isAffected(f, entries[i] as AffectedVersions, scheme, sorted);
      if (!affected) fix = f;
    }
  }
  return { affected: true, fixes: fix === undefined ? [] : [fix], matchedByRange };
}

/** Lookups kept per scan: enough for the binaries of one source package, bounded for memory. */
const FOUND_MEMO_SIZE = 256;

/** The provider's candidates, or its whole records as candidates when it has no cheaper form. */
function candidates(ctx: MatchContext, ecosystem: string, name: string): AdvisoryCandidate[] {
  const query = { ecosystem, name };
  const { provider } = ctx;
  return provider.candidates
    ? provider.candidates(query)
    : provider.find(query).map((a) => candidateOf(a, query));
}

function lookup(ctx: MatchContext, ecosystem: string, name: string): AdvisoryCandidate[] {
  if (!ctx.memo) return candidates(ctx, ecosystem, name);
  const memo = ctx.memo.found;
  const key = `${ecosystem}\0${name}`;
  let found = memo.get(key);
  if (found) {
    memo.delete(key); // most recently used last
  } else {
    found = candidates(ctx, ecosystem, name);
    if (memo.size >= FOUND_MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  }
  memo.set(key, found);
  return found;
}

function cachedRecordInfo(
  ctx: MatchContext,
  advisory: AdvisoryHead,
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
  // By id, and in order of first finding (the order grouping sees).
  const candidates = new Map<string, Candidate>();
  const ordered: Candidate[] = [];
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
    const found = lookup(ctx, q.ecosystem, q.name);
    for (let i = 0; i < found.length; i++) {
      const candidate = found[i] as AdvisoryCandidate;
      ctx.stats.advisoriesExamined += 1;
      if (candidate.withdrawn) {
        ctx.stats.withdrawnIgnored += 1;
        continue;
      }
      const entries = candidate.entries();
      if (entries.length === 0) continue;
      let result: Evaluation;
      try {
        result = evaluate(q.version, entries, scheme);
      } catch (err) {
        if (!isKubeguardError(err, 'KG_ERR_INVALID_INPUT')) throw err;
        ctx.stats.unparsableAdvisoryVersions += 1;
        ctx.warn({
          code: 'unparsable-advisory-version',
          message: `advisory ${candidate.id} skipped for ${label}: ${err.message}`,
          package: label,
          advisory: candidate.id,
        });
        continue;
      }
      if (!result.affected) continue;
      // Only now the reported part: most candidates of a real image are rejected above.
      const advisory = candidate.head();
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
      if (fresh) {
        for (const vector of info.severity.invalidVectors) {
          ctx.warn({
            code: 'invalid-cvss-vector',
            message: `advisory ${advisory.id}: CVSS vector "${vector}" cannot be scored; ignored`,
            advisory: advisory.id,
          });
        }
      }
      const record: Candidate = {
        advisory,
        info,
        fixes: result.fixes,
        state: fixStateOf(result.fixes, entries, result.matchedByRange),
        details: [detail],
      };
      candidates.set(advisory.id, record);
      ordered.push(record);
    }
  }
  if (ordered.length === 0) return [];
  // One artifact for all of the package's findings (output data: never mutated).
  const artifact = artifactOf(pkg);
  const groups = groupRelated(ordered, (c) => c.advisory);
  const matches: Match[] = [];
  for (let i = 0; i < groups.length; i++)
    matches.push(toMatch(groups[i] as Grouped<Candidate>, artifact, ctx.normalizeByCve === true));
  return matches;
}

/** One finding from a group of related records. */
function toMatch(group: Grouped<Candidate>, artifact: Artifact, normalizeByCve: boolean): Match {
  const primary = group.primary;
  const records = [primary];
  for (let i = 0; i < group.related.length; i++) records.push(group.related[i] as Candidate);
  let severity: VulnerabilityMetadata['severity'] = 'Unknown';
  for (let i = 0; i < records.length; i++) {
    const s = (records[i] as Candidate).info.metadata.severity;
    if (s !== undefined && s !== 'Unknown') {
      severity = s;
      break;
    }
  }
  let relatedVulnerabilities: VulnerabilityMetadata[] = [];
  for (let i = 1; i < records.length; i++)
    relatedVulnerabilities.push((records[i] as Candidate).info.metadata);
  for (let i = 0; i < group.aliasIds.length; i++)
    relatedVulnerabilities.push(aliasMetadata(group.aliasIds[i] as string));
  // One copy of the primary record's metadata (key order as the record has it, then fix, advisories).
  const vulnerability: Match['vulnerability'] = {
    ...primary.info.metadata,
    severity,
    fix: { versions: primary.fixes, state: primary.state },
    advisories: [],
  };
  if (normalizeByCve && group.cve && group.cve !== primary.advisory.id) {
    // kubevuln's NormalizeByCVE: the CVE becomes the id, the record that matched moves to related.
    const cve = group.cve;
    relatedVulnerabilities = [primary.info.metadata, ...relatedVulnerabilities.filter((r) => r.id !== cve)];
    vulnerability.id = cve;
    vulnerability.dataSource = dataSourceOf(cve);
  }
  const matchDetails: MatchDetails[] = [];
  for (let i = 0; i < records.length; i++) {
    const details = (records[i] as Candidate).details;
    for (let k = 0; k < details.length; k++) matchDetails.push(details[k] as MatchDetails);
  }
  return {
    vulnerability,
    relatedVulnerabilities,
    matchDetails,
    artifact,
  };
}
