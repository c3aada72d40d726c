import type { RuleDefinition } from '../../model.ts';

export const rules: RuleDefinition[] = [];
