import type { RuleDefinition } from '../../model.ts';
import { inventoryRules } from './inventory.ts';

export const rules: RuleDefinition[] = [...inventoryRules];
