import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import { loadKubeConfig } from '../../k8s/index.ts';
import { createStorageServer, openSqliteStore } from '../../storage/index.ts';
import { startCleanupLoop } from './cleanup.ts';
import {
  clientCAs,
  DelegatedAuthenticator,
  loadAuthenticationConfig,
  SubjectAccessReviewAuthorizer,
} from './delegated-auth.ts';

export interface StorageRoleOptions {
  kubeconfig?: string;
  dataDir: string;
  host: string;
  port: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** How often the authentication config map (CAs, header names) is re-read. */
  authRefreshMs?: number;
  /** Garbage collection of orphaned objects: time between runs (default 24h; 0 disables it). */
  cleanupIntervalMs?: number;
  /** Garbage collection logs what it would delete and deletes nothing. */
  cleanupDryRun?: boolean;
  logger?: Logger;
}

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new KubeguardError(ErrorCodes.invalidInput, `cannot read the ${what} ${file}: ${messageOf(err)}`, {
      hint: 'pass --tls-cert-file and --tls-private-key-file with a PEM serving certificate and key',
    });
  }
}

/** The `kubeguard storage` role: the aggregated API server with delegated authn/authz over SQLite. */
export async function runStorage(
  options: StorageRoleOptions,
): Promise<{ close(): Promise<void>; port: number }> {
  const logger = options.logger ?? silentLogger;
  const cert = readFile(options.tlsCertFile, 'TLS certificate');
  const key = readFile(options.tlsKeyFile, 'TLS private key');
  const kc = loadKubeConfig(options.kubeconfig);
  const authConfig = await loadAuthenticationConfig(kc);
  const authenticator = new DelegatedAuthenticator(kc, authConfig, logger);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const store = openSqliteStore({ file: path.join(options.dataDir, 'storage.sqlite') });
  const server = createStorageServer({
    store,
    authenticator,
    authorizer: new SubjectAccessReviewAuthorizer(kc),
    tls: { cert, key, ca: clientCAs(authConfig) },
    logger,
  });
  const address = await server.listen(options.port, options.host);
  logger.info(`storage serves ${address.address}:${address.port}`, { dataDir: options.dataDir });
  const refresh = setInterval(
    () => {
      loadAuthenticationConfig(kc)
        .then((config) => {
          authenticator.update(config);
          server.setClientCAs(clientCAs(config));
        })
        .catch((err: unknown) =>
          logger.warn('cannot refresh the authentication config', { error: messageOf(err) }),
        );
    },
    options.authRefreshMs ?? 5 * 60_000,
  );
  refresh.unref();
  const stopCleanup = startCleanupLoop({
    store,
    kc,
    intervalMs: options.cleanupIntervalMs ?? 24 * 3_600_000,
    dryRun: options.cleanupDryRun ?? false,
    logger,
  });
  return {
    port: address.port,
    close: async () => {
      stopCleanup();
      clearInterval(refresh);
      await server.close();
      store.close();
    },
  };
}
