import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Package } from '../model.ts';
import type { RenderableSbom } from './index.ts';
import {
  SBOM_OUTPUT_FORMATS,
  fileIdOf,
  renderSbom,
  renderSbomTable,
  spdxExpressionOf,
  stripForStorage,
  toCycloneDxJson,
  toSpdxJson,
  toSyftJson,
} from './index.ts';

const LAYER1 = `sha256:${'1'.repeat(64)}`;
const LAYER2 = `sha256:${'2'.repeat(64)}`;
const created = new Date('2026-01-02T03:04:05.678Z');

function sample(): RenderableSbom {
  const packages: Package[] = [
    {
      id: 'aaaa000000000001',
      name: 'libc6',
      version: '2.36-9+deb12u4',
      type: 'deb',
      purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
      cpes: ['cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*'],
      licenses: ['GPL-2+', 'LGPL-2.1', 'public-domain'],
      locations: [
        { path: '/var/lib/dpkg/status', layerID: LAYER1 },
        { path: '/usr/share/doc/libc6/copyright', layerID: LAYER1 },
      ],
      upstreams: [{ name: 'glibc' }],
      foundBy: 'dpkg-db',
      files: ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/etc/ld.so.conf.d/x86_64-linux-gnu.conf'],
      metadataType: 'dpkg-db-entry',
      metadata: {
        package: 'libc6',
        source: 'glibc',
        version: '2.36-9+deb12u4',
        sourceVersion: '',
        architecture: 'amd64',
        maintainer: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
        installedSize: 12986,
        files: [{ path: '/usr/lib/x86_64-linux-gnu/libc.so.6', isConfigFile: false }],
      },
    },
    {
      id: 'aaaa000000000002',
      name: 'express',
      version: '4.18.2',
      type: 'npm',
      purl: 'pkg:npm/express@4.18.2',
      licenses: ['MIT'],
      locations: [{ path: '/app/node_modules/express/package.json', layerID: LAYER2 }],
      foundBy: 'npm-installed',
      metadataType: 'javascript-npm-package',
      metadata: { name: 'express', version: '4.18.2', author: 'TJ Holowaychuk <tj@vision-media.ca>' },
    },
    {
      id: 'aaaa000000000003',
      name: 'body-parser',
      version: '1.20.1',
      type: 'npm',
      purl: 'pkg:npm/body-parser@1.20.1',
      licenses: ['MIT OR Apache-2.0'],
      locations: [{ path: '/app/node_modules/body-parser/package.json', layerID: LAYER2 }],
      foundBy: 'npm-installed',
    },
    {
      id: 'aaaa000000000004',
      name: 'openssl-libs',
      version: '3.0.7-27.el9',
      type: 'rpm',
      epoch: 1,
      purl: 'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1',
      locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layerID: LAYER1 }],
      foundBy: 'rpm-db',
      metadataType: 'rpm-db-entry',
      metadata: {
        name: 'openssl-libs',
        version: '3.0.7',
        epoch: 1,
        architecture: 'x86_64',
        release: '27.el9',
        sourceRpm: 'openssl-3.0.7-27.el9.src.rpm',
        size: 6000,
        vendor: 'Red Hat, Inc.',
        files: [],
      },
    },
  ];
  const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6';
  return {
    source: {
      type: 'image',
      name: '127.0.0.1:5000/test/app',
      version: '1',
      digest: `sha256:${'d'.repeat(64)}`,
    },
    distro: {
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionCodename: 'bookworm',
    },
    osRelease: {
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      NAME: 'Debian GNU/Linux',
      VERSION_ID: '12',
      VERSION: '12 (bookworm)',
      VERSION_CODENAME: 'bookworm',
      ID: 'debian',
      HOME_URL: 'https://www.debian.org/',
    },
    packages,
    files: [
      { id: fileIdOf(libc, LAYER1), path: libc, layerID: LAYER1 },
      { id: fileIdOf('/var/lib/dpkg/status', LAYER1), path: '/var/lib/dpkg/status', layerID: LAYER1 },
    ],
    relationships: [
      { parent: 'aaaa000000000001', child: fileIdOf(libc, LAYER1), type: 'contains' },
      // A path child without a file entry is taken as a path.
      { parent: 'aaaa000000000001', child: '/etc/ld.so.conf.d/x86_64-linux-gnu.conf', type: 'contains' },
      { parent: 'aaaa000000000001', child: fileIdOf('/var/lib/dpkg/status', LAYER1), type: 'evident-by' },
      { parent: 'aaaa000000000003', child: 'aaaa000000000002', type: 'dependency-of' },
    ],
    issues: [],
    status: 'ready',
    layers: [
      {
        diffID: LAYER1,
        digest: `sha256:${'a'.repeat(64)}`,
        size: 1000,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      },
      {
        diffID: LAYER2,
        digest: `sha256:${'b'.repeat(64)}`,
        size: 500,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      },
    ],
    sourceDetails: { architecture: 'amd64', os: 'linux', tags: ['127.0.0.1:5000/test/app:1'] },
  };
}

/** The same document with packages and relationships in another order. */
function shuffled(): RenderableSbom {
  const doc = sample();
  return { ...doc, packages: [...doc.packages].reverse(), relationships: [...doc.relationships].reverse() };
}

describe('SPDX 2.3 JSON', () => {
  const spdx = toSpdxJson(sample(), { created });

  it('has the document fields syft writes', () => {
    assert.equal(spdx.spdxVersion, 'SPDX-2.3');
    assert.equal(spdx.dataLicense, 'CC0-1.0');
    assert.equal(spdx.SPDXID, 'SPDXRef-DOCUMENT');
    assert.equal(spdx.name, '127.0.0.1:5000/test/app');
    assert.match(spdx.documentNamespace, /^https:\/\/.+\/image\/127\.0\.0\.1-5000\/test\/app-[0-9a-f-]{36}$/);
    assert.deepEqual(spdx.creationInfo, {
      creators: ['Organization: Kubeguard', 'Tool: kubeguard-0.1.0'],
      created: '2026-01-02T03:04:05Z',
    });
  });

  it('writes every package with the required fields and syft-style ids, sorted by type, name, version', () => {
    const named = spdx.packages.filter((p) => p.SPDXID.startsWith('SPDXRef-Package-'));
    assert.deepEqual(
      named.map((p) => p.name),
      ['libc6', 'body-parser', 'express', 'openssl-libs'],
    );
    for (const p of named) {
      for (const field of [
        'name',
        'SPDXID',
        'versionInfo',
        'supplier',
        'downloadLocation',
        'sourceInfo',
      ] as const)
        assert.ok(p[field], `${p.name} has ${field}`);
      assert.equal(p.downloadLocation, 'NOASSERTION');
      assert.equal(p.filesAnalyzed, false);
      assert.equal(p.licenseConcluded, 'NOASSERTION');
      assert.equal(p.copyrightText, 'NOASSERTION');
    }
    const libc = named.find((p) => p.name === 'libc6');
    assert.equal(libc?.SPDXID, 'SPDXRef-Package-deb-libc6-aaaa000000000001');
    assert.equal(libc?.supplier, 'Person: GNU Libc Maintainers (debian-glibc@lists.debian.org)');
    assert.equal(libc?.licenseDeclared, 'GPL-2.0-or-later AND LGPL-2.1-only AND LicenseRef-public-domain');
    assert.equal(
      libc?.sourceInfo,
      'acquired package info from DPKG DB: /var/lib/dpkg/status, /usr/share/doc/libc6/copyright',
    );
    assert.deepEqual(libc?.externalRefs, [
      {
        referenceCategory: 'SECURITY',
        referenceType: 'cpe23Type',
        referenceLocator: 'cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*',
      },
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
      },
    ]);
    assert.equal(named.find((p) => p.name === 'body-parser')?.licenseDeclared, '(MIT OR Apache-2.0)');
    assert.equal(named.find((p) => p.name === 'openssl-libs')?.supplier, 'Organization: Red Hat, Inc.');
    assert.deepEqual(spdx.hasExtractedLicensingInfos, [
      { licenseId: 'LicenseRef-public-domain', extractedText: 'UNKNOWN', name: 'public-domain' },
    ]);
  });

  it('has unique SPDX ids and no dangling relationship ends', () => {
    const ids = [
      'SPDXRef-DOCUMENT',
      ...spdx.packages.map((p) => p.SPDXID),
      ...(spdx.files ?? []).map((f) => f.SPDXID),
    ];
    assert.equal(new Set(ids).size, ids.length, 'SPDX ids are unique');
    for (const id of ids) assert.match(id, /^SPDXRef-[A-Za-z0-9.-]+$/);
    const known = new Set(ids);
    for (const r of spdx.relationships) {
      assert.ok(known.has(r.spdxElementId), `${r.spdxElementId} exists`);
      assert.ok(known.has(r.relatedSpdxElement), `${r.relatedSpdxElement} exists`);
    }
  });

  it('describes the image root, which contains every package; packages contain their files', () => {
    const root = spdx.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER');
    assert.equal(root?.SPDXID, 'SPDXRef-DocumentRoot-Image-127.0.0.1-5000-test-app');
    assert.deepEqual(spdx.relationships.at(-1), {
      spdxElementId: 'SPDXRef-DOCUMENT',
      relatedSpdxElement: root?.SPDXID,
      relationshipType: 'DESCRIBES',
    });
    const contained = spdx.relationships
      .filter((r) => r.spdxElementId === root?.SPDXID && r.relationshipType === 'CONTAINS')
      .map((r) => r.relatedSpdxElement);
    assert.equal(contained.length, 4);
    const libcFiles = spdx.relationships
      .filter(
        (r) =>
          r.spdxElementId === 'SPDXRef-Package-deb-libc6-aaaa000000000001' &&
          r.relationshipType === 'CONTAINS',
      )
      .map((r) => spdx.files?.find((f) => f.SPDXID === r.relatedSpdxElement)?.fileName);
    assert.deepEqual(libcFiles.sort(), [
      'etc/ld.so.conf.d/x86_64-linux-gnu.conf',
      'usr/lib/x86_64-linux-gnu/libc.so.6',
    ]);
    const evident = spdx.relationships.find((r) => r.relationshipType === 'OTHER');
    assert.match(evident?.comment ?? '', /^evident-by:/);
    assert.equal(
      spdx.files?.find((f) => f.fileName === 'var/lib/dpkg/status')?.comment,
      `layerID: ${LAYER1}`,
    );
  });

  it('is deterministic: same bytes for the same content in any order', () => {
    assert.equal(
      renderSbom(sample(), 'spdx-json', { created }),
      renderSbom(shuffled(), 'spdx-json', { created }),
    );
    const other = sample();
    other.packages[0]!.version = '2.36-9+deb12u5';
    assert.notEqual(toSpdxJson(other, { created }).documentNamespace, spdx.documentNamespace);
  });
});

describe('syft JSON', () => {
  const syft = toSyftJson(sample(), { created });

  it('has the SyftDocument fields Kubescape stores', () => {
    assert.deepEqual(Object.keys(syft), [
      'artifacts',
      'artifactRelationships',
      'files',
      'source',
      'distro',
      'descriptor',
      'schema',
    ]);
    const a = syft.artifacts[0]!;
    assert.deepEqual(Object.keys(a), [
      'id',
      'name',
      'version',
      'type',
      'foundBy',
      'locations',
      'licenses',
      'language',
      'cpes',
      'purl',
      'metadataType',
      'metadata',
    ]);
    assert.equal(a.name, 'libc6');
    assert.equal(a.foundBy, 'dpkg-db-cataloger');
    assert.deepEqual(a.locations[0], {
      path: '/var/lib/dpkg/status',
      layerID: LAYER1,
      accessPath: '/var/lib/dpkg/status',
      annotations: { evidence: 'primary' },
    });
    assert.deepEqual(a.licenses[0], {
      value: 'GPL-2+',
      spdxExpression: 'GPL-2.0-or-later',
      type: 'declared',
      urls: [],
      locations: [],
    });
    assert.equal(a.licenses[2]?.spdxExpression, '');
    assert.equal(syft.artifacts.find((x) => x.name === 'express')?.language, 'javascript');
    assert.deepEqual(syft.descriptor, { name: 'kubeguard', version: '0.1.0' });
    assert.match(syft.schema.version, /^16\.\d+\.\d+$/);
    assert.equal(syft.source.type, 'image');
    assert.equal(syft.source.id, 'd'.repeat(64));
    assert.deepEqual((syft.source.metadata.layers as unknown[])[1], {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: LAYER2,
      size: 500,
    });
  });

  it('camelCases os-release into the distro block', () => {
    assert.deepEqual(syft.distro, {
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      name: 'Debian GNU/Linux',
      id: 'debian',
      version: '12 (bookworm)',
      versionID: '12',
      versionCodename: 'bookworm',
      homeURL: 'https://www.debian.org/',
    });
    const { osRelease: _o, ...withoutOsRelease } = sample();
    assert.deepEqual(toSyftJson(withoutOsRelease).distro, {
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      id: 'debian',
      versionID: '12',
      versionCodename: 'bookworm',
    });
  });

  it('lists every file a relationship points at, with ids the relationships use', () => {
    const fileIds = new Set(syft.files?.map((f) => f.id));
    const artifactIds = new Set(syft.artifacts.map((a) => a.id));
    assert.equal(syft.files?.length, 3);
    for (const r of syft.artifactRelationships) {
      assert.ok(artifactIds.has(r.parent));
      assert.ok(artifactIds.has(r.child) || fileIds.has(r.child), `${r.child} is known`);
    }
    assert.ok(syft.files?.some((f) => f.location.path === '/etc/ld.so.conf.d/x86_64-linux-gnu.conf'));
  });

  it('stripForStorage applies kubevuln’s rules exactly', () => {
    const withExtras = toSyftJson(sample());
    withExtras.descriptor.configuration = { catalogers: ['x'] };
    withExtras.files![0]!.licenses = [{ value: 'MIT' }];
    withExtras.files![0]!.executable = { format: 'elf' };
    const before = JSON.stringify(withExtras);
    const stripped = stripForStorage(withExtras);
    assert.equal(JSON.stringify(withExtras), before, 'the input is not modified');
    assert.deepEqual(stripped.descriptor, { name: 'kubeguard', version: '0.1.0' });
    assert.ok(stripped.files?.every((f) => !('licenses' in f) && !('executable' in f)));
    for (const a of stripped.artifacts) {
      assert.equal(a.foundBy, '');
      for (const l of a.locations) {
        assert.equal(l.accessPath, '');
        assert.equal('annotations' in l, false);
      }
      for (const l of a.licenses) assert.deepEqual(l.locations, []);
    }
    const libc = stripped.artifacts.find((a) => a.name === 'libc6');
    assert.deepEqual(libc?.metadata, {
      package: '',
      source: 'glibc',
      version: '',
      sourceVersion: '',
      architecture: '',
      maintainer: '',
      installedSize: 0,
      files: null,
    });
    const rpm = stripped.artifacts.find((a) => a.name === 'openssl-libs');
    assert.deepEqual(rpm?.metadata, {
      name: '',
      version: '',
      epoch: 1,
      architecture: '',
      release: '',
      sourceRpm: 'openssl-3.0.7-27.el9.src.rpm',
      size: 0,
      vendor: '',
      files: null,
    });
    const express = stripped.artifacts.find((a) => a.name === 'express');
    assert.equal('metadata' in (express ?? {}), false);
    assert.equal('metadataType' in (express ?? {}), false);
    assert.deepEqual(
      stripped.artifacts.map((a) => a.id),
      withExtras.artifacts.map((a) => a.id),
    );
    assert.deepEqual(stripped.artifactRelationships, withExtras.artifactRelationships);
  });

  it('is deterministic', () => {
    assert.equal(
      renderSbom(sample(), 'syft-json', { created }),
      renderSbom(shuffled(), 'syft-json', { created }),
    );
  });
});

describe('CycloneDX 1.6 JSON', () => {
  const cdx = toCycloneDxJson(sample(), { created });

  it('has the required fields', () => {
    assert.equal(cdx.bomFormat, 'CycloneDX');
    assert.equal(cdx.specVersion, '1.6');
    assert.equal(cdx.version, 1);
    assert.match(
      cdx.serialNumber,
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(cdx.metadata.timestamp, '2026-01-02T03:04:05Z');
    assert.deepEqual(cdx.metadata.tools.components[0], {
      type: 'application',
      author: 'kubeguard',
      name: 'kubeguard',
      version: '0.1.0',
    });
    assert.equal(cdx.metadata.component.type, 'container');
  });

  it('writes one library per package plus the operating system, with unique bom-refs', () => {
    const refs = cdx.components.map((c) => c['bom-ref']);
    assert.equal(new Set(refs).size, refs.length);
    assert.deepEqual(
      cdx.components.map((c) => `${c.type}:${c.name}`),
      [
        'library:libc6',
        'library:body-parser',
        'library:express',
        'library:openssl-libs',
        'operating-system:debian',
      ],
    );
    const libc = cdx.components[0]!;
    assert.equal(libc['bom-ref'], `${libc.purl}&package-id=aaaa000000000001`);
    assert.equal(libc.cpe, 'cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*');
    const props = Object.fromEntries((libc.properties ?? []).map((p) => [p.name, p.value]));
    assert.equal(props['syft:package:type'], 'deb');
    assert.equal(props['syft:location:0:path'], '/var/lib/dpkg/status');
    assert.equal(props['syft:location:0:layerID'], LAYER1);
    assert.equal(props['syft:metadata:source'], 'glibc');
    assert.deepEqual(libc.licenses, [
      { license: { id: 'GPL-2.0-or-later' } },
      { license: { id: 'LGPL-2.1-only' } },
      { license: { name: 'public-domain' } },
    ]);
    assert.deepEqual(cdx.components[1]?.licenses, [{ expression: '(MIT OR Apache-2.0)' }]);
    const os = cdx.components.at(-1)!;
    assert.equal(os.version, '12');
    assert.ok(os.properties?.some((p) => p.name === 'syft:distro:versionCodename' && p.value === 'bookworm'));
  });

  it('turns dependency-of into dependencies', () => {
    assert.deepEqual(cdx.dependencies, [
      {
        ref: 'pkg:npm/express@4.18.2?package-id=aaaa000000000002',
        dependsOn: ['pkg:npm/body-parser@1.20.1?package-id=aaaa000000000003'],
      },
    ]);
  });

  it('is deterministic, and the serial number follows the content', () => {
    assert.equal(
      renderSbom(sample(), 'cyclonedx-json', { created }),
      renderSbom(shuffled(), 'cyclonedx-json', { created }),
    );
    assert.equal(toCycloneDxJson(sample()).serialNumber, cdx.serialNumber, 'time does not change the serial');
    const other = sample();
    other.packages.pop();
    assert.notEqual(toCycloneDxJson(other).serialNumber, cdx.serialNumber);
  });
});

describe('table', () => {
  it('lists NAME VERSION TYPE sorted and aligned, folding duplicates', () => {
    const doc = sample();
    doc.packages.push({
      ...doc.packages[1]!,
      id: 'aaaa000000000009',
      locations: [{ path: '/other/express' }],
    });
    assert.equal(
      renderSbomTable(doc),
      [
        'NAME          VERSION         TYPE',
        'body-parser   1.20.1          npm',
        'express       4.18.2          npm   (+1 duplicate)',
        'libc6         2.36-9+deb12u4  deb',
        'openssl-libs  3.0.7-27.el9    rpm',
        '',
      ].join('\n'),
    );
    assert.equal(renderSbomTable({ ...doc, packages: [] }), 'No packages discovered\n');
  });
});

describe('renderSbom', () => {
  it('renders every format as text ending in a newline', () => {
    for (const format of SBOM_OUTPUT_FORMATS) {
      const text = renderSbom(sample(), format, { created });
      assert.ok(text.endsWith('\n'));
      if (format !== 'table') JSON.parse(text);
    }
  });
});

describe('spdxExpressionOf', () => {
  for (const [value, expected] of [
    ['MIT', 'MIT'],
    ['mit', 'MIT'],
    ['Apache-2.0', 'Apache-2.0'],
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPL-3.0+', 'GPL-3.0-or-later'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['(MIT OR Apache-2.0) AND BSD-2-Clause', '(MIT OR Apache-2.0) AND BSD-2-Clause'],
    ['GPL-2.0-or-later WITH Classpath-exception-2.0', 'GPL-2.0-or-later WITH Classpath-exception-2.0'],
    ['public-domain', ''],
    ['Apache License 2.0', ''],
    ['MIT AND', ''],
    ['(MIT', ''],
  ] as const) {
    it(`${JSON.stringify(value)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(spdxExpressionOf(value), expected);
    });
  }
});
