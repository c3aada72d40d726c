/**
 * Fallback for packages no ecosystem matcher claims (type `binary`/`unknown`): when the purl names
 * a language ecosystem the package is matched there; grype's CPE search is not implemented (the
 * database holds no NVD CPE configurations), so anything else is counted as unsearchable.
 */
import { tryParsePurl } from '../sbom-input/index.ts';
import { goVersion } from './golang.ts';
import type { Matcher } from './types.ts';
import { LANGUAGE_ECOSYSTEMS, TYPE_BY_PURL_TYPE, matchByLanguage, mavenName } from './shared/language.ts';
import { packageNameOfPurl } from '../sbom-input/index.ts';

export const stockMatcher: Matcher = {
  id: 'stock-matcher',
  packageTypes: ['binary', 'unknown'],
  match: (pkg, ctx) => {
    const purl = tryParsePurl(pkg.purl);
    const type = purl ? TYPE_BY_PURL_TYPE[purl.type] : undefined;
    const eco = type ? LANGUAGE_ECOSYSTEMS[type] : undefined;
    if (!purl || !eco) {
      ctx.stats.unsearchable += 1;
      return [];
    }
    const name = packageNameOfPurl(purl);
    return matchByLanguage(pkg, ctx, eco, {
      matcher: 'stock-matcher',
      names: (p) => (type === 'java-archive' ? mavenName(p) : [name]),
      version: (p) => (type === 'go-module' ? goVersion({ ...p, name }) : p.version || purl.version || ''),
    });
  },
};
