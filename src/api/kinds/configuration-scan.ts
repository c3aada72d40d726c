/**
 * WorkloadConfigurationScan, WorkloadConfigurationScanSummary and the virtual
 * ConfigurationScanSummary (storage-api.md §2.8).
 */
import type { KubeObject } from '../meta.ts';
import { arr, int64, mapOf, num, obj, raw, str, strings } from '../schema.ts';
import type { RawJson } from './common.ts';

export interface ControlSeverity {
  severity: string;
  scoreFactor: number;
}

export interface ScannedControlStatus {
  status: string;
  subStatus: string;
  info: string;
}

export interface RuleStatus {
  status: string;
  subStatus: string;
}

export interface RulePath {
  failedPath: string;
  fixPath: string;
  fixPathValue: string;
  fixCommand: string;
}

export interface ScannedControlRule {
  name: string;
  status: RuleStatus;
  controlConfigurations: Record<string, RawJson>;
  paths: RulePath[];
  appliedIgnoreRules: string[];
  relatedResourcesIDs: string[];
}

export interface ScannedControl {
  controlID: string;
  name: string;
  severity: ControlSeverity;
  status: ScannedControlStatus;
  rules: ScannedControlRule[];
}

/** An object related to the result, e.g. the role and binding of an RBAC triplet. */
export interface WorkloadScanRelatedObject {
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  kind: string;
  name: string;
}

export interface WorkloadConfigurationScanSpec {
  /** Keyed by control ID. */
  controls: Record<string, ScannedControl>;
  relatedObjects: WorkloadScanRelatedObject[];
}

export interface WorkloadConfigurationScan extends KubeObject {
  spec: WorkloadConfigurationScanSpec;
}

/** Failed controls bucketed by severity. */
export interface WorkloadConfigurationScanSeverities {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}

export interface ScannedControlSummary {
  controlID: string;
  severity: ControlSeverity;
  status: ScannedControlStatus;
}

export interface WorkloadConfigurationScanSummarySpec {
  severities: WorkloadConfigurationScanSeverities;
  controls: Record<string, ScannedControlSummary>;
}

export interface WorkloadConfigurationScanSummary extends KubeObject {
  spec: WorkloadConfigurationScanSummarySpec;
}

export interface ConfigurationScanSummaryRef {
  namespace: string;
  /** `WorkloadConfigurationScanSummary`. */
  kind: string;
  name: string;
}

/** Sum of a namespace's WorkloadConfigurationScanSummaries; object name = namespace. */
export interface ConfigurationScanSummarySpec {
  severities: WorkloadConfigurationScanSeverities;
  summaryRef: ConfigurationScanSummaryRef[];
}

export interface ConfigurationScanSummary extends KubeObject {
  spec: ConfigurationScanSummarySpec;
}

const controlSeveritySchema = obj(
  {
    severity: str('Severity of the control: Critical, High, Medium, Low.'),
    scoreFactor: num('Score factor of the control.', 'float'),
  },
  'Severity of the control.',
);

const controlStatusSchema = obj(
  {
    status: str('passed, failed, skipped…'),
    subStatus: str('Sub-status, e.g. irrelevant or w/exceptions.'),
    info: str('Why the control has this status.'),
  },
  'Status of the control.',
);

const severitiesSchema = obj(
  {
    critical: int64('Failed controls of critical severity.'),
    high: int64('Failed controls of high severity.'),
    medium: int64('Failed controls of medium severity.'),
    low: int64('Failed controls of low severity.'),
    unknown: int64('Failed controls of unknown severity.'),
  },
  'Failed controls by severity.',
);

export const workloadConfigurationScanSpecSchema = obj(
  {
    controls: mapOf(
      obj(
        {
          controlID: str('Control ID, e.g. C-0017.'),
          name: str('Control name.'),
          severity: controlSeveritySchema,
          status: controlStatusSchema,
          rules: arr(
            obj(
              {
                name: str('Rule name.'),
                status: obj(
                  { status: str('Status of the rule.'), subStatus: str('Sub-status of the rule.') },
                  'Status of the rule.',
                ),
                controlConfigurations: mapOf(
                  raw('Configuration value.'),
                  'Configuration inputs used by the rule.',
                ),
                paths: arr(
                  obj(
                    {
                      failedPath: str('Path of the failing field.'),
                      fixPath: str('Path of the field to set.'),
                      fixPathValue: str('Value to set it to.'),
                      fixCommand: str('Command that fixes the failure.'),
                    },
                    'One failing path and its fix.',
                  ),
                  'Where the rule failed and how to fix it.',
                ),
                appliedIgnoreRules: strings('Exceptions applied to the rule.'),
                relatedResourcesIDs: strings('IDs of related resources.'),
              },
              'One rule of the control.',
            ),
            'Rules of the control.',
          ),
        },
        'One control result.',
      ),
      'Control results by control ID.',
    ),
    relatedObjects: arr(
      obj(
        {
          namespace: str('Namespace of the object.'),
          apiGroup: str('API group of the object.'),
          apiVersion: str('API version of the object.'),
          kind: str('Kind of the object.'),
          name: str('Name of the object.'),
        },
        'One related object.',
      ),
      'Objects the result is about besides the workload (RBAC subject, role, binding).',
    ),
  },
  'Configuration scan result of one resource.',
);

export const workloadConfigurationScanSummarySpecSchema = obj(
  {
    severities: severitiesSchema,
    controls: mapOf(
      obj(
        { controlID: str('Control ID.'), severity: controlSeveritySchema, status: controlStatusSchema },
        'One control result.',
      ),
      'Control results by control ID.',
    ),
  },
  'Summary of the configuration scan of one resource.',
);

export const configurationScanSummarySpecSchema = obj(
  {
    severities: severitiesSchema,
    summaryRef: arr(
      obj(
        {
          namespace: str('Namespace of the summary.'),
          kind: str('WorkloadConfigurationScanSummary.'),
          name: str('Name of the summary.'),
        },
        'One WorkloadConfigurationScanSummary.',
      ),
      'The summaries added up.',
    ),
  },
  'Configuration scan summary of a namespace.',
);
