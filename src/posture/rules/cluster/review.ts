/**
 * Rules that only list objects for a human to review (admission webhooks), and the manual-review
 * rules, which never fail anything: the engine reports their controls as `manual review`.
 */
import type { RuleDefinition } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { kinds } from './values.ts';

function listAllWebhooksRule(name: string, kind: string, adjective: string): RuleDefinition {
  return {
    name,
    match: [kinds('admissionregistration.k8s.io', kind)],
    evaluate: ({ objects }) =>
      objects.map((configuration) =>
        violation(configuration, {
          alertMessage: `The following ${adjective} webhook configuration should be checked ${nameOf(configuration)}.`,
          alertScore: 6,
        }),
      ),
  };
}

/** A rule without inputs whose control needs a person to check the cluster. */
function manualReviewRule(name: string): RuleDefinition {
  return { name, match: [], evaluate: () => [] };
}

export const reviewRules: RuleDefinition[] = [
  listAllWebhooksRule('list-all-mutating-webhooks', 'MutatingWebhookConfiguration', 'mutating'),
  listAllWebhooksRule('list-all-validating-webhooks', 'ValidatingWebhookConfiguration', 'validating'),
  manualReviewRule('rule-manual'),
  manualReviewRule('rule-hostile-multitenant-workloads'),
];
