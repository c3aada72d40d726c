/**
 * OpenAPI v3 structural schemas of every kind, for `/openapi/v3` and `kubectl explain` (which finds
 * a schema by its `x-kubernetes-group-version-kind`). `metadata` is an object that keeps unknown
 * fields rather than a `$ref` to apimachinery's ObjectMeta, so the schemas stand alone; a server
 * that also publishes ObjectMeta may swap in the reference.
 */
import { applicationProfileSpecSchema, containerProfileSpecSchema } from './kinds/application-profile.ts';
import { collapseConfigurationSpecSchema } from './kinds/collapse.ts';
import {
  configurationScanSummarySpecSchema,
  workloadConfigurationScanSpecSchema,
  workloadConfigurationScanSummarySpecSchema,
} from './kinds/configuration-scan.ts';
import {
  generatedNetworkPolicySchema,
  knownServerSpecSchema,
  networkNeighborhoodSpecSchema,
} from './kinds/network.ts';
import { vexDocumentSchema } from './kinds/openvex.ts';
import { sbomSpdxSpecSchema, sbomSummarySpecSchema } from './kinds/sbom-spdx.ts';
import { sbomSyftSpecSchema } from './kinds/sbom-syft.ts';
import { seccompProfileSpecSchema, seccompProfileStatusSchema } from './kinds/seccomp.ts';
import { vulnerabilityManifestSpecSchema } from './kinds/vulnerability-manifest.ts';
import {
  vulnerabilityManifestSummarySpecSchema,
  vulnerabilitySummarySpecSchema,
} from './kinds/vulnerability-summary.ts';
import { GROUP, VERSION } from './meta.ts';
import type { KindName } from './resources.ts';
import { str, type SchemaObject } from './schema.ts';

/** Name of the ObjectMeta definition, for servers that reference it instead of the inline object. */
export const OBJECT_META_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const metadataSchema: SchemaObject = {
  type: 'object',
  description: 'Standard object metadata (name, namespace, labels, annotations…).',
  'x-kubernetes-preserve-unknown-fields': true,
};

function kindSchema(kind: KindName, description: string, fields: Record<string, SchemaObject>): SchemaObject {
  return {
    type: 'object',
    description,
    properties: {
      apiVersion: str(`Versioned schema of this object: ${GROUP}/${VERSION}.`),
      kind: str(`Kind of this object: ${kind}.`),
      metadata: metadataSchema,
      ...fields,
    },
    'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind }],
  };
}

export const openApiSchemas: Record<KindName, SchemaObject> = {
  ConfigurationScanSummary: kindSchema(
    'ConfigurationScanSummary',
    "Sum of a namespace's WorkloadConfigurationScanSummaries (computed; named after the namespace).",
    { spec: configurationScanSummarySpecSchema },
  ),
  SBOMSPDXv2p3Filtered: kindSchema(
    'SBOMSPDXv2p3Filtered',
    'Deprecated: an SPDX 2.3 SBOM holding only what a container was seen using.',
    { spec: sbomSpdxSpecSchema },
  ),
  SBOMSPDXv2p3: kindSchema('SBOMSPDXv2p3', 'Deprecated: the SBOM of an image in SPDX 2.3 format.', {
    spec: sbomSpdxSpecSchema,
  }),
  SBOMSummary: kindSchema('SBOMSummary', 'Deprecated: an empty facade for watching SBOMs.', {
    spec: sbomSummarySpecSchema,
  }),
  VulnerabilityManifest: kindSchema(
    'VulnerabilityManifest',
    'Vulnerabilities of an image (named by image slug) or of the packages a container uses (named by instance slug).',
    { spec: vulnerabilityManifestSpecSchema },
  ),
  VulnerabilityManifestSummary: kindSchema(
    'VulnerabilityManifestSummary',
    'Vulnerability counts of one workload container, with references to its manifests.',
    { spec: vulnerabilityManifestSummarySpecSchema },
  ),
  VulnerabilitySummary: kindSchema(
    'VulnerabilitySummary',
    "Sum of a namespace's VulnerabilityManifestSummaries (computed; named after the namespace).",
    { spec: vulnerabilitySummarySpecSchema },
  ),
  WorkloadConfigurationScan: kindSchema(
    'WorkloadConfigurationScan',
    'Results of the configuration controls for one resource.',
    { spec: workloadConfigurationScanSpecSchema },
  ),
  WorkloadConfigurationScanSummary: kindSchema(
    'WorkloadConfigurationScanSummary',
    'Summary of the configuration controls for one resource.',
    { spec: workloadConfigurationScanSummarySpecSchema },
  ),
  SBOMSyft: kindSchema('SBOMSyft', 'The SBOM of an image in syft JSON format (named by image slug).', {
    spec: sbomSyftSpecSchema,
  }),
  SBOMSyftFiltered: kindSchema(
    'SBOMSyftFiltered',
    'An SBOM holding only the packages a container was seen using (named by instance slug).',
    { spec: sbomSyftSpecSchema },
  ),
  OpenVulnerabilityExchangeContainer: kindSchema(
    'OpenVulnerabilityExchangeContainer',
    'An OpenVEX document stating which vulnerabilities of an image affect it.',
    { spec: vexDocumentSchema },
  ),
  ApplicationProfile: kindSchema(
    'ApplicationProfile',
    'What a workload did at run time (assembled from its ContainerProfiles).',
    { spec: applicationProfileSpecSchema },
  ),
  ContainerProfile: kindSchema('ContainerProfile', 'What one container of a workload did at run time.', {
    spec: containerProfileSpecSchema,
  }),
  NetworkNeighborhood: kindSchema('NetworkNeighborhood', 'The network peers of a workload, per container.', {
    spec: networkNeighborhoodSpecSchema,
  }),
  GeneratedNetworkPolicy: kindSchema(
    'GeneratedNetworkPolicy',
    'A NetworkPolicy generated from a NetworkNeighborhood and the KnownServers (computed).',
    generatedNetworkPolicySchema,
  ),
  KnownServer: kindSchema('KnownServer', 'Named servers and their address blocks.', {
    spec: knownServerSpecSchema,
  }),
  SeccompProfile: kindSchema('SeccompProfile', 'Seccomp profiles of a workload, per container.', {
    spec: seccompProfileSpecSchema,
    status: seccompProfileStatusSchema,
  }),
  CollapseConfiguration: kindSchema(
    'CollapseConfiguration',
    'Thresholds for collapsing paths in profiles; the one named default is used.',
    { spec: collapseConfigurationSpecSchema },
  ),
};
