// Every rule's metadata agrees with Kubescape's rule library (the corpus' rules.json): kinds read,
// configuration inputs, host-sensor flag and aggregator, because they decide what a rule sees.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RULES } from './index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus =
  process.env.KUBEGUARD_CONFORMANCE ?? path.resolve(here, '../../../../shared/conformance/controls');
const rulesFile = path.join(corpus, 'rules.json');

interface LibraryRule {
  configInputs: string[];
  dynamicMatch: { resources: string[] }[];
  match: { resources: string[] }[];
  hostSensorRule: string | null;
  resourcesAggregator: string | null;
  useUntilKubescapeVersion: string | null;
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Where we read other kinds than the library's metadata says, on purpose (kind the library lists → kind we read). */
const KIND_DEVIATIONS: Record<string, Record<string, string>> = {
  // The library lists ConfigMap, so Kubescape never sees the claims the control is about.
  'workload-mounted-pvc': { ConfigMap: 'PersistentVolumeClaim' },
  // The library's metadata names kinds its own logic and tests do not use.
  'audit-policy-content': { APIServerInfo: 'ControlPlaneInfo' },
  'validate-kubelet-tls-configuration-updated': {
    KubeletConfiguration: 'KubeletInfo',
    KubeletCommandLine: 'KubeletInfo',
  },
};
const deviate = (name: string, kinds: string[]): string[] =>
  kinds.map((kind) => KIND_DEVIATIONS[name]?.[kind] ?? kind);

test('rule metadata matches the rule library', { skip: !existsSync(rulesFile) && 'corpus not found' }, () => {
  const library = JSON.parse(readFileSync(rulesFile, 'utf8')) as Record<string, LibraryRule>;
  for (const [name, rule] of RULES) {
    const entry = library[name];
    assert.ok(entry, `${name} is not a rule of the library`);
    assert.deepEqual(
      sorted(rule.match.flatMap((m) => m.kinds)),
      sorted(
        deviate(
          name,
          entry.match.flatMap((m) => m.resources),
        ),
      ),
      `${name}: match kinds`,
    );
    assert.deepEqual(
      sorted((rule.dynamicMatch ?? []).flatMap((m) => m.kinds)),
      sorted(
        deviate(
          name,
          entry.dynamicMatch.flatMap((m) => m.resources),
        ),
      ),
      `${name}: dynamicMatch kinds`,
    );
    assert.deepEqual(
      sorted(rule.configInputs ?? []),
      sorted(entry.configInputs.map((p) => p.replace(/^settings\.postureControlInputs\./, ''))),
      `${name}: configInputs`,
    );
    assert.equal(Boolean(rule.hostSensor), entry.hostSensorRule === 'true', `${name}: hostSensor`);
    assert.equal(rule.aggregator ?? null, entry.resourcesAggregator, `${name}: aggregator`);
  }
});

test(
  'every current rule of the library is implemented',
  { skip: !existsSync(rulesFile) && 'corpus not found' },
  () => {
    const library = JSON.parse(readFileSync(rulesFile, 'utf8')) as Record<string, LibraryRule>;
    const missing = Object.entries(library)
      .filter(([name, entry]) => !entry.useUntilKubescapeVersion && !RULES.has(name))
      .map(([name]) => name);
    assert.deepEqual(missing, []);
  },
);
