/**
 * The matcher registry (grype's matcher/matchers.go): every matcher once, the stock matcher last as
 * the fallback for types no other matcher claims.
 */
import type { PackageType } from '../../sbom/index.ts';
import { apkMatcher } from './apk.ts';
import { dpkgMatcher } from './dpkg.ts';
import { golangMatcher } from './golang.ts';
import { javaMatcher } from './java.ts';
import { javascriptMatcher } from './javascript.ts';
import { pythonMatcher } from './python.ts';
import { rpmMatcher } from './rpm.ts';
import {
  dartPubMatcher,
  dotnetMatcher,
  hexMatcher,
  phpComposerMatcher,
  rubyGemMatcher,
  rustMatcher,
} from './simple.ts';
import { stockMatcher } from './stock.ts';
import type { Matcher } from './types.ts';

export const matchers: readonly Matcher[] = [
  dpkgMatcher,
  rpmMatcher,
  apkMatcher,
  pythonMatcher,
  javascriptMatcher,
  golangMatcher,
  javaMatcher,
  rubyGemMatcher,
  rustMatcher,
  dotnetMatcher,
  phpComposerMatcher,
  hexMatcher,
  dartPubMatcher,
  stockMatcher,
];

const byType = new Map<PackageType, Matcher>();
for (const m of matchers) for (const t of m.packageTypes) if (!byType.has(t)) byType.set(t, m);

/** The matcher responsible for a package type; the stock matcher for anything unclaimed. */
export function matcherFor(type: PackageType): Matcher {
  return byType.get(type) ?? stockMatcher;
}

export type {
  Matcher,
  MatchContext,
  MatcherId,
  MatchStats,
  ScanMemo,
  ScanWarning,
  ScanWarningCode,
} from './types.ts';
export { emptyMemo, emptyStats } from './types.ts';
export { distroEcosystems } from './shared/distro.ts';
export { groupRelated } from './shared/related.ts';
export { recordSeverity, severityOfRating } from './shared/severity.ts';
