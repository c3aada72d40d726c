/**
 * Posture rules that relate a workload to other objects: Services and exposure paths, network
 * policies, ServiceAccounts, mounted objects, selectors and references, labels, CVE conditions.
 */
import type { RuleDefinition } from '../../model.ts';
import { cveRules } from './cves.ts';
import { internetExposureRules } from './internet-exposure.ts';
import { inventoryRules } from './inventory.ts';
import { labelRules } from './labels.ts';
import { mountRules } from './mounts.ts';
import { networkPolicyRules } from './network-policies.ts';
import { referenceRules } from './references.ts';
import { serviceAccountRules } from './service-accounts.ts';
import { serviceExposureRules } from './service-exposure.ts';

export const rules: RuleDefinition[] = [
  ...cveRules,
  ...serviceAccountRules,
  ...networkPolicyRules,
  ...internetExposureRules,
  ...serviceExposureRules,
  ...referenceRules,
  ...labelRules,
  ...mountRules,
  ...inventoryRules,
];
