/**
 * kubevuln's job handling: a bounded queue in front of a fixed number of workers, and a status per
 * job ID (queued → running → succeeded | failed; abandoned when the service stops first) that
 * `GET /v1/scanStatus/:jobID` reports. Statuses of finished jobs are kept for a bounded number of
 * jobs, so a long-running service does not grow without end.
 */
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import type { Endpoint } from './commands.ts';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'abandoned';

export interface JobStatus {
  jobID: string;
  endpoint: Endpoint;
  state: JobState;
  /** What the job is doing or did last: queued, resolving, sbom, matching, storing, done. */
  phase: string;
  /** Why it failed (or a note on success, e.g. "partial"). */
  reason?: string;
  /** Scan outcome when it succeeded: e.g. `cached`, `copied`, `scanned`, `partial`. */
  outcome?: string;
  acceptedAt: string;
  startedAt?: string;
  finishedAt?: string;
  updatedAt: string;
}

export interface JobContext {
  jobID: string;
  /** Aborted when the service stops. */
  signal: AbortSignal;
  setPhase(phase: string): void;
}

export type JobRunner = (ctx: JobContext) => Promise<{ outcome?: string } | void>;

export interface JobQueueOptions {
  concurrency: number;
  /** Jobs waiting for a worker; one more is refused (503). */
  maxQueue: number;
  /** Finished statuses kept (oldest dropped first). */
  maxHistory?: number;
  now?: () => Date;
  logger?: Logger;
}

interface Pending {
  status: JobStatus;
  run: JobRunner;
}

export class JobQueue {
  private readonly statuses = new Map<string, JobStatus>();
  private readonly waiting: Pending[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly now: () => Date;
  private readonly logger: Logger;
  private closed = false;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: JobQueueOptions) {
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running.size;
  }

  /** Accepts a job unless the queue is full or closed; a job ID in use gets a fresh status. */
  submit(jobID: string, endpoint: Endpoint, run: JobRunner): 'queued' | 'full' {
    if (this.closed || this.waiting.length >= this.options.maxQueue) return 'full';
    const at = this.now().toISOString();
    const status: JobStatus = {
      jobID,
      endpoint,
      state: 'queued',
      phase: 'queued',
      acceptedAt: at,
      updatedAt: at,
    };
    this.remember(status);
    this.waiting.push({ status, run });
    this.pump();
    return 'queued';
  }

  status(jobID: string): JobStatus | undefined {
    const s = this.statuses.get(jobID);
    return s ? { ...s } : undefined;
  }

  /** Resolves once nothing is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (this.waiting.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops: queued jobs are abandoned at once; running ones get `graceMs` to finish, then their
   * signal is aborted (a job writes its objects only when complete, so an abort leaves none half
   * written).
   */
  async close(graceMs = 30_000): Promise<void> {
    this.closed = true;
    for (const pending of this.waiting.splice(0))
      this.finish(pending.status, 'abandoned', 'the service stopped');
    if (this.running.size === 0) return;
    const all = Promise.allSettled([...this.running.values()]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.abort.abort(new Error('the service stopped'));
        resolve();
      }, graceMs);
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    await all;
  }

  private remember(status: JobStatus): void {
    this.statuses.delete(status.jobID);
    this.statuses.set(status.jobID, status);
    this.prune();
  }

  /** Drops the oldest finished statuses beyond maxHistory (queued and running ones stay). */
  private prune(): void {
    const max = this.options.maxHistory ?? 1000;
    for (const [id, s] of this.statuses) {
      if (this.statuses.size <= max) break;
      if (s.state !== 'queued' && s.state !== 'running') this.statuses.delete(id);
    }
  }

  private update(status: JobStatus, patch: Partial<JobStatus>): void {
    Object.assign(status, patch, { updatedAt: this.now().toISOString() });
  }

  private finish(status: JobStatus, state: JobState, reason?: string, outcome?: string): void {
    const at = this.now().toISOString();
    this.update(status, {
      state,
      finishedAt: at,
      ...(state === 'succeeded' ? { phase: 'done' } : {}),
      ...(reason ? { reason } : {}),
      ...(outcome ? { outcome } : {}),
    });
    this.prune();
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      // Keyed by a sequence number: a job ID may be submitted again while it still runs.
      const key = String(this.seq++);
      const done = this.execute(next).finally(() => {
        this.running.delete(key);
        this.pump();
        if (this.waiting.length === 0 && this.running.size === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
      this.running.set(key, done);
    }
  }

  private async execute({ status, run }: Pending): Promise<void> {
    this.update(status, { state: 'running', phase: 'started', startedAt: this.now().toISOString() });
    const ctx: JobContext = {
      jobID: status.jobID,
      signal: this.abort.signal,
      setPhase: (phase) => this.update(status, { phase }),
    };
    try {
      const result = await run(ctx);
      this.finish(status, 'succeeded', undefined, result?.outcome);
      this.logger.info('job succeeded', {
        jobID: status.jobID,
        endpoint: status.endpoint,
        outcome: result?.outcome,
      });
    } catch (err) {
      const reason = messageOf(err);
      this.finish(status, this.abort.signal.aborted ? 'abandoned' : 'failed', reason);
      this.logger.warn('job failed', { jobID: status.jobID, endpoint: status.endpoint, reason });
    }
  }
}
