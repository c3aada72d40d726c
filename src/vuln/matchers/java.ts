/**
 * Maven artifacts, looked up as `group:artifact` (the purl's namespace and name). An archive
 * without a group cannot be told apart from same-named artifacts of other groups: not searched.
 */
import type { Matcher } from './types.ts';
import {
  LANGUAGE_ECOSYSTEMS,
  matchByLanguage,
  mavenName,
  type LanguageEcosystem,
} from './shared/language.ts';

export const javaMatcher: Matcher = {
  id: 'java-matcher',
  packageTypes: ['java-archive'],
  match: (pkg, ctx) =>
    matchByLanguage(pkg, ctx, LANGUAGE_ECOSYSTEMS['java-archive'] as LanguageEcosystem, {
      matcher: 'java-matcher',
      names: mavenName,
      version: (p) => p.version,
    }),
};
