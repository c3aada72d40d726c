/**
 * HTTP calls to the in-cluster services (kubescape, kubevuln) and to registries. Plain node:http so
 * that the error code of a failed connection (ECONNREFUSED, which the kubevuln POST retries on) is
 * visible, and bodies are sent exactly as serialized.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpReply {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

export interface HttpRequest {
  method: string;
  url: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Accept any TLS certificate (registries with skipTLSVerify). */
  insecureTls?: boolean;
}

export function httpRequest(request: HttpRequest): Promise<HttpReply> {
  const url = new URL(request.url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: request.method,
        timeout: request.timeoutMs ?? 60_000,
        headers: {
          ...(request.body !== undefined ? { 'Content-Length': Buffer.byteLength(request.body) } : {}),
          ...request.headers,
        },
        ...(url.protocol === 'https:' && request.insecureTls ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${request.method} ${url.href}: timed out`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

export function postJson(url: string, body: unknown, timeoutMs?: number): Promise<HttpReply> {
  return httpRequest({
    method: 'POST',
    url,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
    timeoutMs,
  });
}

/** Whether an error is a refused connection (the service is not up yet). */
export function isConnectionRefused(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 'ECONNREFUSED' || (typeof e?.message === 'string' && e.message.includes('ECONNREFUSED'));
}

/** Joins a base URL (`http://kubevuln:8080` or `kubevuln:8080`) and a path. */
export function joinUrl(base: string, path: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(base) ? base : `http://${base}`;
  return `${withScheme.replace(/\/+$/, '')}${path}`;
}
