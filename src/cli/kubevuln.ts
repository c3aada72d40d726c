import { Command, InvalidArgumentError, Option } from 'commander';
import { streamLogger } from '../common/index.ts';
import type { LogLevel } from '../common/index.ts';
import { runKubevuln } from '../services/index.ts';
import { defaultDbPath } from '../vuln/index.ts';
import { parseDuration, parseSize } from './sbom.ts';

function integer(min: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`"${value}" is not ${what}`);
    return n;
  };
}

interface KubevulnCliOptions {
  host: string;
  port: number;
  kubeconfig?: string;
  namespace: string;
  db: string;
  concurrency: number;
  maxQueue: number;
  maxImageSize: number;
  maxSbomSize: number;
  scanTimeout: number;
  layerCache?: string;
  registryCa?: string;
  storeFilteredSbom?: boolean;
  partialRelevancy?: boolean;
  logLevel: LogLevel;
  logJson?: boolean;
}

/** `kubeguard kubevuln`: the image vulnerability scanning service (kubevuln's HTTP API). */
export function kubevulnCommand(): Command {
  return new Command('kubevuln')
    .description(
      "run the kubevuln role: image SBOMs and vulnerability manifests for workloads, over kubevuln's HTTP API",
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'HTTP port', integer(0, 'a TCP port'), 8080)
    .option('--kubeconfig <file>', 'kubeconfig to reach the storage API (default: $KUBECONFIG / in-cluster)')
    .option('--namespace <ns>', 'namespace of SBOMs and vulnerability manifests', 'kubescape')
    .option('--db <path>', 'vulnerability database file', defaultDbPath())
    .option('--concurrency <n>', 'scans run at once', integer(1, 'a positive integer'), 1)
    .option(
      '--max-queue <n>',
      'scans waiting for a worker before new ones get 503',
      integer(0, 'an integer ≥ 0'),
      100,
    )
    .addOption(
      new Option('--max-image-size <size>', 'larger images get status too-large')
        .argParser(parseSize)
        .default(512 * 1024 * 1024, '512Mi'),
    )
    .addOption(
      new Option('--max-sbom-size <size>', 'larger SBOMs get status too-large')
        .argParser(parseSize)
        .default(20 * 1024 * 1024, '20Mi'),
    )
    .addOption(
      new Option('--scan-timeout <duration>', 'time limit of one image read')
        .argParser(parseDuration)
        .default(5 * 60_000, '5m'),
    )
    .option('--layer-cache <dir>', 'cache layer reads by diffID so shared base layers are read once')
    .option('--registry-ca <file>', 'extra CA certificate(s) (PEM) trusted for registries')
    .option('--store-filtered-sbom', 'relevancy scans also store the filtered SBOM (SBOMSyftFiltered)')
    .option('--partial-relevancy', 'relevancy scans accept partial ContainerProfiles')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--log-json', 'log JSON lines')
    .action(async (opts: KubevulnCliOptions) => {
      const logger = streamLogger({
        level: opts.logLevel,
        json: opts.logJson,
        prefix: opts.logJson ? undefined : 'kubevuln',
      });
      const running = await runKubevuln({
        host: opts.host,
        port: opts.port,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        namespace: opts.namespace,
        dbPath: opts.db,
        concurrency: opts.concurrency,
        maxQueue: opts.maxQueue,
        maxImageSize: opts.maxImageSize,
        maxSbomSize: opts.maxSbomSize,
        scanTimeoutMs: opts.scanTimeout,
        ...(opts.layerCache ? { layerCacheDir: opts.layerCache } : {}),
        ...(opts.registryCa ? { registryCaFile: opts.registryCa } : {}),
        storeFilteredSbom: opts.storeFilteredSbom ?? false,
        partialRelevancy: opts.partialRelevancy ?? false,
        logger,
      });
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      logger.info('shutting down');
      await running.close();
    });
}
