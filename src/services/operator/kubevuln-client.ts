/**
 * kubevuln's scan endpoints (storage-api.md §5.1). A POST is retried when the connection is
 * refused (kubevuln restarting): 5 more tries, 5 s apart (components.md §3.7); and, unlike
 * Kubescape's operator, when kubevuln answers 503 (its queue is full or its database is not loaded
 * yet): up to `busyRetries` tries, so a burst of new workloads is delayed, not dropped. A reply of
 * 200-203 is success, anything else fails the job with the status.
 */
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { sleep } from './backoff.ts';
import { isConnectionRefused, joinUrl, postJson } from './http-client.ts';
import type { RegistryScanCommand, WebsocketScanCommand } from './types.ts';

export const KUBEVULN_PATHS = {
  scanImage: '/v1/scanImage',
  scanRegistryImage: '/v1/scanRegistryImage',
  scanApplicationProfile: '/v1/scanApplicationProfile',
} as const;

export class KubevulnClient {
  constructor(
    private readonly baseUrl: string,
    private readonly retries = 5,
    private readonly retryDelayMs = 5_000,
    private readonly signal?: AbortSignal,
    private readonly busyRetries = 60,
  ) {}

  scanImage(command: WebsocketScanCommand): Promise<void> {
    return this.post(KUBEVULN_PATHS.scanImage, command, command.imageTag);
  }

  scanApplicationProfile(command: WebsocketScanCommand): Promise<void> {
    return this.post(KUBEVULN_PATHS.scanApplicationProfile, command, command.wlid);
  }

  scanRegistryImage(command: RegistryScanCommand): Promise<void> {
    return this.post(KUBEVULN_PATHS.scanRegistryImage, command, command.imageTag);
  }

  private async post(path: string, body: unknown, query: string): Promise<void> {
    const url = joinUrl(this.baseUrl, path);
    for (let refused = 0, busy = 0; ; refused++) {
      try {
        const reply = await postJson(url, body);
        if (reply.status === 503 && busy < this.busyRetries && !this.signal?.aborted) {
          busy++;
          refused--;
          await sleep(this.retryDelayMs, this.signal);
          continue;
        }
        if (reply.status < 200 || reply.status > 203) {
          throw new KubeguardError(
            ErrorCodes.remote,
            `failed posting to vulnerability scanner. query: '${query}', reason: 'received bad status code: ${reply.status}' ${reply.text.slice(0, 300)}`.trim(),
          );
        }
        return;
      } catch (err) {
        if (err instanceof KubeguardError) throw err;
        if (!isConnectionRefused(err) || refused >= this.retries || this.signal?.aborted) {
          throw new KubeguardError(
            ErrorCodes.remote,
            `failed posting to vulnerability scanner. query: '${query}', reason: ${messageOf(err)}`,
            { cause: err },
          );
        }
        await sleep(this.retryDelayMs, this.signal);
      }
    }
  }
}
