/**
 * The kubescape (posture) API as the operator uses it (components.md §3.4): `POST /v1/scan?keep=false`
 * and `GET /v1/status?ID=`.
 */
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { sleep } from './backoff.ts';
import { httpRequest, joinUrl, postJson } from './http-client.ts';
import type { PostScanRequest, ScanResponse } from './types.ts';

function parseResponse(what: string, status: number, text: string): ScanResponse {
  if (status !== 200) {
    throw new KubeguardError(
      ErrorCodes.remote,
      `${what}: received status code '${status}' from kubescape, body: ${text.slice(0, 500)}`,
    );
  }
  try {
    const parsed = JSON.parse(text) as Partial<ScanResponse>;
    return { id: String(parsed.id ?? ''), type: String(parsed.type ?? ''), response: parsed.response };
  } catch (err) {
    throw new KubeguardError(
      ErrorCodes.remote,
      `${what}: failed to convert response object: ${messageOf(err)}`,
    );
  }
}

export class PostureClient {
  constructor(
    private readonly baseUrl: string,
    private readonly busyAttempts = 20,
  ) {}

  /**
   * Requests a scan. kubescape's queue holds 10 scans and answers 429 with Retry-After when full
   * (a burst of continuous-scan events at start-up does that); the request is then sent again
   * after the advised delay, a bounded number of times, rather than dropped.
   */
  async scan(request: PostScanRequest, signal?: AbortSignal): Promise<ScanResponse> {
    const url = joinUrl(this.baseUrl, '/v1/scan?keep=false');
    for (let attempt = 1; ; attempt++) {
      let reply;
      try {
        reply = await postJson(url, request);
      } catch (err) {
        throw new KubeguardError(ErrorCodes.remote, `POST ${url}: ${messageOf(err)}`, { cause: err });
      }
      if (reply.status === 429 && attempt < this.busyAttempts && !signal?.aborted) {
        const advised = Number(reply.headers['retry-after']);
        await sleep(Number.isFinite(advised) && advised > 0 ? Math.min(advised, 60) * 1000 : 5_000, signal);
        continue;
      }
      return parseResponse(`POST ${url}`, reply.status, reply.text);
    }
  }

  async status(scanId: string): Promise<ScanResponse> {
    const url = joinUrl(this.baseUrl, `/v1/status?ID=${encodeURIComponent(scanId)}`);
    let reply;
    try {
      reply = await httpRequest({ method: 'GET', url });
    } catch (err) {
      throw new KubeguardError(ErrorCodes.remote, `GET ${url}: ${messageOf(err)}`, { cause: err });
    }
    return parseResponse(`GET ${url}`, reply.status, reply.text);
  }
}
