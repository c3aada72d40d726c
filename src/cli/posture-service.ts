import { Command, InvalidArgumentError, Option } from 'commander';
import { streamLogger } from '../common/index.ts';
import type { LogLevel } from '../common/index.ts';
import { DEFAULT_EXCLUDED_NAMESPACES, runPostureService } from '../services/index.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a TCP port`);
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

/** A duration: plain milliseconds or Go style (`500ms`, `5s`, `2m`). */
function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`"${value}" is not a duration (e.g. 500ms, 5s, 2m)`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

function namespaceList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

interface PostureServiceFlags {
  host: string;
  port: number;
  kubeconfig?: string;
  context?: string;
  clusterName?: string;
  namespace: string;
  queueCapacity: number;
  apiToken?: string;
  excludeNamespaces: string[];
  includeNamespaces: string[];
  writeConcurrency: number;
  snapshotTtl: number;
  summariesOnly?: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  shutdownGrace: number;
  logLevel: LogLevel;
  logJson?: boolean;
}

/** `kubeguard posture`: Kubescape's in-cluster scan service (`kubescape` Deployment, port 8080). */
export function postureServiceCommand(): Command {
  return new Command('posture')
    .description(
      'run the posture role: the Kubescape scan API (POST /v1/scan, /v1/status, /v1/results) writing WorkloadConfigurationScans',
    )
    .addOption(new Option('--host <address>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'HTTP port').argParser(port).default(8080))
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .addOption(
      new Option('--cluster-name <name>', 'cluster name in WLIDs (default: the kubeconfig context)').env(
        'KS_CONTEXT',
      ),
    )
    .addOption(
      new Option('--namespace <ns>', 'namespace for cluster-scoped and RBAC results')
        .default('kubescape')
        .env('NAMESPACE'),
    )
    .addOption(
      new Option('--queue-capacity <n>', 'scans that may wait; more get 429')
        .argParser(positiveInt)
        .default(10)
        .env('KS_SCAN_QUEUE_CAPACITY'),
    )
    .addOption(
      new Option('--api-token <token>', 'require this bearer token on /v1 endpoints').env('KS_API_TOKEN'),
    )
    .addOption(
      new Option(
        '--exclude-namespaces <list>',
        'comma-separated namespaces not scanned unless a request names namespaces',
      )
        .argParser(namespaceList)
        .default([...DEFAULT_EXCLUDED_NAMESPACES], DEFAULT_EXCLUDED_NAMESPACES.join(','))
        .env('KS_EXCLUDE_NAMESPACES'),
    )
    .addOption(
      new Option('--include-namespaces <list>', 'comma-separated namespaces scanned by default (empty: all)')
        .argParser(namespaceList)
        .default([], '')
        .env('KS_INCLUDE_NAMESPACES'),
    )
    .addOption(
      new Option('--write-concurrency <n>', 'storage writes in flight').argParser(positiveInt).default(8),
    )
    .addOption(
      new Option('--snapshot-ttl <duration>', 'how long a cluster collection serves single-object scans')
        .argParser(duration)
        .default(5_000, '5s'),
    )
    .option('--summaries-only', 'write only WorkloadConfigurationScanSummaries (no full scans)')
    .addOption(
      new Option('--tls-cert-file <file>', 'serve HTTPS with this PEM certificate').env('KS_CERT_FILE'),
    )
    .addOption(new Option('--tls-key-file <file>', 'PEM key of --tls-cert-file').env('KS_KEY_FILE'))
    .addOption(
      new Option(
        '--shutdown-grace <duration>',
        'on SIGTERM, how long the running scan may finish before it is abandoned',
      )
        .argParser(duration)
        .default(30_000, '30s'),
    )
    .addOption(
      new Option('--log-level <level>', 'debug, info, warn or error').default('info').env('KS_LOGGER_LEVEL'),
    )
    .option('--log-json', 'log JSON lines')
    .action(async (opts: PostureServiceFlags) => {
      const logger = streamLogger({
        level: opts.logLevel,
        json: opts.logJson,
        prefix: opts.logJson ? undefined : 'posture',
      });
      const running = await runPostureService({
        host: opts.host,
        port: opts.port,
        kubeconfig: opts.kubeconfig,
        context: opts.context,
        clusterName: opts.clusterName,
        namespace: opts.namespace,
        queueCapacity: opts.queueCapacity,
        apiToken: opts.apiToken,
        excludeNamespaces: opts.excludeNamespaces,
        includeNamespaces: opts.includeNamespaces,
        writeConcurrency: opts.writeConcurrency,
        snapshotTtlMs: opts.snapshotTtl,
        summariesOnly: opts.summariesOnly ?? false,
        tlsCertFile: opts.tlsCertFile,
        tlsKeyFile: opts.tlsKeyFile,
        logger,
      });
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      logger.info('shutting down: finishing the running scan', { graceMs: opts.shutdownGrace });
      const finished = running.close();
      const abandon = (why: string) => {
        logger.warn(`${why}: abandoning the running scan`);
        void running.close({ abandon: true });
      };
      const grace = setTimeout(() => abandon('the running scan did not finish in time'), opts.shutdownGrace);
      const again = () => abandon('second signal');
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
      await finished;
      process.off('SIGTERM', again);
      process.off('SIGINT', again);
      clearTimeout(grace);
    });
}
