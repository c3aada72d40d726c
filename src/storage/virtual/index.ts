export { configurationScanSummaries, vulnerabilitySummaries } from './summaries.ts';
export { generatedNetworkPolicies } from './network-policies.ts';
