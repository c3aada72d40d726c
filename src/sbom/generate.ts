/**
 * The SBOM engine end to end: read the image once (collecting only what the cataloguers and the
 * distro detector declared they want), detect the distribution, run every selected cataloguer over
 * the squashed view, and merge what they found into one document with stable package ids and the
 * package-to-file relationships the relevancy filter needs.
 */
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../common/index.ts';
import type { CataloguerEntry } from './catalogers/index.ts';
import {
  DISTRO_ID,
  catalogers as registry,
  detectDistro,
  distroWants,
  parseOsRelease,
} from './catalogers/index.ts';
import type { RenderableSbom, SbomFileRef, SourceDetails } from './formats/common.ts';
import { compareStrings, comparePackages, fileIdOf, packageIdOf } from './formats/common.ts';
import { toSyftJson } from './formats/syft-json.ts';
import type { Distro, Package, ParseIssue, Relationship, SbomSource, SbomStatus } from './model.ts';
import type { Cataloguer, FileInfo, FileResolver } from './resolver.ts';
import { wantsKeyOf } from './layers/index.ts';
import type { ImageReadResult, ReadImageOptions, ReadProgress } from './sources/index.ts';
import { parseSourceSpec, readImage } from './sources/index.ts';

/** Progress of one SBOM run, published for display only: no logic depends on it. */
export type SbomProgress =
  | ({ phase: 'read' } & ReadProgress)
  | { phase: 'catalogue'; cataloguer: string; done: number; total: number }
  | { phase: 'done'; packages: number; status: SbomStatus };

export interface SbomTimings {
  /** Reading and squashing the image (download, decompression, tar walk). */
  readMs: number;
  distroMs: number;
  catalogueMs: Record<string, number>;
  /** Merging findings into one document (ids, relationships, files). */
  mergeMs: number;
  totalMs: number;
}

/** The engine's document: the shared model, what the formats render, and how long it took. */
export interface GeneratedSbom extends RenderableSbom {
  files: SbomFileRef[];
  timings: SbomTimings;
}

export interface GenerateOptions extends Omit<
  ReadImageOptions,
  'wants' | 'wantsKey' | 'onProgress' | 'logger' | 'signal'
> {
  /**
   * Cataloguer selection (see selectCataloguers): names or tags replace the default set for the
   * scan kind, `+x` adds, `-x` removes. Empty or undefined: the default set.
   */
  catalogers?: string[];
  /** Kubescape's maxSBOMSize: a larger document (syft JSON bytes) gets status too-large. */
  maxSbomBytes?: number;
  logger?: Logger;
  signal?: AbortSignal;
  onProgress?: (event: SbomProgress) => void;
}

const bareName = (id: string) => id.replace(/-cataloger$/, '');

/**
 * The cataloguers a selection names, syft-style. The default set is what runs on this kind of scan
 * (`image` or `directory`: lock files only count in directories). Plain items replace it: a
 * cataloguer name selects that cataloguer, a tag the default ones carrying it; `+x` adds to the
 * set, `-x` removes. A typo throws, listing the names and tags there are.
 */
export function selectCataloguers(
  selection: readonly string[] | undefined,
  scan: 'image' | 'directory' = 'image',
  entries: readonly CataloguerEntry[] = registry,
): Cataloguer[] {
  const defaults = entries.filter((e) => e.tags.includes(scan));
  const items = (selection ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const matching = (item: string, within: readonly CataloguerEntry[]): CataloguerEntry[] => {
    const byName = entries.filter(
      (e) => e.cataloguer.id === item || bareName(e.cataloguer.id) === bareName(item),
    );
    if (byName.length > 0) return byName;
    const byTag = within.filter((e) => e.tags.includes(item));
    if (byTag.length === 0 && !entries.some((e) => e.tags.includes(item))) {
      const names = entries.map((e) => bareName(e.cataloguer.id));
      const tags = [...new Set(entries.flatMap((e) => e.tags))].sort();
      throw new KubeguardError(ErrorCodes.invalidInput, `no cataloguer or tag is named "${item}"`, {
        hint: `cataloguers: ${names.join(', ')}; tags: ${tags.join(', ')}`,
      });
    }
    return byTag;
  };
  const plain = items.filter((i) => !i.startsWith('+') && !i.startsWith('-'));
  const chosen = new Set<CataloguerEntry>(
    plain.length > 0 ? plain.flatMap((i) => matching(i, defaults)) : defaults,
  );
  for (const item of items) {
    if (item.startsWith('+')) for (const e of matching(item.slice(1), entries)) chosen.add(e);
    if (item.startsWith('-')) for (const e of matching(item.slice(1), entries)) chosen.delete(e);
  }
  return entries.filter((e) => chosen.has(e)).map((e) => e.cataloguer);
}

/** What catalogueSource needs from an opened source (readImage's result, or a test resolver). */
export interface OpenedSource {
  source: SbomSource;
  resolver: FileResolver;
  layers?: RenderableSbom['layers'];
  issues?: ParseIssue[];
  status?: SbomStatus;
  statusReason?: string;
  details?: SourceDetails;
}

const OS_PACKAGE_TYPES = new Set(['deb', 'rpm', 'apk']);

/** Runs the cataloguers over an opened source and merges their findings (no reading of its own). */
export async function catalogueSource(
  opened: OpenedSource,
  cataloguers: readonly Cataloguer[],
  options: Pick<GenerateOptions, 'logger' | 'signal' | 'onProgress' | 'maxSbomBytes'> & {
    readMs?: number;
  } = {},
): Promise<GeneratedSbom> {
  const started = Date.now();
  const logger = options.logger ?? silentLogger;
  const publish = (event: SbomProgress): void => {
    try {
      options.onProgress?.(event);
    } catch {
      // Progress is display only: a failing listener must not fail the scan.
    }
  };
  const { resolver } = opened;
  const issues: ParseIssue[] = [...(opened.issues ?? [])];
  let status: SbomStatus = opened.status ?? 'ready';
  let statusReason = opened.statusReason;

  const distroStarted = Date.now();
  let distro: Distro | undefined;
  let osRelease: Record<string, string> | undefined;
  try {
    const detection = await detectDistro(resolver);
    issues.push(...detection.issues);
    distro = detection.distro;
    if (detection.source?.endsWith('os-release')) {
      osRelease = parseOsRelease((await resolver.read(detection.source)).toString('utf8'));
    }
  } catch (err) {
    issues.push({ cataloguer: DISTRO_ID, reason: `distro detection failed: ${messageOf(err)}` });
  }
  const distroMs = Date.now() - distroStarted;

  const catalogueMs: Record<string, number> = {};
  const found: Package[] = [];
  const foundRelationships: Relationship[] = [];
  for (const [i, cataloguer] of cataloguers.entries()) {
    if (options.signal?.aborted) {
      status = 'incomplete';
      statusReason ??= 'timeout';
      issues.push({ cataloguer: cataloguer.id, reason: 'not run: the scan was cancelled' });
      continue;
    }
    publish({ phase: 'catalogue', cataloguer: cataloguer.id, done: i, total: cataloguers.length });
    const t = Date.now();
    try {
      const result = await cataloguer.catalogue(resolver, distro ? { distro } : {});
      found.push(...result.packages);
      foundRelationships.push(...(result.relationships ?? []));
      issues.push(...(result.issues ?? []));
    } catch (err) {
      // Cataloguers report per-file problems themselves; a throw means this one gave up entirely.
      issues.push({ cataloguer: cataloguer.id, reason: `cataloguer failed: ${messageOf(err)}` });
      logger.warn('cataloguer failed', { cataloguer: cataloguer.id, error: messageOf(err) });
    }
    catalogueMs[cataloguer.id] = Date.now() - t;
  }

  const mergeStarted = Date.now();
  const merged = mergeFindings(found, foundRelationships, resolver);
  const mergeMs = Date.now() - mergeStarted;
  const doc: GeneratedSbom = {
    source: opened.source,
    ...(distro ? { distro } : {}),
    packages: merged.packages,
    relationships: merged.relationships,
    files: merged.files,
    issues,
    status,
    ...(statusReason ? { statusReason } : {}),
    ...(opened.layers ? { layers: opened.layers } : {}),
    ...(osRelease ? { osRelease } : {}),
    ...(opened.details ? { sourceDetails: opened.details } : {}),
    timings: { readMs: options.readMs ?? 0, distroMs, catalogueMs, mergeMs, totalMs: 0 },
  };
  if (options.maxSbomBytes !== undefined && doc.status === 'ready') {
    const size = Buffer.byteLength(JSON.stringify(toSyftJson(doc)));
    if (size > options.maxSbomBytes) {
      doc.status = 'too-large';
      doc.statusReason = 'sbom-too-large';
      issues.push({ reason: `the SBOM is ${size} bytes, more than the limit of ${options.maxSbomBytes}` });
    }
  }
  doc.timings.totalMs = (options.readMs ?? 0) + (Date.now() - started);
  publish({ phase: 'done', packages: doc.packages.length, status: doc.status });
  return doc;
}

/**
 * One package list from all cataloguers: ids re-derived from type, name, version and first
 * location (the same package reported twice becomes one), relationships re-pointed, and the
 * file edges syft adds: `contains` for owned files, `evident-by` for the primary evidence, and
 * `ownership-by-file-overlap` from an OS package to a language package whose evidence it owns.
 */
export function mergeFindings(
  found: readonly Package[],
  foundRelationships: readonly Relationship[],
  resolver: Pick<FileResolver, 'byPath'>,
): { packages: Package[]; relationships: Relationship[]; files: SbomFileRef[] } {
  const byId = new Map<string, Package>();
  const renamed = new Map<string, string>();
  for (const p of found) {
    const id = packageIdOf(p);
    renamed.set(p.id, id);
    if (!byId.has(id)) byId.set(id, { ...p, id });
  }
  const packages = [...byId.values()].sort(comparePackages);

  // One entry per path (a file has one layer in the squashed view); ids derive from both.
  const files = new Map<string, SbomFileRef>();
  const fileRef = (path: string, layerID?: string): string => {
    let ref = files.get(path);
    if (!ref) {
      const layer = layerID ?? resolver.byPath(path)?.layerID;
      ref = layer ? { id: fileIdOf(path, layer), path, layerID: layer } : { id: fileIdOf(path), path };
      files.set(path, ref);
    }
    return ref.id;
  };

  const edges: Relationship[] = [];
  for (const r of foundRelationships) {
    const parent = renamed.get(r.parent) ?? r.parent;
    const child = renamed.get(r.child) ?? r.child;
    if (!byId.has(parent)) continue;
    if (byId.has(child)) edges.push({ parent, child, type: r.type });
    else if (child.startsWith('/')) edges.push({ parent, child: fileRef(child), type: r.type });
  }
  const ownerOf = new Map<string, string>();
  for (const p of packages) {
    const os = OS_PACKAGE_TYPES.has(p.type);
    for (const f of p.files ?? []) {
      edges.push({ parent: p.id, child: fileRef(f), type: 'contains' });
      if (os && !ownerOf.has(f)) ownerOf.set(f, p.id);
    }
    const evidence = p.locations[0];
    if (evidence)
      edges.push({ parent: p.id, child: fileRef(evidence.path, evidence.layerID), type: 'evident-by' });
  }
  for (const p of packages) {
    if (OS_PACKAGE_TYPES.has(p.type)) continue;
    const owner = p.locations[0] && ownerOf.get(p.locations[0].path);
    if (owner) edges.push({ parent: owner, child: p.id, type: 'ownership-by-file-overlap' });
  }

  // Sorted, then duplicates are neighbours.
  edges.sort((a, b) =>
    a.parent !== b.parent
      ? compareStrings(a.parent, b.parent)
      : a.child !== b.child
        ? compareStrings(a.child, b.child)
        : compareStrings(a.type, b.type),
  );
  const relationships = edges.filter((r, i) => {
    const prev = edges[i - 1];
    return !prev || prev.parent !== r.parent || prev.child !== r.child || prev.type !== r.type;
  });
  const fileList = [...files.values()].sort((a, b) => compareStrings(a.path, b.path));
  return { packages, relationships, files: fileList };
}

/** A cheap union of every selected cataloguer's wants plus the release files the distro needs. */
function unionWants(
  cataloguers: readonly Cataloguer[],
): (path: string, info: Pick<FileInfo, 'size' | 'mode' | 'type'>) => boolean {
  return (path, info) => {
    if (distroWants(path, info)) return true;
    for (const c of cataloguers) if (c.wants(path, info)) return true;
    return false;
  };
}

/** syft's image source metadata from what the reader learnt about the image. */
function detailsOf(image: ImageReadResult): SourceDetails {
  const { metadata, config } = image;
  const labels = config.config?.Labels;
  const architecture = config.architecture ?? metadata.platform?.architecture;
  const os = config.os ?? metadata.platform?.os;
  const variant = config.variant ?? metadata.platform?.variant;
  return {
    userInput: metadata.userInput,
    ...(metadata.imageID ? { imageID: metadata.imageID } : {}),
    ...(metadata.manifestDigest ? { manifestDigest: metadata.manifestDigest } : {}),
    ...(metadata.mediaType ? { mediaType: metadata.mediaType } : {}),
    tags: metadata.tags,
    repoDigests: metadata.repoDigests,
    ...(metadata.size !== undefined ? { imageSize: metadata.size } : {}),
    ...(architecture ? { architecture } : {}),
    ...(variant ? { variant } : {}),
    ...(os ? { os } : {}),
    ...(labels && typeof labels === 'object' ? { labels: labels as Record<string, string> } : {}),
    ...(metadata.manifest ? { manifest: metadata.manifest } : {}),
    ...(metadata.config ? { config: metadata.config } : {}),
    ...(metadata.path ? { path: metadata.path } : {}),
  };
}

/**
 * `kubeguard sbom` as a library call: read the image named by `spec` (registry reference,
 * `docker-archive:`, `oci-archive:`, `oci-dir:`, `dir:`), catalogue it, return the document.
 * A limit or a cancellation gives status incomplete/too-large with a reason, not an exception.
 */
export async function generateSbom(spec: string, options: GenerateOptions = {}): Promise<GeneratedSbom> {
  const started = Date.now();
  const scan = parseSourceSpec(spec).kind === 'dir' ? 'directory' : 'image';
  const cataloguers = selectCataloguers(options.catalogers, scan);
  const { catalogers: _c, maxSbomBytes, onProgress, logger, signal, ...readOptions } = options;
  const image = await readImage(spec, {
    ...readOptions,
    wants: unionWants(cataloguers),
    // The layer cache must know what a scan collected: the cataloguers and the release files.
    ...(readOptions.cache ? { wantsKey: wantsKeyOf([...cataloguers, { id: DISTRO_ID, version: 1 }]) } : {}),
    ...(logger ? { logger } : {}),
    ...(signal ? { signal } : {}),
    // readImage already shields itself from a failing listener.
    onProgress: (event: ReadProgress) => onProgress?.({ phase: 'read', ...event }),
  });
  try {
    const readMs = Date.now() - started;
    return await catalogueSource(
      {
        source: image.source,
        resolver: image.resolver,
        layers: image.layers,
        issues: image.issues,
        status: image.status,
        ...(image.statusReason ? { statusReason: image.statusReason } : {}),
        details: detailsOf(image),
      },
      cataloguers,
      { logger, signal, onProgress, maxSbomBytes, readMs },
    );
  } finally {
    await image.close();
  }
}
