/**
 * Runs the rule conformance corpus (../shared/conformance/controls, or $KUBEGUARD_CONFORMANCE) and
 * prints agreement figures and every differing case.
 *   node --import tsx tools/posture-conformance.ts [rule-name ...] [--quiet]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCases, runCase } from '../src/posture/conformance.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = process.env.KUBEGUARD_CONFORMANCE ?? path.resolve(here, '../../shared/conformance/controls');
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const names = args.filter((a) => !a.startsWith('--'));
const cases = listCases(path.join(corpus, 'cases'), names.length > 0 ? new Set(names) : undefined);
let objects = 0;
let paths = 0;
let values = 0;
for (const { rule, dir } of cases) {
  const result = runCase(dir, rule);
  if (result.objectsAgree) objects++;
  if (result.pathsAgree) paths++;
  if (result.fixValuesAgree) values++;
  if (!result.pathsAgree || !result.fixValuesAgree) {
    console.log(`DIFF ${rule}/${result.caseName}${result.objectsAgree ? '' : ' (objects)'}`);
    if (!quiet) for (const d of result.differences) console.log(`    ${d}`);
  }
}
const pct = (n: number): string => (cases.length === 0 ? '-' : ((100 * n) / cases.length).toFixed(1) + '%');
console.log(
  `cases ${cases.length}: objects agree ${objects} (${pct(objects)}), paths agree ${paths} (${pct(paths)}), fix values agree ${values} (${pct(values)})`,
);
