import { Command, InvalidArgumentError, Option } from 'commander';
import { streamLogger } from '../common/index.ts';
import type { LogLevel } from '../common/index.ts';
import { runStorage } from '../services/index.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a TCP port`);
  return n;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration (`30s`, `10m`, `24h`, `1h30m`) in milliseconds, at least 1s; or `0`. */
function duration(value: string): number {
  if (value.trim() === '0') return 0;
  const parts = [...value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value.trim()) {
    throw new InvalidArgumentError(`"${value}" is not a duration (e.g. 30s, 10m, 24h, 1h30m; 0 disables)`);
  }
  const ms = Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS_MS[unit!]!, 0));
  if (ms < 1000) throw new InvalidArgumentError(`"${value}" is too short: use 0 (off) or at least 1s`);
  return ms;
}

/** `kubeguard storage`: the aggregated API server role. */
export function storageCommand(): Command {
  return new Command('storage')
    .description(
      'run the storage role: the aggregated API server for spdx.softwarecomposition.kubescape.io/v1beta1',
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig for delegated authentication and authorization (default: in-cluster / $KUBECONFIG)',
    )
    .option('--data-dir <dir>', 'where the SQLite store lives', '/data')
    .option('--bind-address <address>', 'address to listen on', '127.0.0.1')
    .option('--secure-port <port>', 'HTTPS port', port, 8443)
    .requiredOption(
      '--tls-cert-file <file>',
      'PEM serving certificate (its CA goes into the APIService caBundle)',
    )
    .requiredOption('--tls-private-key-file <file>', 'PEM private key of the serving certificate')
    .addOption(
      new Option(
        '--cleanup-interval <duration>',
        'time between garbage collections of objects whose workload, container or image is gone (0 disables)',
      )
        .argParser(duration)
        .default(24 * 3_600_000, '24h'),
    )
    .option('--cleanup-dry-run', 'garbage collection only logs what it would delete')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--log-json', 'log JSON lines')
    .action(
      async (opts: {
        kubeconfig?: string;
        dataDir: string;
        bindAddress: string;
        securePort: number;
        tlsCertFile: string;
        tlsPrivateKeyFile: string;
        cleanupInterval: number;
        cleanupDryRun?: boolean;
        logLevel: LogLevel;
        logJson?: boolean;
      }) => {
        const logger = streamLogger({
          level: opts.logLevel,
          json: opts.logJson,
          prefix: opts.logJson ? undefined : 'storage',
        });
        const running = await runStorage({
          kubeconfig: opts.kubeconfig,
          dataDir: opts.dataDir,
          host: opts.bindAddress,
          port: opts.securePort,
          tlsCertFile: opts.tlsCertFile,
          tlsKeyFile: opts.tlsPrivateKeyFile,
          cleanupIntervalMs: opts.cleanupInterval,
          cleanupDryRun: opts.cleanupDryRun ?? false,
          logger,
        });
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
        logger.info('shutting down');
        await running.close();
      },
    );
}
