import type { KubeObject, StatusCause } from '../../api/index.ts';
import { storageResources } from '../../api/index.ts';
import {
  configurationScanSummaries,
  generatedNetworkPolicies,
  vulnerabilitySummaries,
} from '../virtual/index.ts';
import {
  completionColumn,
  failedControlsColumn,
  imageColumn,
  matchSeverityColumns,
  sizeColumn,
  statusColumn,
  summarySeverityColumns,
  workloadColumn,
} from './columns.ts';
import type { KindDefinition, KindOverrides } from './define.ts';

const profileStatuses = [
  'initializing',
  'ready',
  'completed',
  'incomplete',
  'unauthorize',
  'missing-runtime',
  'too-large',
  'unsupported-schema',
];
/** Kubescape's maxApplicationProfileSize / maxNetworkNeighborhoodSize (list entries). */
const maxProfileEntries = 40_000;

/** Annotation checks of Kubescape's ApplicationProfile / NetworkNeighborhood strategies. */
function validateProfileAnnotations(object: KubeObject): StatusCause[] {
  const annotations = object.metadata.annotations ?? {};
  const causes: StatusCause[] = [];
  const completion = annotations['kubescape.io/completion'];
  if (completion !== undefined && completion !== 'complete' && completion !== 'partial') {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'metadata.annotations[kubescape.io/completion]',
      message: `Unsupported value: "${completion}": supported values: "complete", "partial"`,
    });
  }
  const status = annotations['kubescape.io/status'];
  if (status !== undefined && status !== '' && !profileStatuses.includes(status)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'metadata.annotations[kubescape.io/status]',
      message: `Unsupported value: "${status}": supported values: ${profileStatuses.map((s) => `"${s}"`).join(', ')}`,
    });
  }
  return causes;
}

function countEntries(value: unknown): number {
  if (Array.isArray(value))
    return value.reduce((n: number, v) => n + (v !== null && typeof v === 'object' ? countEntries(v) : 1), 0);
  if (value !== null && typeof value === 'object')
    return Object.values(value).reduce((n: number, v) => n + countEntries(v), 0);
  return 0;
}

/**
 * Kubescape keeps an oversized profile as an object marked too-large with its spec emptied, rather
 * than refusing the write; completed+complete profiles are immutable.
 */
function prepareProfile(object: KubeObject, old: KubeObject | undefined): KubeObject {
  const oldAnnotations = old?.metadata.annotations ?? {};
  if (
    old &&
    oldAnnotations['kubescape.io/status'] === 'completed' &&
    oldAnnotations['kubescape.io/completion'] === 'complete'
  ) {
    return { ...old, metadata: { ...old.metadata, resourceVersion: undefined } };
  }
  const size = countEntries(object.spec);
  const annotations: Record<string, string> = {
    ...(object.metadata.annotations ?? {}),
    'kubescape.io/resource-size': String(size),
  };
  if (size > maxProfileEntries) {
    annotations['kubescape.io/status'] = 'too-large';
    return { ...object, metadata: { ...object.metadata, annotations }, spec: {} };
  }
  return { ...object, metadata: { ...object.metadata, annotations } };
}

const overrides: Record<string, KindOverrides> = {
  vulnerabilitymanifests: {
    columns: [imageColumn, statusColumn, ...matchSeverityColumns],
    columnsNeedSpec: true,
  },
  vulnerabilitymanifestsummaries: {
    columns: [workloadColumn, ...summarySeverityColumns],
    columnsNeedSpec: true,
  },
  vulnerabilitysummaries: { columns: summarySeverityColumns, virtual: vulnerabilitySummaries },
  configurationscansummaries: { columns: summarySeverityColumns, virtual: configurationScanSummaries },
  generatednetworkpolicies: { virtual: generatedNetworkPolicies },
  workloadconfigurationscans: { columns: [workloadColumn, failedControlsColumn], columnsNeedSpec: true },
  workloadconfigurationscansummaries: {
    columns: [workloadColumn, ...summarySeverityColumns],
    columnsNeedSpec: true,
  },
  sbomsyfts: { columns: [imageColumn, statusColumn, sizeColumn] },
  sbomsyftfiltereds: { columns: [imageColumn, statusColumn, workloadColumn, sizeColumn] },
  sbomspdxv2p3s: { columns: [imageColumn, statusColumn] },
  sbomspdxv2p3filtereds: { columns: [imageColumn, statusColumn] },
  openvulnerabilityexchangecontainers: { columns: [imageColumn] },
  applicationprofiles: {
    columns: [workloadColumn, statusColumn, completionColumn],
    fullSpecListAllowed: false,
    validate: validateProfileAnnotations,
    prepareForSave: prepareProfile,
  },
  networkneighborhoods: {
    columns: [workloadColumn, statusColumn, completionColumn],
    fullSpecListAllowed: false,
    validate: validateProfileAnnotations,
    prepareForSave: prepareProfile,
  },
  containerprofiles: {
    columns: [workloadColumn, statusColumn, completionColumn],
    validate: validateProfileAnnotations,
  },
  seccompprofiles: { columns: [workloadColumn] },
};

/** Every kind the storage serves, in discovery order. */
export const storageKinds: KindDefinition[] = storageResources.map((r) => {
  const o = overrides[r.plural] ?? {};
  return {
    kind: r.kind,
    plural: r.plural,
    singular: r.singular,
    namespaced: r.namespaced,
    shortNames: [...(r.shortNames ?? [])],
    maxBytes: r.maxBytes,
    columns: o.columns ?? [],
    columnsNeedSpec: o.columnsNeedSpec ?? false,
    fullSpecListAllowed: o.fullSpecListAllowed ?? true,
    ...(o.virtual ? { virtual: o.virtual } : {}),
    ...(o.validate ? { validate: o.validate } : {}),
    ...(o.prepareForSave ? { prepareForSave: o.prepareForSave } : {}),
  };
});
