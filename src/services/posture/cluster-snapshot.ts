/**
 * Cluster collections reused for a few seconds. Continuous scanning sends one single-object scan
 * per changed object, often in bursts (a rollout, `kubectl apply -f dir/`); each needs the whole
 * cluster as context for joins (services, policies, RBAC), but listing everything for each would
 * load the API server for nothing. The scanned object itself is always read fresh by the caller.
 */
import type { CollectResult, ClusterReader } from './collect.ts';

export interface NamespaceScope {
  includeNamespaces: readonly string[];
  excludeNamespaces: readonly string[];
}

interface Entry {
  at: number;
  result: Promise<CollectResult>;
}

export class ClusterSnapshots {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly reader: Pick<ClusterReader, 'collect'>,
    private readonly kinds: ReadonlySet<string>,
    /** How long a collection is reused; 0 disables reuse. */
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A collection at most `ttlMs` old, or with `fresh` a new one (which then replaces the cached one). */
  async get(
    scope: NamespaceScope,
    options: { fresh: boolean; signal?: AbortSignal },
  ): Promise<CollectResult> {
    const key = JSON.stringify([[...scope.includeNamespaces].sort(), [...scope.excludeNamespaces].sort()]);
    const cached = this.entries.get(key);
    if (cached && !options.fresh && this.now() - cached.at <= this.ttlMs) return cached.result;
    const entry: Entry = {
      at: this.now(),
      result: this.reader.collect({
        kinds: this.kinds,
        includeNamespaces: scope.includeNamespaces,
        excludeNamespaces: scope.excludeNamespaces,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    };
    // Only one scope is usually in use; keeping a few bounds memory if callers vary it.
    if (this.entries.size >= 4) this.entries.clear();
    this.entries.set(key, entry);
    // A large cluster's objects are not kept in memory between bursts.
    setTimeout(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    }, this.ttlMs).unref();
    try {
      return await entry.result;
    } catch (err) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
