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
import type { AdvisoryHead } from '../../types.ts';
import { sortSmall } from '../../versions/index.ts';
import { cveOf } from './records.ts';

/** The ids grouping reads. */
type Ids = Pick<AdvisoryHead, 'id' | 'aliases' | 'upstream'>;

export interface Grouped<T> {
  primary: T;
  /** Other matched records of the same vulnerability, umbrella records included, by id. */
  related: T[];
  /** Aliases named by the group's records that are not matched records, sorted. */
  aliasIds: string[];
  /** The CVE of the group, when its records agree on exactly one. */
  cve?: string;
}

/*
 * Written as indexed loops over arrays, with the per-record facts (ids, CVEs, ranks) computed
 * once: this runs for every package with findings, a scan's first packages before the code is
 * optimized, and iterators (for-of, Set and Map iteration) allocate for every step there.
 */

function idsOf(a: Ids): string[] {
  const out = [a.id];
  for (let i = 0; i < a.aliases.length; i++) out.push(a.aliases[i] as string);
  for (let i = 0; i < a.upstream.length; i++) out.push(a.upstream[i] as string);
  return out;
}

/** The distinct CVEs the ids name, in order. */
function cvesOf(ids: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const cve = cveOf(ids[i] as string);
    if (cve && !out.includes(cve)) out.push(cve);
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

/** Union-find root of `i`, halving the path on the way. */
function rootOf(parent: number[], i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i] as number] as number;
    i = parent[i] as number;
  }
  return i;
}

function union(parent: number[], a: number, b: number): void {
  const ra = rootOf(parent, a);
  const rb = rootOf(parent, b);
  if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
}

/** Indices ordered by their ids' primary rank (`comparePrimary` on precomputed ranks). */
function byPrimary(indices: number[], ids: string[], ranks: number[]): number[] {
  return sortSmall(indices, (a, b) => {
    const r = (ranks[a] as number) - (ranks[b] as number);
    if (r !== 0) return r;
    const x = ids[a] as string;
    const y = ids[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Ids of the members not in `exclude`, distinct, in primary order. */
function aliasesOf(names: string[][], members: number[], exclude: string[]): string[] {
  const out: string[] = [];
  for (let m = 0; m < members.length; m++) {
    const list = names[members[m] as number] as string[];
    for (let k = 0; k < list.length; k++) {
      const id = list[k] as string;
      if (!exclude.includes(id) && !out.includes(id)) out.push(id);
    }
  }
  return out.length < 2 ? out : sortSmall(out, comparePrimary);
}

/** The one CVE all members name between them, if there is exactly one. */
function groupCve(cves: string[][], members: number[]): string | undefined {
  let only: string | undefined;
  for (let m = 0; m < members.length; m++) {
    const list = cves[members[m] as number] as string[];
    for (let k = 0; k < list.length; k++) {
      const c = list[k] as string;
      if (only === undefined) only = c;
      else if (c !== only) return undefined;
    }
  }
  return only;
}

/** A record naming two or more CVEs is an umbrella (see the file header). */
const isUmbrella = (cves: string[]): boolean => cves.length >= 2;

export function groupRelated<T>(items: T[], advisoryOf: (item: T) => Ids): Grouped<T>[] {
  const names: string[][] = [];
  const cves: string[][] = [];
  for (let i = 0; i < items.length; i++) {
    const all = idsOf(advisoryOf(items[i] as T));
    names.push(all);
    cves.push(cvesOf(all));
  }
  // Most packages' records name nothing in common: each is a finding of its own, and the joining
  // below (run, and compiled, only when needed) has nothing to do.
  return linked(names, cves) ? joined(items, names, cves) : separate(items, names, cves);
}

/** Whether any rule of the file header joins or attaches two of the records. */
function linked(names: string[][], cves: string[][]): boolean {
  const byCve = new Map<string, number>();
  const byId = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const list = cves[i] as string[];
    if (isUmbrella(list)) continue;
    byId.set((names[i] as string[])[0] as string, i);
    for (let k = 0; k < list.length; k++) {
      if (byCve.has(list[k] as string)) return true;
      byCve.set(list[k] as string, i);
    }
  }
  for (let i = 0; i < names.length; i++) {
    const list = names[i] as string[];
    for (let k = 0; k < list.length; k++) {
      const other = byId.get(list[k] as string);
      if (other !== undefined && other !== i) return true;
    }
    const own = cves[i] as string[];
    if (isUmbrella(own)) for (let k = 0; k < own.length; k++) if (byCve.has(own[k] as string)) return true;
  }
  return false;
}

/** One group per record: the others first, then the umbrellas, each in order (as `joined` orders them). */
function separate<T>(items: T[], names: string[][], cves: string[][]): Grouped<T>[] {
  const groups: Grouped<T>[] = [];
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < items.length; i++) {
      const list = cves[i] as string[];
      if (isUmbrella(list) !== (pass === 1)) continue;
      const own = names[i] as string[];
      const group: Grouped<T> = {
        primary: items[i] as T,
        related: [],
        aliasIds: aliasesOf(names, [i], [own[0] as string]),
      };
      if (list.length === 1) group.cve = list[0] as string;
      groups.push(group);
    }
  }
  return groups;
}

/** The rules of the file header, by union-find over the records. */
function joined<T>(items: T[], names: string[][], cves: string[][]): Grouped<T>[] {
  const n = items.length;
  const ids: string[] = [];
  const ranks: number[] = [];
  const parent: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = (names[i] as string[])[0] as string;
    ids.push(id);
    ranks.push(rank(id));
    parent.push(i);
  }
  const umbrella = (i: number): boolean => isUmbrella(cves[i] as string[]);

  const byCve = new Map<string, number>();
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (umbrella(i)) continue;
    byId.set(ids[i] as string, i);
    const list = cves[i] as string[];
    for (let k = 0; k < list.length; k++) {
      const cve = list[k] as string;
      const other = byCve.get(cve);
      if (other === undefined) byCve.set(cve, i);
      else union(parent, other, i);
    }
  }
  for (let i = 0; i < n; i++) {
    if (umbrella(i)) continue;
    const list = names[i] as string[];
    for (let k = 0; k < list.length; k++) {
      const other = byId.get(list[k] as string);
      if (other !== undefined && other !== i) union(parent, other, i);
    }
  }

  // Members per root, roots in order of first appearance; umbrellas attach to every group of a
  // CVE they name.
  const roots: number[] = [];
  const members = new Map<number, number[]>();
  const attached = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (umbrella(i)) continue;
    const root = rootOf(parent, i);
    const list = members.get(root);
    if (list) list.push(i);
    else {
      roots.push(root);
      members.set(root, [i]);
    }
  }
  for (let i = 0; i < n; i++) {
    if (!umbrella(i)) continue;
    const found: number[] = [];
    // The groups of the CVEs it names, then of matched records it names by id (DSA upstream
    // `DEBIAN-CVE-…`).
    const lists = [cves[i] as string[], names[i] as string[]];
    for (let l = 0; l < 2; l++) {
      const list = lists[l] as string[];
      for (let k = 0; k < list.length; k++) {
        const member = (l === 0 ? byCve : byId).get(list[k] as string);
        if (member === undefined) continue;
        const root = rootOf(parent, member);
        if (!found.includes(root)) found.push(root);
      }
    }
    if (found.length === 0) {
      roots.push(i);
      members.set(i, [i]);
    }
    for (let k = 0; k < found.length; k++) {
      const root = found[k] as number;
      const list = attached.get(root);
      if (list) list.push(i);
      else attached.set(root, [i]);
    }
  }

  const groups: Grouped<T>[] = [];
  for (let r = 0; r < roots.length; r++) {
    const root = roots[r] as number;
    const list = members.get(root) as number[];
    const ordered = byPrimary(list.slice(), ids, ranks);
    const first = ordered[0] as number;
    const relatedIdx = ordered.slice(1);
    const umbrellas = attached.get(root);
    if (umbrellas)
      for (let k = 0; k < umbrellas.length; k++)
        if (!list.includes(umbrellas[k] as number)) relatedIdx.push(umbrellas[k] as number);
    byPrimary(relatedIdx, ids, ranks);
    const recordIds = [ids[first] as string];
    const related: T[] = [];
    for (let k = 0; k < relatedIdx.length; k++) {
      recordIds.push(ids[relatedIdx[k] as number] as string);
      related.push(items[relatedIdx[k] as number] as T);
    }
    // Aliases come from the group's own members: an attached umbrella also names other CVEs.
    const group: Grouped<T> = {
      primary: items[first] as T,
      related,
      aliasIds: aliasesOf(names, list, recordIds),
    };
    // The group's CVE: the one all non-umbrella members agree on.
    const cve = groupCve(cves, list);
    if (cve !== undefined) group.cve = cve;
    groups.push(group);
  }
  return groups;
}
