import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VulnerabilityManifest } from '../../api/index.ts';
import { digestOf, imageSlug, labelValue, normaliseImageId, normaliseTag, scanIdOf } from './image-ref.ts';
import { apiOfKind, severityCounts, summaryName } from './objects.ts';

const HEX = '0123456789abcdef'.repeat(4);

describe('kubevuln naming', () => {
  it('normalises tags and image IDs the docker way', () => {
    assert.equal(normaliseTag('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normaliseTag('quay.io/org/app:1.2'), 'quay.io/org/app:1.2');
    const tag = normaliseTag('nginx:1.25');
    assert.equal(
      normaliseImageId(`docker-pullable://nginx@sha256:${HEX}`, tag),
      `docker.io/library/nginx@sha256:${HEX}`,
    );
    assert.equal(normaliseImageId(`sha256:${HEX}`, tag), `docker.io/library/nginx@sha256:${HEX}`);
    assert.equal(normaliseImageId(HEX, tag), `docker.io/library/nginx@sha256:${HEX}`);
    assert.equal(normaliseImageId('', tag), tag);
    assert.equal(digestOf(`docker.io/library/nginx@sha256:${HEX}`), `sha256:${HEX}`);
    assert.equal(digestOf('docker.io/library/nginx@sha256:garbled'), undefined);
  });

  it('names images by slug (storage-api §3.1 example)', () => {
    assert.equal(
      imageSlug('docker.io/library/nginx:1.14.0', 'sha256:0f5e3a4b5d172635'),
      'docker.io-library-nginx-1.14.0-172635',
    );
  });

  it('names summaries <kind>-<name>-<container> from the WLID, lowercased', () => {
    assert.equal(
      summaryName('wlid://cluster-c/namespace-shop/deployment-Cart', 'Main'),
      'deployment-cart-main',
    );
    assert.equal(summaryName('wlid://cluster-c/namespace-shop/statefulset-db', 'pg'), 'statefulset-db-pg');
    assert.deepEqual(apiOfKind('StatefulSet'), { group: 'apps', version: 'v1' });
    assert.deepEqual(apiOfKind('CronJob'), { group: 'batch', version: 'v1' });
    assert.deepEqual(apiOfKind('Pod'), { group: '', version: 'v1' });
  });

  it('sanitises label values to 63 characters of [a-z0-9-], dropping what cannot be valid', () => {
    assert.equal(labelValue('docker.io/library/nginx:1.25'), 'docker-io-library-nginx-1-25');
    assert.equal(labelValue(`docker.io/library/nginx@sha256:${HEX}`)?.length, 63);
    assert.equal(labelValue('///'), undefined);
  });

  it('derives scan IDs from a valid instance ID, else from the image', () => {
    const instance = 'apiVersion-apps/v1/namespace-d/kind-ReplicaSet/name-x-1/containerName-c';
    assert.equal(scanIdOf(instance, 't', 'h', 'v0.1.0'), `${instance}-v0-1-0`.replaceAll('.', '-'));
    assert.match(scanIdOf('', 'docker.io/library/nginx:1', 'sha256:1', 'v1'), /^[0-9a-f]{64}$/);
  });

  it('counts matches per exact-case severity', () => {
    const match = (severity: string) => ({ vulnerability: { severity } });
    const payload = {
      matches: [match('High'), match('High'), match('Critical'), match('high'), match('Negligible')],
    };
    const counts = severityCounts(payload as unknown as VulnerabilityManifest['spec']['payload']);
    assert.deepEqual(counts, {
      critical: { all: 1 },
      high: { all: 2 },
      medium: { all: 0 },
      low: { all: 0 },
      negligible: { all: 1 },
      unknown: { all: 0 },
    });
  });
});
