import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { FileInfo, FileResolver } from '../resolver.ts';
import { readContent } from './content.ts';
import type { SquashedTree, TreeNode } from './filetree.ts';
import { globToRegExp } from './glob.ts';

/**
 * The FileResolver over a squashed image (syft's squashed resolver): globs over the collected
 * files, lookups over every path with symlinks followed inside the image, contents from memory or
 * the temp area.
 */
export class SquashedResolver implements FileResolver {
  private collectedIndex: Map<string, TreeNode> | undefined;
  private readonly globs = new Map<string, RegExp>();

  /** `layerIDs[i]` is the diffID of layer i (undefined for a directory source). */
  constructor(
    private readonly tree: SquashedTree,
    private readonly layerIDs: readonly (string | undefined)[],
  ) {}

  private info(path: string, node: TreeNode): FileInfo {
    const layerID = node.layer >= 0 ? this.layerIDs[node.layer] : undefined;
    return {
      path,
      type: node.type,
      size: node.size,
      mode: node.mode,
      ...(node.link !== undefined ? { linkTarget: node.link } : {}),
      ...(layerID ? { layerID } : {}),
    };
  }

  /** Files whose contents were asked for (collected, or omitted with a reason), by path. */
  private collected(): Map<string, TreeNode> {
    if (!this.collectedIndex) {
      this.collectedIndex = new Map();
      for (const [path, node] of this.tree.walk()) {
        if (node.content || node.omitted) this.collectedIndex.set(path, node);
      }
    }
    return this.collectedIndex;
  }

  byGlob(...patterns: string[]): FileInfo[] {
    const res = patterns.map((p) => {
      let re = this.globs.get(p);
      if (!re) {
        re = globToRegExp(p);
        this.globs.set(p, re);
      }
      return re;
    });
    const out: FileInfo[] = [];
    for (const [path, node] of this.collected()) {
      if (res.some((re) => re.test(path))) out.push(this.info(path, node));
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  byPath(path: string): FileInfo | undefined {
    const resolved = this.tree.resolve(path);
    return resolved ? this.info(resolved.path, resolved.node) : undefined;
  }

  /** Like byPath, but a symlink at the end is described, not followed. */
  lstat(path: string): FileInfo | undefined {
    const resolved = this.tree.resolve(path, false);
    return resolved ? this.info(resolved.path, resolved.node) : undefined;
  }

  async read(file: FileInfo | string): Promise<Buffer> {
    const path = typeof file === 'string' ? file : file.path;
    const resolved = this.tree.resolve(path);
    if (!resolved) throw new KubeguardError(ErrorCodes.notFound, `${path}: no such file in the image`);
    const { node } = resolved;
    if (node.content) return readContent(node.content);
    if (node.type === 'dir') throw new KubeguardError(ErrorCodes.invalidInput, `${path}: is a directory`);
    if (node.omitted) {
      throw new KubeguardError(ErrorCodes.tooLarge, `${path}: contents not collected: ${node.omitted}`);
    }
    throw new KubeguardError(
      ErrorCodes.notFound,
      `${path}: contents were not collected (no cataloguer's wants() asked for ${resolved.path})`,
    );
  }

  *allPaths(): Iterable<string> {
    const paths: string[] = [];
    for (const [path] of this.tree.walk()) paths.push(path);
    // Plain string order, not depth-first order ("/a-b" sorts before "/a/b").
    paths.sort();
    yield* paths;
  }

  /** Number of paths in the squashed view. */
  get size(): number {
    return this.tree.size;
  }
}
