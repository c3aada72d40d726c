import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { scan, toStoredScanResults } from '../../posture/index.ts';
import type { K8sObject } from '../../posture/index.ts';
import type { KindRef, KubeObjectLike, MergeFn } from '../shared/kube-objects.ts';
import { ScanResultWriter, SCAN_KIND, SUMMARY_KIND } from './result-writer.ts';
import type { PostureStorage } from './storage-client.ts';

const deployment = (name: string, privileged: boolean): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    template: { spec: { containers: [{ name: 'main', image: 'nginx', securityContext: { privileged } }] } },
  },
});

/** An in-memory storage with the create / conflict / replace semantics of the API server. */
class MemoryStorage implements PostureStorage {
  readonly objects = new Map<string, KubeObjectLike>();
  readonly calls: string[] = [];
  private version = 0;
  private key(kind: KindRef, namespace = '', name = '') {
    return `${kind.plural}/${namespace}/${name}`;
  }
  async upsert<T extends KubeObjectLike>(kind: KindRef, object: T, merge?: MergeFn<T>): Promise<T> {
    this.calls.push(`upsert ${kind.plural}`);
    const key = this.key(kind, object.metadata.namespace, object.metadata.name);
    const existing = this.objects.get(key) as T | undefined;
    const body = existing && merge ? merge(existing, object) : object;
    const stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    this.objects.set(key, stored);
    return stored;
  }
  async replace<T extends KubeObjectLike>(kind: KindRef, object: T): Promise<T> {
    this.calls.push(`replace ${kind.plural}`);
    const key = this.key(kind, object.metadata.namespace, object.metadata.name);
    const existing = this.objects.get(key);
    if (!existing) throw new ApiException(404, 'not found', {}, {});
    if (existing.metadata.resourceVersion !== object.metadata.resourceVersion) {
      throw new ApiException(409, 'conflict', {}, {});
    }
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } };
    this.objects.set(key, stored);
    return stored;
  }
  async list<T extends KubeObjectLike>(kind: KindRef): Promise<T[]> {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(`${kind.plural}/`))
      .map(([, o]) => ({ metadata: o.metadata }) as T);
  }
  async delete(kind: KindRef, namespace: string, name: string): Promise<boolean> {
    return this.objects.delete(this.key(kind, namespace, name));
  }
}

const results = (privileged: boolean) =>
  toStoredScanResults(
    scan({ objects: [{ object: deployment('web', privileged) }], target: 'cluster', controls: ['C-0057'] }),
    {
      clusterName: 'dev',
      operatorNamespace: 'kubescape',
    },
  );

describe('ScanResultWriter', () => {
  it('creates, then replaces known objects with one request each, keeping their labels', async () => {
    const storage = new MemoryStorage();
    const writer = new ScanResultWriter(storage);
    await writer.write(results(true), 'scan-1');
    assert.deepEqual(storage.calls, [`upsert ${SCAN_KIND.plural}`, `upsert ${SUMMARY_KIND.plural}`]);
    const key = `${SCAN_KIND.plural}/shop/deployment-web`;
    storage.objects.get(key)!.metadata.labels!['team'] = 'shop';
    storage.calls.length = 0;
    const report = await writer.write(results(false), 'scan-2', undefined, await writer.known());
    assert.deepEqual(report, { written: 1, failed: [] });
    assert.deepEqual(storage.calls, [`replace ${SCAN_KIND.plural}`, `replace ${SUMMARY_KIND.plural}`]);
    const stored = storage.objects.get(key) as KubeObjectLike & {
      spec: { controls: Record<string, { status: { status: string } }> };
    };
    assert.equal(stored.metadata.labels?.['team'], 'shop');
    assert.equal(stored.metadata.annotations?.['kubescape.io/scan-id'], 'scan-2');
    assert.equal(stored.spec.controls['C-0057']?.status.status, 'passed');
    const summary = storage.objects.get(`${SUMMARY_KIND.plural}/shop/deployment-web`) as KubeObjectLike & {
      spec: { severities: { high: number } };
    };
    assert.equal(summary.spec.severities.high, 0);
  });

  it('falls back to create-or-merge when an object changed since the listing', async () => {
    const storage = new MemoryStorage();
    const writer = new ScanResultWriter(storage);
    await writer.write(results(true), 'scan-1');
    const known = await writer.known();
    await writer.write(results(true), 'scan-2'); // someone else wrote in between
    storage.calls.length = 0;
    await writer.write(results(false), 'scan-3', undefined, known);
    assert.deepEqual(storage.calls, [
      `replace ${SCAN_KIND.plural}`,
      `upsert ${SCAN_KIND.plural}`,
      `replace ${SUMMARY_KIND.plural}`,
      `upsert ${SUMMARY_KIND.plural}`,
    ]);
  });

  it('writes only summaries when asked to', async () => {
    const storage = new MemoryStorage();
    await new ScanResultWriter(storage, { summariesOnly: true }).write(results(true), 'scan-1');
    assert.deepEqual([...storage.objects.keys()], [`${SUMMARY_KIND.plural}/shop/deployment-web`]);
  });
});
