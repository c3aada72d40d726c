import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogTester, MemoryResolver } from '../testkit.ts';
import { normalizePythonName, parseCoreMetadata, parseRecord, pythonLicenses } from './parse-metadata.ts';
import { pythonInstalledCataloguer } from './index.ts';

const testdata = fileURLToPath(new URL('../testdata/python/', import.meta.url));
const SP = '/usr/local/lib/python3.11/site-packages';

describe('python metadata', () => {
  it('normalises names per PEP 503', () => {
    assert.equal(normalizePythonName('Zope.Interface'), 'zope-interface');
    assert.equal(normalizePythonName('typing__extensions'), 'typing-extensions');
    assert.equal(normalizePythonName('PyJWT'), 'pyjwt');
  });

  it('reads continuation lines, repeated keys and stops at the body', () => {
    const m = parseCoreMetadata(
      'Name: x\nLicense: line one\n        line two\nClassifier: a\nClassifier: b\n\nName: body\n',
    );
    assert.deepEqual(m.get('license'), ['line one\nline two']);
    assert.deepEqual(m.get('classifier'), ['a', 'b']);
    assert.deepEqual(m.get('name'), ['x']);
    assert.deepEqual(pythonLicenses(m), []);
    assert.deepEqual(
      pythonLicenses(parseCoreMetadata('Classifier: License :: OSI Approved :: BSD License\n')),
      ['BSD License'],
    );
  });

  it('parses RECORD rows, quoted paths included', () => {
    assert.deepEqual(parseRecord('"a,b.py",sha256=xyz,12\nc/RECORD,,\n'), [
      { path: 'a,b.py', digest: { algorithm: 'sha256', value: 'xyz' }, size: 12 },
      { path: 'c/RECORD' },
    ]);
  });
});

describe('python-installed-package-cataloger', () => {
  it('catalogues dist-info and egg-info packages with files owned', async () => {
    await new CatalogTester(pythonInstalledCataloguer)
      .fromTxtar(path.join(testdata, 'site-packages.txtar'))
      .expectIssues(['core metadata without Version'])
      .expectPackages([
        {
          name: 'PyJWT',
          version: '2.6.0',
          purl: 'pkg:pypi/pyjwt@2.6.0',
          licenses: ['MIT'],
          locations: [
            { path: '/usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO' },
            { path: '/usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/top_level.txt' },
          ],
        },
        {
          name: 'attrs',
          version: '26.1.0',
          type: 'python',
          language: 'python',
          purl: 'pkg:pypi/attrs@26.1.0',
          licenses: ['MIT'],
          metadata: {
            name: 'attrs',
            version: '26.1.0',
            authorEmail: 'Hynek Schlawack <hs@ox.cx>',
            sitePackagesRootPath: SP,
            directUrlOrigin: {
              url: 'https://github.com/python-attrs/attrs.git',
              vcs: 'git',
              commitId: '2c1b8a8e3b3a8e1f7e6f1c1a3d2b0f8e4e5c6d7a',
            },
            requiresPython: '>=3.9',
          },
        },
        {
          name: 'certifi',
          version: '2026.5.20',
          purl: 'pkg:pypi/certifi@2026.5.20',
          cpes: [
            'cpe:2.3:a:certifi:certifi:2026.5.20:*:*:*:*:*:*:*',
            'cpe:2.3:a:python-certifi:certifi:2026.5.20:*:*:*:*:*:*:*',
            'cpe:2.3:a:python_certifi:certifi:2026.5.20:*:*:*:*:*:*:*',
            'cpe:2.3:a:certifi_project:certifi:2026.5.20:*:*:*:*:*:*:*',
            'cpe:2.3:a:certifi-project:certifi:2026.5.20:*:*:*:*:*:*:*',
          ],
          licenses: ['MPL-2.0'],
          locations: [
            { path: `${SP}/certifi-2026.5.20.dist-info/METADATA` },
            { path: `${SP}/certifi-2026.5.20.dist-info/RECORD` },
            { path: `${SP}/certifi-2026.5.20.dist-info/top_level.txt` },
          ],
          files: [
            `${SP}/certifi-2026.5.20.dist-info/INSTALLER`,
            `${SP}/certifi-2026.5.20.dist-info/METADATA`,
            `${SP}/certifi-2026.5.20.dist-info/RECORD`,
            `${SP}/certifi-2026.5.20.dist-info/WHEEL`,
            `${SP}/certifi-2026.5.20.dist-info/licenses/LICENSE`,
            `${SP}/certifi-2026.5.20.dist-info/top_level.txt`,
            `${SP}/certifi/__init__.py`,
            `${SP}/certifi/__main__.py`,
            `${SP}/certifi/cacert.pem`,
            `${SP}/certifi/core.py`,
            `${SP}/certifi/py.typed`,
          ],
          metadataType: 'python-package',
        },
        {
          name: 'lazr.uri',
          version: '1.0.6',
          purl: 'pkg:pypi/lazr-uri@1.0.6',
          licenses: ['LGPL v3'],
          files: [
            '/usr/lib/python3/dist-packages/lazr/uri/__init__.py',
            '/usr/lib/python3/dist-packages/lazr/uri/_uri.py',
            '/usr/lib/python3/dist-packages/lazr.uri-1.0.6.egg-info/PKG-INFO',
          ],
        },
        {
          name: 'wsgiref',
          version: '0.1.2',
          licenses: ['PSF or ZPL'],
          locations: [{ path: '/usr/lib/python2.7/wsgiref.egg-info' }],
        },
      ])
      .expectReads([
        `${SP}/attrs-26.1.0.dist-info/METADATA`,
        `${SP}/attrs-26.1.0.dist-info/direct_url.json`,
        `${SP}/broken-1.0.dist-info/METADATA`,
        `${SP}/certifi-2026.5.20.dist-info/METADATA`,
        `${SP}/certifi-2026.5.20.dist-info/RECORD`,
        `${SP}/certifi-2026.5.20.dist-info/top_level.txt`,
        '/usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO',
        '/usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/top_level.txt',
        '/usr/lib/python3/dist-packages/lazr.uri-1.0.6.egg-info/PKG-INFO',
        '/usr/lib/python3/dist-packages/lazr.uri-1.0.6.egg-info/installed-files.txt',
        '/usr/lib/python2.7/wsgiref.egg-info',
      ])
      .run();
  });

  const pip = spawnSync('python3', ['-c', 'import site, sys; print(site.getsitepackages()[0])'], {
    encoding: 'utf8',
  });
  const sitePackages = pip.status === 0 ? pip.stdout.trim() : '';
  const listed = sitePackages
    ? spawnSync('python3', ['-m', 'pip', 'list', '--format', 'json', '--path', sitePackages], {
        encoding: 'utf8',
      })
    : undefined;

  it(
    "finds what pip says is installed in this machine's site-packages",
    { skip: listed?.status !== 0 && 'python3/pip not available' },
    async () => {
      const resolver = MemoryResolver.fromDirectory('/', {
        include: [
          `${sitePackages}/*.dist-info/*`,
          `${sitePackages}/*.egg-info`,
          `${sitePackages}/*.egg-info/*`,
        ],
      });
      const result = await pythonInstalledCataloguer.catalogue(resolver, {});
      const expected = (JSON.parse(listed?.stdout ?? '[]') as { name: string; version: string }[])
        .map((p) => `${normalizePythonName(p.name)} ${p.version}`)
        .sort();
      const actual = [
        ...new Set(result.packages.map((p) => `${normalizePythonName(p.name)} ${p.version}`)),
      ].sort();
      assert.deepEqual(actual, expected);
      assert.ok(
        result.packages.every((p) => p.files?.length),
        'every wheel-installed package owns files',
      );
    },
  );
});
