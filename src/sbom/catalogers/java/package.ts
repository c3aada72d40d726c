/** The one place a Maven/Java package, its purl and CPEs are built (syft's java/package.go). */
import type { PackageLocation } from '../../model.ts';
import { generateCpes } from '../cpe.ts';
import type { NewPackage } from '../package.ts';
import { formatPurl } from '../purl.ts';

export function mavenPurl(groupId: string | undefined, artifactId: string, version: string): string {
  return formatPurl({
    type: 'maven',
    namespace: groupId || artifactId,
    name: artifactId,
    version: version || undefined,
  });
}

const GROUP_PREFIXES = new Set([
  'org',
  'com',
  'io',
  'net',
  'de',
  'edu',
  'gov',
  'uk',
  'dev',
  'me',
  'info',
  'jakarta',
  'javax',
]);

/** `org.apache.commons` -> `apache`; `com.fasterxml.jackson.core` -> `fasterxml`. */
function vendorsFromGroup(groupId: string | undefined): string[] {
  if (!groupId) return [];
  const parts = groupId.split('.').filter(Boolean);
  const first = parts.find((p) => !GROUP_PREFIXES.has(p));
  return first ? [first] : [];
}

export function newJavaPackage(p: {
  name: string;
  version: string;
  groupId?: string;
  licenses: string[];
  location: PackageLocation;
  metadata: Record<string, unknown>;
}): NewPackage {
  return {
    name: p.name,
    version: p.version,
    type: 'java-archive',
    language: 'java',
    purl: mavenPurl(p.groupId, p.name, p.version),
    cpes: generateCpes({ name: p.name, version: p.version, vendors: vendorsFromGroup(p.groupId), max: 8 }),
    licenses: p.licenses,
    locations: [p.location],
    metadataType: 'java-archive',
    metadata: p.metadata,
  };
}
