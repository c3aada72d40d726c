/**
 * What renderers need to know about a control beyond the report (the catalog supplies it), and
 * the severity scale of controls.md §3.4.
 */
import type { SeverityName } from './model.ts';

/** Control metadata a renderer shows: the catalog's ControlDefinition fits it. */
export interface ControlInfo {
  id: string;
  name: string;
  description: string;
  remediation: string;
  baseScore: number;
}

/** Control metadata by ID; undefined for IDs the catalog doesn't know (renderers fall back). */
export type ControlLookup = (controlID: string) => ControlInfo | undefined;

export const SEVERITIES: readonly SeverityName[] = ['Critical', 'High', 'Medium', 'Low', 'Unknown'];

/** baseScore ≥ 9 Critical, ≥ 7 High, ≥ 4 Medium, ≥ 1 Low, else Unknown. */
export function severityOf(baseScore: number): SeverityName {
  if (baseScore >= 9) return 'Critical';
  if (baseScore >= 7) return 'High';
  if (baseScore >= 4) return 'Medium';
  if (baseScore >= 1) return 'Low';
  return 'Unknown';
}

/** Kubescape's documentation page of a control (`cis-1.1.3` → `cis-1-1-3`). */
export function controlDocLink(controlID: string): string {
  return `https://hub.armosec.io/docs/${controlID.replaceAll('.', '-').toLowerCase()}`;
}
