import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { detectSbomFormat, parseSbom } from './index.ts';

/** Shaped like `syft -o json` (schema 16) for a Debian image, trimmed to three packages. */
const syftDoc = {
  artifacts: [
    {
      id: 'a1b2',
      name: 'libc6',
      version: '2.36-9+deb12u4',
      type: 'deb',
      foundBy: 'dpkg-db-cataloger',
      locations: [
        { path: '/var/lib/dpkg/status', layerID: 'sha256:aaa', accessPath: '/var/lib/dpkg/status' },
      ],
      licenses: [{ value: 'LGPL-2.1', spdxExpression: 'LGPL-2.1', type: 'declared' }],
      language: '',
      cpes: [{ cpe: 'cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*', source: 'syft-generated' }],
      purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=debian-12',
      metadataType: 'dpkg-db-entry',
      metadata: { package: 'libc6', source: 'glibc', version: '2.36-9+deb12u4', sourceVersion: '' },
    },
    {
      id: 'c3d4',
      name: 'bash',
      version: '5.2.15-2+b2',
      type: 'deb',
      locations: [{ path: '/var/lib/dpkg/status' }],
      licenses: ['GPL-3.0'],
      cpes: ['cpe:2.3:a:gnu:bash:5.2.15-2\\+b2:*:*:*:*:*:*:*'],
      purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&upstream=bash%405.2.15-2&distro=debian-12',
      metadata: { source: 'bash', sourceVersion: '5.2.15-2' },
    },
    {
      id: 'e5f6',
      name: 'jackson-databind',
      version: '2.13.2',
      type: 'java-archive',
      locations: [{ path: '/app/lib/jackson-databind-2.13.2.jar' }],
      purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.2',
      language: 'java',
    },
  ],
  source: {
    id: 'sha256:src',
    name: 'docker.io/library/debian',
    version: '12.5',
    type: 'image',
    metadata: {
      userInput: 'debian:12.5',
      imageID: 'sha256:img',
      manifestDigest: 'sha256:manifest',
      tags: ['debian:12.5'],
    },
  },
  distro: {
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
    name: 'Debian GNU/Linux',
    id: 'debian',
    versionID: '12',
    versionCodename: 'bookworm',
    idLike: 'debian',
  },
  descriptor: { name: 'syft', version: '1.0.0' },
  schema: {
    version: '16.0.0',
    url: 'https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.0.json',
  },
};

describe('SBOM file readers', () => {
  it('reads syft JSON: packages, upstreams, distro, source', () => {
    const { format, sbom } = parseSbom(JSON.stringify(syftDoc));
    assert.equal(format, 'syft-json');
    assert.deepEqual(sbom.distro, {
      id: 'debian',
      versionId: '12',
      idLike: ['debian'],
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionCodename: 'bookworm',
    });
    assert.deepEqual(sbom.source, {
      type: 'image',
      name: 'docker.io/library/debian',
      version: '12.5',
      digest: 'sha256:manifest',
    });
    const [libc, bash, jackson] = sbom.packages;
    assert.deepEqual(libc?.upstreams, [{ name: 'glibc' }]);
    assert.equal(libc?.metadataType, 'dpkg-db-entry');
    assert.equal(libc?.metadata?.source, 'glibc');
    assert.deepEqual(libc?.locations, [{ path: '/var/lib/dpkg/status', layerID: 'sha256:aaa' }]);
    assert.deepEqual(libc?.licenses, ['LGPL-2.1']);
    assert.equal(libc?.cpes?.length, 1);
    assert.deepEqual(bash?.upstreams, [{ name: 'bash', version: '5.2.15-2' }]);
    assert.deepEqual(bash?.licenses, ['GPL-3.0']);
    assert.equal(jackson?.type, 'java-archive');
    assert.equal(jackson?.language, 'java');
  });

  it('reads a Kubescape SBOMSyft object', () => {
    const { sbom } = parseSbom(JSON.stringify({ kind: 'SBOMSyft', spec: { metadata: {}, syft: syftDoc } }));
    assert.equal(sbom.packages.length, 3);
  });

  it('reads SPDX 2.3 JSON: purl refs, OS package as distro, described container as source', () => {
    const spdx = {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'alpine:3.18',
      documentNamespace: 'https://anchore.com/syft/image/alpine-3.18',
      creationInfo: {
        created: '2026-01-01T00:00:00Z',
        creators: ['Organization: Anchore, Inc', 'Tool: syft-1.0.0'],
      },
      packages: [
        {
          name: 'musl',
          SPDXID: 'SPDXRef-Package-apk-musl-1',
          versionInfo: '1.2.4-r2',
          licenseConcluded: 'NOASSERTION',
          licenseDeclared: 'MIT',
          sourceInfo: 'acquired package info from APK DB: /lib/apk/db/installed',
          externalRefs: [
            {
              referenceCategory: 'SECURITY',
              referenceType: 'cpe23Type',
              referenceLocator: 'cpe:2.3:a:musl:musl:1.2.4-r2:*:*:*:*:*:*:*',
            },
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceType: 'purl',
              referenceLocator: 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&upstream=musl&distro=alpine-3.18.4',
            },
          ],
        },
        {
          name: 'musl-utils',
          SPDXID: 'SPDXRef-Package-apk-musl-utils-2',
          versionInfo: '1.2.4-r2',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE_MANAGER',
              referenceType: 'purl',
              referenceLocator:
                'pkg:apk/alpine/musl-utils@1.2.4-r2?arch=x86_64&upstream=musl&distro=alpine-3.18.4',
            },
          ],
        },
        {
          name: 'alpine',
          SPDXID: 'SPDXRef-OperatingSystem',
          versionInfo: '3.18.4',
          primaryPackagePurpose: 'OPERATING-SYSTEM',
        },
        {
          name: 'alpine',
          SPDXID: 'SPDXRef-DocumentRoot-Image-alpine',
          versionInfo: 'sha256:1234',
          primaryPackagePurpose: 'CONTAINER',
        },
      ],
      relationships: [
        {
          spdxElementId: 'SPDXRef-DOCUMENT',
          relatedSpdxElement: 'SPDXRef-DocumentRoot-Image-alpine',
          relationshipType: 'DESCRIBES',
        },
      ],
    };
    const { format, sbom } = parseSbom(JSON.stringify(spdx));
    assert.equal(format, 'spdx-json');
    assert.deepEqual(sbom.distro, { id: 'alpine', versionId: '3.18.4' });
    assert.deepEqual(sbom.source, { type: 'image', name: 'alpine', digest: 'sha256:1234' });
    assert.equal(sbom.packages.length, 2);
    assert.deepEqual(
      sbom.packages.map((p) => [p.name, p.type, p.upstreams?.[0]?.name, p.licenses, p.locations]),
      [
        ['musl', 'apk', 'musl', ['MIT'], [{ path: '/lib/apk/db/installed' }]],
        ['musl-utils', 'apk', 'musl', undefined, []],
      ],
    );
  });

  it('reads CycloneDX 1.4-1.6 JSON: nested components, operating-system component, syft properties', () => {
    for (const specVersion of ['1.4', '1.5', '1.6']) {
      const cdx = {
        bomFormat: 'CycloneDX',
        specVersion,
        version: 1,
        metadata: {
          component: {
            'bom-ref': 'root',
            type: 'container',
            name: 'registry.example/app',
            version: 'sha256:abcd',
          },
        },
        components: [
          {
            'bom-ref': 'pkg:npm/%40babel/core@7.0.0',
            type: 'library',
            name: 'core',
            group: '@babel',
            version: '7.0.0',
            purl: 'pkg:npm/%40babel/core@7.0.0',
            licenses: [{ license: { id: 'MIT' } }],
            properties: [
              { name: 'syft:package:type', value: 'npm' },
              { name: 'syft:location:0:path', value: '/app/node_modules/@babel/core/package.json' },
            ],
            components: [
              { type: 'library', name: 'shaded', version: '1.0', purl: 'pkg:maven/org.example/shaded@1.0' },
            ],
          },
          {
            type: 'library',
            name: 'libc6',
            version: '2.36-9',
            purl: 'pkg:deb/debian/libc6@2.36-9?upstream=glibc',
            properties: [{ name: 'syft:metadata:source', value: 'glibc' }],
          },
          {
            type: 'operating-system',
            name: 'debian',
            version: '12',
            description: 'Debian GNU/Linux 12 (bookworm)',
            properties: [
              { name: 'syft:distro:id', value: 'debian' },
              { name: 'syft:distro:idLike:0', value: 'debian' },
              { name: 'syft:distro:versionID', value: '12' },
            ],
          },
        ],
      };
      const { format, sbom } = parseSbom(JSON.stringify(cdx));
      assert.equal(format, 'cyclonedx-json');
      assert.deepEqual(sbom.distro, {
        id: 'debian',
        versionId: '12',
        idLike: ['debian'],
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      });
      assert.deepEqual(sbom.source, { type: 'image', name: 'registry.example/app', digest: 'sha256:abcd' });
      assert.deepEqual(
        sbom.packages.map((p) => [p.name, p.type, p.version]),
        [
          ['@babel/core', 'npm', '7.0.0'],
          ['shaded', 'java-archive', '1.0'],
          ['libc6', 'deb', '2.36-9'],
        ],
      );
      assert.deepEqual(sbom.packages[0]?.locations, [{ path: '/app/node_modules/@babel/core/package.json' }]);
      assert.deepEqual(sbom.packages[2]?.upstreams, [{ name: 'glibc' }]);
    }
  });

  it('takes the distro from purls when the SBOM has none', () => {
    const { sbom } = parseSbom(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: [
          { type: 'library', name: 'x', version: '1', purl: 'pkg:deb/debian/x@1?distro=debian-11' },
        ],
      }),
    );
    assert.deepEqual(sbom.distro, { id: 'debian', versionId: '11' });
  });

  it('refuses what it cannot read, saying what it expects', () => {
    assert.equal(detectSbomFormat({ foo: 1 }), undefined);
    for (const [text, pattern] of [
      ['not json', /is not JSON/],
      ['{"hello": 1}', /not an SBOM/],
      ['SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0', /tag-value/],
    ] as const) {
      assert.throws(
        () => parseSbom(text, 'in.json'),
        (e: unknown) =>
          isKubeguardError(e, 'KG_ERR_INVALID_INPUT') && pattern.test(e.message) && e.hint !== undefined,
      );
    }
  });
});
