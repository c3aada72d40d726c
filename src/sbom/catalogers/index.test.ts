import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Package, ParseIssue } from '../model.ts';
import type { Cataloguer, FileInfo } from '../resolver.ts';
import { detectDistro, distroWants } from './distro.ts';
import { catalogers, catalogersTagged } from './index.ts';
import { MemoryResolver, parseTxtar } from './testkit.ts';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));

/** The collection predicate of one layer pass: release files plus every cataloguer's needs. */
const combinedWants =
  (selected: Cataloguer[]) =>
  (path: string, info: Pick<FileInfo, 'size' | 'mode' | 'type'>): boolean =>
    distroWants(path, info) || selected.some((c) => c.wants(path, info));

describe('cataloguer registry', () => {
  it('lists each cataloguer once with a unique stable id', () => {
    const ids = catalogers.map((e) => e.cataloguer.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const e of catalogers) {
      assert.match(e.cataloguer.id, /^[a-z0-9-]+-cataloger$/);
      assert.ok(e.tags.includes('os') !== e.tags.includes('language'), e.cataloguer.id);
      assert.ok(e.tags.includes('image') || e.tags.includes('directory'), e.cataloguer.id);
    }
  });

  it('selects by tags', () => {
    assert.deepEqual(
      catalogersTagged('os').map((c) => c.id),
      ['dpkg-db-cataloger', 'apk-db-cataloger', 'rpm-db-cataloger'],
    );
    const image = catalogersTagged('image').map((c) => c.id);
    assert.ok(!image.includes('javascript-lock-cataloger') && !image.includes('rust-cargo-lock-cataloger'));
    assert.ok(catalogersTagged('directory').length === catalogers.length);
  });

  it('catalogues a combined root through one collection pass, distro included', async () => {
    // Several fixtures merged into one image, collected with the union of every `wants`.
    const merged = [
      'dpkg/debian-12.txtar',
      'javascript/node-app.txtar',
      'python/site-packages.txtar',
      'ruby/gems.txtar',
    ]
      .map((f) => parseTxtar(fs.readFileSync(path.join(testdata, f), 'utf8')).files)
      .flat()
      .map((f) => `-- ${f.name} --\n${f.data}`)
      .join('');
    const selected = catalogersTagged('image');
    const resolver = MemoryResolver.fromTxtar(merged, { collect: combinedWants(selected) });
    const { distro } = await detectDistro(resolver);
    const outcome = { packages: [] as Package[], issues: [] as ParseIssue[] };
    for (const c of selected) {
      const r = await c.catalogue(resolver, distro ? { distro } : {});
      outcome.packages.push(...r.packages);
      outcome.issues.push(...(r.issues ?? []));
    }
    assert.deepEqual(distro, {
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionCodename: 'bookworm',
    });
    const byType = new Map<string, number>();
    for (const p of outcome.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(byType), { deb: 2, npm: 5, python: 5, gem: 2 });
    assert.deepEqual(
      outcome.issues.map((i) => `${i.cataloguer}: ${i.reason}`),
      [
        'python-installed-package-cataloger: core metadata without Version',
        'ruby-installed-gemspec-cataloger: gemspec without version',
      ],
    );
    assert.equal(new Set(outcome.packages.map((p) => p.id)).size, outcome.packages.length);
  });

  it('passes a cheap wants over paths no cataloguer needs', () => {
    const wants = combinedWants(catalogersTagged('image'));
    const file = { type: 'file' as const, size: 1000, mode: 0o644 };
    assert.equal(wants('/usr/share/man/man1/ls.1.gz', file), false);
    assert.equal(wants('/etc/os-release', file), true);
    assert.equal(wants('/var/lib/dpkg/status', file), true);
    assert.equal(wants('/app/node_modules/x/package.json', file), true);
  });
});
