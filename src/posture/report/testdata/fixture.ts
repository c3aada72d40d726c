/**
 * A small hand-built PostureReport for renderer tests: controls failed, passed, skipped
 * (configuration) and passed with exceptions; file-backed and cluster resources; an RBAC subject
 * vector; a resource name that must be escaped everywhere.
 */
import type {
  ControlSummary,
  FrameworkSummary,
  PostureReport,
  ReportResource,
  ResourceControlResult,
  ResourceResult,
  SeverityName,
  Status,
  SubStatus,
} from '../model.ts';
import type { ControlInfo, ControlLookup } from '../meta.ts';

export const EVIL_NAME = `evil<script>alert("x")</script>&'`;

export const WEB_ID = 'apps/v1/default/Deployment/web';
export const API_ID = 'apps/v1/default/Deployment/api';
export const EVIL_ID = `/v1/kube-system/Pod/${EVIL_NAME}`;
export const VECTOR_ID =
  'rbac.authorization.k8s.io/v1//ClusterRole/cluster-admin/rbac.authorization.k8s.io/v1//ClusterRoleBinding/admins/rbac.authorization.k8s.io/v1//User/alice';

const CONTROLS: Record<string, ControlInfo> = {
  'C-0035': {
    id: 'C-0035',
    name: 'Administrative Roles',
    description: 'Attackers with cluster-admin can do anything in the cluster.',
    remediation: 'Remove cluster-admin bindings that are not needed.',
    baseScore: 9,
  },
  'C-0057': {
    id: 'C-0057',
    name: 'Privileged container',
    description: 'Privileged containers have all capabilities of the host.',
    remediation: 'Remove privileged: true from the container securityContext.',
    baseScore: 8,
  },
  'C-0016': {
    id: 'C-0016',
    name: 'Allow privilege escalation',
    description: 'Containers should not allow privilege escalation.',
    remediation: 'Set allowPrivilegeEscalation: false.',
    baseScore: 6,
  },
  'C-0078': {
    id: 'C-0078',
    name: 'Images from allowed registry',
    description: 'Images should come from allowed registries.',
    remediation: 'Use images from the allowed registries.',
    baseScore: 5,
  },
  'C-0017': {
    id: 'C-0017',
    name: 'Immutable container filesystem',
    description: 'Containers should run with a read-only root filesystem.',
    remediation: 'Set readOnlyRootFilesystem: true.',
    baseScore: 3,
  },
};

export const lookup: ControlLookup = (id) => CONTROLS[id];

function counters(passed: number, failed: number, skipped = 0) {
  return {
    passedResources: passed,
    failedResources: failed,
    skippedResources: skipped,
    excludedResources: 0,
  };
}

function summary(
  id: string,
  status: Status,
  subStatus: SubStatus,
  resources: ReturnType<typeof counters>,
  complianceScore: number,
  ignored = 0,
): ControlSummary {
  const info = CONTROLS[id] as ControlInfo;
  return {
    statusInfo: {
      status,
      ...(subStatus ? { subStatus } : {}),
      ...(subStatus === 'configuration'
        ? {
            info: 'Control configurations are empty (docs: https://kubescape.io/docs/frameworks-and-controls/configuring-controls)',
          }
        : {}),
    },
    controlID: id,
    name: info.name,
    status,
    resourceIDs: {},
    ResourceCounters: resources,
    subStatusCounters: { ignoredResources: ignored },
    score: 100 - complianceScore,
    complianceScore,
    scoreFactor: info.baseScore,
  };
}

const severity = (score: number): SeverityName =>
  score >= 9 ? 'Critical' : score >= 7 ? 'High' : score >= 4 ? 'Medium' : 'Low';

const SUMMARIES: ControlSummary[] = [
  summary('C-0035', 'failed', '', counters(0, 1), 0),
  summary('C-0057', 'failed', '', counters(1, 2), 33.33),
  summary('C-0016', 'failed', '', counters(2, 1), 66.67),
  summary('C-0078', 'skipped', 'configuration', counters(0, 0, 3), 0),
  summary('C-0017', 'passed', 'w/exceptions', counters(3, 0), 100, 1),
];

function frameworkOf(name: string, ids: string[], complianceScore: number): FrameworkSummary {
  const controls = Object.fromEntries(
    SUMMARIES.filter((s) => ids.includes(s.controlID)).map((s) => [s.controlID, { ...s }]),
  );
  return {
    name,
    status: 'failed',
    version: '',
    score: 100 - complianceScore,
    complianceScore,
    ResourceCounters: counters(1, 2, 0),
    controls,
  };
}

function control(
  id: string,
  status: Status,
  subStatus: SubStatus,
  paths: ResourceControlResult['rules'][number]['paths'] = [],
): ResourceControlResult {
  const info = CONTROLS[id] as ControlInfo;
  return {
    controlID: id,
    name: info.name,
    status: { status, ...(subStatus ? { subStatus } : {}) },
    rules: [{ name: `rule-${id.toLowerCase()}`, status, subStatus, ...(paths.length ? { paths } : {}) }],
    severity: severity(info.baseScore),
  };
}

const WEB_CONTAINER = 'spec.template.spec.containers[0]';

const RESULTS: ResourceResult[] = [
  {
    resourceID: EVIL_ID,
    controls: [
      control('C-0057', 'failed', '', [
        { resourceID: EVIL_ID, failedPath: 'spec.containers[0].securityContext.privileged' },
      ]),
      control('C-0016', 'passed', ''),
    ],
  },
  {
    resourceID: API_ID,
    controls: [
      control('C-0057', 'passed', ''),
      control('C-0016', 'passed', ''),
      control('C-0017', 'passed', ''),
      control('C-0078', 'skipped', 'configuration'),
    ],
  },
  {
    resourceID: WEB_ID,
    controls: [
      control('C-0057', 'failed', '', [
        { resourceID: WEB_ID, failedPath: `${WEB_CONTAINER}.securityContext.privileged` },
      ]),
      control('C-0016', 'failed', '', [
        {
          resourceID: WEB_ID,
          fixPath: { path: `${WEB_CONTAINER}.securityContext.allowPrivilegeEscalation`, value: 'false' },
        },
      ]),
      control('C-0017', 'passed', 'w/exceptions'),
      control('C-0078', 'skipped', 'configuration'),
    ],
  },
  {
    resourceID: VECTOR_ID,
    controls: [
      control('C-0035', 'failed', '', [
        { resourceID: VECTOR_ID, failedPath: 'relatedObjects[1].rules[0].verbs[0]' },
        { resourceID: VECTOR_ID, failedPath: 'relatedObjects[0].subjects[0]' },
      ]),
    ],
  },
];

const RESOURCES: ReportResource[] = [
  {
    resourceID: WEB_ID,
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } },
    source: {
      path: '/repo/deploy/web.yaml',
      relativePath: 'deploy/web.yaml',
      fileType: 'YAML',
      helmChartName: '',
      line: 3,
    },
  },
  {
    resourceID: API_ID,
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'default' } },
    source: {
      path: '/repo/deploy/api.yaml',
      relativePath: 'deploy/api.yaml',
      fileType: 'YAML',
      helmChartName: '',
      line: 1,
    },
  },
  {
    resourceID: EVIL_ID,
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: EVIL_NAME, namespace: 'kube-system' } },
  },
  {
    resourceID: VECTOR_ID,
    object: {
      kind: 'User',
      name: 'alice',
      apiGroup: 'rbac.authorization.k8s.io',
      relatedObjects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'admins' },
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'cluster-admin' },
        },
      ],
    },
  },
];

export function fixtureReport(): PostureReport {
  const controls = Object.fromEntries(
    SUMMARIES.map((s) => [s.controlID, { ...s, severity: severity(s.scoreFactor) }]),
  );
  return {
    generationTime: '2026-08-22T10:00:00Z',
    clusterAPIServerInfo: null,
    clusterCloudProvider: '',
    customerGUID: '',
    clusterName: '',
    reportGUID: '00000000-0000-0000-0000-000000000001',
    summaryDetails: {
      controls,
      status: 'failed',
      frameworks: [
        frameworkOf('NSA', ['C-0057', 'C-0016', 'C-0078', 'C-0017'], 50),
        frameworkOf('MITRE', ['C-0035', 'C-0057'], 16.67),
      ],
      resourcesSeverityCounters: { criticalSeverity: 1, highSeverity: 2, mediumSeverity: 1, lowSeverity: 0 },
      controlsSeverityCounters: { criticalSeverity: 1, highSeverity: 1, mediumSeverity: 1, lowSeverity: 0 },
      ResourceCounters: counters(1, 3, 0),
      vulnerabilities: { mapsSeverityToSummary: null, CVEs: null, packageScores: null, images: null },
      score: 55.5,
      complianceScore: 40,
    },
    resources: RESOURCES,
    attributes: [],
    results: RESULTS,
    metadata: {
      targetMetadata: { directoryContextMetadata: { basePath: '/repo' } },
      scanMetadata: {
        targetType: 'Directory',
        kubescapeVersion: 'v0.1.0',
        formatVersion: 'v2',
        controlsInputs: '',
        format: 'json',
        formats: ['json'],
        excludedNamespaces: [],
        includeNamespaces: [],
        targetNames: ['nsa', 'mitre'],
        failThreshold: 0,
        complianceThreshold: 0,
        scanningTarget: 4,
        hostScanner: false,
        submit: false,
        verboseMode: false,
      },
    },
    inputProblems: [
      { file: 'deploy/broken.yaml', line: 7, column: 3, message: 'bad indentation of a mapping entry' },
      { file: 'values.yaml', line: 1, message: 'not a Kubernetes object (no kind/apiVersion); skipped' },
    ],
  };
}
