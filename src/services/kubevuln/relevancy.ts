/**
 * The relevancy filter (storage-api.md §5.6): from an image's SBOM keep the files a container was
 * seen using, the relationships that lead to them (transitively, so nested packages stay), and the
 * packages that are parents of those relationships.
 */
import type { ContainerProfile, SyftDocument, SyftRelationship } from '../../api/index.ts';

const ONE_SEGMENT = '⋯';
const ANY_SEGMENTS = '*';

/** The paths a container used: its executables and the files it opened. */
export function relevantPaths(profile: ContainerProfile): string[] {
  const paths = new Set<string>();
  for (const e of profile.spec.execs ?? []) if (e.path) paths.add(e.path);
  for (const o of profile.spec.opens ?? []) if (o.path) paths.add(o.path);
  return [...paths];
}

const segments = (path: string): string[] => path.split('/');

/** `⋯` matches exactly one segment, `*` zero or more. */
function matchesPattern(pattern: string[], path: string[], pi = 0, si = 0): boolean {
  for (; pi < pattern.length; pi++, si++) {
    const p = pattern[pi]!;
    if (p === ANY_SEGMENTS) {
      for (let skip = si; skip <= path.length; skip++)
        if (matchesPattern(pattern, path, pi + 1, skip)) return true;
      return false;
    }
    if (si >= path.length) return false;
    if (p !== ONE_SEGMENT && p !== path[si]) return false;
  }
  return si === path.length;
}

/** A predicate over file paths: exact paths in a set, placeholder paths matched segment-wise. */
export function pathMatcher(paths: readonly string[]): (path: string) => boolean {
  const exact = new Set<string>();
  const patterns: string[][] = [];
  for (const p of paths) {
    const segs = segments(p);
    if (segs.some((s) => s === ONE_SEGMENT || s === ANY_SEGMENTS)) patterns.push(segs);
    else exact.add(p);
  }
  return (path) => exact.has(path) || patterns.some((p) => matchesPattern(p, segments(path)));
}

/** SBOM′: the SBOM reduced to what the relevant paths reach. */
export function filterSbom(doc: SyftDocument, paths: readonly string[]): SyftDocument {
  const used = pathMatcher(paths);
  const files = (doc.files ?? []).filter((f) => used(f.location.path));
  const frontier = new Set(files.map((f) => f.id));
  const kept = new Set<SyftRelationship>();
  // Follow child → parent edges until nothing new is reached.
  for (let grew = true; grew;) {
    grew = false;
    for (const r of doc.artifactRelationships) {
      if (kept.has(r) || !frontier.has(r.child)) continue;
      kept.add(r);
      if (!frontier.has(r.parent)) {
        frontier.add(r.parent);
        grew = true;
      }
    }
  }
  const seen = new Set<string>();
  const relationships = doc.artifactRelationships.filter((r) => {
    const key = `${r.parent}/${r.child}/${r.type}`;
    if (!kept.has(r) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const parents = new Set(relationships.map((r) => r.parent));
  return {
    ...doc,
    artifacts: doc.artifacts.filter((a) => parents.has(a.id)),
    artifactRelationships: relationships,
    files,
  };
}
