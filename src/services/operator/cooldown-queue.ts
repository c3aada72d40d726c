/**
 * The keyed cooldown queue of the operator's watchers (components.md §3.8): an event waits until
 * its key (`group/version/kind/namespace/name`) has been quiet for the cooldown (5 s); a newer
 * event for the same key replaces the waiting one (last wins), so a burst of updates to one
 * workload becomes a single scan. Due events are released by a periodic sweep (1 s, as the
 * operator's eviction loop), and a key that never goes quiet is still released after `maxWaitMs`.
 */
export interface CooldownQueueOptions<T> {
  cooldownMs: number;
  /** Upper bound of the wait of one key under constant updates (default 4 × cooldown). */
  maxWaitMs?: number;
  /** Sweep interval (default 1 s; tests drive `sweep(now)` directly with `sweepMs: 0`). */
  sweepMs?: number;
  now?: () => number;
  /** Combines a waiting item with a newer one for the same key (default: the newer wins). */
  merge?: (waiting: T, newer: T) => T | undefined;
  onRelease: (key: string, item: T) => void;
}

interface Pending<T> {
  item: T;
  dueAt: number;
  firstAt: number;
}

export class CooldownQueue<T> {
  private readonly pending = new Map<string, Pending<T>>();
  private readonly now: () => number;
  private readonly maxWaitMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CooldownQueueOptions<T>) {
    this.now = options.now ?? Date.now;
    this.maxWaitMs = options.maxWaitMs ?? options.cooldownMs * 4;
    const sweepMs = options.sweepMs ?? 1000;
    if (sweepMs > 0) {
      this.timer = setInterval(() => this.sweep(), Math.min(sweepMs, Math.max(options.cooldownMs, 10)));
      this.timer.unref();
    }
  }

  enqueue(key: string, item: T): void {
    const now = this.now();
    const previous = this.pending.get(key);
    const merged = previous && this.options.merge ? this.options.merge(previous.item, item) : item;
    if (merged === undefined) {
      // The events cancel out (e.g. created and deleted within the cooldown).
      this.pending.delete(key);
      return;
    }
    const firstAt = previous?.firstAt ?? now;
    this.pending.set(key, {
      item: merged,
      firstAt,
      dueAt: Math.min(now + this.options.cooldownMs, firstAt + this.maxWaitMs),
    });
  }

  /** Releases every item whose cooldown has passed, oldest first. */
  sweep(now: number = this.now()): number {
    const due = [...this.pending.entries()]
      .filter(([, p]) => p.dueAt <= now)
      .sort((a, b) => a[1].dueAt - b[1].dueAt);
    for (const [key, p] of due) {
      this.pending.delete(key);
      this.options.onRelease(key, p.item);
    }
    return due.length;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Stops the sweep; waiting items are dropped (the next list after a restart finds them again). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
