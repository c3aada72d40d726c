/**
 * OSV ecosystems: which ones we know, how an ecosystem string becomes an index key, and how each
 * ecosystem's package names are normalised. Import and query use the same functions, so a name
 * spelled differently by an SBOM and by an advisory still meets in the index.
 *
 * Ecosystem rule (import and query alike):
 * - `Family[:release]`: the family is everything before the first `:`, looked up
 *   case-insensitively in the list below and replaced by its canonical spelling ("pypi" -> "PyPI");
 *   the release is everything after it, trimmed and otherwise kept as published ("Debian:12" ->
 *   release "12", "Alpine:v3.20" -> "v3.20", "Ubuntu:22.04:LTS" -> "22.04:LTS").
 * - The index stores (family, normalised name, release); release is "" for a bare family.
 * - A query with a release ("Debian:12") finds entries of that release and entries published for the
 *   bare family ("Debian", which OSV defines as every release). A query for the bare family
 *   ("Debian") finds entries of every release.
 * - An unknown family is not indexed: import skips the entry with a warning, a query finds nothing.
 */
import type { Advisory, AdvisoryQuery, AffectedPackage } from '../types.ts';

type NameRule = 'exact' | 'lower' | 'pep503';

/**
 * Families published by OSV (ossf/osv-schema `ecosystems.txt`) with their name rule:
 * PyPI per PEP 503; distributions whose package names are lowercase by policy (dpkg, apk) and the
 * registries that compare names case-insensitively (NuGet, Packagist, GitHub Actions) lowercase;
 * everything else exactly as published (npm, Go, crates.io, Maven `group:artifact`, RubyGems, RPM
 * distributions, whose names are case-sensitive).
 */
const FAMILIES: Record<string, NameRule> = {
  AlmaLinux: 'exact',
  Alpaquita: 'lower',
  Alpine: 'lower',
  Android: 'exact',
  'Azure Linux': 'exact',
  'BellSoft Hardened Containers': 'lower',
  Bioconductor: 'exact',
  Bitnami: 'exact',
  Chainguard: 'lower',
  ConanCenter: 'exact',
  CRAN: 'exact',
  'crates.io': 'exact',
  Debian: 'lower',
  Echo: 'exact',
  GHC: 'exact',
  GIT: 'exact',
  'GitHub Actions': 'lower',
  Go: 'exact',
  Hackage: 'exact',
  Hex: 'exact',
  Julia: 'exact',
  Kubernetes: 'exact',
  Linux: 'exact',
  Mageia: 'exact',
  Maven: 'exact',
  MinimOS: 'lower',
  npm: 'exact',
  NuGet: 'lower',
  openEuler: 'exact',
  openSUSE: 'exact',
  'OSS-Fuzz': 'exact',
  Packagist: 'lower',
  'Photon OS': 'exact',
  Pub: 'exact',
  PyPI: 'pep503',
  'Red Hat': 'exact',
  'Rocky Linux': 'exact',
  RubyGems: 'exact',
  SUSE: 'exact',
  SwiftURL: 'exact',
  Ubuntu: 'lower',
  VSCode: 'exact',
  Wolfi: 'lower',
};

const byLowerCase = new Map(Object.keys(FAMILIES).map((f) => [f.toLowerCase(), f]));

/** The known OSV ecosystem families, canonical spelling. */
export const knownEcosystems: readonly string[] = Object.keys(FAMILIES);

export interface EcosystemKey {
  /** Canonical family ("Debian", "PyPI"). */
  family: string;
  /** Release as published ("12", "v3.20"), "" for the bare family. */
  release: string;
  /** `family` or `family:release`. */
  key: string;
}

/** Parses an OSV ecosystem string; undefined when the family is not a known OSV ecosystem. */
export function parseEcosystem(ecosystem: string): EcosystemKey | undefined {
  const colon = ecosystem.indexOf(':');
  const rawFamily = (colon < 0 ? ecosystem : ecosystem.slice(0, colon)).trim();
  const family = byLowerCase.get(rawFamily.toLowerCase());
  if (!family) return undefined;
  const release = colon < 0 ? '' : ecosystem.slice(colon + 1).trim();
  return { family, release, key: release ? `${family}:${release}` : family };
}

/** The ecosystem string in canonical form, or undefined when unknown. */
export function normalizeEcosystem(ecosystem: string): string | undefined {
  return parseEcosystem(ecosystem)?.key;
}

/** A package name as the index stores it for this family (see the rules on FAMILIES). */
export function normalizePackageName(family: string, name: string): string {
  const canonical = byLowerCase.get(family.toLowerCase()) ?? family;
  const trimmed = name.trim();
  switch (FAMILIES[canonical]) {
    case 'pep503':
      return trimmed.toLowerCase().replace(/[-_.]+/g, '-');
    case 'lower':
      return trimmed.toLowerCase();
    default:
      return trimmed;
  }
}

/** One row of the (family, name, release) index. */
export interface IndexKey {
  family: string;
  release: string;
  name: string;
}

/** The index key of one affected entry, or undefined when its ecosystem is unknown. */
export function indexKeyOf(affected: Pick<AffectedPackage, 'ecosystem' | 'name'>): IndexKey | undefined {
  const eco = parseEcosystem(affected.ecosystem);
  if (!eco) return undefined;
  return { family: eco.family, release: eco.release, name: normalizePackageName(eco.family, affected.name) };
}

/** Distinct index keys of an advisory (an advisory may list a package once per range). */
export function indexKeysOf(advisory: Advisory): IndexKey[] {
  const seen = new Map<string, IndexKey>();
  for (const a of advisory.affected) {
    const k = indexKeyOf(a);
    if (k) seen.set(`${k.family}\0${k.release}\0${k.name}`, k);
  }
  return [...seen.values()];
}

/** True when an index key answers a query under the rule in this file's header. */
export function keyMatchesQuery(
  key: IndexKey,
  query: { family: string; release: string; name: string },
): boolean {
  if (key.family !== query.family || key.name !== query.name) return false;
  return query.release === '' || key.release === query.release || key.release === '';
}

/** A query in index form, or undefined when its ecosystem is unknown. */
export function normalizeQuery(query: AdvisoryQuery): IndexKey | undefined {
  const eco = parseEcosystem(query.ecosystem);
  if (!eco) return undefined;
  return { family: eco.family, release: eco.release, name: normalizePackageName(eco.family, query.name) };
}

/**
 * The affected entries of an advisory that a query selects, with the same rule as `find()`: what a
 * matcher evaluates after `find()` returned the advisory.
 */
export function affectedEntriesFor(advisory: Advisory, query: AdvisoryQuery): AffectedPackage[] {
  const q = normalizeQuery(query);
  if (!q) return [];
  return advisory.affected.filter((a) => {
    const k = indexKeyOf(a);
    return k !== undefined && keyMatchesQuery(k, q);
  });
}
