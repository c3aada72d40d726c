/** The one place Go module packages, purls and CPEs are built (syft's golang/package.go). */
import type { PackageLocation } from '../../model.ts';
import { escapeCpeComponent, generateCpes } from '../cpe.ts';
import { compact } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { formatPurl } from '../purl.ts';

/** `pkg:golang/github.com/google/uuid@v1.6.0`: all but the last path element is the namespace. */
export function goPurl(modulePath: string, version: string): string {
  const parts = modulePath.split('/').filter(Boolean);
  const name = parts.pop() ?? modulePath;
  return formatPurl({ type: 'golang', namespace: parts.join('/') || undefined, name, version });
}

/** Vendor and product from the module path: `github.com/<vendor>/<product>`, `golang.org/x/<product>`. */
function goVendorProduct(modulePath: string): { vendor?: string; product: string } {
  const parts = modulePath.split('/').filter(Boolean);
  // A major-version suffix (`/v2`) is not part of the product name.
  if (parts.length > 1 && /^v\d+$/.test(parts[parts.length - 1] as string)) parts.pop();
  const host = parts[0] ?? '';
  if (host === 'golang.org' && parts[1] === 'x' && parts[2]) return { vendor: 'golang', product: parts[2] };
  if (/^(github\.com|gitlab\.com|bitbucket\.org)$/.test(host) && parts[1] && parts[2]) {
    return { vendor: parts[1], product: parts[2] };
  }
  return {
    vendor: parts.length > 2 ? parts[parts.length - 2] : undefined,
    product: parts[parts.length - 1] ?? modulePath,
  };
}

export function goCpes(modulePath: string, version: string): string[] {
  const { vendor, product } = goVendorProduct(modulePath);
  return generateCpes({ name: product, version, vendors: vendor ? [vendor] : [], max: 6 });
}

export function newGoModulePackage(
  modulePath: string,
  version: string,
  location: PackageLocation,
  metadataType: string,
  metadata: Record<string, unknown>,
): NewPackage {
  return {
    name: modulePath,
    version,
    type: 'go-module',
    language: 'go',
    purl: goPurl(modulePath, version),
    cpes: goCpes(modulePath, version),
    licenses: [],
    locations: [location],
    metadataType,
    metadata: compact(metadata),
  };
}

/**
 * The toolchain as a package (`stdlib`, version `go1.22.1`), as syft reports it: Go advisories
 * name the standard library that way, and the CPE is golang:go with any rc/beta as the update.
 */
export function newGoStdlibPackage(
  goVersion: string,
  location: PackageLocation,
  metadata: Record<string, unknown>,
): NewPackage {
  const v = goVersion.split(/\s+/)[0] ?? goVersion;
  const bare = v.replace(/^go/, '').split('+')[0] ?? '';
  const m = /^(\d+(?:\.\d+)?(?:\.\d+)?)(\w*)/.exec(bare);
  const cpes = m ? [`cpe:2.3:a:golang:go:${m[1]}:${m[2] ? escapeCpeComponent(m[2]) : '-'}:*:*:*:*:*:*`] : [];
  return {
    name: 'stdlib',
    version: v,
    type: 'go-module',
    language: 'go',
    purl: formatPurl({ type: 'golang', name: 'stdlib', version: bare }),
    cpes,
    licenses: ['BSD-3-Clause'],
    locations: [location],
    metadataType: 'go-module-buildinfo-entry',
    metadata: compact(metadata),
  };
}
