/**
 * The posture service's scan queue: a bounded FIFO (Kubescape's `KS_SCAN_QUEUE_CAPACITY`, 10),
 * one scan (or one batch of single-object scans sharing an evaluation) running at a time, the
 * state `GET /v1/status` reports, and the finished results `GET /v1/results` hands out once.
 * What a scan does is injected (`ScanExecutor`), so the HTTP contract is testable without a cluster.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import type { ScanPlan } from './scan-request.ts';

export type ScanOutcome =
  /** `json` is the `response` of the v1results reply, already serialized. */
  { kind: 'done'; json: string } | { kind: 'failed'; message: string };

export interface ScanTask {
  readonly id: string;
  readonly plan: ScanPlan;
  /** Aborted when the scan is cancelled or the service shuts down without finishing it. */
  readonly signal: AbortSignal;
}

/** Runs one batch (usually of one); returns an outcome per task ID (a missing one counts as failed). */
export type ScanExecutor = (tasks: readonly ScanTask[]) => Promise<ReadonlyMap<string, ScanOutcome>>;

export interface ScanQueueOptions {
  /** How many scans may wait (the running one not counted). */
  capacity: number;
  executor: ScanExecutor;
  /** Scans with the same key may run as one batch; undefined = alone. */
  batchKey?: (plan: ScanPlan) => string | undefined;
  maxBatch?: number;
  /**
   * Finished results kept for `GET /v1/results`, oldest dropped first; counted separately for
   * single-object scans, so a burst of continuous scans does not push out a full scan's report.
   */
  maxStoredResults?: number;
  logger?: Logger;
  newId?: () => string;
}

interface Job {
  id: string;
  plan: ScanPlan;
  controller: AbortController;
  cancelled: boolean;
  waiters: ((outcome: ScanOutcome) => void)[];
}

export type ScanState =
  { state: 'busy' } | { state: 'finished'; outcome: ScanOutcome } | { state: 'unknown' };

export class ScanQueue {
  private readonly waiting: Job[] = [];
  private running: Job[] = [];
  private readonly finished = new Map<string, ScanOutcome>();
  private readonly objectScanIds = new Set<string>();
  private latestId = '';
  private closed = false;
  private loop: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly maxBatch: number;
  private readonly maxStoredResults: number;
  private readonly newId: () => string;

  constructor(private readonly options: ScanQueueOptions) {
    this.logger = options.logger ?? silentLogger;
    this.maxBatch = options.maxBatch ?? 32;
    this.maxStoredResults = options.maxStoredResults ?? 20;
    this.newId = options.newId ?? randomUUID;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  get runningIds(): string[] {
    return this.running.map((j) => j.id);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Admits a scan; undefined when the queue is full or shutting down. */
  submit(plan: ScanPlan): { id: string } | undefined {
    if (this.closed || this.waiting.length >= this.options.capacity) return undefined;
    const job: Job = {
      id: this.newId(),
      plan,
      controller: new AbortController(),
      cancelled: false,
      waiters: [],
    };
    this.waiting.push(job);
    this.latestId = job.id;
    // Started on a later turn, so the request that submitted the scan is answered first.
    this.loop ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
    return { id: job.id };
  }

  /** Queued or running; an empty ID asks about the latest submitted scan. */
  isBusy(id: string): boolean {
    return this.find(id || this.latestId) !== undefined;
  }

  latestScanId(): string {
    return this.latestId;
  }

  state(id: string): ScanState {
    if (this.find(id)) return { state: 'busy' };
    const outcome = this.finished.get(id);
    return outcome ? { state: 'finished', outcome } : { state: 'unknown' };
  }

  /** Resolves when the scan finishes (immediately when it already has). */
  wait(id: string): Promise<ScanOutcome> {
    const job = this.find(id);
    if (job) return new Promise((resolve) => job.waiters.push(resolve));
    const outcome = this.finished.get(id);
    return Promise.resolve(outcome ?? { kind: 'failed', message: `no scan '${id}'` });
  }

  removeResult(id: string): boolean {
    this.objectScanIds.delete(id);
    return this.finished.delete(id);
  }

  removeAllResults(): number {
    const count = this.finished.size;
    this.finished.clear();
    this.objectScanIds.clear();
    return count;
  }

  /**
   * Cancels one scan (queued: dropped; running: aborted), or with no ID every queued scan and the
   * running one. Returns the IDs cancelled.
   */
  cancel(id?: string): string[] {
    const targets = id
      ? [this.find(id)].filter((j): j is Job => j !== undefined)
      : [...this.waiting, ...this.running];
    for (const job of targets) {
      job.cancelled = true;
      job.controller.abort(new Error(`scan '${job.id}' was cancelled`));
      const queuedAt = this.waiting.indexOf(job);
      if (queuedAt >= 0) {
        this.waiting.splice(queuedAt, 1);
        this.finish(job, { kind: 'failed', message: `scan '${job.id}' was cancelled` });
      }
    }
    return targets.map((j) => j.id);
  }

  /**
   * Stops admitting scans and drops the queued ones; the running scan finishes (or, with
   * `abandon`, is aborted). Resolves when nothing runs any more.
   */
  async close(options: { abandon?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) {
      job.controller.abort(new Error('the service is shutting down'));
      this.finish(job, { kind: 'failed', message: 'the service shut down before the scan started' });
    }
    if (options.abandon) {
      for (const job of this.running) job.controller.abort(new Error('the service is shutting down'));
    }
    await this.loop;
  }

  private find(id: string): Job | undefined {
    if (!id) return undefined;
    return this.running.find((j) => j.id === id) ?? this.waiting.find((j) => j.id === id);
  }

  /** The next batch: the head of the queue and the queued scans that can share its evaluation. */
  private takeBatch(): Job[] {
    const head = this.waiting.shift()!;
    const key = this.options.batchKey?.(head.plan);
    if (key === undefined) return [head];
    const batch = [head];
    for (let i = 0; i < this.waiting.length && batch.length < this.maxBatch;) {
      const job = this.waiting[i]!;
      if (this.options.batchKey?.(job.plan) === key) {
        batch.push(job);
        this.waiting.splice(i, 1);
      } else {
        i++;
      }
    }
    return batch;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        this.running = this.takeBatch();
        const batch = this.running;
        let outcomes: ReadonlyMap<string, ScanOutcome>;
        try {
          outcomes = await this.options.executor(
            batch.map((job) => ({ id: job.id, plan: job.plan, signal: job.controller.signal })),
          );
        } catch (err) {
          // The executor reports per-scan failures as outcomes; a throw fails the whole batch.
          this.logger.error('scan failed', { ids: batch.map((j) => j.id), error: messageOf(err) });
          const message = messageOf(err);
          outcomes = new Map(batch.map((job) => [job.id, { kind: 'failed', message } as const]));
        }
        this.running = [];
        for (const job of batch) {
          const outcome: ScanOutcome = job.cancelled
            ? { kind: 'failed', message: `scan '${job.id}' was cancelled` }
            : (outcomes.get(job.id) ?? { kind: 'failed', message: 'the scan produced no result' });
          this.finish(job, outcome);
        }
      }
    } finally {
      this.loop = undefined;
    }
  }

  private finish(job: Job, outcome: ScanOutcome): void {
    this.finished.set(job.id, outcome);
    const objectScan = job.plan.scanObject !== undefined;
    if (objectScan) this.objectScanIds.add(job.id);
    const sameClass = [...this.finished.keys()].filter((id) => this.objectScanIds.has(id) === objectScan);
    for (const id of sameClass.slice(0, Math.max(0, sameClass.length - this.maxStoredResults))) {
      this.removeResult(id);
    }
    for (const resolve of job.waiters.splice(0)) resolve(outcome);
  }
}
