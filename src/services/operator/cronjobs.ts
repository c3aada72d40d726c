/**
 * The CronJob commands (components.md §3.2): `set/update/deleteKubescapeCronJob` and
 * `set/update/deleteVulnScanCronJob`. Objects live in the operator namespace; each CronJob mounts a
 * same-named ConfigMap with the request body it POSTs back to the operator.
 */
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { Job, JobResult, OperatorContext } from './context.ts';
import type { CronJobTemplateSource } from './cronjob-source.ts';
import { loadCronJobTemplate } from './cronjob-source.ts';
import {
  kubescapeCronJob,
  kubescapeCronJobName,
  kubescapeRequestBody,
  KUBESCAPE_CRONJOB_TEMPLATE,
  KUBEVULN_CRONJOB_TEMPLATE,
  kubevulnCronJobName,
  requestConfigMap,
  rescheduleCronJob,
  vulnScanCronJob,
} from './cronjob-templates.ts';
import { compact, decodeCronJobParams } from './decode.ts';
import type { CronJobParams } from './decode.ts';
import { resourcePath } from './kube-rest.ts';
import type { ResourceRef } from './kube-rest.ts';
import { defaultScanRequest, scanRequestOf } from './posture-scan.ts';
import type { Command, JsonObject } from './types.ts';
import { commandNamespace } from './vuln-scan.ts';

export const CRONJOB_RESOURCE: ResourceRef = {
  group: 'batch',
  version: 'v1',
  plural: 'cronjobs',
  namespaced: true,
};
export const CONFIGMAP_RESOURCE: ResourceRef = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  namespaced: true,
};

/**
 * Schedule and name, wherever the command carries them: `args.jobParams`, `args.kubescapeJobParams`,
 * `args.cronTabSchedule`, or the first designator's `cronTabSchedule` attribute.
 */
export function cronJobParams(command: Command): CronJobParams {
  const fromJobParams = decodeCronJobParams(command.args?.['jobParams'], 'args.jobParams');
  const fromKubescape = decodeCronJobParams(command.args?.['kubescapeJobParams'], 'args.kubescapeJobParams');
  const argSchedule = command.args?.['cronTabSchedule'];
  return {
    cronTabSchedule:
      fromJobParams?.cronTabSchedule ||
      fromKubescape?.cronTabSchedule ||
      (typeof argSchedule === 'string' ? argSchedule : '') ||
      command.designators?.[0]?.attributes?.['cronTabSchedule'] ||
      '',
    name: fromJobParams?.name || fromKubescape?.name || '',
  };
}

function required(value: string, what: string, command: string): string {
  if (!value) throw new KubeguardError(ErrorCodes.invalidInput, `${command}: ${what} not found`);
  return value;
}

async function create(ctx: OperatorContext, resource: ResourceRef, body: JsonObject): Promise<void> {
  await ctx.rest.request('POST', resourcePath(resource, ctx.config.namespace), { body });
}

function source(ctx: OperatorContext): CronJobTemplateSource {
  return { rest: ctx.rest, namespace: ctx.config.namespace, logger: ctx.logger };
}

export async function setKubescapeCronJob(
  ctx: OperatorContext,
  command: Command,
  job: Job,
): Promise<JobResult> {
  const requested = scanRequestOf(command);
  if ((requested.targetNames?.length ?? 0) > 0 && !requested.targetType) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      'setKubescapeCronJob: received targetNames but not target types',
    );
  }
  // `security` is not added here: the scheduled kubescapeScan adds it when it runs, and one
  // CronJob per target would otherwise scan twice.
  const request = defaultScanRequest(requested, {
    defaultFrameworks: ctx.config.defaultFrameworks,
    triggerSecurityFramework: false,
  });
  const schedule = cronJobParams(command).cronTabSchedule;
  const template = await loadCronJobTemplate(source(ctx), KUBESCAPE_CRONJOB_TEMPLATE);
  const names: string[] = [];
  for (const target of request.targetNames ?? []) {
    const name = kubescapeCronJobName(target);
    await create(
      ctx,
      CONFIGMAP_RESOURCE,
      requestConfigMap(name, ctx.config.namespace, kubescapeRequestBody(request)),
    );
    await create(
      ctx,
      CRONJOB_RESOURCE,
      kubescapeCronJob(template, {
        name,
        namespace: ctx.config.namespace,
        schedule,
        jobId: job.id,
        targetName: target,
        targetType: request.targetType,
        hostScanner: request.hostScanner,
      }),
    );
    ctx.logger.info('created posture scan CronJob', { name, schedule, target });
    names.push(name);
  }
  return { payload: JSON.stringify(names) };
}

async function reschedule(ctx: OperatorContext, command: Command, job: Job): Promise<JobResult> {
  const params = cronJobParams(command);
  const name = required(params.name, 'jobName', command.commandName);
  const schedule = required(params.cronTabSchedule, 'CronTabSchedule', command.commandName);
  const path = resourcePath(CRONJOB_RESOURCE, ctx.config.namespace, name);
  const existing = await ctx.rest.get<JsonObject>(path);
  if (!existing)
    throw new KubeguardError(
      ErrorCodes.notFound,
      `${command.commandName}: CronJob ${ctx.config.namespace}/${name} does not exist`,
    );
  await ctx.rest.request('PUT', path, { body: rescheduleCronJob(existing, schedule, job.id) });
  ctx.logger.info('rescheduled CronJob', { name, schedule });
  return {};
}

async function remove(ctx: OperatorContext, command: Command): Promise<JobResult> {
  const name = required(cronJobParams(command).name, 'jobName', command.commandName);
  const cronJobGone = await ctx.rest.delete(resourcePath(CRONJOB_RESOURCE, ctx.config.namespace, name));
  const configMapGone = await ctx.rest.delete(resourcePath(CONFIGMAP_RESOURCE, ctx.config.namespace, name));
  if (!cronJobGone && !configMapGone) {
    throw new KubeguardError(
      ErrorCodes.notFound,
      `${command.commandName}: CronJob ${ctx.config.namespace}/${name} does not exist`,
    );
  }
  ctx.logger.info('deleted CronJob and its ConfigMap', { name });
  return {};
}

export const updateKubescapeCronJob = reschedule;
export const updateVulnScanCronJob = reschedule;
export const deleteKubescapeCronJob = (ctx: OperatorContext, command: Command): Promise<JobResult> =>
  remove(ctx, command);
export const deleteVulnScanCronJob = (ctx: OperatorContext, command: Command): Promise<JobResult> =>
  remove(ctx, command);

/** The request a vulnerability CronJob POSTs: the command renamed `scan`, without args. */
export function vulnScanRequestBody(command: Command): { commands: Command[] } {
  return { commands: [compact({ ...command, commandName: 'scan', args: undefined })] };
}

export async function setVulnScanCronJob(
  ctx: OperatorContext,
  command: Command,
  job: Job,
): Promise<JobResult> {
  const schedule = required(cronJobParams(command).cronTabSchedule, 'CronTabSchedule', 'setVulnScanCronJob');
  const name = kubevulnCronJobName();
  const template = await loadCronJobTemplate(source(ctx), KUBEVULN_CRONJOB_TEMPLATE);
  await create(
    ctx,
    CONFIGMAP_RESOURCE,
    requestConfigMap(name, ctx.config.namespace, vulnScanRequestBody(command)),
  );
  await create(
    ctx,
    CRONJOB_RESOURCE,
    vulnScanCronJob(template, {
      name,
      namespace: ctx.config.namespace,
      schedule,
      jobId: job.id,
      scanNamespace: commandNamespace(command),
    }),
  );
  ctx.logger.info('created vulnerability scan CronJob', { name, schedule });
  return { payload: JSON.stringify([name]) };
}
