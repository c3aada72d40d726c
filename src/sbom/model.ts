/**
 * What an SBOM says about an image, in the terms the vulnerability matcher needs. The SBOM engine
 * produces these; SBOM files (SPDX, syft JSON, CycloneDX) are read into them.
 */
export type PackageType =
  | 'deb'
  | 'rpm'
  | 'apk'
  | 'npm'
  | 'python'
  | 'go-module'
  | 'java-archive'
  | 'gem'
  | 'rust-crate'
  | 'dotnet'
  | 'php-composer'
  | 'hex'
  | 'dart-pub'
  | 'binary'
  | 'unknown';

export interface PackageLocation {
  path: string;
  /** diffID of the layer the evidence came from. */
  layerID?: string;
}

export interface Package {
  /** Stable ID within one SBOM. */
  id: string;
  name: string;
  version: string;
  type: PackageType;
  purl?: string;
  cpes?: string[];
  licenses?: string[];
  locations: PackageLocation[];
  /** Source package for OS packages (dpkg Source, rpm sourcerpm, apk origin). */
  upstreams?: { name: string; version?: string }[];
  /** rpm epoch, when the package format has one. */
  epoch?: number;
  language?: string;
  /** Cataloguer that found it (e.g. "dpkg-db"). */
  foundBy?: string;
  /** Files the package owns (absolute paths in the image), for the relevancy filter. */
  files?: string[];
  /** Format-specific metadata, syft's names (e.g. "dpkg-db-entry": { source, sourceVersion, ... }). */
  metadataType?: string;
  metadata?: Record<string, unknown>;
}

/** A problem met while reading an image or a file; the scan records it and goes on. */
export interface ParseIssue {
  path?: string;
  layer?: string;
  cataloguer?: string;
  reason: string;
}

/** The distribution of the scanned image, from os-release (ID, VERSION_ID, ID_LIKE). */
export interface Distro {
  id: string;
  versionId: string;
  idLike?: string[];
  prettyName?: string;
  versionCodename?: string;
}

export interface SbomSource {
  type: 'image' | 'directory' | 'file';
  name: string;
  version?: string;
  digest?: string;
}

export interface SbomModel {
  source: SbomSource;
  distro?: Distro;
  packages: Package[];
}

/** Kubescape's statuses for an SBOM (annotation kubescape.io/status). */
export type SbomStatus = 'ready' | 'incomplete' | 'too-large';

export interface Relationship {
  parent: string;
  child: string;
  type: 'contains' | 'evident-by' | 'ownership-by-file-overlap' | 'dependency-of';
}

/** The full result of cataloguing a source: what the output formats render. */
export interface SbomDocument extends SbomModel {
  relationships: Relationship[];
  issues: ParseIssue[];
  status: SbomStatus;
  /** Why the status is not ready (Kubescape's status-reason values where they apply). */
  statusReason?: string;
  /** Layers of an image source, in order: diffID, digest, size, media type. */
  layers?: { diffID: string; digest?: string; size?: number; mediaType?: string }[];
}
