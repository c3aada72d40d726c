import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type { Logger } from '../../common/index.ts';
import { withResourceVersion } from './encoding.ts';
import { matchesFields, matchesLabels } from './selectors.ts';
import type { StoredRecord, WatchEvent, WatchOptions } from './types.ts';

/** One object state: labels for filtering and both serialized forms. */
export interface ObjectState {
  labels: Record<string, string> | undefined;
  metadataOnly: string;
  full: string;
}

/** A committed write, as retained for replay. */
export interface ChangeEvent {
  type: WatchEvent['type'];
  resource: string;
  namespace: string;
  name: string;
  resourceVersion: number;
  /** ADDED/MODIFIED: the new state. DELETED: the deleted object, at the deletion's resourceVersion. */
  object: ObjectState;
  /** MODIFIED: the previous state as stored (its own resourceVersion), for selector transitions. */
  previous?: ObjectState;
}

export interface WatchHistoryOptions {
  /** Events retained for replay (default 10,000). */
  maxEvents?: number;
  /** Approximate size cap of retained events, in string length of their JSON (default 8 MiB). */
  maxBytes?: number;
}

interface Watcher {
  resource: string;
  options: WatchOptions;
  listener: (event: WatchEvent) => void;
  /** Highest resourceVersion considered for this watcher: replay and live delivery never repeat. */
  lastResourceVersion: number;
  closed: boolean;
}

interface Retained {
  event: ChangeEvent;
  size: number;
}

function sizeOf(event: ChangeEvent): number {
  let size = event.object.metadataOnly.length + event.object.full.length + 256;
  if (event.previous) {
    size += event.previous.metadataOnly.length;
    if (event.previous.full !== event.previous.metadataOnly) size += event.previous.full.length;
  }
  return size;
}

/**
 * The ring of recent events and the registered watchers, like the Kubernetes watch cache:
 * selector-filtered watchers see an object entering the selector as ADDED and leaving it as
 * DELETED (carrying the previous state at the event's resourceVersion).
 */
export class WatchCache {
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  /** Retained events in resourceVersion order; `head` is the first live slot. */
  private ring: (Retained | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  /** Every event after this version is retained. */
  private compactedThrough: number;
  private latest: number;
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly pending: ChangeEvent[] = [];
  private dispatching = false;

  constructor(
    startResourceVersion: number,
    options: WatchHistoryOptions,
    private readonly logger: Logger,
  ) {
    this.maxEvents = Math.max(1, options.maxEvents ?? 10_000);
    this.maxBytes = Math.max(1, options.maxBytes ?? 8 * 1024 * 1024);
    this.compactedThrough = startResourceVersion;
    this.latest = startResourceVersion;
  }

  /** Number of retained events and their approximate size. */
  stats(): { events: number; bytes: number; oldestResourceVersion: number } {
    return {
      events: this.ring.length - this.head,
      bytes: this.bytes,
      oldestResourceVersion: this.compactedThrough,
    };
  }

  /** Records a committed write and delivers it; writes made by listeners are queued behind it. */
  publish(event: ChangeEvent): void {
    this.latest = event.resourceVersion;
    this.retain(event);
    this.pending.push(event);
    this.drain();
  }

  private drain(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const watchers = this.watchers.get(next.resource);
        if (!watchers) continue;
        for (const watcher of [...watchers]) this.deliver(watcher, next);
      }
    } finally {
      this.dispatching = false;
    }
  }

  watch(resource: string, options: WatchOptions, listener: (event: WatchEvent) => void): () => void {
    const since = options.sinceResourceVersion ?? 0;
    if (!Number.isSafeInteger(since) || since < 0) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `invalid resourceVersion ${since} for a watch of ${resource}`,
      );
    }
    if (since > 0 && since < this.compactedThrough) {
      throw new KubeguardError(
        ErrorCodes.gone,
        `too old resource version: ${since} (${this.compactedThrough}) for a watch of ${resource}`,
        { hint: 'list again and watch from the resourceVersion of the new list' },
      );
    }
    const watcher: Watcher = {
      resource,
      options,
      listener,
      lastResourceVersion: since === 0 ? this.latest : since,
      closed: false,
    };
    let watchers = this.watchers.get(resource);
    if (!watchers) {
      watchers = new Set();
      this.watchers.set(resource, watchers);
    }
    watchers.add(watcher);
    const unsubscribe = () => {
      watcher.closed = true;
      const set = this.watchers.get(resource);
      set?.delete(watcher);
      if (set?.size === 0) this.watchers.delete(resource);
    };
    if (since > 0 && since < this.latest) {
      // Writes made by listeners during the replay wait in `pending`, so order is kept.
      const nested = this.dispatching;
      this.dispatching = true;
      try {
        for (let i = this.firstAfter(since); i < this.ring.length && !watcher.closed; i++) {
          this.deliver(watcher, (this.ring[i] as Retained).event);
        }
      } finally {
        this.dispatching = nested;
      }
      this.drain();
    }
    return unsubscribe;
  }

  /** Drops every watcher (the store is closing). */
  clear(): void {
    for (const set of this.watchers.values()) for (const watcher of set) watcher.closed = true;
    this.watchers.clear();
    this.ring = [];
    this.head = 0;
    this.bytes = 0;
  }

  private retain(event: ChangeEvent): void {
    const size = sizeOf(event);
    this.ring.push({ event, size });
    this.bytes += size;
    while (
      this.ring.length - this.head > this.maxEvents ||
      (this.bytes > this.maxBytes && this.head < this.ring.length)
    ) {
      const evicted = this.ring[this.head] as Retained;
      this.ring[this.head] = undefined;
      this.head++;
      this.bytes -= evicted.size;
      this.compactedThrough = evicted.event.resourceVersion;
    }
    if (this.head > 1024 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first retained event newer than `resourceVersion` (binary search). */
  private firstAfter(resourceVersion: number): number {
    let low = this.head;
    let high = this.ring.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.ring[mid] as Retained).event.resourceVersion <= resourceVersion) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private deliver(watcher: Watcher, event: ChangeEvent): void {
    if (watcher.closed || event.resource !== watcher.resource) return;
    if (event.resourceVersion <= watcher.lastResourceVersion) return;
    watcher.lastResourceVersion = event.resourceVersion;
    const converted = convert(watcher.options, event);
    if (!converted) return;
    try {
      watcher.listener(converted);
    } catch (err) {
      this.logger.warn('watch listener failed', {
        resource: event.resource,
        resourceVersion: event.resourceVersion,
        error: messageOf(err),
      });
    }
  }
}

function passes(options: WatchOptions, namespace: string, name: string, state: ObjectState): boolean {
  if (options.namespace !== undefined && options.namespace !== namespace) return false;
  if (options.fieldSelector && !matchesFields(options.fieldSelector, { namespace, name })) return false;
  if (options.labelSelector && !matchesLabels(options.labelSelector, state.labels)) return false;
  return true;
}

function record(event: ChangeEvent, json: string): StoredRecord {
  return {
    resource: event.resource,
    namespace: event.namespace,
    name: event.name,
    resourceVersion: event.resourceVersion,
    json,
  };
}

/** The event as one watcher sees it (apiserver `cacheWatcher.convertToWatchEvent`), or undefined. */
function convert(options: WatchOptions, event: ChangeEvent): WatchEvent | undefined {
  const { namespace, name } = event;
  const pick = (state: ObjectState) => (options.fullSpec ? state.full : state.metadataOnly);
  const current = event.type !== 'DELETED' && passes(options, namespace, name, event.object);
  const before =
    event.type === 'DELETED'
      ? passes(options, namespace, name, event.object)
      : event.previous !== undefined && passes(options, namespace, name, event.previous);
  if (current) return { type: before ? 'MODIFIED' : 'ADDED', record: record(event, pick(event.object)) };
  if (!before) return undefined;
  if (event.type === 'DELETED') return { type: 'DELETED', record: record(event, pick(event.object)) };
  // Left the selector: the previous state, stamped with this event's resourceVersion.
  const previous = pick(event.previous as ObjectState);
  let json: string;
  try {
    json = withResourceVersion(previous, event.resourceVersion);
  } catch {
    json = pick(event.object);
  }
  return { type: 'DELETED', record: record(event, json) };
}
