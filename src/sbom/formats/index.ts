/** SBOM output formats: SPDX 2.3 JSON, syft JSON (and kubevuln's stored subset), CycloneDX 1.6 JSON, table. */
import type { FormatOptions, RenderableSbom } from './common.ts';
import { toCycloneDxJson } from './cyclonedx.ts';
import { toSpdxJson } from './spdx.ts';
import { toSyftJson } from './syft-json.ts';
import { renderSbomTable } from './table.ts';

export type { FormatOptions, RenderableSbom, SbomFileRef, SourceDetails } from './common.ts';
export { DEFAULT_TOOL, fileIdOf, packageIdOf, sortedPackages } from './common.ts';
export { isSingleLicenseId, licenseRefOf, spdxExpressionOf } from './licenses.ts';
export { sanitizeSpdxId, spdxFileId, spdxPackageId, toSpdxJson } from './spdx.ts';
export type { SpdxDocument, SpdxFile, SpdxPackage, SpdxRelationship } from './spdx.ts';
export {
  SYFT_SCHEMA_URL,
  SYFT_SCHEMA_VERSION,
  stripForStorage,
  syftDistroOf,
  toSyftJson,
} from './syft-json.ts';
export type {
  SyftArtifact,
  SyftDistro,
  SyftDocument,
  SyftFile,
  SyftLicense,
  SyftLocation,
  SyftRelationship,
} from './syft-json.ts';
export { bomRefOf, toCycloneDxJson } from './cyclonedx.ts';
export type { CycloneDxComponent, CycloneDxDocument, CycloneDxProperty } from './cyclonedx.ts';
export { renderSbomTable } from './table.ts';

export const SBOM_OUTPUT_FORMATS = ['spdx-json', 'syft-json', 'cyclonedx-json', 'table'] as const;
export type SbomOutputFormat = (typeof SBOM_OUTPUT_FORMATS)[number];

/** The document in one output format, as text ending in a newline. */
export function renderSbom(
  doc: RenderableSbom,
  format: SbomOutputFormat,
  options: FormatOptions = {},
): string {
  switch (format) {
    case 'spdx-json':
      return `${JSON.stringify(toSpdxJson(doc, options), null, 1)}\n`;
    case 'syft-json':
      return `${JSON.stringify(toSyftJson(doc, options), null, 1)}\n`;
    case 'cyclonedx-json':
      return `${JSON.stringify(toCycloneDxJson(doc, options), null, 1)}\n`;
    case 'table':
      return renderSbomTable(doc);
  }
}
