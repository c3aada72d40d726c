/**
 * CycloneDX 1.6 JSON with `vulnerabilities[]`: the affected packages as components, one
 * vulnerability per match (ratings from every CVSS vector plus the reported severity), and the
 * ignored matches with an `analysis` saying why (VEX status/justification or the ignore rule).
 * Deterministic for a given document and time: the serial number is derived from the content.
 */
import { createHash } from 'node:crypto';
import type { Cvss, GrypeDocument, IgnoredMatch, Match } from './types.ts';

const SEVERITY: Record<string, string> = {
  Critical: 'critical',
  High: 'high',
  Medium: 'medium',
  Low: 'low',
  Negligible: 'info',
  Unknown: 'unknown',
};

const METHOD: Record<string, string> = {
  '2.0': 'CVSSv2',
  '3.0': 'CVSSv3',
  '3.1': 'CVSSv31',
  '4.0': 'CVSSv4',
};

/** OpenVEX justification -> CycloneDX impact-analysis justification. */
const JUSTIFICATION: Record<string, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

function cvssSeverity(score: number): string {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

function sourceName(id: string): string {
  if (id.startsWith('GHSA-')) return 'GitHub Advisory Database';
  if (/^(DSA|DLA|DEBIAN)-/.test(id)) return 'Debian Security Tracker';
  if (id.startsWith('CVE-')) return 'NVD';
  if (id.startsWith('GO-')) return 'Go Vulnerability Database';
  if (id.startsWith('RUSTSEC-')) return 'RustSec';
  return 'OSV';
}

function componentRef(m: Match): string {
  return m.artifact.purl || `${m.artifact.type}:${m.artifact.name}@${m.artifact.version}`;
}

function rating(c: Cvss, source: { name: string; url: string }): Record<string, unknown> {
  return {
    source,
    score: c.metrics.baseScore,
    severity: cvssSeverity(c.metrics.baseScore),
    method: METHOD[c.version] ?? 'other',
    vector: c.vector,
  };
}

function vulnerabilityOf(m: Match, ignored?: IgnoredMatch): Record<string, unknown> {
  const v = m.vulnerability;
  const source = { name: sourceName(v.id), url: v.dataSource };
  const ratings = v.cvss.map((c) => rating(c, source));
  for (const r of m.relatedVulnerabilities)
    for (const c of r.cvss) ratings.push(rating(c, { name: sourceName(r.id), url: r.dataSource }));
  ratings.push({ source, severity: SEVERITY[v.severity ?? 'Unknown'] ?? 'unknown', method: 'other' });
  const out: Record<string, unknown> = {
    'bom-ref': `${v.id}:${componentRef(m)}`,
    id: v.id,
    source,
    ratings,
    affects: [
      {
        ref: componentRef(m),
        versions: [{ version: m.artifact.version, status: ignored ? 'unaffected' : 'affected' }],
      },
    ],
  };
  if (m.relatedVulnerabilities.length > 0)
    out.references = m.relatedVulnerabilities.map((r) => ({
      id: r.id,
      source: { name: sourceName(r.id), url: r.dataSource },
    }));
  if (v.description) out.description = v.description;
  if (v.urls.length > 0) out.advisories = v.urls.map((url) => ({ url }));
  if (v.fix.state === 'fixed')
    out.recommendation = `Upgrade ${m.artifact.name} to ${v.fix.versions.join(' or ')}`;
  if (ignored) out.analysis = analysisOf(ignored);
  return out;
}

function analysisOf(m: IgnoredMatch): Record<string, unknown> {
  const vex = m.appliedIgnoreRules.find((r) => r['vex-status']);
  if (vex) {
    const analysis: Record<string, unknown> = {
      state: vex['vex-status'] === 'fixed' ? 'resolved' : 'not_affected',
      detail: vex.reason ?? 'OpenVEX statement',
    };
    const j = vex['vex-justification'] && JUSTIFICATION[vex['vex-justification']];
    if (j) analysis.justification = j;
    return analysis;
  }
  const reasons = m.appliedIgnoreRules.map((r) => r.reason ?? JSON.stringify(r));
  return { state: 'not_affected', detail: `ignored by rule: ${reasons.join('; ')}` };
}

function serialOf(content: string): string {
  const h = createHash('sha256').update(content).digest('hex');
  // RFC 4122 layout with version 5-style bits, so validators accept it as a UUID.
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export function renderCycloneDx(doc: GrypeDocument, options: { now?: Date } = {}): Record<string, unknown> {
  const components = new Map<string, Record<string, unknown>>();
  const all: [Match, IgnoredMatch | undefined][] = [
    ...doc.matches.map((m): [Match, undefined] => [m, undefined]),
    ...(doc.ignoredMatches ?? []).map((m): [Match, IgnoredMatch] => [m, m]),
  ];
  for (const [m] of all) {
    const ref = componentRef(m);
    if (components.has(ref)) continue;
    const c: Record<string, unknown> = {
      'bom-ref': ref,
      type: 'library',
      name: m.artifact.name,
      version: m.artifact.version,
    };
    if (m.artifact.purl) c.purl = m.artifact.purl;
    if (m.artifact.cpes[0]) c.cpe = m.artifact.cpes[0];
    if (m.artifact.licenses.length > 0) c.licenses = m.artifact.licenses.map((l) => ({ expression: l }));
    components.set(ref, c);
  }
  const vulnerabilities = all.map(([m, ignored]) => vulnerabilityOf(m, ignored));
  const subject: Record<string, unknown> = {
    'bom-ref': 'subject',
    type: doc.source?.type === 'image' ? 'container' : doc.source?.type === 'file' ? 'file' : 'application',
    name: subjectName(doc),
  };
  const body = { components: [...components.values()], vulnerabilities };
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialOf(JSON.stringify({ subject, body, db: doc.descriptor.db })),
    version: 1,
    metadata: {
      timestamp: (options.now ?? new Date()).toISOString(),
      tools: {
        components: [{ type: 'application', name: doc.descriptor.name, version: doc.descriptor.version }],
      },
      component: subject,
    },
    ...body,
  };
}

function subjectName(doc: GrypeDocument): string {
  const t = doc.source?.target;
  if (typeof t === 'string' && t) return t;
  if (t && typeof t === 'object' && 'userInput' in t) return String((t as { userInput: unknown }).userInput);
  return 'unknown';
}
