import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { Descriptor, ImageIndex } from './media-types.ts';

/** An OCI platform as used to pick one image out of an index. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const defaultPlatform: Platform = { os: 'linux', architecture: 'amd64' };

// containerd's platforms.Normalize: the names uname and distributions use, mapped to OCI's.
const archAliases: Record<string, Platform['architecture']> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
  i686: '386',
};

/** Normalizes architecture and variant so "aarch64" equals "arm64/v8" and "armhf" equals "arm/v7". */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  const raw = p.architecture.toLowerCase();
  const architecture = archAliases[raw] ?? raw;
  let variant = p.variant?.toLowerCase() || undefined;
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'arm' && variant === undefined) variant = raw === 'armel' ? 'v6' : 'v7';
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** Parses `os/arch[/variant]` (e.g. "linux/arm64/v8"). */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-zA-Z0-9_.-]+$/.test(p))) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `invalid platform "${text}": expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`,
    );
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  const a = normalizePlatform(candidate);
  const b = normalizePlatform(wanted);
  if (a.os !== b.os || a.architecture !== b.architecture) return false;
  // A request without a variant accepts any variant; one with a variant needs the same.
  return wanted.variant === undefined || a.variant === b.variant;
}

/** Attestation manifests (buildx provenance/SBOM) sit in indexes with platform unknown/unknown. */
function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

/**
 * Picks the manifest for a platform out of an index. Without an explicit request, linux/amd64 is
 * wanted, but an index holding a single image yields that image (as docker pull does on any host).
 */
export function selectPlatformManifest(
  index: ImageIndex,
  wanted: Platform | undefined,
  subject: string,
): Descriptor {
  const candidates = index.manifests.filter((d) => !isAttestation(d));
  const target = wanted ?? defaultPlatform;
  const match = candidates.find((d) => d.platform && platformMatches(d.platform, target));
  if (match) return match;
  if (!wanted && candidates.length === 1) return candidates[0]!;
  const available = candidates.map((d) => formatPlatform(d.platform));
  throw new KubeguardError(
    ErrorCodes.notFound,
    `${subject} has no image for platform ${formatPlatform(target)}; available: ${available.length > 0 ? available.join(', ') : 'none'}`,
    { hint: `choose one with --platform ${available[0] ?? 'os/arch'}` },
  );
}
