/**
 * dpkg's database (`/var/lib/dpkg/status`, distroless `status.d/<pkg>`): deb822 stanzas separated
 * by blank lines, `Field: value` with continuation lines starting with a space or tab. Field names
 * are case-insensitive (deb-control(5)), so they are kept lowercase.
 */

export type Stanza = Map<string, string>;

export interface StanzaIssue {
  line: number;
  reason: string;
}

/** Splits deb822 text into stanzas; lines that are neither fields nor continuations are reported. */
export function parseStanzas(content: string, issues: StanzaIssue[] = []): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza | undefined;
  let lastKey: string | undefined;
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') {
      if (current && current.size > 0) stanzas.push(current);
      current = undefined;
      lastKey = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current && lastKey !== undefined) current.set(lastKey, `${current.get(lastKey) ?? ''}\n${line}`);
      else issues.push({ line: i + 1, reason: 'continuation line outside a field' });
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      issues.push({ line: i + 1, reason: `not a "Field: value" line: ${JSON.stringify(line.slice(0, 80))}` });
      continue;
    }
    current ??= new Map();
    lastKey = line.slice(0, colon).trim().toLowerCase();
    current.set(lastKey, line.slice(colon + 1).trim());
  }
  if (current && current.size > 0) stanzas.push(current);
  return stanzas;
}

export interface DpkgConffile {
  path: string;
  md5?: string;
}

export interface DpkgEntry {
  package: string;
  version: string;
  architecture: string;
  /** Source package name when the Source field is present (else empty, as syft). */
  source: string;
  /** Source version when the Source field carries one: `Source: bash (5.2.15-2)`. */
  sourceVersion: string;
  maintainer: string;
  installedSize?: number;
  multiArch?: string;
  status?: string;
  provides: string[];
  depends: string[];
  preDepends: string[];
  conffiles: DpkgConffile[];
}

/** `name` or `name (version)` (syft's sourceRegexp). */
export function parseSource(value: string): { name: string; version: string } {
  const m = /^(\S+)(?:\s*\((.*)\))?/.exec(value.trim());
  return { name: m?.[1] ?? '', version: m?.[2]?.trim() ?? '' };
}

function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** The third word of `Status: want flag state`; `installed` is the only state whose files are all there. */
export function isInstalled(status: string | undefined): boolean {
  if (status === undefined) return true; // distroless status.d stanzas may omit Status
  return status.trim().split(/\s+/)[2] === 'installed';
}

export function toDpkgEntry(stanza: Stanza): DpkgEntry {
  const source = parseSource(stanza.get('source') ?? '');
  const size = Number.parseInt(stanza.get('installed-size') ?? '', 10);
  const conffiles: DpkgConffile[] = [];
  for (const line of (stanza.get('conffiles') ?? '').split('\n')) {
    const [p, md5] = line.trim().split(/\s+/);
    if (p?.startsWith('/'))
      conffiles.push(md5 && /^[0-9a-f]{32}$/.test(md5) ? { path: p, md5 } : { path: p });
  }
  const entry: DpkgEntry = {
    package: stanza.get('package') ?? '',
    version: stanza.get('version') ?? '',
    architecture: stanza.get('architecture') ?? '',
    source: source.name,
    sourceVersion: source.version,
    maintainer: stanza.get('maintainer') ?? '',
    provides: splitList(stanza.get('provides')),
    depends: splitList(stanza.get('depends')),
    preDepends: splitList(stanza.get('pre-depends')),
    conffiles,
  };
  if (Number.isFinite(size)) entry.installedSize = size;
  const multiArch = stanza.get('multi-arch');
  if (multiArch) entry.multiArch = multiArch;
  const status = stanza.get('status');
  if (status !== undefined) entry.status = status;
  return entry;
}

/** `md5  relative/path` lines of `info/<pkg>.md5sums` (paths made absolute). */
export function parseMd5sums(content: string): { path: string; md5: string }[] {
  const out: { path: string; md5: string }[] = [];
  for (const line of content.split('\n')) {
    const m = /^([0-9a-fA-F]{32})\s+\*?(.+)$/.exec(line.trim());
    if (!m) continue;
    const p = (m[2] as string).trim();
    out.push({ md5: (m[1] as string).toLowerCase(), path: p.startsWith('/') ? p : `/${p}` });
  }
  return out;
}

/** `info/<pkg>.list`: one absolute path per line, `/.` for the root. */
export function parseFileList(content: string): string[] {
  const out: string[] = [];
  for (const line of content.split('\n')) {
    const p = line.trim();
    if (!p || p === '/.' || p === '/') continue;
    out.push(p.startsWith('/') ? p : `/${p}`);
  }
  return out;
}
