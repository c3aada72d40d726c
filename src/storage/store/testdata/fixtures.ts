import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../../api/index.ts';

export const RESOURCE = 'vulnerabilitymanifests';

/** A small VulnerabilityManifest-like object; `spec.generation` lets tests tell versions apart. */
export function manifest(
  name: string,
  options: { namespace?: string; labels?: Record<string, string>; generation?: number } = {},
): KubeObject {
  const metadata: KubeObject['metadata'] = {
    name,
    namespace: options.namespace ?? 'kubescape',
    uid: `uid-${name}`,
  };
  if (options.labels) metadata.labels = options.labels;
  return {
    apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
    kind: 'VulnerabilityManifest',
    metadata,
    spec: {
      generation: options.generation ?? 1,
      payload: { matches: [{ vulnerability: { id: `CVE-2024-${name.length}` }, artifact: { name } }] },
    },
  };
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-store-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** One step of the crash-test writer. */
export interface CrashOp {
  index: number;
  kind: 'create' | 'update' | 'delete';
  name: string;
  generation: number;
}

/** The writer's deterministic sequence: creates, updates of recent objects, some deletes. */
export function* crashOps(): Generator<CrashOp> {
  let index = 0;
  for (let i = 0; ; i++) {
    yield { index: index++, kind: 'create', name: `o${i}`, generation: 1 };
    if (i % 3 === 2) yield { index: index++, kind: 'update', name: `o${i - 1}`, generation: 2 };
    if (i % 10 === 9) yield { index: index++, kind: 'delete', name: `o${i - 9}`, generation: 0 };
  }
}

/** The object a crash op writes: payload sizes vary from 1 KB to 64 KB so commits span many pages. */
export function crashObject(op: CrashOp): KubeObject {
  const object = manifest(op.name, { generation: op.generation, labels: { gen: String(op.generation) } });
  const size = 1024 + ((Number(op.name.slice(1)) * 7919 + op.generation * 104729) % (63 * 1024));
  object.spec = {
    ...(object.spec as object),
    blob: op.name.repeat(Math.ceil(size / op.name.length)).slice(0, size),
  };
  return object;
}
