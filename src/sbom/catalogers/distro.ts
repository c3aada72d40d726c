/**
 * Linux distribution of the scanned root: os-release first (`/etc/os-release`, then
 * `/usr/lib/os-release`, which the former usually links to), then the older release files
 * (`/etc/alpine-release`, `/etc/debian_version`, `/etc/redhat-release` and friends), as syft's
 * linux.IdentifyRelease does. The result feeds OS package URLs (`distro=debian-12`) and matching.
 */
import type { Distro, ParseIssue } from '../model.ts';
import type { FileInfo, FileResolver } from '../resolver.ts';
import { errorMessage } from './package.ts';

const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];
const RELEASE_FILES = [
  '/etc/alpine-release',
  '/etc/debian_version',
  '/etc/redhat-release',
  '/etc/centos-release',
  '/etc/system-release',
];
const WANTED = new Set([...OS_RELEASE, ...RELEASE_FILES]);

export const DISTRO_ID = 'linux-release';

/** Cheap `wants` for the release files (a few small files at fixed paths). */
export function distroWants(path: string, info: Pick<FileInfo, 'type' | 'size'>): boolean {
  return WANTED.has(path) && (info.type === 'file' || info.type === 'hardlink') && info.size < 64 * 1024;
}

function unquote(raw: string): string {
  const v = raw.trim();
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) {
    return v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  }
  if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) return v.slice(1, -1);
  return v;
}

/** os-release(5): `KEY=value` lines, shell-style quoting, `#` comments. */
export function parseOsRelease(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of content.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) continue;
    const key = t.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    out[key] = unquote(t.slice(eq + 1));
  }
  return out;
}

export function distroFromOsRelease(fields: Record<string, string>): Distro | undefined {
  const id = fields.ID?.toLowerCase();
  if (!id) return undefined;
  const distro: Distro = { id, versionId: fields.VERSION_ID ?? '' };
  const idLike = fields.ID_LIKE?.split(/\s+/).filter(Boolean);
  if (idLike?.length) distro.idLike = idLike.map((s) => s.toLowerCase());
  if (fields.PRETTY_NAME) distro.prettyName = fields.PRETTY_NAME;
  if (fields.VERSION_CODENAME) distro.versionCodename = fields.VERSION_CODENAME;
  return distro;
}

const REDHAT_NAMES: [RegExp, string, string[]?][] = [
  [/^red hat enterprise linux/i, 'rhel', ['fedora']],
  [/^centos/i, 'centos', ['rhel', 'fedora']],
  [/^fedora/i, 'fedora'],
  [/^rocky/i, 'rocky', ['rhel', 'centos', 'fedora']],
  [/^almalinux/i, 'almalinux', ['rhel', 'centos', 'fedora']],
  [/^oracle linux/i, 'ol', ['fedora']],
  [/^amazon linux/i, 'amzn', ['centos', 'rhel', 'fedora']],
];

/** `Red Hat Enterprise Linux release 9.3 (Plow)`, `CentOS Linux release 7.9.2009 (Core)`, ... */
export function distroFromRedhatRelease(content: string): Distro | undefined {
  const line = content.split('\n')[0]?.trim() ?? '';
  const m = /^(.*?)\s+release\s+(\d[\w.]*)/i.exec(line);
  if (!m) return undefined;
  const name = m[1] as string;
  let version = m[2] as string;
  const known = REDHAT_NAMES.find(([re]) => re.test(name));
  const id = known?.[1] ?? name.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!id) return undefined;
  // CentOS's os-release says VERSION_ID="7" where this file says 7.9.2009.
  if (id === 'centos') version = version.split('.')[0] as string;
  const distro: Distro = { id, versionId: version, prettyName: line };
  if (known?.[2]) distro.idLike = known[2];
  return distro;
}

export function distroFromDebianVersion(content: string): Distro | undefined {
  const v = content.trim();
  if (!v) return undefined;
  const numeric = /^(\d+)(?:\.\d+)*$/.exec(v);
  if (numeric) return { id: 'debian', versionId: numeric[1] as string };
  // Testing and unstable write `trixie/sid`.
  const codename = /^([a-z]+)\//.exec(v)?.[1];
  return codename
    ? { id: 'debian', versionId: '', versionCodename: codename }
    : { id: 'debian', versionId: '' };
}

export function distroFromAlpineRelease(content: string): Distro | undefined {
  const v = content.trim().split(/\s+/)[0];
  if (!v) return undefined;
  const minor = /^(\d+\.\d+)/.exec(v)?.[1];
  return { id: 'alpine', versionId: v, prettyName: minor ? `Alpine Linux v${minor}` : 'Alpine Linux' };
}

export interface DistroDetection {
  distro?: Distro;
  /** The file the distribution was read from. */
  source?: string;
  issues: ParseIssue[];
}

/** Reads the release files in syft's order; an unreadable or empty file is an issue, not an error. */
export async function detectDistro(resolver: FileResolver): Promise<DistroDetection> {
  const issues: ParseIssue[] = [];
  const read = async (p: string): Promise<{ text: string; file: FileInfo } | undefined> => {
    const file = resolver.byPath(p);
    if (!file || (file.type !== 'file' && file.type !== 'hardlink')) return undefined;
    try {
      return { text: (await resolver.read(file)).toString('utf8'), file };
    } catch (err) {
      const issue: ParseIssue = {
        cataloguer: DISTRO_ID,
        path: p,
        reason: `cannot read: ${errorMessage(err)}`,
      };
      if (file.layerID) issue.layer = file.layerID;
      issues.push(issue);
      return undefined;
    }
  };
  const parsers: [string, (text: string) => Distro | undefined][] = [
    ...OS_RELEASE.map((p): [string, (t: string) => Distro | undefined] => [
      p,
      (t) => distroFromOsRelease(parseOsRelease(t)),
    ]),
    ['/etc/alpine-release', distroFromAlpineRelease],
    ['/etc/debian_version', distroFromDebianVersion],
    ['/etc/redhat-release', distroFromRedhatRelease],
    ['/etc/centos-release', distroFromRedhatRelease],
    ['/etc/system-release', distroFromRedhatRelease],
  ];
  for (const [p, parse] of parsers) {
    const found = await read(p);
    if (!found) continue;
    const distro = parse(found.text);
    if (distro) return { distro, source: found.file.path, issues };
    const issue: ParseIssue = {
      cataloguer: DISTRO_ID,
      path: p,
      reason: 'no distribution identified in file',
    };
    if (found.file.layerID) issue.layer = found.file.layerID;
    issues.push(issue);
  }
  return { issues };
}
