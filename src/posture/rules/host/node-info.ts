/** Rules over node facts from the host sensor: CNI plugins in use, cloud metadata API reachability. */
import type { RuleDefinition } from '../../model.ts';
import { externalViolation } from '../../objects.ts';
import { hostRule, reducedHostObject } from './host-objects.ts';
import { membersOf, valueAt } from './values.ts';

const CNI_NAMES_PATH = ['data', 'CNINames'] as const;

/** Flannel alone does not enforce NetworkPolicies; neither does the AWS VPC CNI on its own. */
export function cniLacksNetworkPolicySupport(names: unknown): boolean {
  if (names === undefined) return false;
  const cnis = membersOf(names);
  return (cnis.includes('Flannel') && !cnis.includes('Calico')) || (cnis.includes('aws') && cnis.length < 2);
}

/** On EKS, network policies need the Calico or Cilium add-on. */
export function eksCniLacksNetworkPolicySupport(names: unknown): boolean {
  const cnis = membersOf(names);
  return !cnis.includes('Calico') && !cnis.includes('Cilium');
}

function cniRule(name: string, unsupported: (names: unknown) => boolean, eksOnly: boolean): RuleDefinition {
  return hostRule(
    name,
    'CNIInfo',
    (objects) =>
      objects
        .filter((obj) => unsupported(valueAt(obj, CNI_NAMES_PATH)))
        .map((obj) =>
          externalViolation(reducedHostObject(obj, [CNI_NAMES_PATH]), {
            alertMessage: "CNI doesn't support Network Policies.",
            alertScore: 2,
            fixCommand: '',
          }),
        ),
    eksOnly ? { cloudProviders: ['EKS'] } : {},
  );
}

const METADATA_ACCESS_PATH = ['data', 'providerMetaDataAPIAccess'] as const;

export const nodeInfoRules: RuleDefinition[] = [
  cniRule('ensure-that-the-cni-in-use-supports-network-policies', cniLacksNetworkPolicySupport, false),
  cniRule('ensure-network-policy-is-enabled-eks', eksCniLacksNetworkPolicySupport, true),
  hostRule('instance-metadata-api-access', 'cloudProviderInfo', (objects) =>
    objects
      .filter((obj) => valueAt(obj, METADATA_ACCESS_PATH) === true)
      .map((obj) =>
        externalViolation(reducedHostObject(obj, [METADATA_ACCESS_PATH]), {
          alertMessage: `Node '${obj.metadata?.name ?? ''}' has access to Instance Metadata Services of cloud provider.`,
          alertScore: 1,
          fixCommand: '',
        }),
      ),
  ),
];
