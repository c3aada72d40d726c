/** PyPI packages; PEP 503 name normalisation happens in the database lookup (`Jinja2` = `jinja2`). */
import type { Matcher } from './types.ts';
import {
  LANGUAGE_ECOSYSTEMS,
  matchByLanguage,
  plainName,
  type LanguageEcosystem,
} from './shared/language.ts';

export const pythonMatcher: Matcher = {
  id: 'python-matcher',
  packageTypes: ['python'],
  match: (pkg, ctx) =>
    matchByLanguage(pkg, ctx, LANGUAGE_ECOSYSTEMS.python as LanguageEcosystem, {
      matcher: 'python-matcher',
      names: plainName,
      version: (p) => p.version,
    }),
};
