/**
 * RBAC rules: permission checks over subject vectors (subject × binding × role) and the workload ↔
 * service account ↔ binding joins.
 */
import type { RuleDefinition } from '../../model.ts';
import { grantRules } from './grant-rules.ts';
import { subjectRules } from './subject-rules.ts';
import { workloadRules } from './workload-rules.ts';

export const rules: RuleDefinition[] = [...grantRules, ...subjectRules, ...workloadRules];
