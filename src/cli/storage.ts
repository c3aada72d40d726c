import { Command, InvalidArgumentError } from 'commander';
import { streamLogger } from '../common/index.ts';
import type { LogLevel } from '../common/index.ts';
import { runStorage } from '../services/index.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a TCP port`);
  return n;
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
