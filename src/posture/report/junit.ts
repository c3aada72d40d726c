/**
 * JUnit XML as Kubescape writes it (controls.md §4.2): a test suite per framework (one `kubescape`
 * suite when the scan named controls, not frameworks), a test case per control, a failure listing
 * the failed resources, a skip message with the reason.
 */
import type { ControlSummary, PostureReport } from './model.ts';
import { controlDocLink, type ControlLookup } from './meta.ts';
import { escapeXml, escapeXmlAttribute } from './escape.ts';
import { ReportIndex, compareIds, controlInfo, formatScore, nameResource } from './view.ts';

interface Suite {
  name: string;
  complianceScore: number;
  controls: ControlSummary[];
}

function suitesOf(report: PostureReport): Suite[] {
  const summary = report.summaryDetails;
  const byId = (controls: Record<string, ControlSummary>): ControlSummary[] =>
    Object.values(controls).sort((a, b) => compareIds(a.controlID, b.controlID));
  if (summary.frameworks.length === 0)
    return [
      { name: 'kubescape', complianceScore: summary.complianceScore, controls: byId(summary.controls) },
    ];
  return summary.frameworks.map((framework) => ({
    name: framework.name,
    complianceScore: framework.complianceScore,
    controls: byId(framework.controls),
  }));
}

export function renderJunit(report: PostureReport, meta: ControlLookup): string {
  const index = new ReportIndex(report);
  const allControls = Object.values(report.summaryDetails.controls);
  const failedControls = allControls.filter((control) => control.status === 'failed').length;
  const attr = escapeXmlAttribute;
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Kubescape Scanning" tests="${allControls.length}" failures="${failedControls}" errors="0">`,
  ];

  suitesOf(report).forEach((suite, id) => {
    const count = (status: string): number => suite.controls.filter((c) => c.status === status).length;
    lines.push(
      `  <testsuite id="${id}" name="${attr(suite.name)}" tests="${suite.controls.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" timestamp="${attr(report.generationTime)}">`,
      '    <properties>',
      `      <property name="complianceScore" value="${formatScore(suite.complianceScore)}"/>`,
      '    </properties>',
    );
    for (const control of suite.controls) {
      // Framework copies of a control carry the same status; the summary one has all fields.
      const full = report.summaryDetails.controls[control.controlID] ?? control;
      const info = controlInfo(full, meta);
      const testcase = `    <testcase classname="${attr(`${suite.name}/${control.controlID}`)}" name="${attr(info.name)}"`;
      if (full.status === 'failed') {
        const resources = index
          .failedResources(control.controlID)
          .map(({ resourceID, resource }) => {
            const name = nameResource(resourceID, resource);
            const parts = [`apiVersion: ${name.apiVersion}`, `kind: ${name.kind}`];
            if (name.namespace) parts.push(`namespace: ${name.namespace}`);
            parts.push(`name: ${name.name}`);
            if (resource?.source?.relativePath) parts.push(`sourcePath: ${resource.source.relativePath}`);
            return parts.join('; ');
          })
          .sort();
        const count = resources.length || full.ResourceCounters.failedResources;
        const body = [
          `Remediation: ${info.remediation}`,
          `More details: ${controlDocLink(control.controlID)}`,
          '',
          ...resources,
        ].join('\n');
        lines.push(
          `${testcase}>`,
          `      <failure type="Control" message="${attr(`${info.name} failed on ${count} resource(s)`)}">${escapeXml(body)}</failure>`,
          '    </testcase>',
        );
      } else if (full.status === 'skipped') {
        const reason = [full.statusInfo.subStatus, full.statusInfo.info].filter(Boolean).join(': ');
        lines.push(`${testcase}>`, `      <skipped message="${attr(reason)}"/>`, '    </testcase>');
      } else {
        lines.push(`${testcase}/>`);
      }
    }
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
