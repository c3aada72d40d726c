/**
 * What the operator remembers about images it sent to kubevuln (components.md §3.8), so that a
 * watch event, a relist after a dropped watch or a pod restart does not scan the same image twice:
 * a map slug -> image ID and a set of `wlid + container + imageID`.
 *
 *   new slug, new triple           -> scan (new workload / new container)
 *   known slug, other image ID     -> scan (same tag, new digest)
 *   new slug, known triple         -> skip (the workload restarted: new pod, same image)
 *   known slug, same image ID      -> skip (nothing changed)
 */
export type ScanDecision = 'scan' | 'skip';

export class ScanMemory {
  private readonly slugToImageId = new Map<string, string>();
  private readonly seen = new Set<string>();

  /** Decides and records in one step, so that two concurrent events cannot both scan. */
  decide(slug: string, wlid: string, container: string, imageId: string): ScanDecision {
    const triple = `${wlid}\u0000${container}\u0000${imageId}`;
    const known = this.slugToImageId.get(slug);
    if (known === imageId) return 'skip';
    this.slugToImageId.set(slug, imageId);
    if (known !== undefined) {
      this.seen.add(triple);
      return 'scan';
    }
    if (this.seen.has(triple)) return 'skip';
    this.seen.add(triple);
    return 'scan';
  }

  /** Forgets a slug whose scan could not be sent, so that the next event tries again. */
  forget(slug: string, wlid: string, container: string, imageId: string): void {
    if (this.slugToImageId.get(slug) === imageId) this.slugToImageId.delete(slug);
    this.seen.delete(`${wlid}\u0000${container}\u0000${imageId}`);
  }

  get size(): number {
    return this.slugToImageId.size;
  }
}
