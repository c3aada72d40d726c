/** Bounded retries with exponential backoff, shared by every registry request. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff delay (default 250 ms), doubled each time, with ±20 % jitter. */
  baseDelayMs?: number;
  /** Longest single wait, for backoff and for a server's Retry-After (default 30 s). */
  maxDelayMs?: number;
  /** Give up when the next wait would end later than this after the first attempt (default 90 s). */
  maxTotalMs?: number;
}

export const defaultRetryPolicy: Required<RetryPolicy> = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  maxTotalMs: 90_000,
};

/** HTTP statuses worth another try: rate limiting and transient server or gateway trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

const retryableCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Network failures that may heal (connection reset or refused, timeouts); never TLS or DNS-not-found. */
export function isRetryableNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string }).code;
    if (code && retryableCodes.has(code)) return true;
  }
  return false;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffDelay(policy: Required<RetryPolicy>, attempt: number, random = Math.random): number {
  const exp = policy.baseDelayMs * 2 ** attempt;
  return Math.min(policy.maxDelayMs, Math.round(exp * (0.8 + 0.4 * random())));
}

/** Sleeps, waking early (with the signal's reason) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
