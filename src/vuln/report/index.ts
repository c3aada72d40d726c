/** The grype-compatible document and its renderings (JSON, table, SARIF, CycloneDX, OpenVEX). */
import { renderCycloneDx } from './cyclonedx.ts';
import { renderOpenVex } from './openvex.ts';
import { renderSarif } from './sarif.ts';
import { renderTable } from './table.ts';
import type { GrypeDocument } from './types.ts';

export * from './types.ts';
export { artifactOf, buildDocument, compareBySeverity, compareMatches, severityAtLeast } from './document.ts';
export type { DocumentInput } from './document.ts';
export {
  applyIgnoreRules,
  globToRegExp,
  parseIgnoreRules,
  parseIgnoreRulesYaml,
  ruleFits,
} from './ignore.ts';
export type { IgnoreOutcome } from './ignore.ts';
export { applyVex, parseOpenVex } from './vex-input.ts';
export type { VexStatement, VexStatus } from './vex-input.ts';
export { renderTable } from './table.ts';
export { renderSarif, SARIF_SCHEMA } from './sarif.ts';
export { renderCycloneDx } from './cyclonedx.ts';
export { imagePurl, OPENVEX_CONTEXT, renderOpenVex } from './openvex.ts';

export type OutputFormat = 'json' | 'table' | 'sarif' | 'cyclonedx' | 'openvex';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'table', 'sarif', 'cyclonedx', 'openvex'];

/** Renders the document in one of the output formats, ending with a newline. */
export function renderDocument(
  doc: GrypeDocument,
  format: OutputFormat,
  options: { now?: Date } = {},
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(doc, null, 2)}\n`;
    case 'table':
      return renderTable(doc);
    case 'sarif':
      return `${JSON.stringify(renderSarif(doc), null, 2)}\n`;
    case 'cyclonedx':
      return `${JSON.stringify(renderCycloneDx(doc, options), null, 2)}\n`;
    case 'openvex':
      return `${JSON.stringify(renderOpenVex(doc, options), null, 2)}\n`;
  }
}
