/**
 * Dispatch of commands to their handlers (components.md §3.2). Command names are matched exactly,
 * as the operator's switch does; anything else fails the job with a message that lists what runs.
 */
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { Job, JobResult, OperatorContext } from './context.ts';
import {
  deleteKubescapeCronJob,
  deleteVulnScanCronJob,
  setKubescapeCronJob,
  setVulnScanCronJob,
  updateKubescapeCronJob,
  updateVulnScanCronJob,
} from './cronjobs.ts';
import { kubescapeScan } from './posture-scan.ts';
import { scanRegistryV2 } from './registry-scan.ts';
import type { Command } from './types.ts';
import { scanCommand, scanContainerProfileCommand } from './vuln-scan.ts';

export type CommandHandler = (ctx: OperatorContext, command: Command, job: Job) => Promise<JobResult>;

export const COMMAND_HANDLERS: Readonly<Record<string, CommandHandler>> = {
  kubescapeScan,
  setKubescapeCronJob,
  updateKubescapeCronJob,
  deleteKubescapeCronJob,
  setVulnScanCronJob,
  updateVulnScanCronJob,
  deleteVulnScanCronJob,
  scan: scanCommand,
  scanContainerProfile: scanContainerProfileCommand,
  scanRegistryV2,
};

export async function runCommand(ctx: OperatorContext, command: Command, job: Job): Promise<JobResult> {
  const handler = Object.hasOwn(COMMAND_HANDLERS, command.commandName)
    ? COMMAND_HANDLERS[command.commandName]
    : undefined;
  if (!handler) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `unknown command "${command.commandName}"; the operator runs ${Object.keys(COMMAND_HANDLERS).join(', ')}`,
    );
  }
  return handler(ctx, command, job);
}
