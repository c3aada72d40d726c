/**
 * Go modules. Go advisories write versions without the `v` SBOMs carry (`v0.17.0`), and the
 * standard library is the module `stdlib` at the toolchain version (`go1.21.3`).
 */
import type { Package } from '../../sbom/index.ts';
import type { Matcher } from './types.ts';
import {
  LANGUAGE_ECOSYSTEMS,
  matchByLanguage,
  plainName,
  type LanguageEcosystem,
} from './shared/language.ts';

export function goVersion(pkg: Package): string {
  if (pkg.name === 'stdlib' && pkg.version.startsWith('go')) return pkg.version.slice(2);
  return pkg.version.startsWith('v') ? pkg.version.slice(1) : pkg.version;
}

export const golangMatcher: Matcher = {
  id: 'go-module-matcher',
  packageTypes: ['go-module'],
  match: (pkg, ctx) =>
    matchByLanguage(pkg, ctx, LANGUAGE_ECOSYSTEMS['go-module'] as LanguageEcosystem, {
      matcher: 'go-module-matcher',
      names: plainName,
      version: goVersion,
    }),
};
