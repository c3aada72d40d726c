import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import zlib from 'node:zlib';
import * as tar from 'tar';
import { MediaTypes } from '../sbom/index.ts';
import { OciLayoutReader, OciLayoutWriter } from './oci-layout.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-oci-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function tree(name: string): string {
  const root = path.join(dir, name);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc', 'os-release'), 'ID=test\n');
  fs.writeFileSync(path.join(root, '.wh.gone'), '');
  return root;
}

describe('OciLayoutWriter', () => {
  it('writes a layer whose diffID is the sha256 of the uncompressed tar, entries rooted at ./', async () => {
    const writer = new OciLayoutWriter(path.join(dir, 'layout'));
    const layer = await writer.addLayerFromDirectory(tree('a'));
    const blob = fs.readFileSync(writer.blobPath(layer.descriptor.digest));
    assert.equal(layer.descriptor.size, blob.length);
    const raw = zlib.gunzipSync(blob);
    assert.equal(layer.diffId, `sha256:${createHash('sha256').update(raw).digest('hex')}`);
    const names: string[] = [];
    const tarFile = path.join(dir, 'layer.tar');
    fs.writeFileSync(tarFile, raw);
    tar.t({ file: tarFile, sync: true, onReadEntry: (e) => names.push(e.path) });
    assert.deepEqual(names.sort(), ['./.wh.gone', './etc/', './etc/os-release']);
  });

  it('is deterministic: the same tree gives the same digests', async () => {
    const one = await new OciLayoutWriter(path.join(dir, 'l1')).addLayerFromDirectory(tree('b'));
    const two = await new OciLayoutWriter(path.join(dir, 'l2')).addLayerFromDirectory(tree('c'));
    assert.equal(one.descriptor.digest, two.descriptor.digest);
  });

  it('names images in index.json and reads verified blobs back', async () => {
    const writer = new OciLayoutWriter(path.join(dir, 'named'));
    const layer = await writer.addLayerFromDirectory(tree('d'));
    const manifest = writer.writeImage([layer], { os: 'linux', architecture: 'amd64' });
    writer.tag(writer.writeIndex([manifest]), 'v1');
    writer.finish();
    const reader = new OciLayoutReader(writer.dir);
    const [ref] = reader.refs();
    assert.equal(ref?.mediaType, MediaTypes.ociIndex);
    assert.equal(ref?.annotations?.['org.opencontainers.image.ref.name'], 'v1');
    const index = JSON.parse(reader.blob(ref!.digest).toString()) as { manifests: { platform: unknown }[] };
    assert.deepEqual(index.manifests[0]?.platform, { os: 'linux', architecture: 'amd64' });
    fs.writeFileSync(writer.blobPath(layer.descriptor.digest), 'tampered');
    assert.throws(() => reader.blob(layer.descriptor.digest), /corrupt/);
  });
});
