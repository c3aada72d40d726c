/**
 * One finding per (vulnerability, package). The records that matched one package are grouped by
 * the vulnerability they describe:
 *
 * 1. A record's CVE set = the CVEs named by its id, aliases and upstream (`DEBIAN-CVE-x` names
 *    CVE-x; a DSA names the CVEs it fixes).
 * 2. Records naming at most one CVE are joined when they name the same CVE, or when one lists the
 *    other's id as alias/upstream (GHSA <-> PYSEC, RUSTSEC <-> GHSA without CVE).
 * 3. Records naming two or more CVEs (a DSA fixing several CVEs) are umbrellas: they are listed as
 *    related in every group of a CVE they name, and form a finding of their own only when none of
 *    their CVEs matched by another record.
 * 4. The primary record of a group is, in this order: the one whose id is the CVE, a distribution's
 *    CVE-based id (`DEBIAN-CVE-…`, `ALPINE-CVE-…`), a GHSA, any other; ties by id. The others follow
 *    in `relatedVulnerabilities`, then the members' alias ids that are no matched record (metadata
 *    only; an attached umbrella's other CVEs are not aliases of this vulnerability).
 */
import type { Advisory } from '../../types.ts';
import { cveOf } from './records.ts';

export interface Grouped<T> {
  primary: T;
  /** Other matched records of the same vulnerability, umbrella records included, by id. */
  related: T[];
  /** Aliases named by the group's records that are not matched records, sorted. */
  aliasIds: string[];
  /** The CVE of the group, when its records agree on exactly one. */
  cve?: string;
}

function idsOf(a: Advisory): string[] {
  return [a.id, ...a.aliases, ...a.upstream];
}

function cvesOf(a: Advisory): Set<string> {
  const out = new Set<string>();
  for (const id of idsOf(a)) {
    const cve = cveOf(id);
    if (cve) out.add(cve);
  }
  return out;
}

function rank(id: string): number {
  if (/^CVE-\d{4}-\d+$/.test(id)) return 0;
  if (/^[A-Z]+-CVE-\d{4}-\d+$/.test(id)) return 1;
  if (id.startsWith('GHSA-')) return 2;
  return 3;
}

export function comparePrimary(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function groupRelated<T>(items: T[], advisoryOf: (item: T) => Advisory): Grouped<T>[] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };

  const cves = items.map((it) => cvesOf(advisoryOf(it)));
  const umbrella = cves.map((s) => s.size >= 2);
  const byCve = new Map<string, number>();
  const byId = new Map<string, number>();
  items.forEach((it, i) => {
    if (umbrella[i]) return;
    byId.set(advisoryOf(it).id, i);
    for (const cve of cves[i] as Set<string>) {
      const other = byCve.get(cve);
      if (other === undefined) byCve.set(cve, i);
      else union(other, i);
    }
  });
  items.forEach((it, i) => {
    if (umbrella[i]) return;
    for (const id of idsOf(advisoryOf(it))) {
      const other = byId.get(id);
      if (other !== undefined && other !== i) union(other, i);
    }
  });

  // Members per root; umbrellas attach to every group of a CVE they name.
  const members = new Map<number, number[]>();
  const attached = new Map<number, number[]>();
  items.forEach((_, i) => {
    if (!umbrella[i]) {
      const root = find(i);
      members.set(root, [...(members.get(root) ?? []), i]);
    }
  });
  items.forEach((it, i) => {
    if (!umbrella[i]) return;
    const roots = new Set<number>();
    for (const cve of cves[i] as Set<string>) {
      const member = byCve.get(cve);
      if (member !== undefined) roots.add(find(member));
    }
    // Also a direct reference to a matched record's id (DSA upstream `DEBIAN-CVE-…`).
    for (const id of idsOf(advisoryOf(it))) {
      const member = byId.get(id);
      if (member !== undefined) roots.add(find(member));
    }
    if (roots.size === 0) members.set(i, [i]);
    for (const root of roots) attached.set(root, [...(attached.get(root) ?? []), i]);
  });

  const groups: Grouped<T>[] = [];
  for (const [root, list] of members) {
    const ordered = [...list].sort((a, b) =>
      comparePrimary(advisoryOf(items[a] as T).id, advisoryOf(items[b] as T).id),
    );
    const [first, ...rest] = ordered as [number, ...number[]];
    const extra = (attached.get(root) ?? []).filter((i) => !list.includes(i));
    const relatedIdx = [...rest, ...extra].sort((a, b) =>
      comparePrimary(advisoryOf(items[a] as T).id, advisoryOf(items[b] as T).id),
    );
    const recordIds = new Set([first, ...relatedIdx].map((i) => advisoryOf(items[i] as T).id));
    // Aliases come from the group's own members: an attached umbrella also names other CVEs.
    const aliasIds = new Set<string>();
    for (const i of list) {
      for (const id of idsOf(advisoryOf(items[i] as T))) if (!recordIds.has(id)) aliasIds.add(id);
    }
    // The group's CVE: the one all non-umbrella members agree on.
    const groupCves = new Set<string>();
    for (const i of list) for (const c of cves[i] as Set<string>) groupCves.add(c);
    const group: Grouped<T> = {
      primary: items[first] as T,
      related: relatedIdx.map((i) => items[i] as T),
      aliasIds: [...aliasIds].sort(comparePrimary),
    };
    if (groupCves.size === 1) group.cve = [...groupCves][0] as string;
    groups.push(group);
  }
  return groups;
}
