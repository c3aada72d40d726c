/** Values repeated across the control tables, named once so the tables stay readable. */
import type { ControlDefinition, ScanningScope } from './model.ts';

export type Category = NonNullable<ControlDefinition['category']>;

// Scanning scopes (Kubescape `scanningScope.matches`).
export const CLUSTER_FILE: readonly ScanningScope[] = ['cluster', 'file'];
export const CLUSTER: readonly ScanningScope[] = ['cluster'];
export const CLOUD: readonly ScanningScope[] = ['cloud'];
export const EKS: readonly ScanningScope[] = ['EKS'];
export const AKS: readonly ScanningScope[] = ['AKS'];
export const GKE: readonly ScanningScope[] = ['GKE'];
export const EKS_GKE: readonly ScanningScope[] = ['EKS', 'GKE'];

// controlTypeTags.
export const SECURITY: readonly string[] = ['security'];
export const COMPLIANCE: readonly string[] = ['compliance'];
export const DEVOPS: readonly string[] = ['devops'];
export const SEC_COMP: readonly string[] = ['security', 'compliance'];

// Categories (Kubescape `category` / `subCategory`).
export const WORKLOAD: Category = { name: 'Workload' };
export const NODE_ESCAPE: Category = { name: 'Workload', subCategory: { name: 'Node escape' } };
export const RESOURCES: Category = { name: 'Workload', subCategory: { name: 'Resource management' } };
export const STORAGE: Category = { name: 'Workload', subCategory: { name: 'Storage' } };
export const WL_NETWORK: Category = { name: 'Workload', subCategory: { name: 'Network' } };
export const WL_SECRETS: Category = { name: 'Workload', subCategory: { name: 'Secrets' } };
export const SUPPLY_CHAIN: Category = { name: 'Workload', subCategory: { name: 'Supply chain' } };
export const ACCESS_CONTROL: Category = { name: 'Access control' };
export const NETWORK: Category = { name: 'Network' };
export const SECRETS: Category = { name: 'Secrets' };
export const CONTROL_PLANE: Category = { name: 'Control plane' };

/** The rule every manual-review control points at. */
export const MANUAL_RULE = 'rule-manual';
