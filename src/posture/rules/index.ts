import type { RuleDefinition } from '../model.ts';
import { rules as cloud } from './cloud/index.ts';
import { rules as cluster } from './cluster/index.ts';
import { rules as controlPlane } from './control-plane/index.ts';
import { rules as host } from './host/index.ts';
import { rules as rbac } from './rbac/index.ts';
import { rules as workloadRelations } from './workload-relations/index.ts';
import { rules as workloadSecurity } from './workload-security/index.ts';

/** Every rule, by Kubescape rule name. */
export const RULES: ReadonlyMap<string, RuleDefinition> = (() => {
  const map = new Map<string, RuleDefinition>();
  for (const rule of [
    ...workloadSecurity,
    ...workloadRelations,
    ...rbac,
    ...controlPlane,
    ...cluster,
    ...host,
    ...cloud,
  ]) {
    if (map.has(rule.name)) throw new Error(`duplicate posture rule ${rule.name}`);
    map.set(rule.name, rule);
  }
  return map;
})();

export function getRule(name: string): RuleDefinition | undefined {
  return RULES.get(name);
}
