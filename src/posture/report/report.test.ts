import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fixEdit, loadPaths, locate } from '../input/index.ts';
import {
  escapeLabelValue,
  escapeXml,
  renderHtml,
  renderJunit,
  renderPostureReport,
  renderPrometheus,
  buildSarif,
  renderSarif,
  renderTable,
  sarifLevel,
  severityOf,
  type PostureReport,
} from './index.ts';
import { checkMarkup } from './testdata/markup-check.ts';
import { EVIL_NAME, WEB_ID, fixtureReport, lookup } from './testdata/fixture.ts';

// eslint-disable-next-line no-control-regex -- looking for escape sequences
const ANSI = new RegExp('\u001b\\[');

describe('severity and levels', () => {
  it('maps baseScore to severity and SARIF level as Kubescape does', () => {
    assert.deepEqual([9, 8.9, 7, 6.9, 4, 3.9, 1, 0.5].map(severityOf), [
      'Critical',
      'High',
      'High',
      'Medium',
      'Medium',
      'Low',
      'Low',
      'Unknown',
    ]);
    assert.deepEqual([10, 9, 8, 4, 3.9, 1].map(sarifLevel), [
      'error',
      'error',
      'warning',
      'warning',
      'note',
      'note',
    ]);
  });
});

describe('renderTable', () => {
  const report = fixtureReport();

  it('lists controls by severity with counts, compliance and status, without colour codes', () => {
    const out = renderTable(report, { color: false }, lookup);
    assert.doesNotMatch(out, ANSI);
    const lines = out.split('\n');
    const row = (id: string): string => lines.find((line) => line.includes(id)) ?? '';
    assert.match(row('C-0057'), /^High\s+C-0057\s+Privileged container\s+2\/3\s+33\.33%\s+failed$/);
    assert.match(
      row('C-0078'),
      /^Medium\s+C-0078\s+Images from allowed registry\s+0\/3\s+0%\s+skipped \(configuration\)$/,
    );
    assert.match(row('C-0017'), /passed \(w\/exceptions\)$/);
    const order = ['C-0035', 'C-0057', 'C-0016', 'C-0078', 'C-0017'].map((id) =>
      lines.findIndex((l) => l.includes(id)),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    assert.match(out, /Controls: 5 \(Failed: 3, Passed: 1, Skipped: 1\)/);
    assert.match(out, /NSA\s+compliance 50%\s+controls: 2 failed, 1 passed, 1 skipped/);
    assert.match(out, /Resources: 4 scanned \(3 failed, 1 passed, 0 skipped\)/);
    assert.match(out, /\nOverall compliance-score \(100- Excellent, 0- All failed\): 40\n/);
    // Input problems come last.
    assert.match(
      out,
      /Input problems \(2\)\n {2}deploy\/broken\.yaml:7:3: bad indentation of a mapping entry\n {2}values\.yaml:1: .*\n$/,
    );
    assert.doesNotMatch(out, /Failed resources/);
  });

  it('lists failed resources with file:line and paths in verbose mode', () => {
    const out = renderTable(report, { color: false, verbose: true }, lookup);
    assert.match(
      out,
      /C-0016 Allow privilege escalation \(Medium\)\n {2}Remediation: Set allowPrivilegeEscalation: false\.\n {2}- Deployment default\/web {2}deploy\/web\.yaml:3\n {6}fix: {4}spec\.template\.spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation=false/,
    );
    assert.match(
      out,
      /- User alice \(ClusterRoleBinding admins → ClusterRole cluster-admin\)\n {6}failed: relatedObjects\[1\]\.rules\[0\]\.verbs\[0\]/,
    );
    assert.match(out, /- Pod kube-system\/evil<script>/);
  });

  it('colours when asked, fits the width, and neutralises control characters', () => {
    const coloured = renderTable(report, { color: true }, lookup);
    assert.ok(coloured.includes('\u001b[31mfailed\u001b[0m'));
    const narrow = renderTable(report, { color: false, width: 90 }, lookup);
    const tableLines = narrow
      .split('\n')
      .filter((line) => /^(SEVERITY|Critical|High|Medium|Low)\b/.test(line));
    assert.ok(tableLines.length >= 6);
    for (const line of tableLines) assert.ok(line.length <= 90, line);
    assert.match(narrow, /Immutable container f… /);

    const hostile = fixtureReport();
    (hostile.inputProblems ?? []).push({ file: 'x.yaml', message: 'bad \u001b[2J clear' });
    const out = renderTable(hostile, { color: false }, lookup);
    assert.doesNotMatch(out, ANSI);
    assert.match(out, /bad \\u001b\[2J clear/);
  });

  it('works without control metadata and with an empty report', () => {
    const empty: PostureReport = {
      ...fixtureReport(),
      results: [],
      resources: [],
      inputProblems: [],
      summaryDetails: { ...fixtureReport().summaryDetails, controls: {}, frameworks: [], complianceScore: 0 },
    };
    const out = renderTable(empty, { color: false });
    assert.match(out, /Controls: 0/);
    assert.match(out, /Overall compliance-score \(100- Excellent, 0- All failed\): 0/);
    assert.match(renderTable(fixtureReport(), { color: false }), /C-0057\s+Privileged container/);
  });
});

describe('renderSarif', () => {
  const report = fixtureReport();
  const fakeLocate = (_source: unknown, reportPath: string) =>
    reportPath.endsWith('privileged') ? { line: 20, column: 13 } : undefined;

  it('writes a SARIF 2.1.0 log with one rule per failed control', () => {
    const log = buildSarif(report, lookup, fakeLocate);
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-schema-2\.1\.0\.json$/);
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0]?.tool.driver;
    assert.equal(driver?.name, 'kubeguard');
    assert.match(driver?.informationUri ?? '', /^https:\/\//);
    assert.deepEqual(
      driver?.rules.map((rule) => [
        rule.id,
        rule.defaultConfiguration.level,
        rule.properties['security-severity'],
      ]),
      [
        ['C-0016', 'warning', '6.0'],
        ['C-0035', 'error', '9.0'],
        ['C-0057', 'warning', '8.0'],
      ],
    );
    for (const rule of driver?.rules ?? []) {
      assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text);
      assert.match(rule.helpUri, /^https:\/\/hub\.armosec\.io\/docs\/c-\d{4}$/);
    }
  });

  it('has results only for file-backed resources, located at the first failed path', () => {
    const log = buildSarif(report, lookup, fakeLocate);
    const run = log.runs[0];
    assert.ok(run);
    assert.deepEqual(
      run.results.map((result) => [result.ruleId, result.properties.resourceID]),
      [
        ['C-0016', WEB_ID],
        ['C-0057', WEB_ID],
      ],
    );
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(result.level));
      assert.equal(result.locations[0]?.physicalLocation.artifactLocation.uri, 'deploy/web.yaml');
      assert.match(result.message.text, /Affected fields:\n- spec\.template/);
    }
    const privileged = run.results[1];
    assert.deepEqual(privileged?.locations[0]?.physicalLocation.region, { startLine: 20, startColumn: 13 });
    assert.equal(privileged?.relatedLocations?.length, 1);
    assert.equal(
      privileged?.relatedLocations?.[0]?.message.text,
      'spec.template.spec.containers[0].securityContext.privileged',
    );
    // Not locatable: the object's first line.
    assert.deepEqual(run.results[0]?.locations[0]?.physicalLocation.region, { startLine: 3, startColumn: 1 });
    assert.equal(run.results[0]?.fixes, undefined);
    // Without a locator at all.
    const plain = buildSarif(report, lookup);
    assert.deepEqual(plain.runs[0]?.results[1]?.locations[0]?.physicalLocation.region, {
      startLine: 3,
      startColumn: 1,
    });
  });

  it('adds fixes as replacements when an editor is given', () => {
    const log = buildSarif(report, lookup, fakeLocate, {
      fixEdit: (_source, fixPath, value) =>
        fixPath.endsWith('allowPrivilegeEscalation')
          ? {
              startLine: 21,
              startColumn: 1,
              endLine: 21,
              endColumn: 1,
              text: `allowPrivilegeEscalation: ${value}`,
            }
          : undefined,
    });
    const fix = log.runs[0]?.results[0]?.fixes?.[0];
    assert.match(fix?.description.text ?? '', /allowPrivilegeEscalation to false/);
    assert.deepEqual(fix?.artifactChanges[0]?.replacements[0]?.deletedRegion, {
      startLine: 21,
      startColumn: 1,
      endLine: 21,
      endColumn: 1,
    });
    assert.equal(fix?.artifactChanges[0]?.artifactLocation.uri, 'deploy/web.yaml');
  });

  it('locates findings in real files with the input locator', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubeguard-sarif-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      path.join(dir, 'web.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: other}',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  namespace: default',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '      - name: main',
        '        image: nginx',
        '        securityContext:',
        '          privileged: true',
        '',
      ].join('\n'),
    );
    const loaded = await loadPaths(['web.yaml'], { cwd: dir });
    const deployment = loaded.objects[1];
    assert.ok(deployment);
    const withFile = fixtureReport();
    const web = withFile.resources.find((r) => r.resourceID === WEB_ID);
    assert.ok(web);
    web.source = deployment.source;
    const log = buildSarif(withFile, lookup, locate, { fixEdit });
    const [escalation, privileged] = log.runs[0]?.results ?? [];
    assert.deepEqual(privileged?.locations[0]?.physicalLocation.region, { startLine: 17, startColumn: 11 });
    assert.equal(privileged?.locations[0]?.physicalLocation.artifactLocation.uri, 'web.yaml');
    // The fix path is absent: located at its deepest existing parent, with an insertion.
    assert.deepEqual(escalation?.locations[0]?.physicalLocation.region, { startLine: 16, startColumn: 9 });
    const replacement = escalation?.fixes?.[0]?.artifactChanges[0]?.replacements[0];
    assert.equal(replacement?.insertedContent.text, '\n          allowPrivilegeEscalation: false');
    assert.deepEqual(replacement?.deletedRegion, {
      startLine: 17,
      startColumn: 27,
      endLine: 17,
      endColumn: 27,
    });
  });
});

describe('renderJunit', () => {
  const xml = renderJunit(fixtureReport(), lookup);

  it('is well-formed XML with escaped input', () => {
    const elements = checkMarkup(xml);
    assert.ok(!elements.includes('script'));
    assert.ok(xml.includes(escapeXml(EVIL_NAME)));
    assert.ok(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="Kubescape Scanning" tests="5" failures="3" errors="0">',
      ),
    );
  });

  it('has a suite per framework and a case per control', () => {
    const suites = [
      ...xml.matchAll(
        /<testsuite id="(\d+)" name="([^"]+)" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)" timestamp="([^"]+)">/g,
      ),
    ].map((m) => m.slice(1));
    assert.deepEqual(suites, [
      ['0', 'NSA', '4', '2', '1', '2026-08-22T10:00:00Z'],
      ['1', 'MITRE', '2', '2', '0', '2026-08-22T10:00:00Z'],
    ]);
    assert.deepEqual(
      [...xml.matchAll(/<testcase classname="([^"]+)"/g)].map((m) => m[1]),
      ['NSA/C-0016', 'NSA/C-0017', 'NSA/C-0057', 'NSA/C-0078', 'MITRE/C-0035', 'MITRE/C-0057'],
    );
    assert.match(xml, /<property name="complianceScore" value="50"\/>/);
    assert.match(
      xml,
      /<failure type="Control" message="Privileged container failed on 2 resource\(s\)">Remediation: Remove privileged: true from the container securityContext\.\nMore details: https:\/\/hub\.armosec\.io\/docs\/c-0057\n\napiVersion: apps\/v1; kind: Deployment; namespace: default; name: web; sourcePath: deploy\/web\.yaml\napiVersion: v1; kind: Pod; namespace: kube-system; name: evil&lt;script&gt;/,
    );
    assert.match(xml, /<skipped message="configuration: Control configurations are empty/);
    assert.match(xml, /<testcase classname="NSA\/C-0017" name="Immutable container filesystem"\/>/);
  });

  it('uses one kubescape suite for control scans', () => {
    const report = fixtureReport();
    report.summaryDetails.frameworks = [];
    const out = renderJunit(report, lookup);
    checkMarkup(out);
    assert.match(out, /<testsuite id="0" name="kubescape" tests="5" failures="3" errors="0" skipped="1"/);
  });
});

describe('renderHtml', () => {
  const html = renderHtml(fixtureReport(), lookup);

  it('is one self-contained, well-formed page with everything escaped', () => {
    const elements = checkMarkup(html, { html: true });
    assert.ok(!elements.includes('script'), 'no script elements');
    assert.ok(!elements.includes('link') && !elements.includes('img'), 'no external assets');
    assert.ok(!/<script/i.test(html));
    assert.ok(html.includes('evil&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'));
    assert.match(html, /^<!DOCTYPE html>/);
  });

  it('shows target, time, scores, controls by severity, failed resources and problems', () => {
    assert.match(html, /Target: <strong>\/repo<\/strong>/);
    assert.match(html, /2026-08-22T10:00:00Z/);
    assert.match(html, /<span class="score"[^>]*>40%<\/span>/);
    assert.match(html, /<td>NSA<\/td><td class="num">50%<\/td>/);
    const order = ['C-0035', 'C-0057', 'C-0016', 'C-0078', 'C-0017'].map((id) =>
      html.indexOf(`>${id}</a></td>`),
    );
    assert.ok(order.every((at) => at > 0));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    assert.match(html, /<td class="num">2 \/ 3<\/td><td class="num">33\.33%<\/td>/);
    assert.match(html, /<h3>Deployment default\/web <span class="muted">deploy\/web\.yaml:3<\/span><\/h3>/);
    assert.match(
      html,
      /fix: <code>spec\.template\.spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation=false<\/code>/,
    );
    assert.match(html, /Set allowPrivilegeEscalation: false\./);
    assert.match(html, /<h3>User alice \(ClusterRoleBinding admins → ClusterRole cluster-admin\)<\/h3>/);
    assert.match(html, /<h2>Input problems<\/h2>/);
    assert.match(
      html,
      /<td><code>deploy\/broken\.yaml<\/code><\/td><td class="num">7<\/td><td class="num">3<\/td>/,
    );
  });
});

describe('renderPrometheus', () => {
  const text = renderPrometheus(fixtureReport(), lookup);
  const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\["\\\\n])*"';
  const SAMPLE = new RegExp(
    `^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE}(,[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})*\\})? -?\\d+$`,
  );

  it('writes valid exposition lines, HELP and TYPE once before each family', () => {
    const lines = text.trimEnd().split('\n');
    const seenFamilies = new Set<string>();
    const seenSeries = new Set<string>();
    let current = '';
    for (const [i, line] of lines.entries()) {
      const help = /^# HELP (\S+) .+$/.exec(line);
      if (help) {
        const family = help[1] as string;
        assert.ok(!seenFamilies.has(family), `family ${family} repeated`);
        seenFamilies.add(family);
        assert.equal(lines[i + 1], `# TYPE ${family} gauge`);
        current = family;
        continue;
      }
      if (line.startsWith('# TYPE ')) continue;
      const match = SAMPLE.exec(line);
      assert.ok(match, `bad line: ${line}`);
      assert.equal(match[1], current, `sample outside its family: ${line}`);
      const series = line.slice(0, line.lastIndexOf(' '));
      assert.ok(!seenSeries.has(series), `duplicate series ${series}`);
      seenSeries.add(series);
    }
    for (const family of [
      'kubescape_cluster_complianceScore',
      'kubescape_cluster_coverage_score',
      'kubescape_cluster_count_resources_failed',
      'kubescape_cluster_count_control_skipped',
      'kubescape_framework_complianceScore',
      'kubescape_framework_count_resources_passed',
      'kubescape_control_complianceScore',
      'kubescape_control_count_resources_failed',
      'kubescape_resource_count_controls_failed',
      'kubescape_resource_count_controls_skipped',
    ])
      assert.ok(seenFamilies.has(family), family);
  });

  it('has the values and escaped labels', () => {
    assert.match(text, /^kubescape_cluster_complianceScore 40$/m);
    assert.match(text, /^kubescape_framework_complianceScore\{name="MITRE"\} 17$/m);
    assert.match(
      text,
      /^kubescape_control_count_resources_failed\{name="Privileged container",controlID="C-0057",severity="High",link="https:\/\/hub\.armosec\.io\/docs\/c-0057"\} 2$/m,
    );
    assert.ok(text.includes(`name="evil<script>alert(\\"x\\")</script>&'"} 1`));
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  });
});

describe('renderSarif text', () => {
  it('is the SARIF log as indented JSON', () => {
    const text = renderSarif(fixtureReport(), lookup);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(JSON.parse(text), buildSarif(fixtureReport(), lookup));
  });
});

describe('renderPostureReport', () => {
  it('renders every format ending with a newline', () => {
    for (const format of ['pretty-printer', 'json', 'sarif', 'junit', 'html', 'prometheus'] as const) {
      const out = renderPostureReport(fixtureReport(), format, { meta: lookup });
      assert.ok(out.endsWith('\n'), format);
    }
    assert.deepEqual(
      JSON.parse(renderPostureReport(fixtureReport(), 'json', { meta: lookup })),
      fixtureReport(),
    );
  });
});
