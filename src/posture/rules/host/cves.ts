/** Known-CVE exposure rules that combine Kubernetes objects with node or API server facts. */
import type { K8sObject, RuleDefinition } from '../../model.ts';
import { externalViolation, violation } from '../../objects.ts';
import { hostKindMatch } from './host-objects.ts';
import { asObject, membersOf, valueAt } from './values.ts';

// ---- CVE-2022-0185 (C-0079): kernel fs_context heap overflow, reachable with unprivileged userns ----

const AZURE_FIXED_BUILD = 1067;

/**
 * Linux 5.1 to 5.16.1 is affected. Azure kernels (`5.4.0-<build>-azure`) carry the fix from build
 * 1067 on and are only affected up to 5.4.
 */
export function kernelAffectedByCve20220185(kernelVersion: string): boolean {
  const match = /([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9]+))?/.exec(kernelVersion);
  if (!match) return false;
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number);
  if (major !== 5 || minor === undefined || patch === undefined || minor < 1 || patch >= 2) return false;
  if (!kernelVersion.includes('azure')) return minor <= 16;
  const build = match[4] === undefined ? undefined : Number(match[4]);
  return minor <= 4 && (build === undefined || build < AZURE_FIXED_BUILD);
}

/** The node's kernel variables show `kernel.unprivileged_userns_clone = 1`. */
function unprivilegedUsernsCloneEnabled(kernelVariables: K8sObject): boolean {
  return membersOf(kernelVariables.data).some(
    (entry) => valueAt(entry, ['key']) === 'unprivileged_userns_clone' && valueAt(entry, ['value']) === '1\n',
  );
}

const cve20220185: RuleDefinition = {
  name: 'CVE-2022-0185',
  match: [{ group: '', kinds: ['Node'] }],
  dynamicMatch: hostKindMatch('LinuxKernelVariables'),
  evaluate: ({ objects }) => {
    const kernelVariables = objects.filter((obj) => obj.kind === 'LinuxKernelVariables');
    return objects
      .filter((obj) => obj.kind === 'Node')
      .flatMap((node) => {
        const kernelVersion = valueAt(node, ['status', 'nodeInfo', 'kernelVersion']);
        const name = node.metadata?.name;
        if (typeof kernelVersion !== 'string' || name === undefined) return [];
        if (valueAt(node, ['status', 'nodeInfo', 'operatingSystem']) !== 'linux') return [];
        if (!kernelAffectedByCve20220185(kernelVersion)) return [];
        const forNode = kernelVariables.filter((vars) => vars.metadata?.name === name);
        if (!forNode.some(unprivilegedUsernsCloneEnabled)) return [];
        return [
          externalViolation(
            { name, namespace: '', kind: node.kind, relatedObjects: forNode, kernelVersion },
            {
              alertMessage: 'You are vulnerable to CVE-2022-0185',
              failedPaths: ['kernelVersion'],
              reviewPaths: ['kernelVersion'],
            },
          ),
        ];
      });
  },
};

// ---- CVE-2022-3172 (C-0089): aggregated API servers can redirect clients -------------------------

type Version = readonly [number, number, number];

/** `v1.24.3-gke.100` -> [1, 24, 3]; undefined when it is not a full release version. */
export function parseKubernetesVersion(gitVersion: unknown): Version | undefined {
  if (typeof gitVersion !== 'string') return undefined;
  const release = gitVersion.split('-')[0] ?? '';
  const match = /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(release);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Affected ranges; an unknown API server version counts as affected. */
const AFFECTED_RANGES: readonly (readonly [Version, Version])[] = [
  [
    [0, 0, 0],
    [1, 21, 14],
  ],
  [
    [1, 22, 0],
    [1, 22, 13],
  ],
  [
    [1, 23, 0],
    [1, 23, 10],
  ],
  [
    [1, 24, 0],
    [1, 24, 4],
  ],
  [
    [1, 25, 0],
    [1, 25, 0],
  ],
];

export function apiServerAffectedByCve20223172(version: Version | undefined): boolean {
  return (
    version === undefined ||
    AFFECTED_RANGES.some(
      ([low, high]) => compareVersions(version, low) >= 0 && compareVersions(version, high) <= 0,
    )
  );
}

const cve20223172: RuleDefinition = {
  name: 'CVE-2022-3172',
  match: [
    { group: 'apiregistration.k8s.io', kinds: ['APIService'] },
    { group: '', kinds: ['Service'] },
  ],
  dynamicMatch: [{ group: 'apiserverinfo.kubescape.cloud', kinds: ['APIServerInfo'] }],
  evaluate: ({ objects }) => {
    const versionInfos = objects.filter(
      (obj) =>
        obj.kind === 'APIServerInfo' &&
        obj.apiVersion === 'apiserverinfo.kubescape.cloud/v1beta0' &&
        obj.metadata?.name === 'version',
    );
    const version =
      versionInfos.length === 1
        ? parseKubernetesVersion(valueAt(versionInfos[0], ['data', 'gitVersion']))
        : undefined;
    if (!apiServerAffectedByCve20223172(version)) return [];
    const services = objects.filter((obj) => obj.kind === 'Service' && obj.apiVersion === 'v1');
    return objects
      .filter((obj) => obj.kind === 'APIService' && obj.apiVersion === 'apiregistration.k8s.io/v1')
      .flatMap((apiService) => {
        const backend = asObject(valueAt(apiService, ['spec', 'service']));
        if (!backend || backend.name === undefined) return [];
        // The library matches the Service by name only and needs it to be unambiguous.
        const exposing = services.filter((service) => service.metadata?.name === backend.name);
        const [service] = exposing;
        if (exposing.length !== 1 || !service) return [];
        return [
          violation([apiService, service], {
            alertMessage:
              'the following pair of APIService and Service may redirect client traffic to any URL',
            alertScore: 2,
          }),
        ];
      });
  },
};

export const cveRules: RuleDefinition[] = [cve20220185, cve20223172];
