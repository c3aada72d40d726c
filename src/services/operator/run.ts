/**
 * The `kubeguard operator` role: the REST API, the worker pool, the OperatorCommand channel and
 * continuous scanning, wired together. `close()` stops the watches, the server and the pool (what
 * SIGTERM does).
 */
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import { loadKubeConfig } from '../../k8s/index.ts';
import { KubeObjects } from '../shared/kube-objects.ts';
import { runCommand } from './commands.ts';
import type { OperatorConfig } from './config.ts';
import { defaultOperatorConfig } from './config.ts';
import type { Job, OperatorContext } from './context.ts';
import { newJob } from './context.ts';
import { ContinuousScanner } from './continuous.ts';
import { KubeRest } from './kube-rest.ts';
import { KubevulnClient } from './kubevuln-client.ts';
import { OperatorCommandWatcher } from './operator-commands.ts';
import { PostureClient } from './posture-client.ts';
import { ScanMemory } from './scan-memory.ts';
import { startOperatorServer } from './server.ts';
import type { Command } from './types.ts';
import { WorkerPool } from './worker-pool.ts';
import { restOwnerLookup } from './workloads.ts';

export interface RunOperatorOptions {
  kubeconfig?: string;
  context?: string;
  /** Listen address of the REST API (default 127.0.0.1) and port (default 4002; 0 picks one). */
  host?: string;
  port?: number;
  config?: Partial<OperatorConfig>;
  /** Watch pods and workloads and scan what changes (default on). */
  continuous?: boolean;
  /** Posture part of continuous scanning (default on with `continuous`). */
  continuousPosture?: boolean;
  /** Image part of continuous scanning (default on with `continuous`). */
  continuousImages?: boolean;
  /** Run OperatorCommand resources (default on). */
  operatorCommands?: boolean;
  /** Ceiling of the watch reconnect backoff (default 30 s). */
  watchBackoffMaxMs?: number;
  logger?: Logger;
}

export interface RunningOperator {
  port: number;
  url: string;
  config: OperatorConfig;
  memory: ScanMemory;
  /** Resolves when the watchers have listed once. */
  synced: Promise<void>;
  /** Resolves when no job runs or waits. */
  idle(): Promise<void>;
  /** Informer counters by kind. */
  stats(): Record<string, { lists: number; watches: number; gone: number; failures: number }>;
  close(): Promise<void>;
}

export async function runOperator(options: RunOperatorOptions = {}): Promise<RunningOperator> {
  const logger = options.logger ?? silentLogger;
  const config = defaultOperatorConfig(options.config);
  const kc = loadKubeConfig(options.kubeconfig, options.context);
  const rest = new KubeRest(kc);
  const abort = new AbortController();
  const ctx: OperatorContext = {
    config,
    rest,
    objects: new KubeObjects(kc),
    posture: new PostureClient(config.postureUrl),
    kubevuln: new KubevulnClient(
      config.kubevulnUrl,
      config.kubevulnRetries,
      config.kubevulnRetryDelayMs,
      abort.signal,
    ),
    ownerLookup: restOwnerLookup(rest),
    logger,
    signal: abort.signal,
  };
  const pool = new WorkerPool(config.workerConcurrency, (id, err) =>
    logger.error('job failed', { job: id, error: messageOf(err) }),
  );

  /** Runs one command as a job; args are never logged (they may carry credentials). */
  const runJob = (
    command: Command,
    job: Job,
    done?: (r: { payload?: string; error?: string }) => Promise<void>,
  ) => {
    pool.submit(job.id, async () => {
      logger.debug('job started', { job: job.id, command: command.commandName });
      try {
        const result = await runCommand(ctx, command, job);
        logger.debug('job done', { job: job.id, command: command.commandName });
        await done?.({ payload: result.payload });
      } catch (err) {
        await done?.({ error: messageOf(err) });
        throw new Error(`${command.commandName}: ${messageOf(err)}`, { cause: err });
      }
    });
  };
  const submitCommand = (command: Command) => runJob(command, newJob(command));

  const stoppers: (() => Promise<void>)[] = [];
  const syncs: Promise<void>[] = [];
  const memory = new ScanMemory();
  let scanner: ContinuousScanner | undefined;
  if (options.continuous !== false) {
    scanner = new ContinuousScanner({
      ctx,
      memory,
      submit: (what, run) => {
        const job = newJob({ commandName: 'scan' });
        pool.submit(job.id, async () => {
          try {
            await run(job);
          } catch (err) {
            throw new Error(`${what}: ${messageOf(err)}`, { cause: err });
          }
        });
      },
      submitCommand,
      backoffMaxMs: options.watchBackoffMaxMs,
      posture: options.continuousPosture,
      images: options.continuousImages,
    });
    ctx.ownerLookup = scanner.lookup;
    scanner.start();
    syncs.push(scanner.hasSynced());
    stoppers.push(() => scanner!.stop());
  }
  if (options.operatorCommands !== false) {
    const watcher = new OperatorCommandWatcher({
      rest,
      objects: ctx.objects,
      config,
      logger,
      backoffMaxMs: options.watchBackoffMaxMs,
      submit: (run) => runJob(run.command, newJob(run.command, true, run.jobId), run.done),
    });
    watcher.start();
    syncs.push(watcher.hasSynced());
    stoppers.push(() => watcher.stop());
  }
  const synced = Promise.all(syncs).then(() => undefined);
  let ready = false;
  void synced.then(() => {
    ready = true;
    logger.info('watches synced');
  });

  const host = options.host ?? '127.0.0.1';
  let server;
  try {
    server = await startOperatorServer({
      host,
      port: options.port ?? 4002,
      logger,
      ready: () => ready || syncs.length === 0,
      submit: submitCommand,
    });
  } catch (err) {
    abort.abort();
    await Promise.all(stoppers.map((s) => s()));
    throw err;
  }
  logger.info(`operator serves http://${host}:${server.port}/v1/triggerAction`, {
    namespace: config.namespace,
    cluster: config.clusterName,
    posture: config.postureUrl,
    kubevuln: config.kubevulnUrl,
    continuous: options.continuous !== false,
  });
  return {
    port: server.port,
    url: `http://${host}:${server.port}`,
    config,
    memory,
    synced,
    idle: () => pool.idle(),
    stats: () => scanner?.stats() ?? {},
    close: async () => {
      abort.abort();
      await Promise.all(stoppers.map((s) => s()));
      await server.close();
      await pool.close();
      logger.info('operator stopped');
    },
  };
}
