/**
 * OpenVEX documents as input (v0.2.0, grype's `--vex`): a statement whose status is `not_affected`
 * or `fixed` moves the matches it covers to `ignoredMatches`, recorded as an applied rule with the
 * VEX status, justification and the statement's impact statement as reason. `affected` and
 * `under_investigation` leave matches alone. When several statements cover a match, the latest
 * (statement timestamp, else document timestamp, then document order) decides, as OpenVEX says.
 *
 * A statement covers a match when its vulnerability (name, @id or an alias) is the match's id or a
 * related id, and one of its products is the package (purl, version optional, qualifiers ignored)
 * or the scanned image with no subcomponents or a subcomponent that is the package.
 */
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type { SbomSource } from '../../sbom/index.ts';
import { purlMatches, tryParsePurl, type Purl } from '../sbom-input/index.ts';
import type { IgnoreRule, IgnoredMatch, Match } from './types.ts';

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  vulnerabilityIds: string[];
  products: { ids: string[]; subcomponents: string[] }[];
  status: VexStatus;
  justification?: string;
  impactStatement?: string;
  /** Sort key: statement or document time (ms), then position. */
  time: number;
  order: number;
  document: string;
}

const STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function idsOf(component: Json): string[] {
  const ids = [str(component['@id'])];
  if (isObject(component.identifiers)) ids.push(...Object.values(component.identifiers).map(str));
  return ids.filter((x): x is string => x !== undefined);
}

/** Parses one OpenVEX document; `name` appears in errors. `order` continues across documents. */
export function parseOpenVex(text: string, name = 'VEX document', startOrder = 0): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new KubeguardError(ErrorCodes.invalidInput, `${name} is not JSON: ${messageOf(err)}`);
  }
  if (
    !isObject(doc) ||
    !Array.isArray(doc.statements) ||
    !String(doc['@context'] ?? '').includes('openvex')
  ) {
    throw new KubeguardError(ErrorCodes.invalidInput, `${name} is not an OpenVEX document`, {
      hint: 'expected {"@context": "https://openvex.dev/ns/v0.2.0", "statements": [...]}',
    });
  }
  const docTime = Date.parse(str(doc.timestamp) ?? '') || 0;
  const docId = str(doc['@id']) ?? name;
  return doc.statements.map((s, i) => {
    if (!isObject(s))
      throw new KubeguardError(ErrorCodes.invalidInput, `${name}: statement ${i + 1} is not an object`);
    const status = str(s.status) as VexStatus | undefined;
    if (!status || !STATUSES.includes(status)) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `${name}: statement ${i + 1} has an invalid status "${String(s.status)}"`,
      );
    }
    const v = isObject(s.vulnerability) ? s.vulnerability : {};
    const vulnerabilityIds = [
      str(v.name),
      str(v['@id']),
      ...(Array.isArray(v.aliases) ? v.aliases.map(str) : []),
    ].filter((x): x is string => x !== undefined);
    if (vulnerabilityIds.length === 0)
      throw new KubeguardError(ErrorCodes.invalidInput, `${name}: statement ${i + 1} names no vulnerability`);
    const products = (Array.isArray(s.products) ? s.products : []).filter(isObject).map((p) => ({
      ids: idsOf(p),
      subcomponents: (Array.isArray(p.subcomponents) ? p.subcomponents : []).filter(isObject).flatMap(idsOf),
    }));
    const statement: VexStatement = {
      vulnerabilityIds,
      products,
      status,
      time: Date.parse(str(s.last_updated) ?? str(s.timestamp) ?? '') || docTime,
      order: startOrder + i,
      document: docId,
    };
    const justification = str(s.justification);
    if (justification) statement.justification = justification;
    const impact = str(s.impact_statement) ?? str(s.status_notes);
    if (impact) statement.impactStatement = impact;
    return statement;
  });
}

/** The scanned image as the identifiers a VEX author may use for it. */
function isScannedImage(id: string, source: SbomSource | undefined): boolean {
  if (!source || source.type !== 'image') return false;
  const purl = tryParsePurl(id);
  const base = source.name
    .replace(/[:@].*$/, '')
    .split('/')
    .pop();
  if (purl?.type === 'oci' || purl?.type === 'docker') {
    if (purl.version?.startsWith('sha256:')) return purl.version === source.digest;
    return purl.name === base;
  }
  const bare = source.name.replace(/@.*$/, '');
  return id === source.name || (source.digest !== undefined && id === `${bare}@${source.digest}`);
}

function covers(
  s: VexStatement,
  m: Match,
  pkgPurl: Purl | undefined,
  source: SbomSource | undefined,
): boolean {
  const ids = [m.vulnerability.id, ...m.relatedVulnerabilities.map((r) => r.id)];
  if (!s.vulnerabilityIds.some((id) => ids.includes(id))) return false;
  const isPackage = (id: string): boolean => {
    const p = tryParsePurl(id);
    return p !== undefined && pkgPurl !== undefined && purlMatches(p, pkgPurl);
  };
  return s.products.some(
    (p) =>
      p.ids.some(isPackage) ||
      (p.ids.some((id) => isScannedImage(id, source)) &&
        (p.subcomponents.length === 0 || p.subcomponents.some(isPackage))),
  );
}

export function vexRule(s: VexStatement, m: Match): IgnoreRule {
  const rule: IgnoreRule = {
    vulnerability: m.vulnerability.id,
    package: {
      name: m.artifact.name,
      version: m.artifact.version,
      language: m.artifact.language,
      type: m.artifact.type,
    },
    'vex-status': s.status,
    reason: s.impactStatement ?? `OpenVEX ${s.document}`,
  };
  if (s.justification) rule['vex-justification'] = s.justification;
  return rule;
}

export interface VexOutcome {
  matches: Match[];
  ignored: IgnoredMatch[];
}

export function applyVex(matches: Match[], statements: VexStatement[], source?: SbomSource): VexOutcome {
  const kept: Match[] = [];
  const ignored: IgnoredMatch[] = [];
  const ordered = [...statements].sort((a, b) => a.time - b.time || a.order - b.order);
  for (const m of matches) {
    const pkgPurl = tryParsePurl(m.artifact.purl);
    let decisive: VexStatement | undefined;
    for (const s of ordered) if (covers(s, m, pkgPurl, source)) decisive = s;
    if (decisive && (decisive.status === 'not_affected' || decisive.status === 'fixed')) {
      ignored.push({ ...m, appliedIgnoreRules: [vexRule(decisive, m)] });
    } else kept.push(m);
  }
  return { matches: kept, ignored };
}
