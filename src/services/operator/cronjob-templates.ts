/**
 * CronJobs and ConfigMaps of scheduled scans (components.md §2.2, §3.2). The CronJob comes from the
 * chart's template ConfigMap (`kubescape-cronjob-template` / `kubevuln-cronjob-template`, key
 * `cronjobTemplate`) in the operator namespace; without one, from built-in templates equal to what
 * chart 1.40.3 renders with default values. The CronJob's pod runs the http-request image, which
 * POSTs the ConfigMap's `request-body.json` to the operator: the same body `kubeguard trigger`
 * sends.
 */
import { randomBytes } from 'node:crypto';
import YAML from 'yaml';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { isObject } from './decode.ts';
import type { Command, JsonObject, PostScanRequest } from './types.ts';

export const KUBESCAPE_CRONJOB_TEMPLATE = 'kubescape-cronjob-template';
export const KUBEVULN_CRONJOB_TEMPLATE = 'kubevuln-cronjob-template';
export const CRONJOB_TEMPLATE_KEY = 'cronjobTemplate';
export const REQUEST_BODY_FILE = 'request-body.json';
export const REQUEST_VOLUME_NAME = 'request-body-volume';

/** Template annotations the operator writes (armoapi-go armotypes; deprecated `armo.*` kept). */
export const CronJobAnnotations = {
  kubescapeJobId: 'armo.jobid',
  hostScanner: 'armo.host-scanner',
  jobIdDeprecated: 'armo.cloud/jobid',
  jobId: 'app.kubescape/job-id',
  namespaceDeprecated: 'armo.namespace',
  namespace: 'app.kubescape/namespace',
  updateJobIdDeprecated: 'armo.updatejobid',
  updateJobId: 'app.kubescape/update-job-id',
} as const;

/** The chart's scheduler defaults (values.yaml of 1.40.3; image http-request v0.2.20). */
export const SCHEDULER_IMAGE = 'quay.io/kubescape/http-request:v0.2.20';

function schedulerTemplate(
  name: string,
  namespace: string,
  tier: 'kubescape-scan' | 'vuln-scan',
  schedule: string,
): JsonObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name,
      namespace,
      labels: {
        app: name,
        tier: 'ks-control-plane',
        'kubescape.io/ignore': 'true',
        'kubescape.io': 'core',
        'armo.tier': tier,
      },
    },
    spec: {
      schedule,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          template: {
            metadata: { labels: { 'armo.tier': tier } },
            spec: {
              containers: [
                {
                  name,
                  image: SCHEDULER_IMAGE,
                  imagePullPolicy: 'IfNotPresent',
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    runAsUser: 100,
                  },
                  resources: {
                    requests: { cpu: '1m', memory: '10Mi' },
                    limits: { cpu: '10m', memory: '20Mi' },
                  },
                  args: [
                    '-method=post',
                    '-scheme=http',
                    '-host=operator:4002',
                    '-path=v1/triggerAction',
                    '-headers="Content-Type:application/json"',
                    '-path-body=/home/ks/request-body.json',
                  ],
                  volumeMounts: [
                    {
                      name: REQUEST_VOLUME_NAME,
                      mountPath: '/home/ks/request-body.json',
                      subPath: REQUEST_BODY_FILE,
                      readOnly: true,
                    },
                  ],
                },
              ],
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              volumes: [{ name: REQUEST_VOLUME_NAME, configMap: { name } }],
            },
          },
        },
      },
    },
  };
}

export function builtinKubescapeTemplate(namespace: string): JsonObject {
  return schedulerTemplate('kubescape-scheduler', namespace, 'kubescape-scan', '0 8 * * *');
}

export function builtinKubevulnTemplate(namespace: string): JsonObject {
  return schedulerTemplate('kubevuln-scheduler', namespace, 'vuln-scan', '0 0 * * *');
}

/** Parses the `cronjobTemplate` text of a template ConfigMap (the chart indents it; YAML copes). */
export function parseCronJobTemplate(text: string, from: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (err) {
    // A template pasted from the chart's asset file keeps the indentation of every line but the
    // first (the chart's block scalar strips it); take it away and try once more.
    try {
      parsed = YAML.parse(dedentTail(text));
    } catch {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `${from}: ${CRONJOB_TEMPLATE_KEY} is not YAML: ${messageOf(err)}`,
      );
    }
  }
  if (!isObject(parsed) || parsed['kind'] !== 'CronJob') {
    throw new KubeguardError(ErrorCodes.invalidInput, `${from}: ${CRONJOB_TEMPLATE_KEY} is not a CronJob`);
  }
  return parsed;
}

function dedentTail(text: string): string {
  const [first = '', ...rest] = text.split('\n');
  const indents = rest.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return [first, ...rest.map((l) => l.slice(Math.min(cut, /^ */.exec(l)![0].length)))].join('\n');
}

/**
 * A valid object name the way the operator makes one (fixK8sNameLimit): cut to `limit`, trailing
 * `-` removed, characters outside `[A-Za-z0-9-]` replaced by `-`, lower-cased. A `-` the
 * replacement leaves at the end is removed too, so the name always validates.
 */
export function fixK8sNameLimit(name: string, limit = 52): string {
  let fixed = name.length > limit ? name.slice(0, limit) : name;
  fixed = fixed.replace(/-+$/, '');
  if (fixed === '') fixed = 'invalid name was given';
  return fixed
    .replace(/[^A-Za-z0-9-]/g, '-')
    .toLowerCase()
    .replace(/-+$/, '');
}

/** A random non-negative 63-bit integer in decimal (Go's rand.Int63), the suffix of CronJob names. */
export function randomInt63(): string {
  return (randomBytes(8).readBigUInt64BE() & 0x7fffffffffffffffn).toString();
}

export function kubescapeCronJobName(target: string, suffix: string = randomInt63()): string {
  return fixK8sNameLimit(`ks-scheduled-scan-${target}-${suffix}`);
}

export function kubevulnCronJobName(suffix: string = randomInt63()): string {
  return fixK8sNameLimit(`kubevuln-schedule-${suffix}`);
}

/** The ConfigMap a scheduled CronJob mounts: label `app=<name>`, the request body. */
export function requestConfigMap(name: string, namespace: string, body: unknown): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { app: name } },
    data: { [REQUEST_BODY_FILE]: JSON.stringify(body) },
  };
}

/** The `kubescapeScan` wrapper a posture CronJob POSTs. */
export function kubescapeRequestBody(request: PostScanRequest): { commands: Command[] } {
  return { commands: [{ commandName: 'kubescapeScan', args: { scanV1: request } }] };
}

function child(obj: JsonObject, key: string): JsonObject {
  const value = obj[key];
  if (isObject(value)) return value;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

/** The pod-template annotations of a CronJob (created when missing). */
export function templateAnnotations(cronJob: JsonObject): Record<string, string> {
  const template = child(child(child(child(cronJob, 'spec'), 'jobTemplate'), 'spec'), 'template');
  return child(child(template, 'metadata'), 'annotations') as Record<string, string>;
}

/** Names the CronJob, points its request volume at the ConfigMap, sets schedule and `app` label. */
function personalize(template: JsonObject, name: string, namespace: string, schedule: string): JsonObject {
  const cronJob = structuredClone(template);
  const metadata = child(cronJob, 'metadata');
  for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation'])
    delete metadata[key];
  delete cronJob['status'];
  metadata['name'] = name;
  metadata['namespace'] = namespace;
  child(metadata, 'labels')['app'] = name;
  const spec = child(cronJob, 'spec');
  if (schedule !== '') spec['schedule'] = schedule;
  const podSpec = child(child(child(child(spec, 'jobTemplate'), 'spec'), 'template'), 'spec');
  const volumes = Array.isArray(podSpec['volumes']) ? (podSpec['volumes'] as JsonObject[]) : [];
  for (const volume of volumes) {
    if (volume['name'] === REQUEST_VOLUME_NAME) child(volume, 'configMap')['name'] = name;
  }
  return cronJob;
}

export interface KubescapeCronJobInput {
  name: string;
  namespace: string;
  schedule: string;
  jobId: string;
  targetName: string;
  targetType?: string;
  hostScanner?: boolean;
}

export function kubescapeCronJob(template: JsonObject, input: KubescapeCronJobInput): JsonObject {
  const cronJob = personalize(template, input.name, input.namespace, input.schedule);
  const annotations = templateAnnotations(cronJob);
  annotations[CronJobAnnotations.kubescapeJobId] = input.jobId;
  if (input.targetType) annotations[`armo.${input.targetType}`.toLowerCase()] = input.targetName;
  if (input.hostScanner !== undefined)
    annotations[CronJobAnnotations.hostScanner] = String(input.hostScanner);
  return cronJob;
}

export interface VulnCronJobInput {
  name: string;
  namespace: string;
  schedule: string;
  jobId: string;
  /** The namespace the scan is scoped to ("" = all). */
  scanNamespace: string;
}

export function vulnScanCronJob(template: JsonObject, input: VulnCronJobInput): JsonObject {
  const cronJob = personalize(template, input.name, input.namespace, input.schedule);
  const annotations = templateAnnotations(cronJob);
  annotations[CronJobAnnotations.jobIdDeprecated] = input.jobId;
  annotations[CronJobAnnotations.jobId] = input.jobId;
  annotations[CronJobAnnotations.namespaceDeprecated] = input.scanNamespace;
  annotations[CronJobAnnotations.namespace] = input.scanNamespace;
  return cronJob;
}

/** Schedule change of an existing CronJob, stamped with the job that changed it. */
export function rescheduleCronJob(existing: JsonObject, schedule: string, jobId: string): JsonObject {
  const cronJob = structuredClone(existing);
  child(cronJob, 'spec')['schedule'] = schedule;
  const annotations = templateAnnotations(cronJob);
  annotations[CronJobAnnotations.updateJobIdDeprecated] = jobId;
  annotations[CronJobAnnotations.updateJobId] = jobId;
  return cronJob;
}
