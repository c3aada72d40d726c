/**
 * Ecosystems whose matching is the shared language strategy with no policy of their own: the
 * name as published, the version as installed. One matcher each, as grype has.
 */
import type { PackageType } from '../../sbom/index.ts';
import type { Matcher, MatcherId } from './types.ts';
import {
  LANGUAGE_ECOSYSTEMS,
  matchByLanguage,
  plainName,
  type LanguageEcosystem,
} from './shared/language.ts';

function languageMatcher(id: MatcherId, type: PackageType): Matcher {
  const eco = LANGUAGE_ECOSYSTEMS[type] as LanguageEcosystem;
  return {
    id,
    packageTypes: [type],
    match: (pkg, ctx) =>
      matchByLanguage(pkg, ctx, eco, { matcher: id, names: plainName, version: (p) => p.version }),
  };
}

/** RubyGems: gem names are case-sensitive and published as installed. */
export const rubyGemMatcher = languageMatcher('ruby-gem-matcher', 'gem');
/** crates.io. */
export const rustMatcher = languageMatcher('rust-matcher', 'rust-crate');
/** NuGet: the database lower-cases names, as nuget.org compares them. */
export const dotnetMatcher = languageMatcher('dotnet-matcher', 'dotnet');
/** Packagist `vendor/name`, lower-cased by the database. */
export const phpComposerMatcher = languageMatcher('php-composer-matcher', 'php-composer');
/** Hex (Erlang/Elixir). */
export const hexMatcher = languageMatcher('hex-matcher', 'hex');
/** Dart/Flutter pub. */
export const dartPubMatcher = languageMatcher('dart-pub-matcher', 'dart-pub');
