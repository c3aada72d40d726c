/**
 * Builds the grype-compatible document from matches: artifact, source and distro sections in
 * grype's shapes, everything sorted so the same scan yields byte-identical JSON.
 */
import type { Distro, Package, SbomSource } from '../../sbom/index.ts';
import { languageOfType } from '../sbom-input/package-info.ts';
import type { DbMetadata } from '../types.ts';
import {
  SEVERITY_ORDER,
  type Artifact,
  type Descriptor,
  type Distribution,
  type DocumentSource,
  type GrypeDocument,
  type GrypeSeverity,
  type IgnoredMatch,
  type Match,
} from './types.ts';

export function artifactOf(pkg: Package): Artifact {
  const artifact: Artifact = {
    name: pkg.name,
    version: pkg.version,
    type: pkg.type,
    locations: pkg.locations.map((l) =>
      l.layerID ? { path: l.path, layerID: l.layerID } : { path: l.path },
    ),
    language: pkg.language ?? languageOfType(pkg.type),
    licenses: pkg.licenses ?? [],
    cpes: pkg.cpes ?? [],
    purl: pkg.purl ?? '',
    upstreams: (pkg.upstreams ?? []).map((u) =>
      u.version ? { name: u.name, version: u.version } : { name: u.name },
    ),
  };
  // Metadata as the SBOM carries it (kubevuln stores a stripped subset, e.g. dpkg source fields).
  if (pkg.metadataType) artifact.metadataType = pkg.metadataType;
  if (pkg.metadata) artifact.metadata = pkg.metadata;
  return artifact;
}

export function distributionOf(distro: Distro | undefined): Distribution {
  if (!distro) return { name: '', version: '', idLike: [] };
  return { name: distro.id, version: distro.versionId, idLike: distro.idLike ?? [] };
}

/** grype's source block: an image description, or the scanned path for directories and files. */
export function sourceOf(source: SbomSource): DocumentSource | null {
  if (!source.name && !source.digest) return null;
  if (source.type === 'image') {
    const userInput =
      source.version && !source.name.includes(':') ? `${source.name}:${source.version}` : source.name;
    const target: Record<string, unknown> = { userInput };
    if (source.digest) target.manifestDigest = source.digest;
    if (source.version) target.tags = [userInput];
    return { type: 'image', target };
  }
  return { type: source.type, target: source.name };
}

const severityRank = (s: string | undefined): number => {
  const i = SEVERITY_ORDER.indexOf((s ?? 'Unknown') as GrypeSeverity);
  return i < 0 ? SEVERITY_ORDER.length : i;
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Document order (grype's): package name, version, type, then vulnerability id, then location. */
export function compareMatches(a: Match, b: Match): number {
  return (
    cmp(a.artifact.name, b.artifact.name) ||
    cmp(a.artifact.version, b.artifact.version) ||
    cmp(a.artifact.type, b.artifact.type) ||
    cmp(a.vulnerability.id, b.vulnerability.id) ||
    cmp(a.artifact.locations[0]?.path ?? '', b.artifact.locations[0]?.path ?? '') ||
    cmp(a.artifact.purl, b.artifact.purl)
  );
}

/** Table order: most severe first, then the document order. */
export function compareBySeverity(a: Match, b: Match): number {
  return (
    severityRank(a.vulnerability.severity) - severityRank(b.vulnerability.severity) || compareMatches(a, b)
  );
}

export interface DocumentInput {
  matches: Match[];
  ignoredMatches: IgnoredMatch[];
  source: SbomSource;
  distro?: Distro;
  scannerVersion: string;
  db?: DbMetadata;
  configuration?: Record<string, unknown>;
}

export function buildDocument(input: DocumentInput): GrypeDocument {
  const descriptor: Descriptor = { name: 'kubeguard', version: input.scannerVersion };
  if (input.configuration) descriptor.configuration = input.configuration;
  if (input.db) {
    descriptor.db = {
      built: input.db.built,
      checksum: input.db.checksum,
      schemaVersion: input.db.schemaVersion,
    };
  }
  const ignored = [...input.ignoredMatches].sort(compareMatches);
  return {
    matches: [...input.matches].sort(compareMatches),
    // grype writes `ignoredMatches` only when something was ignored (omitempty).
    ...(ignored.length > 0 ? { ignoredMatches: ignored } : {}),
    source: sourceOf(input.source),
    distro: distributionOf(input.distro),
    descriptor,
  };
}

/** Whether `severity` is at least `threshold` (Critical > High > Medium > Low > Negligible > Unknown). */
export function severityAtLeast(severity: string | undefined, threshold: GrypeSeverity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}
