/**
 * One self-contained HTML page (inline CSS, no scripts, no external assets): scan target and time,
 * framework scores, the control table by severity, failed controls per resource with paths and
 * remediation, input problems. Everything taken from the input is escaped.
 */
import type { PostureReport, SeverityName, Status } from './model.ts';
import { controlDocLink, type ControlLookup } from './meta.ts';
import { escapeHtml as e } from './escape.ts';
import {
  ReportIndex,
  compareIds,
  controlInfo,
  controlSeverity,
  controlsBySeverity,
  findingPaths,
  formatScore,
  nameResource,
  overallScore,
  scanTarget,
  severityRank,
  sourceText,
  statusText,
  totalResources,
  type FailedResource,
} from './view.ts';

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2933;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
h3{font-size:1rem;margin:1.4rem 0 .4rem}
.meta{color:#52606d;margin:0 0 1rem}
.score{display:inline-block;font-size:2.2rem;font-weight:700;padding:.4rem 1rem;border-radius:.4rem;background:#f0f4f8}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{background:#f5f7fa}td.num,th.num{text-align:right;white-space:nowrap}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;word-break:break-all}
.sev{font-weight:600;white-space:nowrap}.sev-Critical{color:#a61b1b}.sev-High{color:#d64545}.sev-Medium{color:#b7791f}.sev-Low{color:#2680c2}.sev-Unknown{color:#7b8794}
.st-failed{color:#a61b1b;font-weight:600}.st-passed{color:#2f8132}.st-skipped{color:#7b8794}
ul.paths{margin:0;padding-left:1.1rem}.muted{color:#7b8794}
`;

const severityCell = (severity: SeverityName): string =>
  `<td class="sev sev-${e(severity)}">${e(severity)}</td>`;
const statusCell = (status: Status, text: string): string => `<td class="st-${e(status)}">${e(text)}</td>`;
const numberText = (value: number | undefined): string => (value === undefined ? '' : e(String(value)));

function pathsList(failed: FailedResource): string {
  const paths = findingPaths(failed.control);
  const items = [
    ...paths.failed.map((path) => `failed: <code>${e(path)}</code>`),
    ...paths.fix.map((fix) => `fix: <code>${e(fix.path)}=${e(fix.value)}</code>`),
    ...paths.review.map((path) => `review: <code>${e(path)}</code>`),
    ...paths.delete.map((path) => `delete: <code>${e(path)}</code>`),
    ...paths.commands.map((command) => `run: <code>${e(command)}</code>`),
  ];
  return items.length ? `<ul class="paths">${items.map((item) => `<li>${item}</li>`).join('')}</ul>` : '';
}

export function renderHtml(report: PostureReport, meta: ControlLookup): string {
  const index = new ReportIndex(report);
  const summary = report.summaryDetails;
  const controls = controlsBySeverity(report);
  const target = scanTarget(report);
  const parts: string[] = [];

  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Kubeguard posture report: ${e(target)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<h1>Kubeguard posture report</h1>',
    `<p class="meta">Target: <strong>${e(target)}</strong> · Scanned: <time datetime="${e(report.generationTime)}">${e(report.generationTime)}</time>${
      report.metadata.scanMetadata.targetNames.length
        ? ` · Frameworks: ${e(report.metadata.scanMetadata.targetNames.join(', '))}`
        : ''
    }</p>`,
    `<p><span class="score" title="Overall compliance score">${overallScore(report)}%</span> overall compliance score (100: excellent, 0: all failed)</p>`,
  );

  const resources = summary.ResourceCounters;
  parts.push(
    `<p>Resources: ${totalResources(resources)} scanned, ${resources.failedResources} failed, ${resources.passedResources} passed, ${resources.skippedResources} skipped.</p>`,
  );

  if (summary.frameworks.length > 0) {
    parts.push(
      '<h2>Frameworks</h2>',
      '<table><thead><tr><th>Framework</th><th class="num">Compliance score</th><th class="num">Failed controls</th><th class="num">Passed controls</th><th class="num">Skipped controls</th><th class="num">Failed resources</th></tr></thead><tbody>',
    );
    for (const framework of summary.frameworks) {
      const statuses = Object.values(framework.controls).map((c) => c.status);
      const of = (status: Status): number => statuses.filter((s) => s === status).length;
      parts.push(
        `<tr><td>${e(framework.name)}</td><td class="num">${formatScore(framework.complianceScore)}%</td><td class="num">${of('failed')}</td><td class="num">${of('passed')}</td><td class="num">${of('skipped')}</td><td class="num">${framework.ResourceCounters.failedResources}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }

  parts.push(
    '<h2>Controls</h2>',
    '<table><thead><tr><th>Severity</th><th>Control</th><th>Name</th><th class="num">Failed / all resources</th><th class="num">Compliance</th><th>Status</th></tr></thead><tbody>',
  );
  for (const control of controls) {
    const info = controlInfo(control, meta);
    const counters = control.ResourceCounters;
    parts.push(
      `<tr>${severityCell(controlSeverity(control))}<td><a href="${e(controlDocLink(control.controlID))}">${e(control.controlID)}</a></td><td>${e(info.name)}</td><td class="num">${counters.failedResources} / ${totalResources(counters)}</td><td class="num">${formatScore(control.complianceScore)}%</td>${statusCell(control.status, statusText(control.statusInfo))}</tr>`,
    );
  }
  parts.push('</tbody></table>');

  // Failed controls grouped by resource: what to fix, where.
  const byResource = new Map<string, FailedResource[]>();
  for (const control of controls)
    for (const failed of index.failedResources(control.controlID)) {
      const list = byResource.get(failed.resourceID) ?? [];
      list.push(failed);
      byResource.set(failed.resourceID, list);
    }
  parts.push('<h2>Failed resources</h2>');
  if (byResource.size === 0) parts.push('<p class="muted">No resource failed a control.</p>');
  for (const [resourceID, failures] of [...byResource].sort(([a], [b]) => compareIds(a, b))) {
    const resource = failures[0]?.resource;
    const where = sourceText(resource?.source);
    parts.push(
      `<h3>${e(nameResource(resourceID, resource).display)}${where ? ` <span class="muted">${e(where)}</span>` : ''}</h3>`,
      '<table><thead><tr><th>Severity</th><th>Control</th><th>Paths</th><th>Remediation</th></tr></thead><tbody>',
    );
    failures.sort((a, b) => severityRank(a.control.severity) - severityRank(b.control.severity));
    for (const failed of failures) {
      const summaryControl = summary.controls[failed.control.controlID];
      const info = summaryControl
        ? controlInfo(summaryControl, meta)
        : { name: failed.control.name, remediation: '' };
      parts.push(
        `<tr>${severityCell(failed.control.severity)}<td><a href="${e(controlDocLink(failed.control.controlID))}">${e(failed.control.controlID)}</a> ${e(info.name)}</td><td>${pathsList(failed)}</td><td>${e(info.remediation)}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }

  const problems = report.inputProblems ?? [];
  if (problems.length > 0) {
    parts.push(
      '<h2>Input problems</h2>',
      '<table><thead><tr><th>File</th><th class="num">Line</th><th class="num">Column</th><th>Problem</th></tr></thead><tbody>',
    );
    for (const problem of problems)
      parts.push(
        `<tr><td><code>${e(problem.file)}</code></td><td class="num">${numberText(problem.line)}</td><td class="num">${numberText(problem.column)}</td><td>${e(problem.message)}</td></tr>`,
      );
    parts.push('</tbody></table>');
  }

  parts.push(
    `<p class="muted">Generated by kubeguard ${e(report.metadata.scanMetadata.kubescapeVersion)} · report ${e(report.reportGUID)}</p>`,
    '</body>',
    '</html>',
  );
  return `${parts.join('\n')}\n`;
}
