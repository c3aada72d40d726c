/** Rules over cluster objects: namespaces, admission, accounts, routing, storage, nodes. */
import type { RuleDefinition } from '../../model.ts';
import { accountRules } from './accounts.ts';
import { configMapRules } from './configmaps.ts';
import { defaultNamespaceRules } from './default-namespace.ts';
import { namespaceRules } from './namespaces.ts';
import { nodeRules } from './nodes.ts';
import { podSecurityPolicyRules } from './pod-security-policies.ts';
import { reviewRules } from './review.ts';
import { routingRules } from './routing.ts';
import { storageRules } from './storage.ts';

export const rules: RuleDefinition[] = [
  ...defaultNamespaceRules,
  ...namespaceRules,
  ...podSecurityPolicyRules,
  ...accountRules,
  ...routingRules,
  ...storageRules,
  ...configMapRules,
  ...nodeRules,
  ...reviewRules,
];
