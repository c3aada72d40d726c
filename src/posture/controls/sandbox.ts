/** Agent Sandbox (`SandboxTemplate`, extensions.agents.x-k8s.io) hardening controls. */
import type { ControlDefinition } from './model.ts';
import { CLUSTER_FILE, NODE_ESCAPE, RESOURCES, SECURITY, SUPPLY_CHAIN, WL_NETWORK } from './shared.ts';

export const SANDBOX_CONTROLS: readonly ControlDefinition[] = [
  {
    id: 'C-0297',
    name: 'Agent Sandbox hardened runtime class',
    description:
      'Finds SandboxTemplates whose pod template runs without a hardened runtime class from `hardenedSandboxRuntimeClasses` (gVisor by default).',
    remediation: 'Set `spec.podTemplate.spec.runtimeClassName` to a hardened runtime class such as `gvisor`.',
    baseScore: 7,
    category: NODE_ESCAPE,
    rules: ['agent-sandbox-hardened-runtime-class'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0301',
    name: 'Agent Sandbox egress policy enforcement',
    description:
      'Finds SandboxTemplates whose network policy is unmanaged, missing, or has egress rules that are not scoped to specific peers.',
    remediation:
      'Keep `spec.networkPolicyManagement: Managed` and list egress rules whose `to` peers use specific CIDRs or pod/namespace selectors (never 0.0.0.0/0).',
    baseScore: 7,
    category: WL_NETWORK,
    rules: ['agent-sandbox-egress-policy'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0303',
    name: 'Agent Sandbox resource ceilings',
    description:
      'Finds SandboxTemplate containers without CPU or memory limits, or above `sandbox_cpu_limit_max` / `sandbox_memory_limit_max`.',
    remediation:
      'Set `resources.limits.cpu` and `resources.limits.memory` on every sandbox container within the configured ceilings.',
    baseScore: 7,
    category: RESOURCES,
    rules: ['resources-sandbox-cpu-limits', 'resources-sandbox-memory-limits'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
  {
    id: 'C-0304',
    name: 'Agent Sandbox image provenance',
    description:
      'Finds SandboxTemplate images outside `imageRepositoryAllowList`, or referenced by `latest`, a floating tag or no tag.',
    remediation: 'Use images from an allowed registry pinned to a digest or an immutable version tag.',
    baseScore: 7,
    category: SUPPLY_CHAIN,
    rules: ['agent-sandbox-image-registry-allowlist', 'agent-sandbox-image-tag-provenance'],
    scanningScope: CLUSTER_FILE,
    tags: SECURITY,
  },
];
