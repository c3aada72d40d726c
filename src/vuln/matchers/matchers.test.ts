import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Distro, Package, SbomModel } from '../../sbom/index.ts';
import { memoryProviderFromOsv } from '../db/index.ts';
import type { Match } from '../report/index.ts';
import { scanSbom, type ScanResult } from '../scan.ts';
import { distroEcosystems, matcherFor, matchers } from './index.ts';

type Osv = Record<string, unknown>;

function osv(
  id: string,
  ecosystem: string,
  name: string,
  events: Record<string, string>[],
  extra: Osv = {},
): Osv {
  const { affectedExtra, ...rest } = extra as { affectedExtra?: Osv };
  return {
    id,
    modified: '2026-01-01T00:00:00Z',
    affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events }], ...affectedExtra }],
    ...rest,
  };
}

function scan(records: Osv[], packages: Package[], distro?: Distro, normalizeByCve = false): ScanResult {
  const sbom: SbomModel = { source: { type: 'directory', name: '/src' }, packages };
  if (distro) sbom.distro = distro;
  return scanSbom(sbom, memoryProviderFromOsv(records), { normalizeByCve });
}

const pkg = (
  name: string,
  version: string,
  type: Package['type'],
  extra: Partial<Package> = {},
): Package => ({
  id: `${name}@${version}`,
  name,
  version,
  type,
  locations: [],
  ...extra,
});

const ids = (ms: Match[]): string[] => ms.map((m) => m.vulnerability.id).sort();

describe('matcher registry', () => {
  it('has one matcher per id and claims every package type', () => {
    assert.equal(new Set(matchers.map((m) => m.id)).size, matchers.length);
    for (const t of [
      'deb',
      'rpm',
      'apk',
      'npm',
      'python',
      'go-module',
      'java-archive',
      'gem',
      'rust-crate',
    ] as const)
      assert.notEqual(matcherFor(t).id, 'stock-matcher', t);
    assert.equal(matcherFor('binary').id, 'stock-matcher');
  });

  it('maps distros to OSV ecosystems', () => {
    assert.deepEqual(distroEcosystems({ id: 'debian', versionId: '12' }), ['Debian:12']);
    assert.deepEqual(distroEcosystems({ id: 'alpine', versionId: '3.18.4' }), ['Alpine:v3.18']);
    assert.deepEqual(distroEcosystems({ id: 'alpine', versionId: '3.22_alpha20250108' }), ['Alpine:v3.22']);
    assert.deepEqual(distroEcosystems({ id: 'debian', versionId: '' }), []);
    assert.deepEqual(distroEcosystems({ id: 'ubuntu', versionId: '22.04' }), [
      'Ubuntu:22.04',
      'Ubuntu:22.04:LTS',
      'Ubuntu:Pro:22.04:LTS',
    ]);
    assert.deepEqual(distroEcosystems({ id: 'rocky', versionId: '9.3' }), ['Rocky Linux:9']);
    assert.deepEqual(distroEcosystems({ id: 'raspbian', versionId: '12', idLike: ['debian'] }), [
      'Debian:12',
    ]);
    assert.deepEqual(distroEcosystems({ id: 'plan9', versionId: '4' }), []);
  });
});

describe('matching rules', () => {
  it('ignores withdrawn advisories and counts them', () => {
    const r = scan(
      [
        osv('GHSA-aaaa-aaaa-aaaa', 'npm', 'left-pad', [{ introduced: '0' }, { fixed: '2.0.0' }], {
          withdrawn: '2026-02-01T00:00:00Z',
        }),
        osv('GHSA-bbbb-bbbb-bbbb', 'npm', 'left-pad', [{ introduced: '0' }, { fixed: '2.0.0' }]),
      ],
      [pkg('left-pad', '1.0.0', 'npm')],
    );
    assert.deepEqual(ids(r.document.matches), ['GHSA-bbbb-bbbb-bbbb']);
    assert.equal(r.stats.withdrawnIgnored, 1);
  });

  it('reports the fix of the range containing the version, and the fix states', () => {
    const debian: Distro = { id: 'debian', versionId: '12' };
    const r = scan(
      [
        osv('GHSA-cccc-cccc-cccc', 'npm', 'qs', [
          { introduced: '0' },
          { fixed: '6.2.4' },
          { introduced: '6.5.0' },
          { fixed: '6.5.3' },
        ]),
        osv('DEBIAN-CVE-2020-0001', 'Debian:12', 'zlib', [{ introduced: '0' }], {
          affectedExtra: {
            ecosystem_specific: { urgency: 'not yet assigned', nodsa: 'minor', nodsa_reason: 'ignored' },
          },
        }),
        osv('DEBIAN-CVE-2020-0002', 'Debian:12', 'zlib', [{ introduced: '0' }], {
          affectedExtra: { ecosystem_specific: { urgency: 'unimportant' } },
        }),
        {
          id: 'PYSEC-2020-0003',
          modified: '2026-01-01T00:00:00Z',
          affected: [{ package: { ecosystem: 'PyPI', name: 'listed' }, versions: ['1.0', '1.1'] }],
        },
      ],
      [
        pkg('qs', '6.5.2', 'npm'),
        pkg('zlib1g', '1:1.2.13.dfsg-1', 'deb', { upstreams: [{ name: 'zlib' }] }),
        pkg('listed', '1.1', 'python'),
      ],
      debian,
    );
    const get = (id: string): Match => r.document.matches.find((m) => m.vulnerability.id === id) as Match;
    assert.deepEqual(get('GHSA-cccc-cccc-cccc').vulnerability.fix, { versions: ['6.5.3'], state: 'fixed' });
    assert.equal(
      get('GHSA-cccc-cccc-cccc').matchDetails[0]?.found?.versionConstraint,
      '< 6.2.4 || >= 6.5.0, < 6.5.3 (semver)',
    );
    assert.deepEqual(get('DEBIAN-CVE-2020-0001').vulnerability.fix, { versions: [], state: 'wont-fix' });
    assert.deepEqual(get('DEBIAN-CVE-2020-0002').vulnerability.fix, { versions: [], state: 'not-fixed' });
    assert.equal(get('DEBIAN-CVE-2020-0002').vulnerability.severity, 'Negligible');
    assert.deepEqual(get('PYSEC-2020-0003').vulnerability.fix, { versions: [], state: 'unknown' });
    assert.equal(get('PYSEC-2020-0003').matchDetails[0]?.found?.versionConstraint, '= 1.0 || = 1.1 (pep440)');
  });

  it('takes severity from CVSS v3, then v4, then the database rating, and says which', () => {
    const v3 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N';
    const range = [{ introduced: '0' }];
    const r = scan(
      [
        osv('GHSA-v3v3-v3v3-v3v3', 'npm', 'a', range, {
          severity: [
            { type: 'CVSS_V3', score: v3 },
            { type: 'CVSS_V4', score: v4 },
          ],
        }),
        osv('GHSA-v4v4-v4v4-v4v4', 'npm', 'a', range, { severity: [{ type: 'CVSS_V4', score: v4 }] }),
        osv('GHSA-dbdb-dbdb-dbdb', 'npm', 'a', range, { database_specific: { severity: 'MODERATE' } }),
        osv('GHSA-v2v2-v2v2-v2v2', 'npm', 'a', range, {
          severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }],
        }),
        osv('GHSA-bad0-bad0-bad0', 'npm', 'a', range, {
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:Q' }],
        }),
      ],
      [pkg('a', '1.0.0', 'npm')],
    );
    const by = new Map(r.document.matches.map((m) => [m.vulnerability.id, m]));
    const check = (id: string, severity: string, source: string): void => {
      const m = by.get(id) as Match;
      assert.equal(m.vulnerability.severity, severity, id);
      assert.equal(m.matchDetails[0]?.found?.severitySource, source, id);
    };
    check('GHSA-v3v3-v3v3-v3v3', 'Critical', 'cvss-v3');
    check('GHSA-v4v4-v4v4-v4v4', 'Medium', 'cvss-v4');
    check('GHSA-dbdb-dbdb-dbdb', 'Medium', 'database');
    check('GHSA-v2v2-v2v2-v2v2', 'High', 'cvss-v2');
    check('GHSA-bad0-bad0-bad0', 'Unknown', 'none');
    assert.deepEqual(by.get('GHSA-v3v3-v3v3-v3v3')?.vulnerability.cvss[0], {
      version: '3.1',
      vector: v3,
      metrics: { baseScore: 9.8, exploitabilityScore: 3.9, impactScore: 5.9 },
      vendorMetadata: {},
    });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['invalid-cvss-vector'],
    );
  });

  it('skips unparsable versions with a warning naming them, and goes on', () => {
    const r = scan(
      [
        osv('GHSA-dddd-dddd-dddd', 'npm', 'a', [{ introduced: '0' }, { fixed: '2.0.0' }]),
        osv('GHSA-eeee-eeee-eeee', 'npm', 'b', [{ introduced: '0' }, { fixed: 'not/a/version' }]),
        osv('GHSA-ffff-ffff-ffff', 'npm', 'b', [{ introduced: '0' }, { fixed: '9.0.0' }]),
      ],
      [pkg('a', 'latest-and-greatest', 'npm'), pkg('b', '1.0.0', 'npm')],
    );
    assert.deepEqual(ids(r.document.matches), ['GHSA-ffff-ffff-ffff']);
    assert.equal(r.stats.unparsablePackageVersions, 1);
    assert.equal(r.stats.unparsableAdvisoryVersions, 1);
    const messages = r.warnings.map((w) => w.message).join('\n');
    assert.match(messages, /a@latest-and-greatest/);
    assert.match(messages, /GHSA-eeee-eeee-eeee.*not\/a\/version/);
  });

  it('normalises PyPI names (PEP 503) and keeps npm names exact', () => {
    const r = scan(
      [
        osv('GHSA-gggg-gggg-gggg', 'PyPI', 'Zope.Interface', [{ introduced: '0' }, { fixed: '5.0' }]),
        osv('GHSA-hhhh-hhhh-hhhh', 'npm', 'Axios', [{ introduced: '0' }, { fixed: '5.0.0' }]),
      ],
      [pkg('zope_interface', '4.0', 'python'), pkg('axios', '1.0.0', 'npm')],
    );
    assert.deepEqual(ids(r.document.matches), ['GHSA-gggg-gggg-gggg']);
  });

  it('compares rpm versions with the package epoch', () => {
    const rocky: Distro = { id: 'rocky', versionId: '9.3' };
    const records = [
      osv('RLSA-2024:0001', 'Rocky Linux:9', 'openssl', [{ introduced: '0' }, { fixed: '1:3.0.7-25.el9' }]),
    ];
    const withEpoch = scan(records, [pkg('openssl', '3.0.7-24.el9', 'rpm', { epoch: 2 })], rocky);
    assert.deepEqual(ids(withEpoch.document.matches), []);
    const noEpoch = scan(records, [pkg('openssl', '3.0.7-24.el9', 'rpm')], rocky);
    assert.deepEqual(ids(noEpoch.document.matches), ['RLSA-2024:0001']);
    assert.equal(noEpoch.document.matches[0]?.matchDetails[0]?.matcher, 'rpm-matcher');
  });

  it('matches Ubuntu LTS ecosystems and apk origins', () => {
    const u = scan(
      [
        osv('UBUNTU-CVE-2024-0001', 'Ubuntu:22.04:LTS', 'openssl', [
          { introduced: '0' },
          { fixed: '3.0.2-0ubuntu1.15' },
        ]),
      ],
      [pkg('libssl3', '3.0.2-0ubuntu1.10', 'deb', { upstreams: [{ name: 'openssl' }] })],
      { id: 'ubuntu', versionId: '22.04' },
    );
    assert.deepEqual(ids(u.document.matches), ['UBUNTU-CVE-2024-0001']);
    assert.equal(u.document.matches[0]?.vulnerability.namespace, 'ubuntu:distro:ubuntu:22.04');
    const a = scan(
      [osv('ALPINE-CVE-2025-26519', 'Alpine:v3.18', 'musl', [{ introduced: '0' }, { fixed: '1.2.4-r3' }])],
      [pkg('musl-utils', '1.2.4-r2', 'apk', { upstreams: [{ name: 'musl' }] })],
      { id: 'alpine', versionId: '3.18.4' },
    );
    assert.deepEqual(ids(a.document.matches), ['ALPINE-CVE-2025-26519']);
    assert.equal(a.document.matches[0]?.matchDetails[0]?.type, 'exact-indirect-match');
  });

  it('uses the purl distro when the SBOM names none, and warns when nothing names one', () => {
    const records = [osv('DEBIAN-CVE-2024-0002', 'Debian:12', 'bash', [{ introduced: '0' }])];
    const withPurl = scan(records, [
      pkg('bash', '5.2.15-2', 'deb', { purl: 'pkg:deb/debian/bash@5.2.15-2?distro=debian-12' }),
    ]);
    assert.deepEqual(ids(withPurl.document.matches), ['DEBIAN-CVE-2024-0002']);
    const without = scan(records, [pkg('bash', '5.2.15-2', 'deb')]);
    assert.deepEqual(ids(without.document.matches), []);
    assert.equal(without.warnings[0]?.code, 'unsupported-distro');
    assert.equal(without.stats.unsearchable, 1);
  });

  it('Maven needs group:artifact (purl or pomProperties); the stock matcher uses the purl of untyped packages', () => {
    const records = [
      osv('GHSA-iiii-iiii-iiii', 'Maven', 'org.example:lib', [{ introduced: '0' }, { fixed: '2.0' }]),
      osv('GHSA-jjjj-jjjj-jjjj', 'npm', 'lib', [{ introduced: '0' }, { fixed: '2.0.0' }]),
    ];
    const r = scan(records, [
      pkg('lib', '1.0', 'java-archive', { purl: 'pkg:maven/org.example/lib@1.0' }),
      pkg('lib', '1.1', 'java-archive'),
      pkg('lib', '1.2', 'java-archive', {
        metadataType: 'java-archive',
        metadata: { pomProperties: { groupId: 'org.example', artifactId: 'lib' } },
      }),
      pkg('lib', '1.0.0', 'binary', { purl: 'pkg:npm/lib@1.0.0' }),
    ]);
    assert.deepEqual(
      r.document.matches.map(
        (m) => `${m.vulnerability.id} ${m.artifact.version} ${m.matchDetails[0]?.matcher}`,
      ),
      [
        'GHSA-iiii-iiii-iiii 1.0 java-matcher',
        'GHSA-jjjj-jjjj-jjjj 1.0.0 stock-matcher',
        'GHSA-iiii-iiii-iiii 1.2 java-matcher',
      ],
    );
    assert.equal(r.stats.unsearchable, 1);
  });

  it('merges aliases into one finding; NormalizeByCVE reports it under the CVE', () => {
    const records = [
      osv('GHSA-kkkk-kkkk-kkkk', 'PyPI', 'requests', [{ introduced: '0' }, { fixed: '2.31.0' }], {
        aliases: ['CVE-2023-32681'],
      }),
      osv('PYSEC-2023-74', 'PyPI', 'requests', [{ introduced: '0' }, { fixed: '2.31.0' }], {
        aliases: ['CVE-2023-32681', 'GHSA-kkkk-kkkk-kkkk'],
      }),
      osv('RUSTSEC-2024-0001', 'crates.io', 'x', [{ introduced: '0' }]),
      osv('GHSA-llll-llll-llll', 'crates.io', 'x', [{ introduced: '0' }], { aliases: ['RUSTSEC-2024-0001'] }),
    ];
    const packages = [pkg('requests', '2.30.0', 'python'), pkg('x', '1.0.0', 'rust-crate')];
    const r = scan(records, packages);
    assert.deepEqual(
      r.document.matches.map((m) => [m.vulnerability.id, m.relatedVulnerabilities.map((v) => v.id)]),
      [
        ['GHSA-kkkk-kkkk-kkkk', ['PYSEC-2023-74', 'CVE-2023-32681']],
        ['GHSA-llll-llll-llll', ['RUSTSEC-2024-0001']],
      ],
    );
    assert.equal(r.document.matches[0]?.matchDetails.length, 2);
    const n = scan(records, packages, undefined, true);
    assert.deepEqual(
      n.document.matches.map((m) => [m.vulnerability.id, m.relatedVulnerabilities.map((v) => v.id)]),
      [
        ['CVE-2023-32681', ['GHSA-kkkk-kkkk-kkkk', 'PYSEC-2023-74']],
        ['GHSA-llll-llll-llll', ['RUSTSEC-2024-0001']],
      ],
    );
    assert.equal(
      n.document.matches[0]?.vulnerability.dataSource,
      'https://nvd.nist.gov/vuln/detail/CVE-2023-32681',
    );
  });

  it('finds a record once when both the binary and the source lookup hit it', () => {
    const r = scan(
      [osv('DEBIAN-CVE-2024-0003', 'Debian:12', 'bash', [{ introduced: '0' }, { fixed: '5.2.15-3' }])],
      [pkg('bash', '5.2.15-2+b13', 'deb', { upstreams: [{ name: 'bash', version: '5.2.15-2' }] })],
      { id: 'debian', versionId: '12' },
    );
    assert.equal(r.document.matches.length, 1);
    assert.deepEqual(
      r.document.matches[0]?.matchDetails.map((d) => [
        d.type,
        (d.searchedBy as { package: { version: string } }).package.version,
      ]),
      [
        ['exact-direct-match', '5.2.15-2+b13'],
        ['exact-indirect-match', '5.2.15-2'],
      ],
    );
  });
});
