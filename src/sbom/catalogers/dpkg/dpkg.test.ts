import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectDistro } from '../distro.ts';
import { CatalogTester, MemoryResolver } from '../testkit.ts';
import { parseCopyrightLicenses } from './parse-copyright.ts';
import { isInstalled, parseSource, parseStanzas } from './parse-status.ts';
import { dpkgCataloguer } from './index.ts';

const testdata = fileURLToPath(new URL('../testdata/dpkg/', import.meta.url));
const debian12 = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };

describe('dpkg status parsing', () => {
  it('splits stanzas, joins continuation lines, lowercases field names', () => {
    const issues: { line: number; reason: string }[] = [];
    const stanzas = parseStanzas(
      'Package: a\nDescription: x\n more\n\tand more\n\n\n# comment\npackage: b\nnot a field\n',
      issues,
    );
    assert.equal(stanzas.length, 2);
    assert.equal(stanzas[0]?.get('description'), 'x\n more\n\tand more');
    assert.equal(stanzas[1]?.get('package'), 'b');
    assert.deepEqual(issues, [{ line: 9, reason: 'not a "Field: value" line: "not a field"' }]);
  });

  it('reads Source as name and optional version', () => {
    assert.deepEqual(parseSource('glibc'), { name: 'glibc', version: '' });
    assert.deepEqual(parseSource('bash (5.2.15-2)'), { name: 'bash', version: '5.2.15-2' });
    assert.deepEqual(parseSource('util-linux (2.38.1-5+deb12u3)'), {
      name: 'util-linux',
      version: '2.38.1-5+deb12u3',
    });
  });

  it('keeps installed states only', () => {
    assert.equal(isInstalled('install ok installed'), true);
    assert.equal(isInstalled('hold ok installed'), true);
    assert.equal(isInstalled('deinstall ok config-files'), false);
    assert.equal(isInstalled('install reinstreq half-installed'), false);
    assert.equal(isInstalled(undefined), true);
  });

  it('reads DEP-5 licences like syft', () => {
    const text = [
      'License: GPL-2+',
      'License: GPL-2+ or Artistic',
      'License: none',
      ' see /usr/share/common-licenses/GPL-2.',
      'License: BSD-3-clause.',
    ].join('\n');
    assert.deepEqual(parseCopyrightLicenses(text), ['BSD-3-clause', 'GPL-2', 'GPL-2+']);
  });
});

describe('dpkg-db-cataloger', () => {
  it('catalogues a Debian root: sources, purls, files owned, licences, exactly the files it needs', async () => {
    await new CatalogTester(dpkgCataloguer)
      .fromTxtar(path.join(testdata, 'debian-12.txtar'), { layerID: 'sha256:base' })
      .withDistro(debian12)
      .expectPackages([
        {
          name: 'bash',
          version: '5.2.15-2+b8',
          type: 'deb',
          purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&upstream=bash%405.2.15-2&distro=debian-12',
          cpes: ['cpe:2.3:a:bash:bash:5.2.15-2\\+b8:*:*:*:*:*:*:*'],
          licenses: ['BSD-4-clause-UC', 'GPL-3', 'GPL-3+'],
          upstreams: [{ name: 'bash', version: '5.2.15-2' }],
          locations: [
            { path: '/var/lib/dpkg/status', layerID: 'sha256:base' },
            { path: '/var/lib/dpkg/info/bash.list', layerID: 'sha256:base' },
            { path: '/var/lib/dpkg/info/bash.md5sums', layerID: 'sha256:base' },
            { path: '/usr/share/doc/bash/copyright', layerID: 'sha256:base' },
          ],
          // `/bin`, `/etc`, `/etc/skel` are directories of the image: shared, not owned.
          files: [
            '/bin/bash',
            '/etc/bash.bashrc',
            '/etc/skel/.bash_logout',
            '/etc/skel/.bashrc',
            '/etc/skel/.profile',
          ],
          metadataType: 'dpkg-db-entry',
        },
        {
          name: 'zlib1g',
          version: '1:1.2.13.dfsg-1',
          purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12',
          cpes: ['cpe:2.3:a:zlib1g:zlib1g:1\\:1.2.13.dfsg-1:*:*:*:*:*:*:*'],
          licenses: ['Zlib'],
          upstreams: [{ name: 'zlib' }],
          files: [
            '/lib/x86_64-linux-gnu/libz.so.1.2.13',
            '/usr/share/doc/zlib1g/changelog.Debian.gz',
            '/usr/share/doc/zlib1g/changelog.gz',
            '/usr/share/doc/zlib1g/copyright',
            '/lib/x86_64-linux-gnu/libz.so.1',
          ],
          metadata: {
            package: 'zlib1g',
            source: 'zlib',
            version: '1:1.2.13.dfsg-1',
            sourceVersion: '',
            architecture: 'amd64',
            maintainer: 'Mark Brown <broonie@debian.org>',
            installedSize: 168,
            provides: ['libz1'],
            depends: ['libc6 (>= 2.14)'],
          },
        },
      ])
      .expectReads([
        '/var/lib/dpkg/status',
        '/var/lib/dpkg/info/bash.list',
        '/var/lib/dpkg/info/bash.md5sums',
        '/var/lib/dpkg/info/zlib1g:amd64.list',
        '/var/lib/dpkg/info/zlib1g:amd64.md5sums',
        '/usr/share/doc/bash/copyright',
        '/usr/share/doc/zlib1g/copyright',
      ])
      .run();
  });

  it('catalogues distroless status.d with md5sums as the file list', async () => {
    await new CatalogTester(dpkgCataloguer)
      .fromTxtar(path.join(testdata, 'distroless.txtar'))
      .withDistro(debian12)
      .expectPackages([
        {
          name: 'libssl3',
          version: '3.0.22-1~deb12u2',
          purl: 'pkg:deb/debian/libssl3@3.0.22-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12',
          licenses: ['Apache-2.0', 'Artistic'],
          upstreams: [{ name: 'openssl' }],
          locations: [
            { path: '/var/lib/dpkg/status.d/libssl3' },
            { path: '/var/lib/dpkg/status.d/libssl3.md5sums' },
            { path: '/usr/share/doc/libssl3/copyright' },
          ],
          files: [
            '/usr/lib/x86_64-linux-gnu/libcrypto.so.3',
            '/usr/lib/x86_64-linux-gnu/libssl.so.3',
            '/usr/share/doc/libssl3/copyright',
          ],
        },
        {
          name: 'tzdata',
          version: '2024a-0+deb12u1',
          purl: 'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12',
          licenses: [],
          locations: [{ path: '/var/lib/dpkg/status.d/tzdata' }],
        },
      ])
      .expectReads([
        '/var/lib/dpkg/status.d/libssl3',
        '/var/lib/dpkg/status.d/libssl3.md5sums',
        '/var/lib/dpkg/status.d/tzdata',
        '/usr/share/doc/libssl3/copyright',
      ])
      .run();
  });

  it('wants the database, info lists and copyrights, nothing else', () => {
    const yes = [
      '/var/lib/dpkg/status',
      '/var/lib/dpkg/status.d/libc6',
      '/var/lib/dpkg/status.d/libc6.md5sums',
      '/var/lib/dpkg/info/libc6:amd64.list',
      '/var/lib/dpkg/info/bash.md5sums',
      '/usr/share/doc/bash/copyright',
    ];
    const no = [
      '/var/lib/dpkg/status-old',
      '/var/lib/dpkg/info/bash.postinst',
      '/usr/share/doc/bash/changelog.gz',
      '/usr/share/doc/bash/examples/copyright',
    ];
    const file = { type: 'file' as const, size: 100, mode: 0o644 };
    for (const p of yes) assert.equal(dpkgCataloguer.wants(p, file), true, p);
    for (const p of no) assert.equal(dpkgCataloguer.wants(p, file), false, p);
    assert.equal(dpkgCataloguer.wants('/var/lib/dpkg/status', { ...file, type: 'symlink' }), false);
  });

  it('turns a broken database into issues and keeps going', async () => {
    const result = await new CatalogTester(dpkgCataloguer)
      .fromTxtar(
        '-- /var/lib/dpkg/status --\nPackage: ok\nVersion: 1\nArchitecture: all\n\nVersion: 2\n\n\u0000garbage\n',
      )
      .expectIssues(['line 7: not a "Field: value" line', 'stanza without a Package field'])
      .expectPackages([{ name: 'ok', version: '1', purl: 'pkg:deb/debian/ok@1?arch=all' }])
      .run();
    assert.deepEqual(
      result.issues?.map((i) => [i.cataloguer, i.path]),
      [
        ['dpkg-db-cataloger', '/var/lib/dpkg/status'],
        ['dpkg-db-cataloger', '/var/lib/dpkg/status'],
      ],
    );
  });

  it('reports an unreadable database file and still reads the others', async () => {
    const resolver = MemoryResolver.fromTxtar('-- /var/lib/dpkg/status.d/a --\nPackage: a\nVersion: 1\n');
    const broken = Object.assign(Object.create(resolver) as MemoryResolver, {
      read: async (f: { path: string } | string) => {
        throw new Error(`${typeof f === 'string' ? f : f.path}: layer truncated`);
      },
    });
    const result = await dpkgCataloguer.catalogue(broken, {});
    assert.deepEqual(result.packages, []);
    assert.match(result.issues?.[0]?.reason ?? '', /layer truncated/);
  });
});

describe('dpkg-db-cataloger on this machine', () => {
  const query = spawnSync(
    'dpkg-query',
    ['-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\n'],
    {
      encoding: 'utf8',
    },
  );
  const available = query.status === 0 && fs.existsSync('/var/lib/dpkg/status');

  it("finds every installed package with dpkg-query's version and source", { skip: !available }, async () => {
    const resolver = MemoryResolver.fromDirectory('/', {
      include: [
        '/var/lib/dpkg/status',
        '/var/lib/dpkg/info/*.list',
        '/var/lib/dpkg/info/*.md5sums',
        '/etc/os-release',
        '/usr/lib/os-release',
        '/usr/share/doc/*/copyright',
      ],
    });
    const { distro } = await detectDistro(resolver);
    const result = await new CatalogTester(dpkgCataloguer)
      .withResolver(resolver)
      .withDistro(distro ?? debian12)
      .run();
    const expected = query.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([status]) => status?.[1] === 'i')
      .map(([, name, version, src, srcVersion]) => `${name}\t${version}\t${src}\t${srcVersion}`)
      .sort();
    const actual = result.packages
      .map(
        (p) =>
          `${p.name}\t${p.version}\t${p.upstreams?.[0]?.name ?? p.name}\t${p.upstreams?.[0]?.version ?? p.version}`,
      )
      .sort();
    assert.deepEqual(actual, expected);
    const libc = result.packages.find((p) => p.name === 'libc6');
    assert.ok(
      libc?.files?.some((f) => /\/libc\.so\.6$/.test(f)),
      'libc6 owns libc.so.6',
    );
    assert.ok(libc?.licenses?.length, 'libc6 has licences');
    assert.match(
      libc?.purl ?? '',
      /^pkg:deb\/debian\/libc6@.+\?arch=amd64&upstream=glibc&distro=debian-\d+$/,
    );
  });
});
