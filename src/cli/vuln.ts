import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCodes, KubeguardError } from '../common/index.ts';
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

/** A source that is not a readable file: an image reference or a directory. */
function requireSbomFile(source: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(source);
  } catch {
    stat = undefined;
  }
  if (stat?.isFile()) return;
  const what = stat?.isDirectory() ? 'a directory' : 'not a file (an image reference?)';
  throw new KubeguardError(
    ErrorCodes.invalidInput,
    `"${source}" is ${what}: scanning images and directories needs the SBOM engine, which \`kubeguard vuln\` does not run yet`,
    {
      hint: 'pass an SBOM file (SPDX JSON, syft JSON or CycloneDX JSON), e.g. from `syft <image> -o syft-json=sbom.json`',
    },
  );
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

interface VulnOptions {
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
export function runVuln(source: string, opts: VulnOptions): number {
  requireSbomFile(source);
  const { sbom } = readSbomFile(source);
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
  return new Command('vuln')
    .description('match an SBOM file against the offline vulnerability database (grype-compatible output)')
    .argument('<sbom-file>', 'SPDX JSON, syft JSON or CycloneDX JSON SBOM')
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
    .action((source: string, opts: VulnOptions) => {
      const code = runVuln(source, opts);
      if (code !== 0) process.exitCode = code;
    })
    .addHelpText(
      'after',
      `\nExamples:\n  kubeguard vuln sbom.syft.json\n  kubeguard vuln sbom.spdx.json -o json --file report.json --fail-on high\n  kubeguard vuln sbom.cdx.json --ignore-file ignore.yaml --vex app.openvex.json -o sarif\n`,
    );
}
