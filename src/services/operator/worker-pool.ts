/**
 * The bounded pool commands run in (`workerConcurrency`, 3): jobs queue without limit and at most
 * `concurrency` run at once. A failing job is reported to `onError` and does not stop the pool.
 */
export type Job = () => Promise<void>;

export class WorkerPool {
  private readonly queue: { id: string; job: Job }[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly onError: (id: string, err: unknown) => void = () => {},
  ) {
    if (!(concurrency >= 1))
      throw new RangeError(`worker concurrency must be at least 1, not ${concurrency}`);
  }

  submit(id: string, job: Job): boolean {
    if (this.closed) return false;
    this.queue.push({ id, job });
    this.pump();
    return true;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.running++;
      void Promise.resolve()
        .then(next.job)
        .catch((err: unknown) => this.onError(next.id, err))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new jobs, drops queued ones and waits for running ones. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.idle();
  }
}
