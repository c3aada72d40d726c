import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ScannedControl,
  WorkloadConfigurationScan,
  WorkloadConfigurationScanSummary,
} from '../../api/index.ts';
import {
  mergeWorkloadConfigurationScan,
  mergeWorkloadConfigurationScanSummary,
} from '../../posture/index.ts';

const control = (id: string, status: string, severity = 'High'): ScannedControl => ({
  controlID: id,
  name: id,
  severity: { severity, scoreFactor: 7 },
  status: { status, subStatus: '', info: '' },
  rules: [
    {
      name: `rule-${status}`,
      status: { status, subStatus: '' },
      controlConfigurations: {},
      paths: [],
      appliedIgnoreRules: [],
      relatedResourcesIDs: [],
    },
  ],
});

const wcs = (scanId: string, controls: ScannedControl[]): WorkloadConfigurationScan => ({
  apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
  kind: 'WorkloadConfigurationScan',
  metadata: {
    name: 'deployment-web',
    namespace: 'shop',
    resourceVersion: '7',
    labels: { a: '1' },
    annotations: { 'kubescape.io/scan-id': scanId },
  },
  spec: { controls: Object.fromEntries(controls.map((c) => [c.controlID, c])), relatedObjects: [] },
});

const summary = (scan: WorkloadConfigurationScan): WorkloadConfigurationScanSummary => ({
  ...scan,
  kind: 'WorkloadConfigurationScanSummary',
  spec: {
    severities: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
    controls: Object.fromEntries(
      Object.values(scan.spec.controls).map((c) => [
        c.controlID,
        { controlID: c.controlID, severity: c.severity, status: c.status },
      ]),
    ),
  },
});

describe('WorkloadConfigurationScan merge (components.md §3.4)', () => {
  it('a newer scan replaces the results: fixed controls pass, absent controls are dropped', () => {
    const existing = wcs('scan-1', [control('C-0057', 'failed'), control('C-0017', 'failed')]);
    const merged = mergeWorkloadConfigurationScan(existing, wcs('scan-2', [control('C-0057', 'passed')]));
    assert.deepEqual(Object.keys(merged.spec.controls), ['C-0057']);
    assert.equal(merged.spec.controls['C-0057']?.status.status, 'passed');
    assert.equal(merged.metadata.resourceVersion, '7');
    assert.equal(merged.metadata.annotations?.['kubescape.io/scan-id'], 'scan-2');
  });

  it('two writes of one scan keep the union, the worst status winning', () => {
    const existing = wcs('scan-1', [control('C-0057', 'failed'), control('C-0017', 'passed')]);
    const merged = mergeWorkloadConfigurationScan(
      existing,
      wcs('scan-1', [control('C-0057', 'passed'), control('C-0038', 'skipped')]),
    );
    assert.deepEqual(Object.keys(merged.spec.controls).sort(), ['C-0017', 'C-0038', 'C-0057']);
    assert.equal(merged.spec.controls['C-0057']?.status.status, 'failed');
    assert.equal(merged.spec.controls['C-0057']?.rules[0]?.name, 'rule-failed');
  });

  it('summaries follow the same rule and recount severities', () => {
    const failed = summary(
      wcs('scan-1', [control('C-0057', 'failed'), control('C-0017', 'failed', 'Medium')]),
    );
    const fixed = mergeWorkloadConfigurationScanSummary(
      failed,
      summary(wcs('scan-2', [control('C-0057', 'passed')])),
    );
    assert.deepEqual(fixed.spec.severities, { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 });
    const sameScan = mergeWorkloadConfigurationScanSummary(
      failed,
      summary(wcs('scan-1', [control('C-0057', 'passed')])),
    );
    assert.deepEqual(sameScan.spec.severities, { critical: 0, high: 1, medium: 1, low: 0, unknown: 0 });
  });
});
