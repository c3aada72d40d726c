/**
 * List+watch with resume (components.md §3.8, style.md: client-node's ListWatch). It lists once,
 * then watches from the list's resourceVersion; a watch that ends or breaks (kube-apiserver
 * restart, network) is re-opened from the last resourceVersion seen (bookmarks keep it fresh),
 * with exponential backoff while the server is unreachable. 410 Gone means that version is no
 * longer served: the informer relists and diffs against what it knows, so only objects that
 * really appeared, changed or vanished meanwhile become events. That, not dedupe luck, is what
 * keeps a control-plane restart from re-triggering scans.
 */
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import type { BackoffPolicy } from './backoff.ts';
import { Backoff, DEFAULT_WATCH_BACKOFF, sleep } from './backoff.ts';
import type { KubeRest, Query, WatchEvent } from './kube-rest.ts';
import { KubeApiError } from './kube-rest.ts';
import type { JsonObject } from './types.ts';

export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface KubeObjectJson extends JsonObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid?: string;
      controller?: boolean;
    }[];
    [field: string]: unknown;
  };
}

export interface InformerEvent<T extends KubeObjectJson = KubeObjectJson> {
  type: InformerEventType;
  object: T;
  /** The previous version, for MODIFIED and DELETED events. */
  old?: T;
}

export interface InformerOptions<T extends KubeObjectJson> {
  rest: KubeRest;
  /** Collection path, e.g. `/api/v1/pods` or `/apis/apps/v1/deployments`. */
  path: string;
  /** apiVersion and kind to stamp on listed items (LIST items carry neither). */
  apiVersion: string;
  kind: string;
  labelSelector?: string;
  fieldSelector?: string;
  onEvent: (event: InformerEvent<T>) => void;
  logger?: Logger;
  backoff?: BackoffPolicy;
  /** Server-side watch timeout; the watch is then re-opened from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  /** Name for logs. */
  name?: string;
}

export function objectKey(obj: KubeObjectJson): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export class Informer<T extends KubeObjectJson = KubeObjectJson> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private readonly logger: Logger;
  /** Counters, for logs and tests. */
  readonly stats = { lists: 0, watches: 0, gone: 0, failures: 0 };

  constructor(private readonly options: InformerOptions<T>) {
    this.logger = options.logger ?? silentLogger;
  }

  get name(): string {
    return this.options.name ?? this.options.kind;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Resolves after the first successful list has been delivered. */
  hasSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private get query(): Query {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    const backoff = new Backoff(this.options.backoff ?? DEFAULT_WATCH_BACKOFF);
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          backoff.reset();
        }
        // A watch that ended without delivering anything may be a server shutting down: pause.
        if (await this.watchOnce(signal)) backoff.reset();
        else await sleep(backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof KubeApiError && err.status === 410) {
          // The resourceVersion is too old for the (restarted) server: start over from a list.
          this.stats.gone++;
          this.logger.info(`${this.name} watch: resource version expired; relisting`);
          needList = true;
          continue;
        }
        this.stats.failures++;
        const delay = backoff.next();
        this.logger.warn(`${this.name} watch failed; retrying in ${delay} ms`, { error: messageOf(err) });
        await sleep(delay, signal);
      }
    }
  }

  private stamp(item: T): T {
    // LIST items carry no apiVersion/kind; consumers (posture scanObject) need them.
    return { apiVersion: this.options.apiVersion, kind: this.options.kind, ...item };
  }

  /** Lists and reconciles the cache: events only for what is new, changed or gone. */
  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.options.rest.list<T>(this.options.path, this.query);
    this.stats.lists++;
    const seen = new Set<string>();
    for (const raw of items) {
      const item = this.stamp(raw);
      const key = objectKey(item);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (!old) this.emit({ type: 'ADDED', object: item });
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
        this.emit({ type: 'MODIFIED', object: item, old });
      }
    }
    for (const [key, old] of [...this.cache.entries()]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.emit({ type: 'DELETED', object: old, old });
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** One watch from the current resourceVersion; true when it delivered at least one event. */
  private async watchOnce(signal: AbortSignal): Promise<boolean> {
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300;
    let delivered = false;
    this.stats.watches++;
    await this.options.rest.watch(
      this.options.path,
      {
        ...this.query,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        // Spread the reconnects of many watchers (as client-go's reflector does).
        timeoutSeconds: Math.round(timeoutSeconds * (1 + Math.random())),
      },
      (event) => {
        delivered = true;
        this.handle(event);
      },
      signal,
      timeoutSeconds * 2_000 + 30_000,
    );
    return delivered;
  }

  private handle(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; message?: string; reason?: string };
      throw new KubeApiError(
        status.code ?? 500,
        status.reason ?? '',
        `watch ${this.options.path}: ${status.message ?? 'error event'}`,
      );
    }
    const object = this.stamp(event.object as T);
    const rv = object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(object);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit({ type: 'DELETED', object, old: old ?? object });
      return;
    }
    this.cache.set(key, object);
    // A re-opened watch may repeat an event the informer already has (same resourceVersion).
    if (old && old.metadata?.resourceVersion === rv) return;
    this.emit(old ? { type: 'MODIFIED', object, old } : { type: 'ADDED', object });
  }

  private emit(event: InformerEvent<T>): void {
    try {
      this.options.onEvent(event);
    } catch (err) {
      this.logger.error(`${this.name}: event handler failed`, { error: messageOf(err) });
    }
  }
}
