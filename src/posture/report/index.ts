/**
 * The posture report (Kubescape's JSON v2, `model.ts`) and its renderings: terminal table, SARIF,
 * JUnit, HTML and Prometheus.
 */
import type { PostureReport } from './model.ts';
import type { ControlLookup } from './meta.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderPrometheus } from './prometheus.ts';
import { renderSarif, type LocateFn, type SarifOptions } from './sarif.ts';
import { renderTable, type TableOptions } from './table.ts';

export type * from './model.ts';
export { SEVERITIES, controlDocLink, severityOf } from './meta.ts';
export type { ControlInfo, ControlLookup } from './meta.ts';
export { escapeHtml, escapeXml, escapeXmlAttribute } from './escape.ts';
export { renderTable } from './table.ts';
export type { TableOptions } from './table.ts';
export { DEFAULT_INFORMATION_URI, SARIF_SCHEMA, buildSarif, renderSarif, sarifLevel } from './sarif.ts';
export type { FixEditFn, LocateFn, SarifLog, SarifOptions, SarifResult, SarifRule } from './sarif.ts';
export { renderJunit } from './junit.ts';
export { renderHtml } from './html.ts';
export { escapeLabelValue, renderPrometheus } from './prometheus.ts';
export { nameResource, overallScore, scanTarget } from './view.ts';
export type { ResourceName } from './view.ts';

export type PostureFormat = 'pretty-printer' | 'json' | 'sarif' | 'junit' | 'html' | 'prometheus';
export const POSTURE_FORMATS: readonly PostureFormat[] = [
  'pretty-printer',
  'json',
  'sarif',
  'junit',
  'html',
  'prometheus',
];

export interface RenderContext {
  meta: ControlLookup;
  /** Table options (pretty-printer). */
  table?: TableOptions;
  /** SARIF locations and fixes (input's `locate` / `fixEdit`). */
  locate?: LocateFn;
  sarif?: SarifOptions;
}

/** Renders the report in one format, ending with a newline. */
export function renderPostureReport(
  report: PostureReport,
  format: PostureFormat,
  context: RenderContext,
): string {
  switch (format) {
    case 'pretty-printer':
      return renderTable(report, context.table ?? { color: false }, context.meta);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'sarif':
      return renderSarif(report, context.meta, context.locate, context.sarif);
    case 'junit':
      return renderJunit(report, context.meta);
    case 'html':
      return renderHtml(report, context.meta);
    case 'prometheus':
      return renderPrometheus(report, context.meta);
  }
}
