/**
 * Terminal output: the controls table grouped by severity, failed resources per control (verbose),
 * a summary (frameworks, resources, the overall compliance score line Kubescape prints) and the
 * input problems.
 */
import type { InputProblem, PostureReport, SeverityName, Status } from './model.ts';
import type { ControlLookup } from './meta.ts';
import {
  ReportIndex,
  controlInfo,
  controlSeverity,
  controlsBySeverity,
  findingPaths,
  formatScore,
  nameResource,
  overallScore,
  sourceText,
  statusText,
  totalResources,
} from './view.ts';

export interface TableOptions {
  color: boolean;
  /** List failed resources (and their paths) under each failed control. */
  verbose?: boolean;
  /** Terminal width: the name column shrinks (with an ellipsis) to fit. */
  width?: number;
}

const RESET = '\u001b[0m';
const STYLE = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  boldRed: '\u001b[1;31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
} as const;
type Style = keyof typeof STYLE;

const SEVERITY_STYLE: Record<SeverityName, Style> = {
  Critical: 'boldRed',
  High: 'red',
  Medium: 'yellow',
  Low: 'cyan',
  Unknown: 'dim',
};
const STATUS_STYLE: Record<Status, Style> = { failed: 'red', passed: 'green', skipped: 'yellow' };

const MIN_NAME_WIDTH = 16;
const GAP = '  ';

/** Lines are padded on plain text; colour is added after, so columns line up either way. */
class Painter {
  constructor(private readonly enabled: boolean) {}
  paint(text: string, style: Style | undefined): string {
    return this.enabled && style && text ? `${STYLE[style]}${text}${RESET}` : text;
  }
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = new RegExp('[\\u0000-\\u001f\\u007f-\\u009f]', 'g');

/** Input-derived text must not move the cursor or recolour the terminal: control characters are shown escaped. */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

interface Cell {
  text: string;
  style?: Style;
  alignRight?: boolean;
}

function renderRows(
  rows: Cell[][],
  painter: Painter,
  width: number | undefined,
  shrinkColumn: number,
): string[] {
  const columns = rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...rows.map((row) => row[i]?.text.length ?? 0)),
  );
  if (width !== undefined) {
    const total = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (columns - 1);
    const excess = total - width;
    const current = widths[shrinkColumn] ?? 0;
    if (excess > 0) widths[shrinkColumn] = Math.max(MIN_NAME_WIDTH, current - excess);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const clipped = truncate(cell.text, w);
        const padding = ' '.repeat(Math.max(0, w - clipped.length));
        const painted = painter.paint(clipped, cell.style);
        if (i === row.length - 1 && !cell.alignRight) return painted;
        return cell.alignRight ? padding + painted : painted + padding;
      })
      .join(GAP)
      .trimEnd(),
  );
}

function problemText(problem: InputProblem): string {
  const where = [problem.file, problem.line, problem.line ? problem.column : undefined]
    .filter((part) => part !== undefined && part !== '')
    .join(':');
  return printable(`${where}: ${problem.message}`);
}

export function renderTable(report: PostureReport, options: TableOptions, meta?: ControlLookup): string {
  const painter = new Painter(options.color);
  const lookup: ControlLookup = meta ?? (() => undefined);
  const index = new ReportIndex(report);
  const controls = controlsBySeverity(report);
  const out: string[] = [];

  const count = (status: Status): number => controls.filter((c) => c.status === status).length;
  out.push(
    painter.paint(
      `Controls: ${controls.length} (Failed: ${count('failed')}, Passed: ${count('passed')}, Skipped: ${count('skipped')})`,
      'bold',
    ),
    '',
  );

  if (controls.length > 0) {
    const header: Cell[] = ['SEVERITY', 'CONTROL', 'NAME', 'FAILED/ALL', 'COMPLIANCE', 'STATUS'].map(
      (text) => ({
        text,
        style: 'bold' as const,
        alignRight: text === 'FAILED/ALL' || text === 'COMPLIANCE',
      }),
    );
    const rows: Cell[][] = [header];
    const groupStarts = new Set<number>();
    let previous: SeverityName | undefined;
    for (const control of controls) {
      const severity = controlSeverity(control);
      if (severity !== previous && previous !== undefined) groupStarts.add(rows.length);
      previous = severity;
      const counters = control.ResourceCounters;
      rows.push([
        { text: severity, style: SEVERITY_STYLE[severity] },
        { text: control.controlID },
        { text: printable(controlInfo(control, lookup).name) },
        { text: `${counters.failedResources}/${totalResources(counters)}`, alignRight: true },
        { text: `${formatScore(control.complianceScore)}%`, alignRight: true },
        { text: statusText(control.statusInfo), style: STATUS_STYLE[control.status] },
      ]);
    }
    const lines = renderRows(rows, painter, options.width, 2);
    lines.forEach((line, i) => {
      if (groupStarts.has(i)) out.push('');
      out.push(line);
    });
    out.push('');
  }

  if (options.verbose) {
    const failed = controls.filter((c) => c.status === 'failed');
    if (failed.length > 0) out.push(painter.paint('Failed resources', 'bold'), '');
    for (const control of failed) {
      const info = controlInfo(control, lookup);
      const severity = controlSeverity(control);
      out.push(
        `${painter.paint(control.controlID, 'bold')} ${printable(info.name)} (${painter.paint(severity, SEVERITY_STYLE[severity])})`,
      );
      if (info.remediation) out.push(`  Remediation: ${printable(info.remediation)}`);
      for (const { resourceID, resource, control: result } of index.failedResources(control.controlID)) {
        const where = sourceText(resource?.source);
        const name = printable(nameResource(resourceID, resource).display);
        out.push(`  - ${name}${where ? `  ${painter.paint(printable(where), 'dim')}` : ''}`);
        const paths = findingPaths(result);
        const detail = (label: string, text: string): number => out.push(`      ${label} ${printable(text)}`);
        for (const path of paths.failed) detail('failed:', path);
        for (const fix of paths.fix) detail('fix:   ', `${fix.path}=${fix.value}`);
        for (const path of paths.review) detail('review:', path);
        for (const path of paths.delete) detail('delete:', path);
        for (const command of paths.commands) detail('run:   ', command);
      }
      out.push('');
    }
  }

  const summary = report.summaryDetails;
  if (summary.frameworks.length > 0) {
    out.push(painter.paint('Frameworks', 'bold'));
    const rows: Cell[][] = summary.frameworks.map((framework) => {
      const statuses = Object.values(framework.controls).map((c) => c.status);
      const of = (status: Status): number => statuses.filter((s) => s === status).length;
      return [
        { text: `  ${printable(framework.name)}` },
        { text: `compliance ${formatScore(framework.complianceScore)}%` },
        {
          text: `controls: ${of('failed')} failed, ${of('passed')} passed, ${of('skipped')} skipped`,
        },
      ];
    });
    out.push(...renderRows(rows, painter, undefined, 0), '');
  }
  const resources = summary.ResourceCounters;
  out.push(
    `Resources: ${totalResources(resources)} scanned (${resources.failedResources} failed, ${resources.passedResources} passed, ${resources.skippedResources} skipped)`,
  );
  const severities = summary.controlsSeverityCounters;
  out.push(
    `Failed controls by severity: Critical ${severities.criticalSeverity}, High ${severities.highSeverity}, Medium ${severities.mediumSeverity}, Low ${severities.lowSeverity}`,
  );
  if (!options.verbose && controls.some((c) => c.status === 'failed'))
    out.push(painter.paint('(verbose output lists the failed resources and paths)', 'dim'));
  out.push(
    '',
    painter.paint(
      `Overall compliance-score (100- Excellent, 0- All failed): ${overallScore(report)}`,
      'bold',
    ),
  );

  const problems = report.inputProblems ?? [];
  if (problems.length > 0) {
    out.push('', painter.paint(`Input problems (${problems.length})`, 'yellow'));
    for (const problem of problems) out.push(`  ${problemText(problem)}`);
  }
  return `${out.join('\n')}\n`;
}
