/**
 * SBOMSyft and SBOMSyftFiltered (storage-api.md §2.1): a subset of syft's JSON format. Decoders must
 * also accept legacy shapes (license and CPE string arrays, `idLike` as a string, a pre-schema-9
 * `source.target`); the types below are the shapes written.
 */
import type { KubeObject } from '../meta.ts';
import { arr, bool, int64, mapOf, obj, raw, str, strings, type SchemaObject } from '../schema.ts';
import { spdxMetaSchema, type RawJson, type SPDXMeta } from './common.ts';

export interface SyftCoordinates {
  path: string;
  layerID?: string;
}

export interface SyftLocation extends SyftCoordinates {
  /** Never omitted; kubevuln strips it to "". */
  accessPath: string;
  annotations?: Record<string, string>;
}

export interface SyftLicense {
  value: string;
  spdxExpression: string;
  /** e.g. `declared`, `concluded`. */
  type: string;
  urls: string[];
  locations: SyftLocation[];
}

export interface SyftCpe {
  cpe: string;
  source?: string;
}

export interface SyftPackage {
  id: string;
  name: string;
  version: string;
  type: string;
  foundBy: string;
  locations: SyftLocation[];
  licenses: SyftLicense[];
  language: string;
  cpes: SyftCpe[];
  purl: string;
  metadataType?: string;
  metadata?: RawJson;
}

export interface SyftRelationship {
  parent: string;
  child: string;
  /** e.g. `contains`, `evident-by`, `ownership-by-file-overlap`, `dependency-of`. */
  type: string;
  metadata?: RawJson;
}

export interface SyftFileMetadata {
  mode: number;
  type: string;
  linkDestination?: string;
  userID: number;
  groupID: number;
  mimeType: string;
  size: number;
}

export interface SyftDigest {
  algorithm: string;
  value: string;
}

export interface SyftFileLicense {
  value: string;
  spdxExpression: string;
  type: string;
  evidence?: { confidence: number; offset: number; extent: number };
}

export interface SyftExecutable {
  /** ELF, Mach-O or PE. */
  format: string;
  hasExports: boolean;
  hasEntrypoint: boolean;
  importedLibraries: string[];
  elfSecurityFeatures?: RawJson;
}

export interface SyftFile {
  id: string;
  location: SyftCoordinates;
  metadata?: SyftFileMetadata;
  contents?: string;
  digests?: SyftDigest[];
  licenses?: SyftFileLicense[];
  executable?: SyftExecutable;
}

export interface SyftSource {
  id: string;
  name: string;
  version: string;
  /** `image`, `directory`, `file`… */
  type: string;
  /** Per `type`: ImageMetadata for images. */
  metadata: RawJson;
}

/** os-release fields, camelCased. */
export interface LinuxRelease {
  prettyName?: string;
  name?: string;
  id?: string;
  idLike?: string[];
  version?: string;
  versionID?: string;
  versionCodename?: string;
  buildID?: string;
  imageID?: string;
  imageVersion?: string;
  variant?: string;
  variantID?: string;
  homeURL?: string;
  supportURL?: string;
  bugReportURL?: string;
  privacyPolicyURL?: string;
  cpeName?: string;
  supportEnd?: string;
}

export interface SyftDescriptor {
  name: string;
  version: string;
  configuration?: RawJson;
}

export interface SyftSchema {
  version: string;
  url: string;
}

export interface SyftDocument {
  artifacts: SyftPackage[];
  artifactRelationships: SyftRelationship[];
  files?: SyftFile[];
  source: SyftSource;
  distro: LinuxRelease;
  descriptor: SyftDescriptor;
  schema: SyftSchema;
}

export interface SBOMSyftSpec {
  metadata: SPDXMeta;
  syft: SyftDocument;
}

export interface SBOMSyft extends KubeObject {
  spec: SBOMSyftSpec;
}

/** Same shape as SBOMSyft, holding only what a container was seen using. */
export interface SBOMSyftFiltered extends KubeObject {
  spec: SBOMSyftSpec;
}

const coordinatesProperties: Record<string, SchemaObject> = {
  path: str('Path of the file in the image.'),
  layerID: str('Digest of the layer holding the file.'),
};

const locationSchema = obj(
  {
    ...coordinatesProperties,
    accessPath: str('Path used to reach the file, possibly through links.'),
    annotations: mapOf({ type: 'string' }, 'Annotations of the location.'),
  },
  'Where the package was found.',
);

const linuxReleaseProperties: Record<string, SchemaObject> = {
  ...Object.fromEntries(
    [
      'prettyName',
      'name',
      'id',
      'version',
      'versionID',
      'versionCodename',
      'buildID',
      'imageID',
      'imageVersion',
      'variant',
      'variantID',
      'homeURL',
      'supportURL',
      'bugReportURL',
      'privacyPolicyURL',
      'cpeName',
      'supportEnd',
    ].map((field) => [field, str(`os-release ${field}.`)]),
  ),
  idLike: strings('os-release ID_LIKE (decoders also accept a single string).'),
};

const syftPackageSchema = obj(
  {
    id: str('Syft package ID, referenced by artifactRelationships.'),
    name: str('Package name.'),
    version: str('Package version.'),
    type: str('Package type (deb, rpm, apk, npm, python, go-module, java-archive…).'),
    foundBy: str('Cataloguer that found the package; empty in stored SBOMs.'),
    locations: arr(locationSchema, 'Files the package was found in.'),
    licenses: arr(
      obj(
        {
          value: str('License as found.'),
          spdxExpression: str('License as an SPDX expression.'),
          type: str('declared or concluded.'),
          urls: strings('License URLs.'),
          locations: arr(locationSchema, 'Where the license was found.'),
        },
        'One license.',
      ),
      'Licenses of the package.',
    ),
    language: str('Language ecosystem of the package, if any.'),
    cpes: arr(
      obj({ cpe: str('CPE 2.3 string.'), source: str('Where the CPE came from.') }, 'One CPE.'),
      'CPEs of the package.',
    ),
    purl: str('Package URL.'),
    metadataType: str('Type of `metadata`.'),
    metadata: raw('Type-specific package metadata, reduced to what matching needs.'),
  },
  'One package.',
);

export const syftDocumentSchema = obj(
  {
    artifacts: arr(syftPackageSchema, 'Packages found.'),
    artifactRelationships: arr(
      obj(
        {
          parent: str('ID of the parent (package or file).'),
          child: str('ID of the child (package or file).'),
          type: str('Relationship type: contains, evident-by, ownership-by-file-overlap…'),
          metadata: raw('Relationship metadata.'),
        },
        'One relationship.',
      ),
      'Relationships between packages and files.',
    ),
    files: arr(
      obj(
        {
          id: str('Syft file ID.'),
          location: obj(coordinatesProperties, 'Where the file is.'),
          metadata: obj(
            {
              mode: int64('File mode.'),
              type: str('File type.'),
              linkDestination: str('Target of a link.'),
              userID: int64('Owner user ID.'),
              groupID: int64('Owner group ID.'),
              mimeType: str('MIME type.'),
              size: int64('Size in bytes.'),
            },
            'File metadata.',
          ),
          contents: str('File contents, when captured.'),
          digests: arr(
            obj({ algorithm: str('Digest algorithm.'), value: str('Digest value.') }, 'One digest.'),
            'Digests of the file.',
          ),
          licenses: arr(
            obj(
              {
                value: str('License as found.'),
                spdxExpression: str('License as an SPDX expression.'),
                type: str('declared or concluded.'),
                evidence: obj(
                  {
                    confidence: int64('Confidence of the match.'),
                    offset: int64('Offset of the evidence.'),
                    extent: int64('Length of the evidence.'),
                  },
                  'Evidence for the license.',
                ),
              },
              'One file license.',
            ),
            'Licenses found in the file.',
          ),
          executable: obj(
            {
              format: str('ELF, Mach-O or PE.'),
              hasExports: bool('Whether the executable exports symbols.'),
              hasEntrypoint: bool('Whether the executable has an entry point.'),
              importedLibraries: strings('Libraries the executable imports.'),
              elfSecurityFeatures: raw('ELF hardening features.'),
            },
            'Executable details.',
          ),
        },
        'One file.',
      ),
      'Files catalogued (IDs and locations in stored SBOMs).',
    ),
    source: obj(
      {
        id: str('Source ID.'),
        name: str('Source name.'),
        version: str('Source version.'),
        type: str('image, directory or file.'),
        metadata: raw('Source metadata, e.g. the image manifest and layers.'),
      },
      'What was catalogued.',
    ),
    distro: obj(linuxReleaseProperties, 'Linux distribution of the image, from os-release.'),
    descriptor: obj(
      {
        name: str('Tool name.'),
        version: str('Tool version.'),
        configuration: raw('Tool configuration.'),
      },
      'The tool that made the document.',
    ),
    schema: obj({ version: str('Schema version.'), url: str('Schema URL.') }, 'Schema of the document.'),
  },
  'The SBOM in syft JSON format.',
);
export const sbomSyftSpecSchema = obj(
  { metadata: spdxMetaSchema, syft: syftDocumentSchema },
  'The SBOM and its metadata.',
);
