import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCodes, KubeguardError } from '../common/index.ts';
import { generateSbom } from '../sbom/index.ts';
import type { SbomModel } from '../sbom/index.ts';
import type { ImageSourceOptions } from './sbom.ts';
import { addImageSourceOptions, imageSourceOptions } from './sbom.ts';
import { defaultDbPath, describeAge, openAdvisoryDb } from '../vuln/index.ts';
import {
  OUTPUT_FORMATS,
  parseIgnoreRulesYaml,
  parseOpenVex,
  readSbomFile,
  renderDocument,
  renderTable,
  scanSbom,
  severityAtLeast,
  SEVERITY_ORDER,
  type GrypeSeverity,
  type OutputFormat,
  type ScanWarning,
  type VexStatement,
} from '../vuln/index.ts';

/** Exit code when `--fail-on` finds a match at or above the threshold (1 is for errors). */
export const EXIT_VULNERABLE = 2;

const MAX_WARNINGS_SHOWN = 20;

function severity(value: string): GrypeSeverity {
  const found = SEVERITY_ORDER.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!found || found === 'Unknown') {
    throw new InvalidArgumentError(
      `expected one of ${SEVERITY_ORDER.filter((s) => s !== 'Unknown')
        .join(', ')
        .toLowerCase()}`,
    );
  }
  return found;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeguardError(ErrorCodes.notFound, `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/**
 * An SBOM file is read; anything else is an image source (a reference, docker-archive:, oci-dir:,
 * dir:, ...) that the SBOM engine catalogues first.
 */
async function sbomOf(source: string, opts: VulnOptions): Promise<SbomModel> {
  let isFile = false;
  try {
    isFile = fs.statSync(source).isFile();
  } catch {
    isFile = false;
  }
  if (isFile) return readSbomFile(source).sbom;
  const generated = await generateSbom(source, imageSourceOptions(opts));
  if (generated.status !== 'ready' && !opts.quiet) {
    process.stderr.write(
      `warning: the SBOM of ${source} is ${generated.status}${generated.statusReason ? ` (${generated.statusReason})` : ''}: findings may be missing\n`,
    );
  }
  return generated;
}

function printWarnings(warnings: ScanWarning[]): void {
  if (warnings.length === 0) return;
  const counts = new Map<string, number>();
  for (const w of warnings) counts.set(w.code, (counts.get(w.code) ?? 0) + 1);
  process.stderr.write(
    `warning: ${warnings.length} problem(s) while matching (${[...counts].map(([c, n]) => `${n} ${c}`).join(', ')}):\n`,
  );
  for (const w of warnings.slice(0, MAX_WARNINGS_SHOWN)) process.stderr.write(`  ${w.message}\n`);
  if (warnings.length > MAX_WARNINGS_SHOWN)
    process.stderr.write(`  … and ${warnings.length - MAX_WARNINGS_SHOWN} more\n`);
}

interface VulnOptions extends ImageSourceOptions {
  db: string;
  output: OutputFormat;
  file?: string;
  ignoreFile?: string;
  vex?: string[];
  failOn?: GrypeSeverity;
  byCve?: boolean;
  showSuppressed?: boolean;
  quiet?: boolean;
}

/** Runs one scan; returns the process exit code (0, or EXIT_VULNERABLE for --fail-on). */
export async function runVuln(source: string, opts: VulnOptions): Promise<number> {
  const sbom = await sbomOf(source, opts);
  const ignoreRules = opts.ignoreFile
    ? parseIgnoreRulesYaml(readText(opts.ignoreFile, 'ignore file'), opts.ignoreFile)
    : [];
  const vexStatements: VexStatement[] = [];
  for (const file of opts.vex ?? [])
    vexStatements.push(...parseOpenVex(readText(file, 'VEX document'), file, vexStatements.length));

  const db = openAdvisoryDb(opts.db, { readonly: true });
  try {
    const age = describeAge(db.metadata().built);
    if (age.stale && !opts.quiet) process.stderr.write(`warning: vulnerability database ${age.text}\n`);
    const result = scanSbom(sbom, db, { ignoreRules, vexStatements, normalizeByCve: opts.byCve ?? false });
    if (!opts.quiet) printWarnings(result.warnings);
    const doc = result.document;
    const text =
      opts.output === 'table'
        ? renderTable(doc, { showSuppressed: opts.showSuppressed ?? false })
        : renderDocument(doc, opts.output);
    if (opts.file) fs.writeFileSync(opts.file, text);
    else process.stdout.write(text);
    if (opts.failOn) {
      const threshold = opts.failOn;
      const hits = doc.matches.filter((m) => severityAtLeast(m.vulnerability.severity, threshold));
      if (hits.length > 0) {
        process.stderr.write(
          `${hits.length} vulnerabilit${hits.length === 1 ? 'y' : 'ies'} at or above severity ${threshold}\n`,
        );
        return EXIT_VULNERABLE;
      }
    }
    return 0;
  } finally {
    db.close();
  }
}

export function vulnCommand(): Command {
  return addImageSourceOptions(new Command('vuln'))
    .description(
      'find the vulnerabilities of an image or an SBOM file with the offline database (grype-compatible output)',
    )
    .argument(
      '<source>',
      'SBOM file (SPDX, syft or CycloneDX JSON), image reference, docker-archive:FILE, oci-archive:FILE, oci-dir:DIR or dir:DIR',
    )
    .addOption(new Option('--db <path>', 'vulnerability database file').default(defaultDbPath()))
    .addOption(
      new Option('-o, --output <format>', 'output format').choices([...OUTPUT_FORMATS]).default('table'),
    )
    .option('--file <path>', 'write the report to this file instead of standard output')
    .option('--ignore-file <path>', 'YAML ignore rules (grype `ignore:` format)')
    .option(
      '--vex <file>',
      'OpenVEX document; not_affected/fixed statements suppress matches (repeatable)',
      collect,
    )
    .option('--fail-on <severity>', `exit ${EXIT_VULNERABLE} when a match is at least this severe`, severity)
    .option('--by-cve', 'report findings under their CVE id (kubevuln NormalizeByCVE)')
    .option('--show-suppressed', 'table output: also list ignored matches')
    .option('-q, --quiet', 'no warnings on standard error')
    .action(async (source: string, opts: VulnOptions) => {
      const code = await runVuln(source, opts);
      if (code !== 0) process.exitCode = code;
    })
    .addHelpText(
      'after',
      `\nExamples:\n  kubeguard vuln sbom.syft.json\n  kubeguard vuln sbom.spdx.json -o json --file report.json --fail-on high\n  kubeguard vuln sbom.cdx.json --ignore-file ignore.yaml --vex app.openvex.json -o sarif\n`,
    );
}
