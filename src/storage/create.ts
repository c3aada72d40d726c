import { openApiSchemas } from '../api/index.ts';
import type { Logger } from '../common/index.ts';
import type { Authenticator, Authorizer } from './apiserver/auth.ts';
import { buildOpenApi } from './apiserver/openapi.ts';
import { StorageServer } from './apiserver/server.ts';
import { storageKinds } from './kinds/index.ts';
import type { ObjectStore } from './store/index.ts';

export interface CreateStorageServerOptions {
  store: ObjectStore;
  authenticator: Authenticator;
  authorizer: Authorizer;
  tls: { cert: string | Buffer; key: string | Buffer; ca?: (string | Buffer)[] };
  logger?: Logger;
  bookmarkIntervalMs?: number;
}

/** The storage API server with every kind of the group, its discovery and OpenAPI documents. */
export function createStorageServer(options: CreateStorageServerOptions): StorageServer {
  return new StorageServer({
    ...options,
    kinds: storageKinds,
    openapi: buildOpenApi(storageKinds, openApiSchemas as Record<string, Record<string, unknown>>),
  });
}
