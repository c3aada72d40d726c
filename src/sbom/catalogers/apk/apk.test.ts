import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogTester } from '../testkit.ts';
import { apkCataloguer, apkLicenses, parseApkInstalled } from './index.ts';

const testdata = fileURLToPath(new URL('../testdata/apk/', import.meta.url));
const alpine = { id: 'alpine', versionId: '3.19.1' };

describe('apk-db-cataloger', () => {
  it('parses records, files in their F directories, origins', () => {
    const [e] = parseApkInstalled('P:a\nV:1-r0\nF:usr/bin\nR:x\nR:y\nF:etc\nR:z\n\n');
    assert.deepEqual(e?.files, ['/usr/bin/x', '/usr/bin/y', '/etc/z']);
  });

  it('keeps SPDX expressions whole and splits old space lists', () => {
    assert.deepEqual(apkLicenses('MIT AND BSD-2-Clause'), ['MIT AND BSD-2-Clause']);
    assert.deepEqual(apkLicenses('MIT BSD GPL2+'), ['MIT', 'BSD', 'GPL2+']);
    assert.deepEqual(apkLicenses(''), []);
  });

  it('catalogues an Alpine database', async () => {
    await new CatalogTester(apkCataloguer)
      .fromTxtar(path.join(testdata, 'alpine-3.19.txtar'), { layerID: 'sha256:l1' })
      .withDistro(alpine)
      .expectIssues(['record without V (version): broken'])
      .expectPackages([
        {
          name: 'musl',
          version: '1.2.4_git20230717-r4',
          type: 'apk',
          purl: 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&upstream=musl&distro=alpine-3.19.1',
          cpes: ['cpe:2.3:a:musl:musl:1.2.4_git20230717-r4:*:*:*:*:*:*:*'],
          licenses: ['MIT'],
          upstreams: [{ name: 'musl' }],
          locations: [{ path: '/lib/apk/db/installed', layerID: 'sha256:l1' }],
          files: ['/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1'],
          metadataType: 'apk-db-entry',
        },
        {
          name: 'musl-utils',
          purl: 'pkg:apk/alpine/musl-utils@1.2.4_git20230717-r4?arch=x86_64&upstream=musl&distro=alpine-3.19.1',
          licenses: ['MIT AND BSD-2-Clause AND GPL-2.0-or-later'],
          upstreams: [{ name: 'musl' }],
          files: ['/sbin/ldconfig', '/usr/bin/getconf', '/usr/bin/getent', '/usr/bin/iconv', '/usr/bin/ldd'],
          metadata: {
            package: 'musl-utils',
            originPackage: 'musl',
            maintainer: 'Timo Teräs <timo.teras@iki.fi>',
            version: '1.2.4_git20230717-r4',
            architecture: 'x86_64',
            url: 'https://musl.libc.org/',
            description: 'the musl c library (libc) implementation',
            size: 36938,
            installedSize: 135168,
            pullDependencies: ['scanelf', 'so:libc.musl-x86_64.so.1'],
            provides: [
              'cmd:getconf=1.2.4_git20230717-r4',
              'cmd:getent=1.2.4_git20230717-r4',
              'cmd:iconv=1.2.4_git20230717-r4',
              'cmd:ldconfig=1.2.4_git20230717-r4',
              'cmd:ldd=1.2.4_git20230717-r4',
            ],
            pullChecksum: 'Q1Bxk+cLqPYy2cZ8wlDuS91tGJ5Zc=',
            gitCommitOfApkPort: 'e0b2a95e3f2f0d4b5a5e58c1a0c2f1fd8d6b4e4a',
          },
        },
        {
          name: 'py3-setuptools',
          version: '70.3.0-r0',
          cpes: [
            'cpe:2.3:a:py3-setuptools:py3-setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:py3-setuptools:py3_setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:py3-setuptools:setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:py3_setuptools:py3-setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:py3_setuptools:py3_setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:py3_setuptools:setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:setuptools:py3-setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:setuptools:py3_setuptools:70.3.0-r0:*:*:*:*:*:*:*',
            'cpe:2.3:a:setuptools:setuptools:70.3.0-r0:*:*:*:*:*:*:*',
          ],
          upstreams: [{ name: 'py3-setuptools' }],
        },
      ])
      .expectReads(['/lib/apk/db/installed'])
      .run();
  });
});
