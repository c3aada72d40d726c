/**
 * SARIF 2.1.0 as Kubescape writes it (controls.md §4.2): one rule per failed control, one result
 * per failed file-backed resource and control, located at the first failed (else fix) path;
 * relatedLocations per failed path; fixes as text edits when an editor is given. Code-scanning
 * UIs drop results without a file, so cluster and stdin resources have none.
 */
import type { PostureReport, ResourceSource } from './model.ts';
import { controlDocLink, type ControlLookup } from './meta.ts';
import {
  ReportIndex,
  compareIds,
  controlInfo,
  controlSeverity,
  findingPaths,
  isFileBacked,
  nameResource,
} from './view.ts';

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const DEFAULT_INFORMATION_URI = 'https://kubescape.io';

export type SarifLevel = 'error' | 'warning' | 'note';

/** 1-based line/column of a report path in a resource's file (input's `locate`). */
export type LocateFn = (
  source: ResourceSource,
  reportPath: string,
) => { line: number; column: number } | undefined;

/** A text edit setting a fix path (input's `fixEdit`); positions 1-based, end exclusive. */
export type FixEditFn = (
  source: ResourceSource,
  fixPath: string,
  value: string,
) => { startLine: number; startColumn: number; endLine: number; endColumn: number; text: string } | undefined;

export interface SarifOptions {
  fixEdit?: FixEditFn;
  informationUri?: string;
  /** Defaults to the report's scanner version. */
  toolVersion?: string;
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

export interface SarifPhysicalLocation {
  artifactLocation: { uri: string };
  region: SarifRegion;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { 'security-severity': string; tags: string[] };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { physicalLocation: SarifPhysicalLocation }[];
  relatedLocations?: { id: number; physicalLocation: SarifPhysicalLocation; message: { text: string } }[];
  fixes?: {
    description: { text: string };
    artifactChanges: {
      artifactLocation: { uri: string };
      replacements: { deletedRegion: Required<SarifRegion>; insertedContent: { text: string } }[];
    }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: { resourceID: string; kind: string; namespace: string; name: string };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version?: string; informationUri: string; rules: SarifRule[] } };
    results: SarifResult[];
  }[];
}

/** Kubescape's mapping from baseScore: ≥ 9 error, ≥ 4 warning, else note. */
export function sarifLevel(scoreFactor: number): SarifLevel {
  if (scoreFactor >= 9) return 'error';
  if (scoreFactor >= 4) return 'warning';
  return 'note';
}

/** The SARIF log as JSON text (2-space indented, ending with a newline). */
export function renderSarif(
  report: PostureReport,
  meta: ControlLookup,
  locate?: LocateFn,
  options: SarifOptions = {},
): string {
  return `${JSON.stringify(buildSarif(report, meta, locate, options), null, 2)}\n`;
}

/** The SARIF log as an object. */
export function buildSarif(
  report: PostureReport,
  meta: ControlLookup,
  locate?: LocateFn,
  options: SarifOptions = {},
): SarifLog {
  const index = new ReportIndex(report);
  const failedControls = Object.values(report.summaryDetails.controls)
    .filter((control) => control.status === 'failed')
    .sort((a, b) => compareIds(a.controlID, b.controlID));
  const rules: SarifRule[] = [];
  const results: SarifResult[] = [];

  for (const control of failedControls) {
    const info = controlInfo(control, meta);
    const level = sarifLevel(control.scoreFactor);
    const ruleIndex = rules.length;
    const link = controlDocLink(control.controlID);
    rules.push({
      id: control.controlID,
      name: info.name,
      shortDescription: { text: info.name },
      fullDescription: { text: info.description || info.name },
      help: {
        text: info.remediation
          ? `Remediation: ${info.remediation}\nMore details: ${link}`
          : `More details: ${link}`,
        markdown: `${info.remediation ? `**Remediation**: ${info.remediation}\n\n` : ''}[More details](${link})`,
      },
      helpUri: link,
      defaultConfiguration: { level },
      properties: {
        'security-severity': control.scoreFactor.toFixed(1),
        tags: ['security', 'kubernetes', controlSeverity(control).toLowerCase()],
      },
    });

    for (const failed of index.failedResources(control.controlID)) {
      const source = failed.resource?.source;
      if (!isFileBacked(source)) continue;
      const paths = findingPaths(failed.control);
      const uri = source.relativePath;
      const place = (reportPath: string | undefined): SarifRegion => {
        const found = reportPath ? locate?.(source, reportPath) : undefined;
        if (found) return { startLine: found.line, startColumn: found.column };
        return { startLine: source.line ?? 1, startColumn: 1 };
      };
      const anchorPath = paths.failed[0] ?? paths.fix[0]?.path ?? paths.review[0] ?? paths.delete[0];
      const affected = [
        ...paths.failed,
        ...paths.fix.map((fix) => fix.path),
        ...paths.review,
        ...paths.delete,
      ];
      const name = nameResource(failed.resourceID, failed.resource);
      const result: SarifResult = {
        ruleId: control.controlID,
        ruleIndex,
        level,
        message: {
          text: `${info.description || info.name} (${name.display})${
            affected.length ? `\nAffected fields:\n${affected.map((path) => `- ${path}`).join('\n')}` : ''
          }`,
        },
        locations: [{ physicalLocation: { artifactLocation: { uri }, region: place(anchorPath) } }],
        partialFingerprints: { 'kubeguard/v1': `${control.controlID}:${failed.resourceID}` },
        properties: {
          resourceID: failed.resourceID,
          kind: name.kind,
          namespace: name.namespace,
          name: name.name,
        },
      };
      if (paths.failed.length > 0)
        result.relatedLocations = paths.failed.map((path, id) => ({
          id,
          physicalLocation: { artifactLocation: { uri }, region: place(path) },
          message: { text: path },
        }));
      const fixes = fixesFor(source, paths.fix, options.fixEdit);
      if (fixes.length > 0) result.fixes = fixes;
      results.push(result);
    }
  }

  const version = options.toolVersion ?? report.metadata.scanMetadata.kubescapeVersion;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kubeguard',
            ...(version ? { version } : {}),
            informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
            rules,
          },
        },
        results,
      },
    ],
  };
}

function fixesFor(
  source: ResourceSource,
  fixPaths: { path: string; value: string }[],
  fixEdit: FixEditFn | undefined,
): NonNullable<SarifResult['fixes']> {
  if (!fixEdit) return [];
  const fixes: NonNullable<SarifResult['fixes']> = [];
  for (const fix of fixPaths) {
    const edit = fixEdit(source, fix.path, fix.value);
    if (!edit) continue;
    fixes.push({
      description: { text: `Set ${fix.path} to ${fix.value}` },
      artifactChanges: [
        {
          artifactLocation: { uri: source.relativePath },
          replacements: [
            {
              deletedRegion: {
                startLine: edit.startLine,
                startColumn: edit.startColumn,
                endLine: edit.endLine,
                endColumn: edit.endColumn,
              },
              insertedContent: { text: edit.text },
            },
          ],
        },
      ],
    });
  }
  return fixes;
}
