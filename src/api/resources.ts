/**
 * Every resource the storage API group serves (storage-api.md §1 and §4), in one table; discovery,
 * routing, storage keys and size limits derive from it.
 */
import type { ApplicationProfile, ContainerProfile } from './kinds/application-profile.ts';
import type { CollapseConfiguration } from './kinds/collapse.ts';
import type {
  ConfigurationScanSummary,
  WorkloadConfigurationScan,
  WorkloadConfigurationScanSummary,
} from './kinds/configuration-scan.ts';
import type { GeneratedNetworkPolicy, KnownServer, NetworkNeighborhood } from './kinds/network.ts';
import type { OpenVulnerabilityExchangeContainer } from './kinds/openvex.ts';
import type { SBOMSPDXv2p3, SBOMSPDXv2p3Filtered, SBOMSummary } from './kinds/sbom-spdx.ts';
import type { SBOMSyft, SBOMSyftFiltered } from './kinds/sbom-syft.ts';
import type { SeccompProfile } from './kinds/seccomp.ts';
import type { VulnerabilityManifest } from './kinds/vulnerability-manifest.ts';
import type { VulnerabilityManifestSummary, VulnerabilitySummary } from './kinds/vulnerability-summary.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The spec says "400 kB"; read as binary units, like the other limits. */
export const DEFAULT_MAX_OBJECT_BYTES = 400 * KiB;

export interface ResourceInfo {
  kind: string;
  /** URL resource. */
  plural: string;
  /** Lower-case kind. */
  singular: string;
  namespaced: boolean;
  /** Computed on read by the storage; create/update/delete are refused. */
  virtual: boolean;
  /** Removed upstream; served for reading old data only. */
  deprecated: boolean;
  /** Kind segment of the storage key `/<group>/<segment>/<ns>/<name>`; null for virtual kinds. */
  storageSegment: string | null;
  /** Default maximum size of one object. */
  maxBytes: number;
  shortNames?: readonly string[];
}

const RESOURCE_TABLE = [
  {
    kind: 'ConfigurationScanSummary',
    plural: 'configurationscansummaries',
    singular: 'configurationscansummary',
    namespaced: false,
    virtual: true,
    deprecated: false,
    storageSegment: null,
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'SBOMSPDXv2p3Filtered',
    plural: 'sbomspdxv2p3filtereds',
    singular: 'sbomspdxv2p3filtered',
    namespaced: true,
    virtual: false,
    deprecated: true,
    // [U] the spec gives "singular / plural" for removed kinds; the plural is used.
    storageSegment: 'sbomspdxv2p3filtereds',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'SBOMSPDXv2p3',
    plural: 'sbomspdxv2p3s',
    singular: 'sbomspdxv2p3',
    namespaced: true,
    virtual: false,
    deprecated: true,
    storageSegment: 'sbomspdxv2p3s',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'SBOMSummary',
    plural: 'sbomsummaries',
    singular: 'sbomsummary',
    namespaced: true,
    virtual: false,
    deprecated: true,
    storageSegment: 'sbomsummaries',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'VulnerabilityManifest',
    plural: 'vulnerabilitymanifests',
    singular: 'vulnerabilitymanifest',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'vulnerabilitymanifests',
    maxBytes: 10 * MiB,
  },
  {
    kind: 'VulnerabilityManifestSummary',
    plural: 'vulnerabilitymanifestsummaries',
    singular: 'vulnerabilitymanifestsummary',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'vulnerabilitymanifestsummaries',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'VulnerabilitySummary',
    plural: 'vulnerabilitysummaries',
    singular: 'vulnerabilitysummary',
    namespaced: false,
    virtual: true,
    deprecated: false,
    storageSegment: null,
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'WorkloadConfigurationScan',
    plural: 'workloadconfigurationscans',
    singular: 'workloadconfigurationscan',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'workloadconfigurationscans',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'WorkloadConfigurationScanSummary',
    plural: 'workloadconfigurationscansummaries',
    singular: 'workloadconfigurationscansummary',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'workloadconfigurationscansummaries',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'SBOMSyft',
    plural: 'sbomsyfts',
    singular: 'sbomsyft',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'sbomsyft',
    maxBytes: 100 * MiB,
  },
  {
    kind: 'SBOMSyftFiltered',
    plural: 'sbomsyftfiltereds',
    singular: 'sbomsyftfiltered',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'sbomsyftfiltered',
    maxBytes: 20 * MiB,
  },
  {
    kind: 'OpenVulnerabilityExchangeContainer',
    plural: 'openvulnerabilityexchangecontainers',
    singular: 'openvulnerabilityexchangecontainer',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'openvulnerabilityexchangecontainers',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'ApplicationProfile',
    plural: 'applicationprofiles',
    singular: 'applicationprofile',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'applicationprofiles',
    maxBytes: 20 * MiB,
  },
  {
    kind: 'ContainerProfile',
    plural: 'containerprofiles',
    singular: 'containerprofile',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'containerprofile',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'NetworkNeighborhood',
    plural: 'networkneighborhoods',
    singular: 'networkneighborhood',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'networkneighborhoods',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'GeneratedNetworkPolicy',
    plural: 'generatednetworkpolicies',
    singular: 'generatednetworkpolicy',
    namespaced: true,
    virtual: true,
    deprecated: false,
    storageSegment: null,
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'KnownServer',
    plural: 'knownservers',
    singular: 'knownserver',
    namespaced: false,
    virtual: false,
    deprecated: false,
    storageSegment: 'knownservers',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'SeccompProfile',
    plural: 'seccompprofiles',
    singular: 'seccompprofile',
    namespaced: true,
    virtual: false,
    deprecated: false,
    storageSegment: 'seccompprofile',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
  {
    kind: 'CollapseConfiguration',
    plural: 'collapseconfigurations',
    singular: 'collapseconfiguration',
    namespaced: false,
    virtual: false,
    deprecated: false,
    storageSegment: 'collapseconfigurations',
    maxBytes: DEFAULT_MAX_OBJECT_BYTES,
  },
] as const satisfies readonly ResourceInfo[];

export type KindName = (typeof RESOURCE_TABLE)[number]['kind'];
export type ResourcePlural = (typeof RESOURCE_TABLE)[number]['plural'];

export interface Resource extends ResourceInfo {
  kind: KindName;
  plural: ResourcePlural;
}

/** Every resource of the group, in discovery order. */
export const storageResources: readonly Resource[] = RESOURCE_TABLE;

/** The object type of each kind. */
export interface KindObjects {
  ConfigurationScanSummary: ConfigurationScanSummary;
  SBOMSPDXv2p3Filtered: SBOMSPDXv2p3Filtered;
  SBOMSPDXv2p3: SBOMSPDXv2p3;
  SBOMSummary: SBOMSummary;
  VulnerabilityManifest: VulnerabilityManifest;
  VulnerabilityManifestSummary: VulnerabilityManifestSummary;
  VulnerabilitySummary: VulnerabilitySummary;
  WorkloadConfigurationScan: WorkloadConfigurationScan;
  WorkloadConfigurationScanSummary: WorkloadConfigurationScanSummary;
  SBOMSyft: SBOMSyft;
  SBOMSyftFiltered: SBOMSyftFiltered;
  OpenVulnerabilityExchangeContainer: OpenVulnerabilityExchangeContainer;
  ApplicationProfile: ApplicationProfile;
  ContainerProfile: ContainerProfile;
  NetworkNeighborhood: NetworkNeighborhood;
  GeneratedNetworkPolicy: GeneratedNetworkPolicy;
  KnownServer: KnownServer;
  SeccompProfile: SeccompProfile;
  CollapseConfiguration: CollapseConfiguration;
}

// Compile-time check that KindObjects and storageResources name the same kinds.
const _sameKinds: [KindName, keyof KindObjects] extends [keyof KindObjects, KindName] ? true : never = true;

const byPlural = new Map<string, Resource>(storageResources.map((r) => [r.plural, r]));
const byKind = new Map<string, Resource>(storageResources.map((r) => [r.kind, r]));

export function resourceByPlural(plural: string): Resource | undefined {
  return byPlural.get(plural);
}

export function resourceByKind(kind: string): Resource | undefined {
  return byKind.get(kind);
}
