import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONTROLS, FRAMEWORKS, frameworksOfControl, getControl, getFramework, severityOf } from './index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const RULES_JSON = path.resolve(here, '../../../../shared/conformance/controls/rules.json');

/** §1 of the controls spec: framework name -> number of controls. */
const FRAMEWORK_COUNTS: Record<string, number> = {
  NSA: 26,
  MITRE: 27,
  ArmoBest: 40,
  security: 37,
  AllControls: 281,
  WorkloadScan: 19,
  ClusterScan: 23,
  DevOpsBest: 25,
  SOC2: 7,
  'cis-v1.10.0': 129,
  'cis-v1.12.0': 131,
  'cis-v1.23-t1.0.1': 121,
  'cis-eks-t1.2.0': 54,
  'cis-eks-t1.7.0': 45,
  'cis-eks-t1.8.0': 49,
  'cis-aks-t1.2.0': 52,
  'cis-aks-t1.8.0': 56,
  'cis-gke-v1.9.0': 40,
  'YAML-scanning': 0,
};

interface RuleEntry {
  controls: string[];
  useUntilKubescapeVersion?: string | null;
}

describe('control catalog', () => {
  test('has the 281 Kubescape controls with unique IDs', () => {
    assert.equal(CONTROLS.size, 281);
    for (const [id, control] of CONTROLS) {
      assert.equal(control.id, id);
      assert.match(id, /^C-\d{4}$/);
    }
    // Gaps of the ID range, per the spec.
    for (const gap of ['C-0003', 'C-0006', 'C-0086', 'C-0224']) assert.equal(CONTROLS.has(gap), false, gap);
  });

  test('every control has a name, description, remediation, rules, scope and tags', () => {
    for (const control of CONTROLS.values()) {
      assert.ok(control.name.trim(), control.id);
      assert.ok(control.description.trim(), `${control.id} description`);
      assert.ok(control.remediation.trim(), `${control.id} remediation`);
      assert.ok(control.rules.length > 0, `${control.id} rules`);
      assert.ok(control.scanningScope.length > 0, `${control.id} scope`);
      assert.ok(control.tags.length > 0, `${control.id} tags`);
      assert.ok(control.baseScore >= 1 && control.baseScore <= 10, `${control.id} baseScore`);
    }
  });

  test('manual-review controls and external-data controls are flagged', () => {
    for (const id of ['C-0246', 'C-0249', 'C-0254', 'C-0286', 'C-0287', 'C-0288', 'C-0289']) {
      assert.equal(getControl(id)?.actionRequired, 'manual review', id);
      assert.deepEqual(getControl(id)?.rules, ['rule-manual'], id);
    }
    assert.equal(getControl('C-0242')?.actionRequired, 'manual review');
    for (const id of ['C-0001', 'C-0078', 'C-0236', 'C-0306', 'C-0004', 'C-0012'])
      assert.equal(getControl(id)?.actionRequired, 'configuration', id);
    assert.equal(getControl('C-0083')?.requires, 'image-vulnerabilities');
    assert.equal(getControl('C-0237')?.requires, 'registry');
    assert.equal(getControl('C-0274')?.requires, 'service-scan');
    assert.equal(getControl('C-0172')?.requires, 'host-sensor');
    assert.equal(getControl('C-0241')?.requires, 'cloud-provider');
    // Controls with a native half do not require cloud data.
    for (const id of ['C-0066', 'C-0067', 'C-0068', 'C-0088'])
      assert.equal(getControl(id)?.requires, undefined, id);
    assert.equal(getControl('C-0017')?.requires, undefined);
    const hostSensor = [...CONTROLS.values()].filter((control) => control.requires === 'host-sensor');
    assert.equal(hostSensor.length, 57);
    const cloudOnly = [...CONTROLS.values()].filter((control) => control.requires === 'cloud-provider');
    assert.equal(cloudOnly.length, 17);
  });

  test('scanning scopes follow the spec', () => {
    assert.deepEqual(getControl('C-0017')?.scanningScope, ['cluster', 'file']);
    assert.deepEqual(getControl('C-0026')?.scanningScope, ['cluster']);
    assert.deepEqual(getControl('C-0113')?.scanningScope, ['cluster']);
    assert.deepEqual(getControl('C-0068')?.scanningScope, ['cluster', 'file']);
    assert.deepEqual(getControl('C-0213')?.scanningScope, ['EKS']);
  });

  test('severities of known controls', () => {
    assert.equal(severityOf(getControl('C-0005')?.baseScore ?? 0), 'Critical');
    assert.equal(severityOf(getControl('C-0069')?.baseScore ?? 0), 'Critical');
    assert.equal(severityOf(getControl('C-0057')?.baseScore ?? 0), 'High');
    assert.equal(severityOf(getControl('C-0013')?.baseScore ?? 0), 'Medium');
    assert.equal(severityOf(getControl('C-0017')?.baseScore ?? 0), 'Low');
    assert.equal(severityOf(getControl('C-0026')?.baseScore ?? 0), 'Low');
    assert.equal(severityOf(0), 'Unknown');
    assert.equal(severityOf(6.9), 'Medium');
    assert.equal(severityOf(4), 'Medium');
  });

  test('getControl accepts IDs in any case and exact names', () => {
    assert.equal(getControl('c-0017')?.id, 'C-0017');
    assert.equal(getControl('C-17')?.id, 'C-0017');
    assert.equal(getControl('Immutable container filesystem')?.id, 'C-0017');
    assert.equal(getControl('immutable container filesystem'), undefined);
    assert.equal(getControl('C-0003'), undefined);
  });
});

describe('rules', () => {
  const rules: Record<string, RuleEntry> | undefined = existsSync(RULES_JSON)
    ? (JSON.parse(readFileSync(RULES_JSON, 'utf8')) as Record<string, RuleEntry>)
    : undefined;

  test(
    'every rule of a control exists in the rule library',
    { skip: !rules && 'rules.json not found' },
    () => {
      for (const control of CONTROLS.values())
        for (const rule of control.rules) {
          const entry = rules?.[rule];
          assert.ok(entry, `${control.id}: unknown rule ${rule}`);
          assert.ok(!entry.useUntilKubescapeVersion, `${control.id}: legacy rule ${rule}`);
        }
    },
  );

  test('every rule that names controls is listed by them', { skip: !rules && 'rules.json not found' }, () => {
    for (const [rule, entry] of Object.entries(rules ?? {})) {
      if (entry.useUntilKubescapeVersion) continue;
      for (const id of entry.controls)
        assert.ok(CONTROLS.get(id)?.rules.includes(rule), `${id} should list rule ${rule}`);
    }
  });
});

describe('frameworks', () => {
  test('every framework of the spec, with its control count', () => {
    assert.deepEqual(
      FRAMEWORKS.map((framework) => framework.name).sort(),
      Object.keys(FRAMEWORK_COUNTS).sort(),
    );
    for (const framework of FRAMEWORKS) {
      assert.equal(framework.controls.length, FRAMEWORK_COUNTS[framework.name], framework.name);
      assert.equal(
        new Set(framework.controls).size,
        framework.controls.length,
        `${framework.name} duplicates`,
      );
      assert.deepEqual([...framework.controls].sort(), framework.controls, `${framework.name} sorted`);
      for (const id of framework.controls) assert.ok(CONTROLS.has(id), `${framework.name}: unknown ${id}`);
      assert.ok(framework.description.trim(), framework.name);
    }
  });

  test('deleted frameworks are flagged', () => {
    const deleted = FRAMEWORKS.filter((framework) => framework.deleted).map((framework) => framework.name);
    assert.deepEqual(deleted.sort(), ['cis-eks-t1.2.0', 'cis-v1.23-t1.0.1']);
  });

  test('getFramework accepts Kubescape names case-insensitively and aliases', () => {
    assert.equal(getFramework('nsa')?.name, 'NSA');
    assert.equal(getFramework('mitre')?.name, 'MITRE');
    assert.equal(getFramework('armobest')?.name, 'ArmoBest');
    assert.equal(getFramework('allcontrols')?.name, 'AllControls');
    assert.equal(getFramework('CIS-V1.10.0')?.name, 'cis-v1.10.0');
    assert.equal(getFramework('cis-v1.10.0')?.version, 'v1.10.0');
    assert.equal(getFramework('devopsbest')?.name, 'DevOpsBest');
    assert.equal(getFramework('workloadscan')?.name, 'WorkloadScan');
    assert.equal(getFramework('no-such-framework'), undefined);
    assert.deepEqual(getFramework('cis-eks-t1.8.0')?.scanningScope, ['EKS']);
  });

  test('frameworksOfControl', () => {
    assert.deepEqual(frameworksOfControl('C-0012'), [
      'NSA',
      'MITRE',
      'ArmoBest',
      'security',
      'AllControls',
      'WorkloadScan',
      'ClusterScan',
      'SOC2',
    ]);
    assert.deepEqual(frameworksOfControl('C-0090'), ['AllControls']);
    assert.ok(frameworksOfControl('C-0115', { includeDeleted: true }).includes('cis-v1.23-t1.0.1'));
    assert.deepEqual(frameworksOfControl('C-0115'), ['AllControls']);
    assert.deepEqual(frameworksOfControl('C-9999'), []);
  });
});
