/**
 * kubevuln's matching step: an SBOM against an advisory provider, giving the grype-compatible
 * document. VEX statements and ignore rules then move findings to `ignoredMatches`; warnings
 * (unparsable versions, unsupported distros, bad CVSS vectors) are data, never a failed scan.
 */
import { performance } from 'node:perf_hooks';
import { silentLogger, type Logger } from '../common/index.ts';
import type { SbomModel } from '../sbom/index.ts';
import {
  emptyMemo,
  emptyStats,
  matcherFor,
  type MatchContext,
  type MatchStats,
  type ScanWarning,
} from './matchers/index.ts';
import {
  applyIgnoreRules,
  applyVex,
  buildDocument,
  ruleFits,
  type GrypeDocument,
  type IgnoreRule,
  type IgnoredMatch,
  type Match,
  type VexStatement,
} from './report/index.ts';
import type { AdvisoryProvider } from './types.ts';

export interface ScanOptions {
  /** Goes into `descriptor.version`. */
  scannerVersion?: string;
  ignoreRules?: IgnoreRule[];
  vexStatements?: VexStatement[];
  /** Report findings under their CVE id when the records agree on one (kubevuln's NormalizeByCVE). */
  normalizeByCve?: boolean;
  /** Warnings are also logged here (once per distinct message). */
  logger?: Logger;
}

export interface ScanResult {
  document: GrypeDocument;
  warnings: ScanWarning[];
  stats: MatchStats;
  timing: { matchMs: number; totalMs: number };
}

export function scanSbom(sbom: SbomModel, provider: AdvisoryProvider, options: ScanOptions = {}): ScanResult {
  const started = performance.now();
  const logger = options.logger ?? silentLogger;
  const warnings: ScanWarning[] = [];
  const seen = new Set<string>();
  const ctx: MatchContext = {
    provider,
    warn: (w) => {
      if (seen.has(w.message)) return;
      seen.add(w.message);
      warnings.push(w);
      logger.warn(w.message, { code: w.code });
    },
    stats: emptyStats(),
    normalizeByCve: options.normalizeByCve ?? false,
    memo: emptyMemo(),
  };
  if (sbom.distro) ctx.distro = sbom.distro;

  let matches: Match[] = [];
  const matchAll = (): void => {
    for (const pkg of sbom.packages) {
      ctx.stats.packages += 1;
      matches.push(...matcherFor(pkg.type).match(pkg, ctx));
    }
  };
  // All lookups in one read of the database where the provider offers it.
  if (provider.read) provider.read(matchAll);
  else matchAll();
  const matchMs = performance.now() - started;

  let ignored: IgnoredMatch[] = [];
  if (options.vexStatements?.length) {
    const vex = applyVex(matches, options.vexStatements, sbom.source);
    matches = vex.matches;
    ignored = vex.ignored;
  }
  const rules = options.ignoreRules ?? [];
  if (rules.length > 0) {
    // A match VEX already suppressed also records the rules that fit it: every reason is kept.
    ignored = ignored.map((m) => ({
      ...m,
      appliedIgnoreRules: [...m.appliedIgnoreRules, ...rules.filter((r) => ruleFits(r, m))],
    }));
    const outcome = applyIgnoreRules(matches, rules);
    matches = outcome.matches;
    ignored.push(...outcome.ignored);
  }

  const configuration: Record<string, unknown> = {
    normalizeByCve: ctx.normalizeByCve,
    ignoreRules: rules.length,
    vexStatements: options.vexStatements?.length ?? 0,
  };
  const document = buildDocument({
    matches,
    ignoredMatches: ignored,
    source: sbom.source,
    distro: sbom.distro,
    scannerVersion: options.scannerVersion ?? '0.1.0',
    db: provider.metadata(),
    configuration,
  });
  return { document, warnings, stats: ctx.stats, timing: { matchMs, totalMs: performance.now() - started } };
}
