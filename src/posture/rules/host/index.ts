import type { RuleDefinition } from '../../model.ts';
import { controlPlaneRules } from './control-plane.ts';
import { cveRules } from './cves.ts';
import { fileRules } from './files.ts';
import { kubeletRules } from './kubelet.ts';
import { nodeInfoRules } from './node-info.ts';

/** Rules over host-sensor data (node files, kubelet settings, CNI, kernel) and node-level CVEs. */
export const rules: RuleDefinition[] = [
  ...fileRules,
  ...kubeletRules,
  ...controlPlaneRules,
  ...nodeInfoRules,
  ...cveRules,
];
