/**
 * `kubescapeScan` (components.md §3.2): default the targets, forward to kubescape's
 * `POST /v1/scan?keep=false`; for OperatorCommand jobs, follow `GET /v1/status` until the scan is no
 * longer busy (every 40 s) so that the command's status reports the finished scan.
 */
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import { sleep } from './backoff.ts';
import type { OperatorConfig } from './config.ts';
import type { Job, JobResult, OperatorContext } from './context.ts';
import { decodePostScanRequest } from './decode.ts';
import type { Command, PostScanRequest } from './types.ts';

const FRAMEWORK = 'Framework';
const SECURITY_FRAMEWORK = 'security';

function isKind(targetType: string | undefined, kind: string): boolean {
  return (targetType ?? '').toLowerCase() === kind.toLowerCase();
}

/**
 * The operator's defaulting: blank target names are dropped; no names (unless a Control scan) means
 * the default frameworks, or `all`, as a Framework scan; the `security` framework is added to
 * Framework scans when `triggerSecurityFramework` is on.
 */
export function defaultScanRequest(
  request: PostScanRequest,
  config: Pick<OperatorConfig, 'triggerSecurityFramework' | 'defaultFrameworks'>,
): PostScanRequest {
  const result: PostScanRequest = { ...request };
  const names = (request.targetNames ?? []).filter((n) => n.trim() !== '');
  if (names.length === 0 && !isKind(request.targetType, 'Control')) {
    result.targetType = FRAMEWORK;
    result.targetNames = config.defaultFrameworks.length > 0 ? [...config.defaultFrameworks] : ['all'];
  } else if (request.targetNames !== undefined) {
    result.targetNames = names;
  }
  if (
    config.triggerSecurityFramework &&
    isKind(result.targetType, FRAMEWORK) &&
    result.targetNames &&
    !result.targetNames.includes(SECURITY_FRAMEWORK)
  ) {
    result.targetNames = [...result.targetNames, SECURITY_FRAMEWORK];
  }
  return result;
}

export function scanRequestOf(command: Command): PostScanRequest {
  return decodePostScanRequest(command.args?.['scanV1']);
}

export async function kubescapeScan(ctx: OperatorContext, command: Command, job: Job): Promise<JobResult> {
  const request = defaultScanRequest(scanRequestOf(command), ctx.config);
  const response = await ctx.posture.scan(request, ctx.signal);
  if (response.type === 'error') {
    throw new KubeguardError(
      ErrorCodes.remote,
      `Kubescape scanID '${response.id}' returned an error: ${JSON.stringify(response.response)}`,
    );
  }
  ctx.logger.info(`kubescape scan triggered successfully, scan ID: '${response.id}'`, {
    job: job.id,
    scanObject: request.scanObject
      ? `${String(request.scanObject['kind'])}/${String((request.scanObject['metadata'] as { name?: string } | undefined)?.name)}`
      : undefined,
    deleted: request.isDeletedScanObject,
  });
  if (!job.fromOperatorCommand) return { payload: response.id };
  let status = response;
  while (status.type === 'busy' && !ctx.signal.aborted) {
    await sleep(ctx.config.postureStatusPollMs, ctx.signal);
    if (ctx.signal.aborted) break;
    status = await ctx.posture.status(response.id);
  }
  if (status.type === 'error') {
    throw new KubeguardError(
      ErrorCodes.remote,
      `Kubescape scanID '${response.id}' failed: ${JSON.stringify(status.response)}`,
    );
  }
  return { payload: response.id };
}
