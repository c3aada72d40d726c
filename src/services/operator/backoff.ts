/**
 * Exponential backoff for re-establishing watches: doubling from `initialMs` up to `maxMs`, with up
 * to 20 % jitter so that many watchers reconnecting to a restarted kube-apiserver do not arrive in
 * lockstep. There is no attempt limit: a watch is retried for as long as the operator runs.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay added at random, 0..1. */
  jitter: number;
}

export const DEFAULT_WATCH_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_WATCH_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call grows it. */
  next(): number {
    const base = Math.min(this.policy.maxMs, this.policy.initialMs * this.policy.factor ** this.attempt);
    if (base < this.policy.maxMs) this.attempt++;
    return Math.round(base + base * this.policy.jitter * this.random());
  }

  /** After a success: the next failure waits the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }
}

/** A sleep that ends early (resolving) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
