/**
 * Kubescape frameworks (regolibrary `frameworks/*.json`) as control-ID lists. The two CIS frameworks
 * removed from Kubescape in 2025 stay available, flagged `deleted`, because users still ask for them.
 */
import { ALL_CONTROL_IDS } from './catalog.ts';
import type { FrameworkDefinition, ScanningScope } from './model.ts';
import { AKS, CLUSTER_FILE, EKS, GKE } from './shared.ts';

/** WorkloadScan and ClusterScan carry no scanning scope in Kubescape: they fit every scan target. */
const ANY_TARGET: readonly ScanningScope[] = CLUSTER_FILE;
const FILE: readonly ScanningScope[] = ['file'];

/** Control IDs in the notation of controls.md §1: `0041, 0092–0114` (ranges inclusive). */
function controlIds(spec: string): readonly string[] {
  const ids: string[] = [];
  for (const part of spec.split(',').map((p) => p.trim())) {
    const [from, to = from] = part.split('–').map(Number) as [number, number?];
    for (let n = from; n <= to; n++) ids.push(`C-${String(n).padStart(4, '0')}`);
  }
  return ids;
}

export const FRAMEWORK_LIST: readonly FrameworkDefinition[] = [
  {
    name: 'NSA',
    description:
      'NSA/CISA Kubernetes Hardening Guidance: pod security, network separation, authentication and logging.',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds(
      '0002, 0005, 0012, 0013, 0016, 0017, 0030, 0034, 0035, 0038, 0041, 0044, 0046, 0054, 0055, 0057–0059, 0066–0070, 0270, 0271, 0292',
    ),
  },
  {
    name: 'MITRE',
    description: "Microsoft's threat matrix for Kubernetes, based on MITRE ATT&CK techniques.",
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds(
      '0002, 0007, 0012, 0014, 0015, 0020, 0021, 0026, 0031, 0035–0037, 0039, 0042, 0045, 0048, 0052–0054, 0057–0059, 0066–0070',
    ),
  },
  {
    name: 'ArmoBest',
    description: 'ARMO (Kubescape) security best practices for clusters and workloads.',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds(
      '0002, 0005, 0012, 0013, 0016, 0017, 0030, 0034, 0035, 0038, 0041, 0044, 0046, 0049, 0054, 0055, 0057–0059, 0061–0063, 0065–0070, 0078, 0079, 0081, 0087, 0089, 0091, 0236, 0237, 0270, 0271, 0292, 0306',
    ),
  },
  {
    name: 'security',
    description: 'Kubescape security view: controls with a direct impact on an attack path.',
    scanningScope: CLUSTER_FILE,
    typeTags: ['security'],
    controls: controlIds(
      '0005, 0012, 0013, 0016, 0017, 0034, 0035, 0038, 0041, 0044–0046, 0048, 0057, 0066, 0069, 0070, 0074, 0211, 0255–0262, 0264–0267, 0270–0274, 0292',
    ),
  },
  {
    name: 'AllControls',
    description: 'Every control of the library.',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: ALL_CONTROL_IDS,
  },
  {
    name: 'WorkloadScan',
    description: 'Controls that apply to a single workload and its direct dependencies.',
    scanningScope: ANY_TARGET,
    typeTags: ['security'],
    controls: controlIds(
      '0012, 0013, 0016, 0017, 0034, 0038, 0041, 0044–0046, 0048, 0055, 0057, 0078, 0207, 0257, 0260, 0270, 0271',
    ),
  },
  {
    name: 'ClusterScan',
    description: 'Controls for a quick security scan of a whole cluster.',
    scanningScope: ANY_TARGET,
    typeTags: ['security'],
    controls: controlIds(
      '0002, 0005, 0007, 0012, 0013, 0015, 0035, 0036, 0038, 0039, 0041, 0048, 0057, 0063, 0066, 0067, 0088, 0187, 0188, 0256, 0260, 0262, 0265',
    ),
  },
  {
    name: 'DevOpsBest',
    description: 'Operational best practices: probes, resources, labels and dangling references.',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds(
      '0018, 0044, 0056, 0061, 0073–0077, 0253, 0268–0271, 0292–0296, 0298–0300, 0302, 0305, 0307',
    ),
  },
  {
    name: 'SOC2',
    description: 'Controls mapped to SOC 2 trust services criteria.',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds('0012, 0035, 0067, 0186, 0260, 0263, 0264'),
  },
  {
    name: 'cis-v1.10.0',
    description: 'CIS Kubernetes Benchmark v1.10.0.',
    version: 'v1.10.0',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds(
      '0041, 0092–0114, 0116–0123, 0125–0127, 0129–0142, 0144–0176, 0178–0193, 0197–0212, 0246, 0275–0284, 0286–0289',
    ),
  },
  {
    name: 'cis-v1.12.0',
    description: 'CIS Kubernetes Benchmark v1.12.0.',
    version: 'v1.12.0',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds(
      '0041, 0092–0114, 0116–0123, 0125–0127, 0129–0142, 0144–0176, 0178–0193, 0197–0212, 0246, 0275–0284, 0286–0291',
    ),
  },
  {
    name: 'cis-v1.23-t1.0.1',
    description: "CIS Kubernetes Benchmark v1.23, v1.0.1 (removed from Kubescape's library in 2025).",
    version: 'v1.0.1',
    scanningScope: CLUSTER_FILE,
    typeTags: ['compliance'],
    controls: controlIds('0092–0212'),
    deleted: true,
  },
  {
    name: 'cis-eks-t1.2.0',
    description: "CIS Amazon EKS Benchmark v1.2.0 (removed from Kubescape's library in 2025).",
    version: 'v1.2.0',
    scanningScope: EKS,
    typeTags: ['compliance'],
    controls: controlIds(
      '0066, 0067, 0078, 0167, 0171–0181, 0183, 0185–0191, 0205–0207, 0209, 0211–0223, 0225–0235, 0238, 0242, 0246',
    ),
    deleted: true,
  },
  {
    name: 'cis-eks-t1.7.0',
    description: 'CIS Amazon EKS Benchmark v1.7.0.',
    version: 'v1.7.0',
    scanningScope: EKS,
    typeTags: ['compliance'],
    controls: controlIds(
      '0066, 0067, 0078, 0167, 0171–0176, 0178, 0180, 0181, 0183, 0185–0191, 0193–0197, 0205–0207, 0209, 0212, 0221–0223, 0225, 0227–0232, 0234, 0235, 0238, 0285',
    ),
  },
  {
    name: 'cis-eks-t1.8.0',
    description: 'CIS Amazon EKS Benchmark v1.8.0.',
    version: 'v1.8.0',
    scanningScope: EKS,
    typeTags: ['compliance'],
    controls: controlIds(
      '0066, 0067, 0078, 0167, 0171–0176, 0178, 0180, 0181, 0183, 0185–0191, 0193–0197, 0205–0207, 0209, 0212, 0221–0223, 0225, 0227–0232, 0234, 0235, 0238, 0278, 0279, 0281, 0282, 0285',
    ),
  },
  {
    name: 'cis-aks-t1.2.0',
    description: 'CIS Azure Kubernetes Service (AKS) Benchmark v1.2.0.',
    version: 'v1.2.0',
    scanningScope: AKS,
    typeTags: ['compliance'],
    controls: controlIds(
      '0078, 0088, 0167, 0171–0180, 0182, 0183, 0185–0190, 0201, 0205–0209, 0211–0219, 0235, 0238–0245, 0247–0252, 0254',
    ),
  },
  {
    name: 'cis-aks-t1.8.0',
    description: 'CIS Azure Kubernetes Service (AKS) Benchmark v1.8.0.',
    version: 'v1.8.0',
    scanningScope: AKS,
    typeTags: ['compliance'],
    controls: controlIds(
      '0078, 0088, 0167, 0171–0180, 0182, 0183, 0185–0190, 0201, 0205–0209, 0211–0219, 0235, 0238–0245, 0247–0252, 0254, 0279–0282',
    ),
  },
  {
    name: 'cis-gke-v1.9.0',
    description: 'CIS Google Kubernetes Engine (GKE) Benchmark v1.9.0.',
    version: 'v1.9.0',
    scanningScope: GKE,
    typeTags: ['compliance'],
    controls: controlIds(
      '0014, 0066, 0067, 0078, 0088, 0164, 0165, 0171, 0185–0187, 0189–0192, 0205–0207, 0209–0212, 0221, 0223, 0225–0229, 0231–0235, 0246, 0262, 0265, 0286, 0289, 0308',
    ),
  },
  {
    name: 'YAML-scanning',
    description: 'Empty placeholder framework kept for compatibility with file scans.',
    scanningScope: FILE,
    typeTags: [],
    controls: [],
  },
];
