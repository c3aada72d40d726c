import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCodes, KubeguardError, messageOf } from '../common/index.ts';
import { loadKubeConfig } from '../k8s/index.ts';
import {
  allRuleKinds,
  evaluateRuleOn,
  fixEdit,
  getControl,
  jsonReportChunks,
  loadCaseCluster,
  loadCaseConfig,
  loadInputObjects,
  loadPaths,
  locate,
  renderHtml,
  renderJunit,
  renderPrometheus,
  renderSarif,
  renderTable,
  requireRule,
  scan,
  ScanInputError,
  violationsForOutput,
  type ConfigInputs,
  type ExceptionPolicy,
  type PostureReport,
  type ScanObject,
  type ScanRequest,
} from '../posture/index.ts';
import { collectClusterObjects } from '../services/index.ts';

const FORMATS = ['pretty-printer', 'json', 'sarif', 'junit', 'html', 'prometheus'] as const;
type Format = (typeof FORMATS)[number];
const FORMAT_EXTENSIONS: Record<Format, string> = {
  'pretty-printer': 'txt',
  json: 'json',
  sarif: 'sarif',
  junit: 'xml',
  html: 'html',
  prometheus: 'prom',
};
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
type SeverityLevel = (typeof SEVERITIES)[number];

interface ScanOptions {
  format: Format[];
  output?: string;
  controlsConfig?: string;
  exceptions?: string;
  excludeNamespaces?: string[];
  includeNamespaces?: string[];
  excludeControls?: string[];
  complianceThreshold?: number;
  severityThreshold?: SeverityLevel;
  verbose?: boolean;
  color?: boolean;
  kubeconfig?: string;
  context?: string;
  clusterName?: string;
  cloudProvider?: string;
  honorInlineExceptions?: boolean;
  quiet?: boolean;
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

function formats(value: string, previous: Format[] | undefined): Format[] {
  const wanted = list(value).map((f) => (f === 'pretty' || f === 'table' ? 'pretty-printer' : f));
  for (const f of wanted) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new InvalidArgumentError(`unknown format "${f}"; expected ${FORMATS.join(', ')}`);
    }
  }
  // The default is replaced, not extended, by the first --format.
  return [...(previous && previous !== DEFAULT_FORMAT ? previous : []), ...(wanted as Format[])];
}
const DEFAULT_FORMAT: Format[] = ['pretty-printer'];

function percentage(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('expected a number from 0 to 100');
  return n;
}

function severityLevel(value: string): SeverityLevel {
  const v = value.toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}`);
  }
  return v as SeverityLevel;
}

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeguardError(ErrorCodes.notFound, `cannot read ${what} ${file}: ${messageOf(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KubeguardError(ErrorCodes.invalidInput, `${what} ${file} is not valid JSON: ${messageOf(err)}`);
  }
}

/** `--controls-config`: flat `{key: [values]}`, or Kubescape's `{settings: {postureControlInputs}}`. */
export function readControlsConfig(file: string): ConfigInputs {
  const data = readJsonFile(file, 'controls configuration') as Record<string, unknown>;
  const inputs =
    (data.settings as { postureControlInputs?: unknown } | undefined)?.postureControlInputs ??
    data.postureControlInputs ??
    data;
  if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new KubeguardError(ErrorCodes.invalidInput, `controls configuration ${file} must be a JSON object`);
  }
  const result: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (!Array.isArray(value)) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `controls configuration ${file}: "${key}" must be a list of strings`,
        { hint: 'write it as "key": ["value", ...]' },
      );
    }
    result[key] = value.map(String);
  }
  return result;
}

function readExceptions(file: string): ExceptionPolicy[] {
  const data = readJsonFile(file, 'exceptions file');
  const policies = Array.isArray(data) ? data : [data];
  for (const [i, policy] of policies.entries()) {
    if (!policy || typeof policy !== 'object' || typeof (policy as { name?: unknown }).name !== 'string') {
      throw new KubeguardError(ErrorCodes.invalidInput, `exceptions file ${file}: entry ${i} has no "name"`, {
        hint: 'the file is a JSON array of posture exception policies (name, resources, posturePolicies)',
      });
    }
  }
  return policies as ExceptionPolicy[];
}

function progress(quiet: boolean | undefined): (text: string, final?: boolean) => void {
  const tty = process.stderr.isTTY;
  return (text, final = false) => {
    if (quiet) return;
    if (tty) process.stderr.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else if (final) process.stderr.write(`${text}\n`);
  };
}

async function collectTarget(
  paths: string[],
  opts: ScanOptions,
): Promise<
  Pick<ScanRequest, 'objects' | 'target' | 'cluster' | 'failedKinds' | 'inputProblems' | 'targetDescription'>
> {
  const report = progress(opts.quiet);
  if (paths.length > 0) {
    const started = performance.now();
    const loaded = await loadPaths(paths);
    report(
      `read ${loaded.objects.length} objects from ${paths.join(', ')} in ${Math.round(performance.now() - started)} ms` +
        (loaded.problems.length > 0
          ? ` (${loaded.problems.length} input problem(s), listed in the report)`
          : ''),
      true,
    );
    return {
      objects: loaded.objects,
      target: 'file',
      inputProblems: loaded.problems,
      targetDescription: paths.join(', '),
    };
  }
  const kc = loadKubeConfig(opts.kubeconfig, opts.context);
  const started = performance.now();
  const collected = await collectClusterObjects(kc, {
    kinds: allRuleKinds(),
    ...(opts.includeNamespaces ? { includeNamespaces: opts.includeNamespaces } : {}),
    ...(opts.excludeNamespaces ? { excludeNamespaces: opts.excludeNamespaces } : {}),
    onProgress: (e) =>
      report(`collecting from the cluster: ${e.done}/${e.total} kinds (${e.kind}: ${e.count})`),
  });
  report(
    `collected ${collected.objects.length} objects of ${new Set(collected.objects.map((o) => o.kind)).size} kinds from ${kc.getCurrentContext()} in ${Math.round(performance.now() - started)} ms` +
      (collected.failedKinds.length > 0
        ? `; could not list ${collected.failedKinds.map((f) => f.kind).join(', ')}`
        : ''),
    true,
  );
  const objects: ScanObject[] = collected.objects.map((object) => ({ object }));
  const cluster: NonNullable<ScanRequest['cluster']> = {
    name: opts.clusterName ?? collected.clusterName,
    serverVersion: collected.serverVersion,
  };
  if (opts.cloudProvider) cluster.cloudProvider = opts.cloudProvider;
  return {
    objects,
    target: 'cluster',
    cluster,
    failedKinds: collected.failedKinds,
    targetDescription: collected.clusterName,
  };
}

function controlMeta(
  id: string,
): { id: string; name: string; description: string; remediation: string; baseScore: number } | undefined {
  const control = getControl(id);
  return control
    ? {
        id: control.id,
        name: control.name,
        description: control.description,
        remediation: control.remediation,
        baseScore: control.baseScore,
      }
    : undefined;
}

function render(
  report: PostureReport,
  format: Format,
  opts: ScanOptions,
  toTerminal: boolean,
): string | Iterable<string> {
  switch (format) {
    case 'pretty-printer':
      return renderTable(
        report,
        {
          color: toTerminal && opts.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY),
          verbose: opts.verbose ?? false,
          width: process.stdout.columns ?? 120,
        },
        controlMeta,
      );
    case 'json':
      return jsonReportChunks(report, 0);
    case 'sarif':
      return renderSarif(report, controlMeta, locate, { fixEdit });
    case 'junit':
      return renderJunit(report, controlMeta);
    case 'html':
      return renderHtml(report, controlMeta);
    case 'prometheus':
      return renderPrometheus(report, controlMeta);
  }
}

function writeOut(target: string | undefined, content: string | Iterable<string>): void {
  if (target === undefined) {
    if (typeof content === 'string') process.stdout.write(content);
    else for (const chunk of content) process.stdout.write(chunk);
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  if (typeof content === 'string') {
    fs.writeFileSync(target, content);
    return;
  }
  const fd = fs.openSync(target, 'w');
  try {
    for (const chunk of content) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

const SEVERITY_RANK: Record<SeverityLevel, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Exit-code gates of §3.7; returns the reasons the scan fails them. */
export function gateFailures(
  report: PostureReport,
  opts: Pick<ScanOptions, 'complianceThreshold' | 'severityThreshold'>,
): string[] {
  const failures: string[] = [];
  const summary = report.summaryDetails;
  if (opts.complianceThreshold !== undefined && summary.complianceScore < opts.complianceThreshold) {
    failures.push(
      `compliance score ${summary.complianceScore.toFixed(2)}% is below the threshold ${opts.complianceThreshold}%`,
    );
  }
  if (opts.severityThreshold) {
    const level = SEVERITY_RANK[opts.severityThreshold];
    const counters = summary.resourcesSeverityCounters;
    const hits: [string, number, number][] = [
      ['critical', counters.criticalSeverity, 4],
      ['high', counters.highSeverity, 3],
      ['medium', counters.mediumSeverity, 2],
      ['low', counters.lowSeverity, 1],
    ];
    const over = hits.filter(([, count, rank]) => rank >= level && count > 0);
    const unknown = Object.values(summary.controls).some(
      (c) => c.status === 'failed' && c.severity === 'Unknown',
    );
    if (over.length > 0 || unknown) {
      failures.push(
        `failed resources at or above severity ${opts.severityThreshold}: ${over.map(([name, count]) => `${count} ${name}`).join(', ')}${unknown ? ' (and controls of unknown severity)' : ''}`,
      );
    }
  }
  return failures;
}

export async function runScan(
  paths: string[],
  selection: Pick<ScanRequest, 'frameworks' | 'controls'>,
  opts: ScanOptions,
): Promise<number> {
  const target = await collectTarget(paths, opts);
  const request: ScanRequest = {
    ...target,
    ...selection,
    ...(opts.controlsConfig ? { config: readControlsConfig(opts.controlsConfig) } : {}),
    ...(opts.exceptions ? { exceptions: readExceptions(opts.exceptions) } : {}),
    ...(opts.excludeNamespaces ? { excludeNamespaces: opts.excludeNamespaces } : {}),
    ...(opts.includeNamespaces ? { includeNamespaces: opts.includeNamespaces } : {}),
    ...(opts.excludeControls ? { excludeControls: opts.excludeControls } : {}),
    ...(opts.honorInlineExceptions !== undefined
      ? { honorInlineExceptions: opts.honorInlineExceptions }
      : {}),
  };
  const show = progress(opts.quiet);
  request.onProgress = (p) => {
    if (p.done % 10 === 0 || p.done === p.total) show(`evaluating rules: ${p.done}/${p.total}`);
  };
  const started = performance.now();
  let report: PostureReport;
  try {
    report = scan(request);
  } catch (err) {
    if (err instanceof ScanInputError) throw new KubeguardError(ErrorCodes.invalidInput, err.message);
    throw err;
  }
  show(
    `evaluated ${Object.keys(report.summaryDetails.controls).length} controls on ${report.results.length} resources in ${Math.round(performance.now() - started)} ms`,
    true,
  );
  report.metadata.scanMetadata.formats = [...opts.format];
  report.metadata.scanMetadata.format = opts.format.join(',');
  report.metadata.scanMetadata.complianceThreshold = opts.complianceThreshold ?? 0;
  report.metadata.scanMetadata.verboseMode = opts.verbose ?? false;
  for (const format of opts.format) {
    const file =
      opts.output && opts.format.length > 1
        ? `${opts.output.replace(/\.[^./]+$/, '')}.${FORMAT_EXTENSIONS[format]}`
        : opts.output;
    writeOut(file, render(report, format, opts, file === undefined));
    if (file && !opts.quiet) process.stderr.write(`wrote ${format} report to ${file}\n`);
  }
  const failures = gateFailures(report, opts);
  for (const failure of failures) process.stderr.write(`scan failed the gate: ${failure}\n`);
  return failures.length > 0 ? 1 : 0;
}

function addScanOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-f, --format <formats>', `output formats, comma-separated: ${FORMATS.join(', ')}`)
        .argParser(formats)
        .default(DEFAULT_FORMAT, 'pretty-printer'),
    )
    .option(
      '-o, --output <file>',
      'write the report to a file (one file per format, by extension, when several)',
    )
    .option('--controls-config <file>', 'configuration inputs: JSON {"key": ["value", ...]}')
    .option('--exceptions <file>', 'JSON array of posture exception policies')
    .option('-e, --exclude-namespaces <namespaces>', 'namespaces to leave out (comma-separated)', list)
    .option('--include-namespaces <namespaces>', 'only these namespaces (comma-separated)', list)
    .option('--exclude-controls <ids>', 'controls to leave out (comma-separated IDs)', list)
    .option('--compliance-threshold <percent>', 'exit 1 when the compliance score is below this', percentage)
    .option(
      '--severity-threshold <severity>',
      'exit 1 when a failed resource has this severity or higher',
      severityLevel,
    )
    .option('-v, --verbose', 'list every failed resource in the table output')
    .option('--no-color', 'no colours in the table output')
    .option(
      '--honor-inline-exceptions',
      'apply kubescape.io/skip-controls annotations (default for file scans)',
    )
    .option('--no-honor-inline-exceptions', 'ignore kubescape.io/skip-controls annotations')
    .option('--kubeconfig <file>', 'kubeconfig for cluster scans (default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--cluster-name <name>', 'cluster name in the report and exceptions (default: the context name)')
    .option(
      '--cloud-provider <eks|aks|gke>',
      'managed cluster provider (enables its provider-scoped controls)',
    )
    .option('-q, --quiet', 'no progress on standard error');
}

async function act(
  paths: string[],
  selection: Pick<ScanRequest, 'frameworks' | 'controls'>,
  opts: ScanOptions,
): Promise<void> {
  const code = await runScan(paths, selection, opts);
  if (code !== 0) process.exitCode = code;
}

interface RuleOptions {
  input: string;
  controlsConfig?: string;
  format: string;
}

function ruleCommand(): Command {
  return new Command('rule')
    .description('evaluate one rule over a test case folder and print its violations (conformance)')
    .argument('<rule-name>', 'Kubescape rule name, e.g. immutable-container-filesystem')
    .requiredOption('--input <dir>', "folder of YAML/JSON objects (a case's input/ folder)")
    .option('--controls-config <data.json>', 'configuration inputs ({postureControlInputs} or flat)')
    .addOption(new Option('--format <format>', 'output format').choices(['json']).default('json'))
    .action((name: string, opts: RuleOptions) => {
      const rule = requireRule(name);
      if (!fs.existsSync(opts.input) || !fs.statSync(opts.input).isDirectory()) {
        throw new KubeguardError(ErrorCodes.notFound, `input folder ${opts.input} does not exist`);
      }
      const config = opts.controlsConfig ? loadCaseConfig(opts.controlsConfig) : undefined;
      const cluster = opts.controlsConfig ? loadCaseCluster(opts.controlsConfig) : {};
      const violations = evaluateRuleOn(rule, loadInputObjects(opts.input), config, cluster);
      process.stdout.write(`${JSON.stringify(violationsForOutput(violations), null, 2)}\n`);
    });
}

export function scanCommand(): Command {
  // Positional options: `scan framework nsa --format json` gives --format to `framework`, not to `scan`.
  const command = addScanOptions(new Command('scan'))
    .enablePositionalOptions()
    .description(
      'scan Kubernetes objects (files, directories, stdin "-", or the cluster) against posture controls',
    )
    .argument('[paths...]', 'YAML/JSON files or directories; "-" for stdin; none to scan the current cluster')
    .action((paths: string[], opts: ScanOptions) => act(paths, {}, opts));
  command.addCommand(
    addScanOptions(new Command('framework'))
      .description('scan against frameworks (nsa, mitre, cis-v1.10.0, allcontrols, ...; "all" for every one)')
      .argument('<names>', 'framework names, comma-separated')
      .argument('[paths...]', 'files or directories; none to scan the cluster')
      .action((names: string, paths: string[], opts: ScanOptions) =>
        act(paths, { frameworks: list(names) }, opts),
      ),
  );
  command.addCommand(
    addScanOptions(new Command('control'))
      .description('scan specific controls')
      .argument('<ids>', 'control IDs or names, comma-separated (e.g. C-0017,C-0055)')
      .argument('[paths...]', 'files or directories; none to scan the cluster')
      .action((ids: string, paths: string[], opts: ScanOptions) => act(paths, { controls: list(ids) }, opts)),
  );
  command.addCommand(ruleCommand());
  command.addHelpText(
    'after',
    `\nExamples:\n  kubeguard scan deploy/                       # file scan: workloadscan + allcontrols\n  kubeguard scan framework nsa,mitre           # the current cluster\n  kubeguard scan control C-0017 app.yaml -f sarif -o results.sarif\n  kubeguard scan framework all . -f json,html -o report --compliance-threshold 80\n  kubectl get deploy -A -o yaml | kubeguard scan -\n`,
  );
  return command;
}
