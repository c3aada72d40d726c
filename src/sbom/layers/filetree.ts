import type { FileType } from '../resolver.ts';
import type { Content } from './content.ts';
import { basename, segments } from './paths.ts';
import type { LayerScan } from './scan.ts';

/** One path of the squashed view. Names, not paths, are stored: paths are rebuilt while walking. */
export interface TreeNode {
  name: string;
  type: FileType;
  size: number;
  mode: number;
  /** Symlink target as stored, or the absolute path a hardlink points to. */
  link?: string;
  /** Index of the layer that last wrote this path (-1: implied, never in any layer). */
  layer: number;
  children?: Map<string, TreeNode>;
  content?: Content;
  /** Why a wanted file's contents are missing. */
  omitted?: string;
}

/** Symlink hops before a path is called a loop (Linux's MAXSYMLINKS). */
const MAX_LINKS = 40;

function newDir(name: string, layer: number, mode = 0o755): TreeNode {
  return { name, type: 'dir', size: 0, mode, layer, children: new Map() };
}

/**
 * The squashed file system of an image (stereoscope's union tree): layers applied in order, each
 * layer's whiteouts and opaque directories first (they hide lower layers only), then its entries.
 * Only metadata and the handles of collected contents live here.
 */
export class SquashedTree {
  readonly root: TreeNode = newDir('', -1);
  size = 0;

  /** The node at a path, symlinks followed inside the image (chroot semantics; ".." stops at "/"). */
  resolve(path: string, followFinal = true): { node: TreeNode; path: string } | undefined {
    const stack: TreeNode[] = [this.root];
    const names: string[] = [];
    const queue = segments(path).reverse();
    let links = 0;
    while (queue.length > 0) {
      const segment = queue.pop()!;
      if (segment === '..') {
        if (stack.length > 1) {
          stack.pop();
          names.pop();
        }
        continue;
      }
      const dir = stack[stack.length - 1]!;
      const child = dir.type === 'dir' ? dir.children?.get(segment) : undefined;
      if (!child) return undefined;
      if (child.type === 'symlink' && (queue.length > 0 || followFinal)) {
        if (++links > MAX_LINKS) return undefined;
        const target = child.link ?? '';
        if (target.startsWith('/')) {
          stack.length = 1;
          names.length = 0;
        }
        const parts = segments(target);
        for (let i = parts.length - 1; i >= 0; i--) queue.push(parts[i]!);
        continue;
      }
      stack.push(child);
      names.push(segment);
    }
    return { node: stack[stack.length - 1]!, path: `/${names.join('/')}` };
  }

  /** The node at exactly this path (symlinks in parent directories followed, not the last one). */
  lookup(path: string): TreeNode | undefined {
    return this.resolve(path, false)?.node;
  }

  /**
   * The directory an entry at `path` goes into. Like containerd's apply (RootPath + MkdirAll), a
   * symlink among the parents is followed inside the image, even to a directory that does not
   * exist yet; missing directories are created when `create` (implied, mode 0755). Undefined when
   * the parents loop or, without `create`, do not exist.
   */
  private parentOf(path: string, layer: number, create: boolean): TreeNode | undefined {
    const queue = segments(path);
    queue.pop();
    queue.reverse();
    const stack: TreeNode[] = [this.root];
    let links = 0;
    while (queue.length > 0) {
      const segment = queue.pop()!;
      if (segment === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = stack[stack.length - 1]!;
      let child = dir.children!.get(segment);
      if (child?.type === 'symlink') {
        if (++links > MAX_LINKS) return undefined;
        const target = child.link ?? '';
        if (target.startsWith('/')) stack.length = 1;
        const parts = segments(target);
        for (let i = parts.length - 1; i >= 0; i--) queue.push(parts[i]!);
        continue;
      }
      if (!child || child.type !== 'dir') {
        if (!create) return undefined;
        // A file where a directory must be is replaced, as unpacking the tar would.
        if (child) this.removeChild(dir, segment);
        child = newDir(segment, layer);
        dir.children!.set(segment, child);
        this.size++;
      }
      stack.push(child);
    }
    return stack[stack.length - 1]!;
  }

  private countNodes(node: TreeNode): number {
    let n = 1;
    if (node.children) for (const c of node.children.values()) n += this.countNodes(c);
    return n;
  }

  private removeChild(parent: TreeNode, name: string): void {
    const child = parent.children?.get(name);
    if (!child) return;
    this.size -= this.countNodes(child);
    parent.children!.delete(name);
  }

  /** Applies one layer's scan on top of the layers applied so far. */
  apply(scan: LayerScan, layer: number): void {
    for (const dir of scan.opaques) {
      const node = dir === '/' ? this.root : this.parentOf(dir, layer, false)?.children?.get(basename(dir));
      if (node?.type === 'dir' && node.children) {
        for (const name of [...node.children.keys()]) this.removeChild(node, name);
      }
    }
    for (const path of scan.whiteouts) {
      const parent = this.parentOf(path, layer, false);
      if (parent) this.removeChild(parent, basename(path));
    }
    for (const entry of scan.entries) {
      const parent = this.parentOf(entry.path, layer, true);
      if (!parent) continue;
      const name = basename(entry.path);
      const existing = parent.children!.get(name);
      if (entry.type === 'dir' && existing?.type === 'dir') {
        // A directory entry over a directory changes its metadata; lower contents stay.
        existing.mode = entry.mode;
        existing.layer = layer;
        continue;
      }
      if (existing) this.removeChild(parent, name);
      const node: TreeNode = {
        name,
        type: entry.type,
        size: entry.size,
        mode: entry.mode,
        layer,
        ...(entry.link !== undefined ? { link: entry.link } : {}),
        ...(entry.type === 'dir' ? { children: new Map() } : {}),
      };
      const content = scan.contents.get(entry.path);
      if (content) node.content = content;
      const omitted = scan.omitted.get(entry.path);
      if (omitted) node.omitted = omitted;
      if (entry.type === 'hardlink' && entry.link) {
        // A hardlink to a lower layer's file: overlayfs copies that file up, so take its contents now.
        const target = this.lookup(entry.link);
        if (target && (target.type === 'file' || target.type === 'hardlink')) {
          node.size = target.size;
          if (!node.content && target.content) node.content = target.content;
          if (!node.omitted && target.omitted) node.omitted = target.omitted;
        }
      }
      parent.children!.set(name, node);
      this.size++;
    }
  }

  /** Every path with its node, depth first, children in name order ("/" first). */
  *walk(): Generator<[string, TreeNode]> {
    yield ['/', this.root];
    yield* this.walkDir('', this.root);
  }

  private *walkDir(prefix: string, dir: TreeNode): Generator<[string, TreeNode]> {
    const names = [...dir.children!.keys()].sort();
    for (const name of names) {
      const child = dir.children!.get(name)!;
      const path = `${prefix}/${name}`;
      yield [path, child];
      if (child.type === 'dir' && child.children) yield* this.walkDir(path, child);
    }
  }
}
