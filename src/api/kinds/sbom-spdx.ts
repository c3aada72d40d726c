/**
 * SBOMSPDXv2p3 / SBOMSPDXv2p3Filtered (removed upstream 2024-09; read-compat only) and SBOMSummary
 * (removed 2024-02), storage-api.md §2.2-2.3. The SPDX 2.3 document is typed by the fields the
 * spec lists; anything else SPDX allows is kept as sent.
 */
import type { KubeObject } from '../meta.ts';
import { arr, bool, obj, str, strings, type SchemaObject } from '../schema.ts';
import { spdxMetaSchema, type SPDXMeta } from './common.ts';

export interface SpdxCreationInfo {
  /** `"Type: value"` strings, e.g. `Tool: syft-1.0.0`. */
  creators: string[];
  created: string;
  licenseListVersion?: string;
}

export interface SpdxChecksum {
  algorithm: string;
  checksumValue: string;
}

export interface SpdxExternalRef {
  /** e.g. `SECURITY`, `PACKAGE-MANAGER`. */
  referenceCategory: string;
  /** e.g. `cpe23Type`, `purl`. */
  referenceType: string;
  referenceLocator: string;
}

export interface SpdxPackage {
  name: string;
  /** `SPDXRef-…`. */
  SPDXID: string;
  versionInfo?: string;
  supplier?: string;
  downloadLocation?: string;
  filesAnalyzed?: boolean;
  checksums?: SpdxChecksum[];
  sourceInfo?: string;
  licenseConcluded?: string;
  licenseDeclared?: string;
  licenseInfoFromFiles?: string[];
  copyrightText?: string;
  externalRefs?: SpdxExternalRef[];
  hasFiles?: string[];
  [field: string]: unknown;
}

export interface SpdxFile {
  fileName: string;
  SPDXID: string;
  checksums?: SpdxChecksum[];
  [field: string]: unknown;
}

export interface SpdxRelationship {
  spdxElementId: string;
  relatedSpdxElement: string;
  relationshipType: string;
  [field: string]: unknown;
}

export interface SpdxDocument {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  name: string;
  documentNamespace: string;
  documentDescribes?: string[];
  creationInfo: SpdxCreationInfo;
  packages?: SpdxPackage[];
  files?: SpdxFile[];
  relationships?: SpdxRelationship[];
  [field: string]: unknown;
}

export interface SBOMSPDXv2p3Spec {
  metadata: SPDXMeta;
  spdx: SpdxDocument;
}

export interface SBOMSPDXv2p3 extends KubeObject {
  spec: SBOMSPDXv2p3Spec;
}

export interface SBOMSPDXv2p3Filtered extends KubeObject {
  spec: SBOMSPDXv2p3Spec;
}

/** Empty on purpose: a lightweight facade for watching SBOMs. */
export type SBOMSummarySpec = Record<string, never>;

export interface SBOMSummary extends KubeObject {
  spec: SBOMSummarySpec;
}

const checksumsSchema = arr(
  obj(
    { algorithm: str('Checksum algorithm, e.g. SHA256.'), checksumValue: str('Checksum value.') },
    'One checksum.',
  ),
  'Checksums.',
);

const preserve = (schema: SchemaObject): SchemaObject => ({
  ...schema,
  'x-kubernetes-preserve-unknown-fields': true,
});

export const spdxDocumentSchema = preserve(
  obj(
    {
      spdxVersion: str('SPDX version, SPDX-2.3.'),
      dataLicense: str('License of the document data, CC0-1.0.'),
      SPDXID: str('Document ID, SPDXRef-DOCUMENT.'),
      name: str('Document name.'),
      documentNamespace: str('Unique URI of the document.'),
      documentDescribes: strings('IDs of the elements the document describes.'),
      creationInfo: obj(
        {
          creators: strings('Creators as "Type: value" strings.'),
          created: str('Creation time (RFC 3339).'),
          licenseListVersion: str('SPDX license list version used.'),
        },
        'Who made the document and when.',
      ),
      packages: arr(
        preserve(
          obj(
            {
              name: str('Package name.'),
              SPDXID: str('Package ID, SPDXRef-Package-<type>-<name>-<id> from syft.'),
              versionInfo: str('Package version.'),
              supplier: str('Supplier as "Type: value", or NOASSERTION.'),
              downloadLocation: str('Download location, or NOASSERTION/NONE.'),
              filesAnalyzed: bool('Whether files were analysed.'),
              checksums: checksumsSchema,
              sourceInfo: str('How the package was found.'),
              licenseConcluded: str('Concluded license expression.'),
              licenseDeclared: str('Declared license expression.'),
              licenseInfoFromFiles: strings('Licenses found in the files.'),
              copyrightText: str('Copyright text, or NOASSERTION.'),
              externalRefs: arr(
                obj(
                  {
                    referenceCategory: str('SECURITY, PACKAGE-MANAGER…'),
                    referenceType: str('cpe23Type, purl…'),
                    referenceLocator: str('The CPE, PURL…'),
                  },
                  'One external reference.',
                ),
                'External references (CPEs, PURL).',
              ),
              hasFiles: strings('IDs of files in the package.'),
            },
            'One SPDX package.',
          ),
        ),
        'Packages.',
      ),
      files: arr(
        preserve(
          obj(
            { fileName: str('File path.'), SPDXID: str('File ID.'), checksums: checksumsSchema },
            'One SPDX file.',
          ),
        ),
        'Files.',
      ),
      relationships: arr(
        preserve(
          obj(
            {
              spdxElementId: str('ID of the source element.'),
              relatedSpdxElement: str('ID of the target element.'),
              relationshipType: str('CONTAINS, DESCRIBES…'),
            },
            'One relationship.',
          ),
        ),
        'Relationships between elements.',
      ),
    },
    'The SBOM as a standard SPDX 2.3 JSON document.',
  ),
);

export const sbomSpdxSpecSchema = obj(
  { metadata: spdxMetaSchema, spdx: spdxDocumentSchema },
  'The SPDX SBOM and its metadata.',
);

export const sbomSummarySpecSchema = obj({}, 'Always empty.');
