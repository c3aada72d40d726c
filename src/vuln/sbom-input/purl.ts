/**
 * Package URLs (https://github.com/package-url/purl-spec, "How to parse a purl string"):
 * `pkg:type/namespace/name@version?qualifiers#subpath`, each part percent-decoded. Parsing goes
 * from the right as the spec says, so `@` inside an encoded npm scope (`%40angular`) is harmless.
 */
import { ErrorCodes, KubeguardError } from '../../common/index.ts';

export interface Purl {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
  subpath?: string;
}

function invalid(purl: string, reason: string): KubeguardError {
  return new KubeguardError(ErrorCodes.invalidInput, `invalid package URL "${purl}": ${reason}`);
}

function decode(purl: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(purl, `bad percent-encoding in "${part}"`);
  }
}

/** Type-specific normalisation the spec requires (case folding and PyPI's `_` -> `-`). */
function normalize(p: Purl): Purl {
  switch (p.type) {
    case 'pypi':
      return { ...p, name: p.name.toLowerCase().replace(/_/g, '-') };
    case 'bitbucket':
    case 'github':
    case 'composer':
    case 'deb':
    case 'hex':
      return { ...p, namespace: p.namespace?.toLowerCase(), name: p.name.toLowerCase() };
    default:
      return p;
  }
}

export function parsePurl(purl: string): Purl {
  let rest = purl.trim();
  if (!/^pkg:/i.test(rest)) throw invalid(purl, 'does not start with "pkg:"');
  rest = rest.slice(4).replace(/^\/+/, '');

  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    const segments = rest
      .slice(hash + 1)
      .split('/')
      .filter((s) => s !== '' && s !== '.' && s !== '..')
      .map((s) => decode(purl, s));
    subpath = segments.length > 0 ? segments.join('/') : undefined;
    rest = rest.slice(0, hash);
  }

  const qualifiers: Record<string, string> = {};
  const question = rest.indexOf('?');
  if (question >= 0) {
    for (const pair of rest.slice(question + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw invalid(purl, `qualifier "${pair}" has no key=value`);
      const key = pair.slice(0, eq).toLowerCase();
      if (!/^[a-z0-9._-]+$/.test(key)) throw invalid(purl, `bad qualifier key "${key}"`);
      const value = decode(purl, pair.slice(eq + 1));
      if (value !== '') qualifiers[key] = value;
    }
    rest = rest.slice(0, question);
  }

  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    version = decode(purl, rest.slice(at + 1)) || undefined;
    rest = rest.slice(0, at);
  }

  const slash = rest.indexOf('/');
  if (slash <= 0) throw invalid(purl, 'no type or no name');
  const type = rest.slice(0, slash).toLowerCase();
  if (!/^[a-z.+-][a-z0-9.+-]*$/.test(type)) throw invalid(purl, `bad type "${type}"`);
  const segments = rest
    .slice(slash + 1)
    .replace(/\/+$/, '')
    .split('/')
    .filter((s) => s !== '');
  const rawName = segments.pop();
  if (rawName === undefined) throw invalid(purl, 'no name');
  const name = decode(purl, rawName);
  const namespace = segments.length > 0 ? segments.map((s) => decode(purl, s)).join('/') : undefined;
  return normalize({ type, namespace, name, version, qualifiers, subpath });
}

/** Percent-encode everything but unreserved characters (and `:` which purls keep readable). */
function encode(part: string): string {
  return encodeURIComponent(part).replace(/%3A/gi, ':');
}

/** Canonical form: qualifiers sorted by key, empty values dropped. */
export function formatPurl(p: Purl): string {
  let out = `pkg:${p.type}/`;
  if (p.namespace) out += `${p.namespace.split('/').map(encode).join('/')}/`;
  out += encode(p.name);
  if (p.version) out += `@${encode(p.version)}`;
  const keys = Object.keys(p.qualifiers)
    .filter((k) => p.qualifiers[k] !== '')
    .sort();
  if (keys.length > 0) out += `?${keys.map((k) => `${k}=${encode(p.qualifiers[k] as string)}`).join('&')}`;
  if (p.subpath) out += `#${p.subpath.split('/').map(encode).join('/')}`;
  return out;
}

/** Same package and version, qualifiers and subpath ignored; a purl without version matches all versions. */
export function purlMatches(pattern: Purl, candidate: Purl): boolean {
  return (
    pattern.type === candidate.type &&
    (pattern.namespace ?? '') === (candidate.namespace ?? '') &&
    pattern.name === candidate.name &&
    (pattern.version === undefined || pattern.version === candidate.version)
  );
}

export function tryParsePurl(purl: string | undefined): Purl | undefined {
  if (!purl) return undefined;
  try {
    return parsePurl(purl);
  } catch {
    return undefined;
  }
}
