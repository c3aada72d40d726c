/** npm packages; names compare exactly, as npm's registry does (`Axios` is not `axios`). */
import type { Matcher } from './types.ts';
import {
  LANGUAGE_ECOSYSTEMS,
  matchByLanguage,
  plainName,
  type LanguageEcosystem,
} from './shared/language.ts';

export const javascriptMatcher: Matcher = {
  id: 'javascript-matcher',
  packageTypes: ['npm'],
  match: (pkg, ctx) =>
    matchByLanguage(pkg, ctx, LANGUAGE_ECOSYSTEMS.npm as LanguageEcosystem, {
      matcher: 'javascript-matcher',
      names: plainName,
      version: (p) => p.version,
    }),
};
