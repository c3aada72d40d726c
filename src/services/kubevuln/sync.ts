/** Small coordination helpers of the scan pipeline. */

/**
 * Runs tasks one at a time per key. kubevuln's "one scan per image digest": a second request for
 * the same digest (maybe under another tag) waits for the first and then finds its stored result
 * instead of pulling the image again.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last one out removes the key, so the map holds only digests being scanned.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  get size(): number {
    return this.tails.size;
  }
}

/**
 * Images whose registry answered 429 recently. kubevuln refuses new scans of such an image for a
 * while (HTTP 429) instead of hammering the registry again.
 */
export class RateLimitCooldown {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  mark(image: string): void {
    this.until.set(image, this.now() + this.ttlMs);
  }

  coolingDown(image: string): boolean {
    const until = this.until.get(image);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(image);
    return false;
  }
}
