import type { ParseIssue, Package, Relationship, Distro } from './model.ts';

/**
 * The contract between image reading and cataloguing (trivy's "declare needs before bytes are
 * read", syft's narrow resolver):
 * 1. while each layer streams by once, every cataloguer's `wants` sees each path and cheap stat
 *    data; wanted files are collected (small ones in memory, large ones spilled to a temp file);
 * 2. whiteouts and opaque directories are applied to build the squashed view;
 * 3. each cataloguer parses its files through a FileResolver over that view.
 */
export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface FileInfo {
  /** Absolute, normalized path in the image, e.g. "/var/lib/dpkg/status". */
  path: string;
  type: FileType;
  size: number;
  mode: number;
  linkTarget?: string;
  /** diffID of the layer this version of the file comes from. */
  layerID?: string;
}

export interface FileResolver {
  /** Collected files whose path matches one of the globs (`**` any depth, `*` within a segment). */
  byGlob(...patterns: string[]): FileInfo[];
  /** A file of the squashed view (collected or not), symlinks followed inside the root. */
  byPath(path: string): FileInfo | undefined;
  /** Contents of a collected file; throws naming the path if it was not collected or is too large. */
  read(file: FileInfo | string): Promise<Buffer>;
  /** Every path of the squashed view (metadata only), in sorted order. */
  allPaths(): Iterable<string>;
}

export interface CatalogueContext {
  distro?: Distro;
}

export interface CatalogueResult {
  packages: Package[];
  relationships?: Relationship[];
  issues?: ParseIssue[];
}

/** One package format (syft's cataloger / trivy's analyzer): declared needs, then a pure parse. */
export interface Cataloguer {
  /** Stable ID, e.g. "dpkg-db"; also `foundBy` of its packages. */
  id: string;
  /** Bumped when the output changes: part of the per-layer cache key. */
  version: number;
  /** Cheap test on every path while layers stream; true = collect the file's contents. */
  wants(path: string, info: Pick<FileInfo, 'size' | 'mode' | 'type'>): boolean;
  catalogue(resolver: FileResolver, context: CatalogueContext): Promise<CatalogueResult>;
}
