import { Command, InvalidArgumentError, Option } from 'commander';
import { streamLogger } from '../common/index.ts';
import type { LogLevel } from '../common/index.ts';
import { DEFAULT_EXCLUDE_NAMESPACES, runOperator } from '../services/index.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a TCP port`);
  return n;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration (`30s`, `1h`, `1h30m`) in milliseconds; `0` allowed. */
function duration(value: string): number {
  if (value.trim() === '0') return 0;
  const parts = [...value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value.trim()) {
    throw new InvalidArgumentError(`"${value}" is not a duration (e.g. 30s, 10m, 1h)`);
  }
  return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS_MS[unit!]!, 0));
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

interface OperatorOptions {
  kubeconfig?: string;
  context?: string;
  bindAddress: string;
  port: number;
  namespace: string;
  clusterName: string;
  postureUrl: string;
  kubevulnUrl: string;
  includeNamespaces?: string[];
  excludeNamespaces: string[];
  excludeLabels?: string[];
  defaultFrameworks?: string[];
  triggerSecurityFramework: boolean;
  podScanGuardTime: number;
  workerConcurrency: number;
  continuous: boolean;
  operatorCommands: boolean;
  logLevel: LogLevel;
  logJson?: boolean;
}

/** `kubeguard operator`: the in-cluster operator role (REST API, CronJobs, continuous scanning). */
export function operatorCommand(): Command {
  return new Command('operator')
    .description(
      'run the operator role: POST /v1/triggerAction, scheduled-scan CronJobs, OperatorCommand resources and continuous scanning',
    )
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--bind-address <address>', 'address of the REST API', '127.0.0.1')
    .option('--port <port>', 'port of the REST API', port, 4002)
    .option(
      '--namespace <ns>',
      'namespace of the operator (CronJobs, templates, OperatorCommands)',
      'kubescape',
    )
    .option('--cluster-name <name>', 'cluster name used in WLIDs', 'cluster')
    .option(
      '--posture-url <url>',
      'kubescape (posture) API (clusterData kubescapeURL)',
      'http://kubescape:8080',
    )
    .option('--kubevuln-url <url>', 'kubevuln API (clusterData kubevulnURL)', 'http://kubevuln:8080')
    .option(
      '--include-namespaces <list>',
      'only scan these namespaces (comma-separated; wins over exclude)',
      list,
    )
    .addOption(
      new Option('--exclude-namespaces <list>', 'namespaces not scanned (comma-separated)')
        .argParser(list)
        .default(DEFAULT_EXCLUDE_NAMESPACES, DEFAULT_EXCLUDE_NAMESPACES.join(',')),
    )
    .option(
      '--exclude-labels <list>',
      'objects with one of these labels (key or key=value) are not scanned',
      list,
    )
    .option(
      '--default-frameworks <list>',
      'frameworks of a posture scan that names none (default: all)',
      list,
    )
    .option('--no-trigger-security-framework', 'do not add the "security" framework to framework scans')
    .addOption(
      new Option('--pod-scan-guard-time <duration>', 'naked pods younger than this are not scanned yet')
        .argParser(duration)
        .default(3_600_000, '1h'),
    )
    .option('--worker-concurrency <n>', 'commands run at once', positive, 3)
    .option('--continuous', 'watch pods and workloads and scan what changes', true)
    .option('--no-continuous', 'scan only on triggers')
    .option('--no-operator-commands', 'do not run OperatorCommand resources')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--log-json', 'log JSON lines')
    .action(async (opts: OperatorOptions) => {
      const logger = streamLogger({
        level: opts.logLevel,
        json: opts.logJson,
        prefix: opts.logJson ? undefined : 'operator',
      });
      const running = await runOperator({
        kubeconfig: opts.kubeconfig,
        context: opts.context,
        host: opts.bindAddress,
        port: opts.port,
        continuous: opts.continuous,
        operatorCommands: opts.operatorCommands,
        logger,
        config: {
          namespace: opts.namespace,
          clusterName: opts.clusterName,
          postureUrl: opts.postureUrl,
          kubevulnUrl: opts.kubevulnUrl,
          includeNamespaces: opts.includeNamespaces ?? [],
          excludeNamespaces: opts.excludeNamespaces,
          excludeLabels: opts.excludeLabels ?? [],
          defaultFrameworks: opts.defaultFrameworks ?? [],
          triggerSecurityFramework: opts.triggerSecurityFramework,
          podScanGuardTimeMs: opts.podScanGuardTime,
          workerConcurrency: opts.workerConcurrency,
        },
      });
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      logger.info('shutting down');
      await running.close();
    });
}
