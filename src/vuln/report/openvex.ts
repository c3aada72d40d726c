/**
 * OpenVEX v0.2.0 output: one statement per match (`affected`, with an upgrade action when a fix is
 * known) and per ignored match (the VEX status it was ignored with, else `not_affected` with the
 * ignore rule as impact statement, since OpenVEX requires a justification or impact statement).
 * Products: the package purl, under the scanned image (`pkg:oci/...`) when the image digest is known.
 */
import { createHash } from 'node:crypto';
import type { GrypeDocument, IgnoredMatch, Match } from './types.ts';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

function packageId(m: Match): string {
  if (m.artifact.purl) return m.artifact.purl;
  return `pkg:generic/${encodeURIComponent(m.artifact.name)}@${encodeURIComponent(m.artifact.version)}`;
}

/** `pkg:oci/<name>@<digest>?repository_url=<registry/repo>` for an image source with a digest. */
export function imagePurl(doc: GrypeDocument): string | undefined {
  if (doc.source?.type !== 'image') return undefined;
  const t = doc.source.target as { userInput?: string; manifestDigest?: string } | undefined;
  if (!t?.userInput || !t.manifestDigest) return undefined;
  const repo = t.userInput.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const name = repo.split('/').pop() ?? repo;
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(t.manifestDigest)}?repository_url=${encodeURIComponent(repo)}`;
}

function products(m: Match, image: string | undefined): Record<string, unknown>[] {
  const pkg = packageId(m);
  return image ? [{ '@id': image, subcomponents: [{ '@id': pkg }] }] : [{ '@id': pkg }];
}

function vulnerability(m: Match): Record<string, unknown> {
  const v: Record<string, unknown> = { '@id': m.vulnerability.dataSource, name: m.vulnerability.id };
  if (m.vulnerability.description) v.description = m.vulnerability.description;
  const aliases = m.relatedVulnerabilities.map((r) => r.id);
  if (aliases.length > 0) v.aliases = aliases;
  return v;
}

function affected(m: Match, image: string | undefined): Record<string, unknown> {
  const fix = m.vulnerability.fix;
  const action =
    fix.state === 'fixed'
      ? `Upgrade ${packageId(m)} to version ${fix.versions.join(' or ')}`
      : fix.state === 'wont-fix'
        ? 'The distribution will not fix this vulnerability; assess the risk or replace the package'
        : 'No fix is available yet; monitor the advisory and mitigate';
  return {
    vulnerability: vulnerability(m),
    products: products(m, image),
    status: 'affected',
    action_statement: action,
  };
}

function suppressed(m: IgnoredMatch, image: string | undefined): Record<string, unknown> {
  const vex = m.appliedIgnoreRules.find((r) => r['vex-status']);
  const s: Record<string, unknown> = { vulnerability: vulnerability(m), products: products(m, image) };
  if (vex) {
    s.status = vex['vex-status'];
    if (vex['vex-justification']) s.justification = vex['vex-justification'];
    if (s.status === 'not_affected') s.impact_statement = vex.reason ?? 'stated by an OpenVEX document';
    return s;
  }
  s.status = 'not_affected';
  s.impact_statement = `Ignored by rule: ${m.appliedIgnoreRules.map((r) => r.reason ?? JSON.stringify(r)).join('; ')}`;
  return s;
}

export function renderOpenVex(
  doc: GrypeDocument,
  options: { now?: Date; author?: string } = {},
): Record<string, unknown> {
  const image = imagePurl(doc);
  const statements = [
    ...doc.matches.map((m) => affected(m, image)),
    ...(doc.ignoredMatches ?? []).map((m) => suppressed(m, image)),
  ];
  const timestamp = (options.now ?? new Date()).toISOString();
  const id = createHash('sha256').update(JSON.stringify(statements)).digest('hex');
  return {
    '@context': OPENVEX_CONTEXT,
    '@id': `https://openvex.dev/docs/public/vex-${id}`,
    author: options.author ?? doc.descriptor.name,
    timestamp,
    version: 1,
    tooling: `${doc.descriptor.name} ${doc.descriptor.version}`,
    statements,
  };
}
