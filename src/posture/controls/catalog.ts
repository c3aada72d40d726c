/** All control tables in one list, sorted by ID. */
import { ADMISSION_CONTROLS } from './admission.ts';
import { CLOUD_CONTROLS } from './cloud.ts';
import { CONTROL_PLANE_CONTROLS } from './control-plane.ts';
import { MANUAL_CONTROLS } from './manual.ts';
import type { ControlDefinition } from './model.ts';
import { NETWORK_CONTROLS } from './network.ts';
import { NODE_CONTROLS } from './node.ts';
import { RBAC_CONTROLS } from './rbac.ts';
import { SANDBOX_CONTROLS } from './sandbox.ts';
import { SUPPLY_CHAIN_CONTROLS } from './supply-chain.ts';
import { SECRET_CONTROLS, WORKLOAD_CONTROLS } from './workloads.ts';

export const ALL_CONTROLS: readonly ControlDefinition[] = [
  ...WORKLOAD_CONTROLS,
  ...SECRET_CONTROLS,
  ...RBAC_CONTROLS,
  ...NETWORK_CONTROLS,
  ...ADMISSION_CONTROLS,
  ...SUPPLY_CHAIN_CONTROLS,
  ...CONTROL_PLANE_CONTROLS,
  ...NODE_CONTROLS,
  ...CLOUD_CONTROLS,
  ...SANDBOX_CONTROLS,
  ...MANUAL_CONTROLS,
].sort((a, b) => a.id.localeCompare(b.id));

/** IDs of every control, sorted (the AllControls framework). */
export const ALL_CONTROL_IDS: readonly string[] = ALL_CONTROLS.map((control) => control.id);
