import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { catalogers, distroWants } from './catalogers/index.ts';
import { MemoryResolver } from './catalogers/testkit.ts';
import { packageIdOf } from './formats/index.ts';
import type { SbomProgress } from './generate.ts';
import { catalogueSource, mergeFindings, selectCataloguers } from './generate.ts';
import type { Package } from './model.ts';
import type { Cataloguer } from './resolver.ts';

const LAYER = `sha256:${'1'.repeat(64)}`;
const debian12 = fs.readFileSync(
  path.join(import.meta.dirname, 'catalogers', 'testdata', 'dpkg', 'debian-12.txtar'),
  'utf8',
);
const ids = (list: Cataloguer[]) => list.map((c) => c.id);

/** The Debian fixture plus an npm package installed where a deb package says it owns the file. */
function resolverFor(selected: Cataloguer[]): MemoryResolver {
  const r = MemoryResolver.fromTxtar(debian12, { layerID: LAYER });
  r.addFile(
    '/usr/share/nodejs/left-pad/package.json',
    JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
    { layerID: LAYER },
  );
  // Claimed by the zlib1g package below, as Debian's node-* packages own their package.json.
  r.addFile(
    '/var/lib/dpkg/info/zlib1g:amd64.list',
    '/lib/x86_64-linux-gnu/libz.so.1.2.13\n/usr/share/nodejs/left-pad/package.json\n',
    { layerID: LAYER },
  );
  return r.collectOnly((p, info) => distroWants(p, info) || selected.some((c) => c.wants(p, info)));
}

describe('selectCataloguers', () => {
  it('runs the image cataloguers by default: no lock files in images', () => {
    const image = ids(selectCataloguers(undefined, 'image'));
    assert.ok(image.includes('dpkg-db-cataloger'));
    assert.ok(image.includes('javascript-package-cataloger'));
    assert.ok(!image.includes('javascript-lock-cataloger'));
    assert.ok(ids(selectCataloguers([], 'directory')).includes('javascript-lock-cataloger'));
  });

  it('selects by tag or name, adds with +, removes with -', () => {
    assert.deepEqual(ids(selectCataloguers(['os'])), [
      'dpkg-db-cataloger',
      'apk-db-cataloger',
      'rpm-db-cataloger',
    ]);
    assert.deepEqual(ids(selectCataloguers(['dpkg,rpm-db'])), ['dpkg-db-cataloger', 'rpm-db-cataloger']);
    assert.deepEqual(ids(selectCataloguers(['os', '-apk'])), ['dpkg-db-cataloger', 'rpm-db-cataloger']);
    const plus = ids(selectCataloguers(['+javascript-lock-cataloger']));
    assert.equal(plus.length, catalogers.filter((e) => e.tags.includes('image')).length + 1);
    assert.ok(!ids(selectCataloguers(['-python'])).includes('python-installed-package-cataloger'));
  });

  it('names the cataloguers and tags there are when a name is unknown', () => {
    assert.throws(
      () => selectCataloguers(['dpgk']),
      (err: Error & { hint?: string }) =>
        /no cataloguer or tag is named "dpgk"/.test(err.message) && /dpkg-db/.test(err.hint ?? ''),
    );
  });
});

describe('catalogueSource', () => {
  const selected = selectCataloguers(['dpkg', 'javascript-package-cataloger']);

  it('merges cataloguers into one document: distro, stable ids, owned files, evidence', async () => {
    const events: SbomProgress[] = [];
    const doc = await catalogueSource(
      {
        source: { type: 'image', name: 'fixture' },
        resolver: resolverFor(selected),
        layers: [{ diffID: LAYER }],
      },
      selected,
      { onProgress: (e) => events.push(e) },
    );
    assert.equal(doc.status, 'ready');
    assert.deepEqual(doc.distro, {
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionCodename: 'bookworm',
    });
    assert.equal(doc.osRelease?.HOME_URL, 'https://www.debian.org/');
    assert.deepEqual(
      doc.packages.map((p) => `${p.type}:${p.name}@${p.version}`),
      ['deb:bash@5.2.15-2+b8', 'deb:zlib1g@1:1.2.13.dfsg-1', 'npm:left-pad@1.3.0'],
    );
    for (const p of doc.packages)
      assert.equal(p.id, packageIdOf(p), `${p.name}: id from type, name, version, location`);

    const zlib = doc.packages.find((p) => p.name === 'zlib1g')!;
    const filesById = new Map(doc.files.map((f) => [f.id, f]));
    const owned = doc.relationships
      .filter((r) => r.parent === zlib.id && r.type === 'contains')
      .map((r) => filesById.get(r.child));
    assert.deepEqual(owned.map((f) => f?.path).sort(), [...(zlib.files ?? [])].sort());
    assert.ok(owned.length > 0);
    assert.ok(owned.every((f) => f?.layerID === LAYER || f?.layerID === undefined));
    const evidence = doc.relationships.find((r) => r.parent === zlib.id && r.type === 'evident-by');
    assert.equal(filesById.get(evidence!.child)?.path, '/var/lib/dpkg/status');

    const leftPad = doc.packages.find((p) => p.name === 'left-pad')!;
    assert.ok(
      doc.relationships.some(
        (r) => r.parent === zlib.id && r.child === leftPad.id && r.type === 'ownership-by-file-overlap',
      ),
      'the deb package that owns the npm package.json owns the npm package',
    );

    assert.deepEqual(
      events.filter((e) => e.phase === 'catalogue').map((e) => (e.phase === 'catalogue' ? e.cataloguer : '')),
      ids(selected),
    );
    assert.deepEqual(events.at(-1), { phase: 'done', packages: 3, status: 'ready' });
    assert.deepEqual(Object.keys(doc.timings.catalogueMs), ids(selected));
  });

  it('is deterministic', async () => {
    const run = () =>
      catalogueSource(
        { source: { type: 'image', name: 'fixture' }, resolver: resolverFor(selected) },
        selected,
      );
    const [a, b] = [await run(), await run()];
    const { timings: _a, ...restA } = a;
    const { timings: _b, ...restB } = b;
    assert.deepEqual(restA, restB);
  });

  it('keeps the reader’s status and issues, and records a cataloguer that throws as an issue', async () => {
    const broken: Cataloguer = {
      id: 'broken-cataloger',
      version: 1,
      wants: () => false,
      catalogue: () => Promise.reject(new Error('boom')),
    };
    const doc = await catalogueSource(
      {
        source: { type: 'image', name: 'fixture' },
        resolver: resolverFor(selected),
        status: 'incomplete',
        statusReason: 'layer-unreadable',
        issues: [{ layer: LAYER, reason: 'truncated gzip' }],
      },
      [...selected, broken],
      {
        onProgress: () => {
          throw new Error('a display bug');
        },
      },
    );
    assert.equal(doc.status, 'incomplete');
    assert.equal(doc.statusReason, 'layer-unreadable');
    assert.deepEqual(doc.issues, [
      { layer: LAYER, reason: 'truncated gzip' },
      { cataloguer: 'broken-cataloger', reason: 'cataloguer failed: boom' },
    ]);
    assert.equal(doc.packages.length, 3, 'the other cataloguers still ran');
  });

  it('gives status too-large (sbom-too-large) over maxSbomBytes, and incomplete when cancelled', async () => {
    const big = await catalogueSource(
      { source: { type: 'image', name: 'fixture' }, resolver: resolverFor(selected) },
      selected,
      { maxSbomBytes: 1000 },
    );
    assert.equal(big.status, 'too-large');
    assert.equal(big.statusReason, 'sbom-too-large');
    assert.equal(big.packages.length, 3, 'the document is still complete');

    const cancelled = await catalogueSource(
      { source: { type: 'image', name: 'fixture' }, resolver: resolverFor(selected) },
      selected,
      { signal: AbortSignal.abort() },
    );
    assert.equal(cancelled.status, 'incomplete');
    assert.equal(cancelled.packages.length, 0);
  });
});

describe('mergeFindings', () => {
  it('folds the same package from two cataloguers and re-points relationships', () => {
    const p = (id: string, foundBy: string): Package => ({
      id,
      name: 'a',
      version: '1',
      type: 'npm',
      foundBy,
      locations: [{ path: '/app/node_modules/a/package.json' }],
    });
    const q: Package = {
      ...p('q0', 'x'),
      name: 'b',
      locations: [{ path: '/app/node_modules/b/package.json' }],
    };
    const merged = mergeFindings(
      [p('x1', 'x'), p('y1', 'y'), q],
      [
        { parent: 'y1', child: 'q0', type: 'dependency-of' },
        { parent: 'x1', child: 'q0', type: 'dependency-of' },
      ],
      { byPath: () => undefined },
    );
    assert.equal(merged.packages.length, 2);
    const a = merged.packages.find((x) => x.name === 'a')!;
    assert.equal(a.foundBy, 'x', 'the first finding wins');
    assert.deepEqual(
      merged.relationships.filter((r) => r.type === 'dependency-of'),
      [{ parent: a.id, child: packageIdOf(q), type: 'dependency-of' }],
    );
  });
});
