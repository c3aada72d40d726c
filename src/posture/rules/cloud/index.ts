import type { RuleDefinition } from '../../model.ts';
import { clusterDescribeRules } from './cluster-describe.ts';
import { managedClusterRules } from './managed-cluster.ts';
import { registryAndIamRules } from './registries-and-iam.ts';
import { sandboxRules } from './sandbox.ts';
import { vulnerabilityRules } from './vulnerabilities.ts';

/**
 * Rules over cloud-provider data (managed cluster configuration, registries, IAM), image scan
 * results, provider-specific object checks, and Agent Sandbox templates.
 */
export const rules: RuleDefinition[] = [
  ...clusterDescribeRules,
  ...registryAndIamRules,
  ...managedClusterRules,
  ...vulnerabilityRules,
  ...sandboxRules,
];
