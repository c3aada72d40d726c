/**
 * Stand-ins for the registry and the database, for tests of the pipeline and the HTTP contract
 * without a cluster: a puller that serves canned SBOMs by digest and counts pulls, and an in-memory
 * advisory database behind the DbView interface.
 */
import type { GeneratedSbom, Package } from '../../sbom/index.ts';
import { RegistryError, parseReference } from '../../sbom/index.ts';
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { AdvisoryProvider } from '../../vuln/index.ts';
import { memoryProviderFromOsv } from '../../vuln/index.ts';
import type { DbView } from './advisory-db.ts';
import type { ImagePuller, PullLimits, RegistryAccess } from './puller.ts';

/** A Debian image with libc6 (source glibc) that owns /usr/lib/x86_64-linux-gnu/libc.so.6, and bash. */
export function debianSbom(name: string, digest: string): GeneratedSbom {
  const libc: Package = {
    id: 'pkg-libc6',
    name: 'libc6',
    version: '2.36-9+deb12u3',
    type: 'deb',
    purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12',
    locations: [{ path: '/var/lib/dpkg/status', layerID: 'sha256:layer' }],
    upstreams: [{ name: 'glibc' }],
    files: ['/usr/lib/x86_64-linux-gnu/libc.so.6'],
    metadataType: 'dpkg-db-entry',
    metadata: { package: 'libc6', source: 'glibc', version: '2.36-9+deb12u3' },
  };
  const bash: Package = {
    id: 'pkg-bash',
    name: 'bash',
    version: '5.2.15-2+b2',
    type: 'deb',
    purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12',
    locations: [{ path: '/var/lib/dpkg/status', layerID: 'sha256:layer' }],
    files: ['/usr/bin/bash'],
    metadataType: 'dpkg-db-entry',
    metadata: { package: 'bash', version: '5.2.15-2+b2' },
  };
  return {
    source: { type: 'image', name, version: 'latest', digest },
    distro: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
    osRelease: { ID: 'debian', VERSION_ID: '12', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)' },
    packages: [libc, bash],
    relationships: [
      { parent: 'pkg-libc6', child: '/usr/lib/x86_64-linux-gnu/libc.so.6', type: 'contains' },
      { parent: 'pkg-bash', child: '/usr/bin/bash', type: 'contains' },
    ],
    issues: [],
    status: 'ready',
    sourceDetails: { os: 'linux', architecture: 'amd64', manifestDigest: digest },
    files: [],
    timings: { readMs: 0, distroMs: 0, catalogueMs: {}, mergeMs: 0, totalMs: 0 },
  };
}

/** One glibc advisory (fixed in a later version than debianSbom's libc6). */
export const GLIBC_ADVISORY = {
  schema_version: '1.7.0',
  id: 'DEBIAN-CVE-2023-6246',
  modified: '2026-01-01T00:00:00Z',
  upstream: ['CVE-2023-6246'],
  details: 'heap overflow in __vsyslog_internal',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { name: 'glibc', ecosystem: 'Debian:12' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u4' }] }],
    },
  ],
};

export class FakeDb implements DbView {
  ready = true;
  version = 'db-v1';
  built = '2026-01-01T00:00:00Z';
  private readonly db: AdvisoryProvider = memoryProviderFromOsv([GLIBC_ADVISORY]);

  provider(): AdvisoryProvider {
    if (!this.ready) throw new Error('the vulnerability database is not loaded');
    return this.db;
  }

  refresh(): boolean {
    return this.ready;
  }
}

export interface FakeImage {
  digest: string;
  /** Registry answer instead of an image: 401, 429 or 404. */
  fail?: 401 | 429 | 404;
  /** Only these credentials may pull (basic auth). */
  user?: { username: string; password: string };
  status?: 'too-large' | 'incomplete';
}

/** Serves images by `registry/repo:tag`; counts pulls and resolutions; can hold pulls until released. */
export class FakePuller implements ImagePuller {
  pulls: string[] = [];
  resolutions = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  constructor(readonly images: Record<string, FakeImage>) {}

  /** Pulls wait until release() (to test queueing). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  private find(reference: string, access: RegistryAccess): FakeImage {
    const ref = parseReference(reference);
    const key = `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
    const image = this.images[key];
    if (!image || image.fail === 404)
      throw new KubeguardError(ErrorCodes.notFound, `${key}: manifest unknown`);
    const creds = access.credentials(ref.registry);
    const allowed =
      !image.user || (creds?.username === image.user.username && creds.password === image.user.password);
    if (image.fail === 401 || !allowed)
      throw new RegistryError(ErrorCodes.unauthorized, `${key}: authentication required`, { status: 401 });
    if (image.fail === 429)
      throw new RegistryError(ErrorCodes.remote, `${key}: rate-limited (HTTP 429)`, { status: 429 });
    return image;
  }

  async resolveDigest(reference: string, access: RegistryAccess): Promise<string> {
    this.resolutions++;
    return this.find(reference, access).digest;
  }

  async pull(reference: string, access: RegistryAccess, limits: PullLimits): Promise<GeneratedSbom> {
    this.pulls.push(reference);
    if (this.gate) await this.gate;
    const image = this.find(reference, access);
    const ref = parseReference(reference);
    const doc = debianSbom(`${ref.registry}/${ref.repository}`, image.digest);
    if (image.status) {
      doc.status = image.status;
      doc.statusReason = image.status === 'too-large' ? 'image-too-large' : 'timeout';
      doc.issues.push({ reason: `limit ${limits.maxImageSize}` });
    }
    return doc;
  }
}
