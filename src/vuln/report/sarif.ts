/**
 * SARIF 2.1.0 (OASIS), shaped like grype's: one rule per (vulnerability, package name), one result
 * per match located at the package's first location; `security-severity` lets code-scanning UIs
 * rank results (highest CVSS base score, else the lower bound of the rating's band).
 */
import { securityScore } from './scores.ts';
import type { GrypeDocument, Match } from './types.ts';

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

function level(m: Match): 'error' | 'warning' | 'note' {
  const s = m.vulnerability.severity;
  if (s === 'Critical' || s === 'High') return 'error';
  if (s === 'Medium') return 'warning';
  return 'note';
}

const ruleId = (m: Match): string => `${m.vulnerability.id}-${m.artifact.name}`;

function fixText(m: Match): string {
  const fix = m.vulnerability.fix;
  if (fix.state === 'fixed') return `Fixed in version ${fix.versions.join(', ')}.`;
  if (fix.state === 'wont-fix') return 'The maintainers will not fix this vulnerability.';
  return 'No fix is known.';
}

/** A location URI: the package's path, else the scanned target's name. */
function locationUri(m: Match, doc: GrypeDocument): string {
  const path = m.artifact.locations[0]?.path;
  if (path) return path.replace(/^\/+/, '');
  const target = doc.source?.target;
  if (typeof target === 'string') return target;
  if (target && typeof target === 'object' && 'userInput' in target)
    return String((target as { userInput: unknown }).userInput);
  return m.artifact.purl || m.artifact.name;
}

export function renderSarif(
  doc: GrypeDocument,
  options: { informationUri?: string } = {},
): Record<string, unknown> {
  const rules = new Map<string, Record<string, unknown>>();
  const results: Record<string, unknown>[] = [];
  for (const m of doc.matches) {
    const id = ruleId(m);
    const v = m.vulnerability;
    const severity = (v.severity ?? 'Unknown').toLowerCase();
    if (!rules.has(id)) {
      const summary = `${v.id} ${severity} vulnerability for ${m.artifact.name} package`;
      rules.set(id, {
        id,
        name: `${m.matchDetails[0]?.matcher ?? 'kubeguard'}/${m.matchDetails[0]?.type ?? 'match'}`,
        shortDescription: { text: summary },
        fullDescription: { text: v.description ?? summary },
        helpUri: v.dataSource,
        help: {
          text: `Vulnerability ${v.id}\nSeverity: ${severity}\nPackage: ${m.artifact.name}\nVersion: ${m.artifact.version}\nFix: ${fixText(m)}\nLink: ${v.dataSource}`,
          markdown: `**Vulnerability ${v.id}**\n| Severity | Package | Version | Fix Version | Type | Location | Data Namespace | Link |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n| ${severity} | ${m.artifact.name} | ${m.artifact.version} | ${v.fix.versions.join(', ')} | ${m.artifact.type} | ${m.artifact.locations[0]?.path ?? ''} | ${v.namespace ?? ''} | [${v.id}](${v.dataSource}) |\n`,
        },
        properties: {
          'security-severity': securityScore(m).toFixed(1),
          tags: ['security', v.id, severity, m.artifact.type].filter((t) => t !== ''),
        },
      });
    }
    const uri = locationUri(m, doc);
    results.push({
      ruleId: id,
      level: level(m),
      message: {
        text: `The ${m.artifact.type} package ${m.artifact.name} at version ${m.artifact.version}${m.artifact.locations[0] ? ` (${m.artifact.locations[0].path})` : ''} is affected by ${v.id} (${severity}). ${fixText(m)}`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
          },
          logicalLocations: [
            {
              name: m.artifact.name,
              fullyQualifiedName: m.artifact.purl || m.artifact.name,
              kind: 'package',
            },
          ],
        },
      ],
      partialFingerprints: {
        kubeguardMatch: `${v.id}:${m.artifact.purl || `${m.artifact.name}@${m.artifact.version}`}:${uri}`,
      },
    });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: doc.descriptor.name,
            version: doc.descriptor.version,
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules: [...rules.values()],
          },
        },
        results,
      },
    ],
  };
}
