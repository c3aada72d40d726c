/**
 * OperatorCommand resources, the provider's control channel (components.md §3.3): the operator
 * list+watches `kubescape.io/v1alpha1 operatorcommands` labelled `kubescape.io/app-name=operator` in
 * its namespace, ignores completed ones and ones older than 30 minutes (a stale command must not
 * fire after an outage), runs `OperatorAPI` bodies (base64 JSON Command) in the worker pool with
 * the command's guid as job ID, and reports the outcome by JSON merge patch on `/status`.
 */
import type { Logger } from '../../common/index.ts';
import { messageOf } from '../../common/index.ts';
import type { KindRef } from '../shared/kube-objects.ts';
import type { KubeObjects } from '../shared/kube-objects.ts';
import type { OperatorConfig } from './config.ts';
import { decodeCommand } from './decode.ts';
import { Informer } from './informer.ts';
import type { InformerEvent, KubeObjectJson } from './informer.ts';
import type { KubeRest } from './kube-rest.ts';
import { resourcePath } from './kube-rest.ts';
import type { Command, OperatorCommand, OperatorCommandStatus } from './types.ts';

export const OPERATOR_COMMAND_KIND: KindRef = {
  group: 'kubescape.io',
  version: 'v1alpha1',
  plural: 'operatorcommands',
};
export const OPERATOR_COMMAND_LABEL = 'kubescape.io/app-name';
export const OPERATOR_API_TYPE = 'OperatorAPI';

export interface CommandRun {
  command: Command;
  /** The command's guid: the job ID. */
  jobId: string;
  /** Called when the job ends. */
  done: (result: { payload?: string; error?: string }) => Promise<void>;
}

export interface OperatorCommandWatcherOptions {
  rest: KubeRest;
  objects: KubeObjects;
  config: OperatorConfig;
  logger: Logger;
  /** Queues a command in the worker pool. */
  submit: (run: CommandRun) => void;
  backoffMaxMs?: number;
  now?: () => number;
}

/** Why a command is not run, or undefined to run it. */
export function skipReason(cmd: OperatorCommand, now: number, maxAgeMs: number): string | undefined {
  if (cmd.status?.completed) return 'already completed';
  const created = Date.parse(cmd.metadata.creationTimestamp ?? '');
  if (!Number.isNaN(created) && now - created > maxAgeMs) return 'older than the command time-to-live';
  return undefined;
}

export function statusPatch(
  startedAt: Date,
  completedAt: Date | undefined,
  result?: { payload?: string; error?: string },
): OperatorCommandStatus {
  const status: OperatorCommandStatus = {
    executer: 'operator',
    started: true,
    startedAt: startedAt.toISOString(),
  };
  if (completedAt) {
    status.completed = true;
    status.completedAt = completedAt.toISOString();
    status.error = result?.error ? { message: result.error } : null;
    status.payload =
      result?.payload !== undefined ? Buffer.from(result.payload, 'utf8').toString('base64') : null;
  }
  return status;
}

export class OperatorCommandWatcher {
  private readonly informer: Informer<KubeObjectJson>;
  /** UIDs already taken, so that a relist or a MODIFIED echo never runs a command twice. */
  private readonly taken = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: OperatorCommandWatcherOptions) {
    this.now = options.now ?? Date.now;
    this.informer = new Informer({
      rest: options.rest,
      path: resourcePath({ ...OPERATOR_COMMAND_KIND, namespaced: true }, options.config.namespace),
      apiVersion: `${OPERATOR_COMMAND_KIND.group}/${OPERATOR_COMMAND_KIND.version}`,
      kind: 'OperatorCommand',
      labelSelector: `${OPERATOR_COMMAND_LABEL}=operator`,
      logger: options.logger,
      name: 'operatorcommands',
      backoff: options.backoffMaxMs
        ? { initialMs: 200, maxMs: options.backoffMaxMs, factor: 2, jitter: 0.2 }
        : undefined,
      onEvent: (event) => this.onEvent(event),
    });
  }

  start(): void {
    this.informer.start();
  }

  hasSynced(): Promise<void> {
    return this.informer.hasSynced();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  private onEvent(event: InformerEvent): void {
    if (event.type === 'DELETED') return;
    const cmd = event.object as unknown as OperatorCommand;
    const uid = cmd.metadata.uid ?? `${cmd.metadata.namespace}/${cmd.metadata.name}`;
    if (this.taken.has(uid)) return;
    const reason = skipReason(cmd, this.now(), this.options.config.commandMaxAgeMs);
    if (reason) {
      this.taken.add(uid);
      this.options.logger.debug(`skipping OperatorCommand ${cmd.metadata.name}: ${reason}`);
      return;
    }
    this.taken.add(uid);
    void this.take(cmd);
  }

  private async writeStatus(cmd: OperatorCommand, status: OperatorCommandStatus): Promise<void> {
    try {
      await this.options.objects.patchStatus(
        OPERATOR_COMMAND_KIND,
        cmd.metadata.namespace,
        cmd.metadata.name,
        { ...status },
      );
    } catch (err) {
      this.options.logger.error(`cannot write the status of OperatorCommand ${cmd.metadata.name}`, {
        error: messageOf(err),
      });
    }
  }

  private async take(cmd: OperatorCommand): Promise<void> {
    const startedAt = new Date(this.now());
    const finish = (result: { payload?: string; error?: string }) =>
      this.writeStatus(cmd, statusPatch(startedAt, new Date(this.now()), result));
    const type = cmd.spec.commandType ?? '';
    this.options.logger.info('received OperatorCommand', {
      name: cmd.metadata.name,
      guid: cmd.spec.guid,
      type,
    });
    if (type !== OPERATOR_API_TYPE) {
      await finish({
        error: `command type "${type}" is not supported by this operator (supported: ${OPERATOR_API_TYPE})`,
      });
      return;
    }
    let command: Command;
    try {
      const text = Buffer.from(cmd.spec.body ?? '', 'base64').toString('utf8');
      command = decodeCommand(JSON.parse(text) as unknown, 'spec.body');
    } catch (err) {
      await finish({ error: `cannot decode spec.body: ${messageOf(err)}` });
      return;
    }
    await this.writeStatus(cmd, statusPatch(startedAt, undefined));
    this.options.submit({
      command,
      jobId: cmd.spec.guid || cmd.metadata.uid || cmd.metadata.name,
      done: finish,
    });
  }
}
