import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import type { Descriptor, ImageIndex } from './media-types.ts';
import { normalizePlatform, parsePlatform, platformMatches, selectPlatformManifest } from './platform.ts';

const d = (
  os: string,
  architecture: string,
  variant?: string,
  annotations?: Record<string, string>,
): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${`${os}${architecture}${variant ?? ''}`.padEnd(64, '0').slice(0, 64)}`,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
  ...(annotations ? { annotations } : {}),
});
const index = (...manifests: Descriptor[]): ImageIndex => ({ schemaVersion: 2, manifests });

describe('platforms', () => {
  it('parses os/arch[/variant] and rejects anything else', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
    for (const bad of ['linux', 'linux/', 'a/b/c/d', 'linux/am d64'])
      assert.throws(() => parsePlatform(bad), /invalid platform/);
  });

  it('normalizes aliases and default variants', () => {
    assert.deepEqual(normalizePlatform({ os: 'Linux', architecture: 'x86_64' }), {
      os: 'linux',
      architecture: 'amd64',
    });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'aarch64' }), {
      os: 'linux',
      architecture: 'arm64',
    });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'armhf' }), {
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
    assert.ok(
      platformMatches(
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
        { os: 'linux', architecture: 'arm64' },
      ),
    );
    assert.ok(
      platformMatches(
        { os: 'linux', architecture: 'arm64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ),
    );
    assert.ok(
      !platformMatches(
        { os: 'linux', architecture: 'arm', variant: 'v6' },
        { os: 'linux', architecture: 'arm', variant: 'v7' },
      ),
    );
  });

  it('selects from an index: linux/amd64 by default, a clear error listing what there is', () => {
    const idx = index(
      d('linux', 'arm64', 'v8'),
      d('linux', 'amd64'),
      d('unknown', 'unknown', undefined, { 'vnd.docker.reference.type': 'attestation-manifest' }),
    );
    assert.equal(selectPlatformManifest(idx, undefined, 'img').platform?.architecture, 'amd64');
    assert.equal(
      selectPlatformManifest(idx, parsePlatform('linux/arm64'), 'img').platform?.architecture,
      'arm64',
    );
    assert.throws(
      () => selectPlatformManifest(idx, parsePlatform('windows/amd64'), 'img'),
      (err) =>
        isKubeguardError(err, 'KG_ERR_NOT_FOUND') &&
        err.message === 'img has no image for platform windows/amd64; available: linux/arm64/v8, linux/amd64',
    );
    // A single-image index is that image, whatever the platform, unless one was asked for.
    const armOnly = index(d('linux', 'arm64'), d('unknown', 'unknown'));
    assert.equal(selectPlatformManifest(armOnly, undefined, 'img').platform?.architecture, 'arm64');
    assert.throws(
      () => selectPlatformManifest(armOnly, parsePlatform('linux/amd64'), 'img'),
      /available: linux\/arm64/,
    );
  });
});
