/**
 * A small admin client for the dev cluster (the admin client certificate of its PKI), for what
 * the missing controllers and kubelet would do: create a Deployment's ReplicaSet and Pods with
 * owner references, set their status, and delete what owners leave behind (no garbage
 * collector). One keep-alive connection pool, so creating hundreds of objects costs no processes
 * (kubectl would be one process per status patch).
 */
import fs from 'node:fs';
import https from 'node:https';
import { ErrorCodes, KubeguardError } from '../common/index.ts';
import { clusterLayout, readClusterConfig } from './cluster.ts';
import type { DevPaths } from './paths.ts';

export type Json = Record<string, unknown>;

export interface KubeObjectJson extends Json {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Json[];
    [field: string]: unknown;
  };
}

export class KubeApiError extends KubeguardError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(status === 404 ? ErrorCodes.notFound : ErrorCodes.remote, message);
  }
}

export class DevKubeApi {
  private readonly agent: https.Agent;
  private readonly port: number;

  constructor(paths: DevPaths) {
    const layout = clusterLayout(paths);
    const config = readClusterConfig(layout);
    if (!config) {
      throw new KubeguardError(ErrorCodes.prerequisite, 'the local control plane was never started', {
        hint: 'run `kubeguard dev cluster up` first',
      });
    }
    this.port = config.apiserverPort;
    const f = layout.pki.file;
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: fs.readFileSync(f('ca', 'crt')),
      cert: fs.readFileSync(f('admin', 'crt')),
      key: fs.readFileSync(f('admin', 'key')),
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request; resolves with the decoded body, rejects with the Status message on non-2xx. */
  request<T = Json>(
    method: string,
    urlPath: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: urlPath,
          method,
          agent: this.agent,
          timeout: 30_000,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined
              ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve((text ? JSON.parse(text) : {}) as T);
              return;
            }
            let message = text.slice(0, 500);
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {
              /* not a Status */
            }
            reject(new KubeApiError(status, `${method} ${urlPath}: ${status} ${message}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Creates the object, or replaces it (keeping its uid) when it exists: re-running is harmless. */
  async apply<T extends KubeObjectJson>(collection: string, obj: T): Promise<T> {
    try {
      return await this.request<T>('POST', collection, obj);
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.status !== 409) throw err;
    }
    const current = await this.request<KubeObjectJson>('GET', `${collection}/${obj.metadata.name}`);
    const body = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: current.metadata['resourceVersion'] },
    };
    return this.request<T>('PUT', `${collection}/${obj.metadata.name}`, body);
  }

  /** Deletes; a missing object is not an error. */
  async remove(urlPath: string): Promise<boolean> {
    try {
      await this.request('DELETE', urlPath);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  mergePatchStatus(urlPath: string, status: Json): Promise<Json> {
    return this.request('PATCH', `${urlPath}/status`, { status }, 'application/merge-patch+json');
  }
}
