/**
 * Package URL building (https://github.com/package-url/purl-spec). Components are percent-encoded
 * except RFC 3986 unreserved characters and `:` (so `+` becomes `%2B`, an npm scope `%40scope`).
 * Qualifiers keep the order given: cataloguers pass syft's order (`arch`, `epoch`, `upstream`, then
 * `distro` last), which is what Kubescape's stored SBOMs carry. Empty qualifier values are dropped.
 */
import type { Distro } from '../model.ts';

export function encodePurlComponent(part: string): string {
  return encodeURIComponent(part)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%3A/gi, ':');
}

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: [string, string | undefined][];
  subpath?: string;
}

export function formatPurl(p: PurlParts): string {
  let out = `pkg:${p.type}/`;
  if (p.namespace) {
    out += `${p.namespace
      .split('/')
      .filter((s) => s !== '')
      .map(encodePurlComponent)
      .join('/')}/`;
  }
  out += encodePurlComponent(p.name);
  if (p.version) out += `@${encodePurlComponent(p.version)}`;
  const qualifiers = (p.qualifiers ?? []).filter((q): q is [string, string] => !!q[1]);
  if (qualifiers.length > 0) {
    out += `?${qualifiers.map(([k, v]) => `${k}=${encodePurlComponent(v)}`).join('&')}`;
  }
  if (p.subpath) out += `#${p.subpath.split('/').map(encodePurlComponent).join('/')}`;
  return out;
}

/** syft's `distro` qualifier: `<id>-<versionId>`. */
export function distroQualifier(distro: Distro | undefined): string | undefined {
  if (!distro?.id) return undefined;
  return distro.versionId ? `${distro.id}-${distro.versionId}` : distro.id;
}
