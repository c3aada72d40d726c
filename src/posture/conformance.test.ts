// Runs every case of the rule conformance corpus (../shared/conformance/controls) and prints the
// agreement figures. Every case must agree on failing objects, paths and fix values, except the
// known differences below, each with its reason.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listCases, runCase } from './conformance.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus =
  process.env.KUBEGUARD_CONFORMANCE ?? path.resolve(here, '../../../shared/conformance/controls');

/** `<rule>/<case>` → why we differ on purpose. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'resources-secret-in-default-namespace/configmap':
    'the input is a ConfigMap; the rule reads Secrets only (its metadata), and the library test runner passes it every input object regardless of kind',
};

/** `<rule>/<case>` whose fix values differ on purpose (objects and paths still agree). */
const FIX_VALUE_DIFFERENCES: Record<string, string> = Object.fromEntries(
  ['failed', 'rke2-args-fail'].map((name) => [
    `ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers-cis1-10/${name}`,
    "the library's fix adds the weak cipher suites to --tls-cipher-suites; ours removes them",
  ]),
);

test('rule conformance corpus', { skip: !existsSync(corpus) && `corpus not found at ${corpus}` }, (t) => {
  const cases = listCases(path.join(corpus, 'cases'));
  assert.ok(cases.length > 700, `expected the full corpus, found ${cases.length} cases`);
  let objects = 0;
  let paths = 0;
  let values = 0;
  const unexpected: string[] = [];
  for (const { rule, dir } of cases) {
    const result = runCase(dir, rule);
    const key = `${rule}/${result.caseName}`;
    if (result.objectsAgree) objects++;
    if (result.pathsAgree) paths++;
    if (result.fixValuesAgree) values++;
    const agrees =
      result.objectsAgree && result.pathsAgree && (result.fixValuesAgree || key in FIX_VALUE_DIFFERENCES);
    if (!agrees && !(key in KNOWN_DIFFERENCES)) unexpected.push(`${key}: ${result.differences.join('; ')}`);
    if (agrees && key in KNOWN_DIFFERENCES)
      unexpected.push(`${key} agrees now: remove it from KNOWN_DIFFERENCES`);
  }
  const pct = (n: number): string => `${((100 * n) / cases.length).toFixed(1)}%`;
  t.diagnostic(
    `conformance: ${cases.length} cases; objects agree ${objects} (${pct(objects)}), paths agree ${paths} (${pct(paths)}), fix values agree ${values} (${pct(values)})`,
  );
  assert.deepEqual(unexpected, []);
});
