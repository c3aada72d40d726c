/**
 * Language packages (grype's MatchPackageByLanguage): the package's OSV ecosystem, queried by the
 * name as that ecosystem spells it. Name normalisation (PEP 503 for PyPI, lower case for NuGet and
 * Packagist) is the database's, applied to the query and to the advisories alike.
 */
import type { Package, PackageType } from '../../../sbom/index.ts';
import { tryParsePurl } from '../../sbom-input/index.ts';
import type { Match } from '../../report/types.ts';
import type { AdvisoryHead } from '../../types.ts';
import type { MatchContext, MatcherId } from '../types.ts';
import { searchAndMatch } from './search.ts';

export interface LanguageEcosystem {
  /** OSV ecosystem. */
  ecosystem: string;
  /** grype's language name (searchedBy.language, namespace). */
  language: string;
}

export const LANGUAGE_ECOSYSTEMS: Partial<Record<PackageType, LanguageEcosystem>> = {
  python: { ecosystem: 'PyPI', language: 'python' },
  npm: { ecosystem: 'npm', language: 'javascript' },
  'go-module': { ecosystem: 'Go', language: 'go' },
  'java-archive': { ecosystem: 'Maven', language: 'java' },
  gem: { ecosystem: 'RubyGems', language: 'ruby' },
  'rust-crate': { ecosystem: 'crates.io', language: 'rust' },
  dotnet: { ecosystem: 'NuGet', language: 'dotnet' },
  'php-composer': { ecosystem: 'Packagist', language: 'php' },
  hex: { ecosystem: 'Hex', language: 'elixir' },
  'dart-pub': { ecosystem: 'Pub', language: 'dart' },
};

/** Package types by purl type, for packages whose SBOM type says nothing (stock matcher). */
export const TYPE_BY_PURL_TYPE: Record<string, PackageType> = {
  pypi: 'python',
  npm: 'npm',
  golang: 'go-module',
  maven: 'java-archive',
  gem: 'gem',
  cargo: 'rust-crate',
  nuget: 'dotnet',
  composer: 'php-composer',
  hex: 'hex',
  pub: 'dart-pub',
};

export interface LanguagePolicy {
  matcher: MatcherId;
  /** Name(s) to query; none means the package cannot be searched (e.g. Maven without group). */
  names(pkg: Package): string[];
  /** The version in the ecosystem's spelling (Go drops the `v`). */
  version(pkg: Package): string;
}

/** The namespace by the record's publisher; the two strings are made once per package. */
function namespaceOf(language: string): (advisory: AdvisoryHead) => string {
  const github = `github:language:${language}`;
  const osv = `osv:language:${language}`;
  return (advisory) => (advisory.id.startsWith('GHSA-') ? github : osv);
}

export function matchByLanguage(
  pkg: Package,
  ctx: MatchContext,
  eco: LanguageEcosystem,
  policy: LanguagePolicy,
): Match[] {
  const names = policy.names(pkg);
  if (names.length === 0) {
    ctx.stats.unsearchable += 1;
    return [];
  }
  const version = policy.version(pkg);
  return searchAndMatch(
    pkg,
    ctx,
    names.map((name) => ({
      ecosystem: eco.ecosystem,
      name,
      version,
      type: 'exact-direct-match' as const,
      language: eco.language,
      namespace: namespaceOf(eco.language),
    })),
    policy.matcher,
  );
}

/**
 * Maven coordinates `group:artifact`: from the purl, else syft's `pomProperties`, else a name that
 * already has the group.
 */
export function mavenName(pkg: Package): string[] {
  const purl = tryParsePurl(pkg.purl);
  if (purl?.type === 'maven' && purl.namespace) return [`${purl.namespace}:${purl.name}`];
  const pom = pkg.metadata?.pomProperties as { groupId?: unknown; artifactId?: unknown } | undefined;
  if (typeof pom?.groupId === 'string' && pom.groupId) {
    return [
      `${pom.groupId}:${typeof pom.artifactId === 'string' && pom.artifactId ? pom.artifactId : pkg.name}`,
    ];
  }
  return pkg.name.includes(':') ? [pkg.name] : [];
}

/** The name as the SBOM gives it (npm `@scope/name`, Go module path, Composer `vendor/name`). */
export function plainName(pkg: Package): string[] {
  return [pkg.name];
}
