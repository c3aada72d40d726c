/**
 * The in-memory AdvisoryProvider (grype's `vulnerability/mock`): the same lookup rule as the
 * SQLite database, for matcher tests and small fixed sets of advisories.
 */
import { createHash } from 'node:crypto';
import type { Advisory, AdvisoryProvider, AdvisoryQuery, DbMetadata } from '../types.ts';
import { indexKeysOf, keyMatchesQuery, normalizeQuery } from './ecosystems.ts';
import type { IndexKey } from './ecosystems.ts';
import { isNewer, normalizeOsv } from './osv.ts';
import { SCHEMA_VERSION } from './store.ts';

/** Advisories by id (the newer `modified` wins) with a (family, name) index. */
export function memoryAdvisoryProvider(advisories: Iterable<Advisory>, source = 'memory'): AdvisoryProvider {
  const byId = new Map<string, Advisory>();
  for (const a of advisories) {
    const have = byId.get(a.id);
    if (!have || isNewer(a.modified, have.modified)) byId.set(a.id, a);
  }
  const index = new Map<string, { key: IndexKey; advisory: Advisory }[]>();
  let affected = 0;
  for (const advisory of byId.values()) {
    for (const key of indexKeysOf(advisory)) {
      const slot = `${key.family}\0${key.name}`;
      const list = index.get(slot) ?? [];
      list.push({ key, advisory });
      index.set(slot, list);
      affected++;
    }
  }
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const hash = createHash('sha256');
  for (const a of sorted) hash.update(`${a.id}\n${JSON.stringify(a)}\n`);
  const metadata: DbMetadata = {
    schemaVersion: SCHEMA_VERSION,
    built: new Date().toISOString(),
    checksum: `sha256:${hash.digest('hex')}`,
    sources: [{ name: source, records: byId.size, updated: new Date().toISOString() }],
    counts: { advisories: byId.size, affected, skipped: 0 },
  };
  return {
    find(query: AdvisoryQuery): Advisory[] {
      const q = normalizeQuery(query);
      if (!q) return [];
      const hits = new Map<string, Advisory>();
      for (const { key, advisory } of index.get(`${q.family}\0${q.name}`) ?? [])
        if (keyMatchesQuery(key, q)) hits.set(advisory.id, advisory);
      return [...hits.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    metadata: () => metadata,
    close: () => {},
  };
}

/** An in-memory provider from raw OSV records (invalid ones are dropped, as an import would). */
export function memoryProviderFromOsv(records: Iterable<unknown>, source = 'memory'): AdvisoryProvider {
  const advisories: Advisory[] = [];
  for (const raw of records) {
    const r = normalizeOsv(raw, source);
    if (r.ok) advisories.push(r.advisory);
  }
  return memoryAdvisoryProvider(advisories, source);
}
