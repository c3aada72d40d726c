import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import type { SbomModel } from '../../sbom/index.ts';
import { memoryProviderFromOsv } from '../db/index.ts';
import { scanSbom, type ScanOptions } from '../scan.ts';
import {
  globToRegExp,
  parseIgnoreRulesYaml,
  parseOpenVex,
  renderCycloneDx,
  renderOpenVex,
  renderSarif,
  renderTable,
  SARIF_SCHEMA,
  type GrypeDocument,
} from './index.ts';

const records = [
  {
    id: 'DEBIAN-CVE-2023-4911',
    modified: '2026-01-01T00:00:00Z',
    upstream: ['CVE-2023-4911'],
    details: 'Looney Tunables',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'glibc' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }],
        ecosystem_specific: { urgency: 'high' },
      },
    ],
    references: [{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2023-4911' }],
  },
  {
    id: 'DEBIAN-CVE-2019-1010022',
    modified: '2026-01-01T00:00:00Z',
    upstream: ['CVE-2019-1010022'],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'glibc' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        ecosystem_specific: { urgency: 'unimportant', nodsa: 'minor', nodsa_reason: 'ignored' },
      },
    ],
  },
  {
    id: 'GHSA-29mw-wpgm-hmr9',
    modified: '2026-01-01T00:00:00Z',
    aliases: ['CVE-2020-28500'],
    summary: 'ReDoS in lodash',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }],
    affected: [
      {
        package: { ecosystem: 'npm', name: 'lodash' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      },
    ],
    database_specific: { severity: 'MODERATE' },
  },
];

const sbom: SbomModel = {
  source: { type: 'image', name: 'registry.example/team/app', version: '1.0', digest: 'sha256:feed' },
  distro: { id: 'debian', versionId: '12', idLike: [] },
  packages: [
    {
      id: 'libc6',
      name: 'libc6',
      version: '2.36-9+deb12u1',
      type: 'deb',
      purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&upstream=glibc&distro=debian-12',
      locations: [{ path: '/var/lib/dpkg/status', layerID: 'sha256:l1' }],
      upstreams: [{ name: 'glibc' }],
    },
    {
      id: 'lodash',
      name: 'lodash',
      version: '4.17.20',
      type: 'npm',
      purl: 'pkg:npm/lodash@4.17.20',
      locations: [{ path: '/app/node_modules/lodash/package.json' }],
      licenses: ['MIT'],
    },
  ],
};

const provider = memoryProviderFromOsv(records, 'test');

function scanDoc(options: ScanOptions = {}): GrypeDocument {
  return scanSbom(sbom, provider, { scannerVersion: '9.9.9', ...options }).document;
}

describe('grype document', () => {
  it('has grype’s shape and deterministic order', () => {
    const doc = scanDoc();
    assert.deepEqual(Object.keys(doc), ['matches', 'source', 'distro', 'descriptor']);
    assert.deepEqual(
      doc.matches.map(
        (m) =>
          `${m.artifact.name} ${m.vulnerability.id} ${m.vulnerability.severity} ${m.vulnerability.fix.state}`,
      ),
      [
        'libc6 DEBIAN-CVE-2019-1010022 Negligible wont-fix',
        'libc6 DEBIAN-CVE-2023-4911 High fixed',
        'lodash GHSA-29mw-wpgm-hmr9 Medium fixed',
      ],
    );
    assert.deepEqual(doc.source, {
      type: 'image',
      target: {
        userInput: 'registry.example/team/app:1.0',
        manifestDigest: 'sha256:feed',
        tags: ['registry.example/team/app:1.0'],
      },
    });
    assert.deepEqual(doc.distro, { name: 'debian', version: '12', idLike: [] });
    assert.equal(doc.descriptor.name, 'kubeguard');
    assert.equal(doc.descriptor.version, '9.9.9');
    assert.deepEqual(Object.keys(doc.descriptor.db ?? {}), ['built', 'checksum', 'schemaVersion']);
    const lodash = doc.matches[2];
    assert.deepEqual(lodash?.artifact, {
      name: 'lodash',
      version: '4.17.20',
      type: 'npm',
      locations: [{ path: '/app/node_modules/lodash/package.json' }],
      language: 'javascript',
      licenses: ['MIT'],
      cpes: [],
      purl: 'pkg:npm/lodash@4.17.20',
      upstreams: [],
    });
    assert.deepEqual(Object.keys(lodash?.vulnerability ?? {}), [
      'id',
      'dataSource',
      'namespace',
      'severity',
      'urls',
      'cvss',
      'description',
      'fix',
      'advisories',
    ]);
    assert.equal(lodash?.vulnerability.namespace, 'github:language:javascript');
    assert.deepEqual(lodash?.relatedVulnerabilities, [
      {
        id: 'CVE-2020-28500',
        dataSource: 'https://nvd.nist.gov/vuln/detail/CVE-2020-28500',
        urls: [],
        cvss: [],
      },
    ]);
    // Same input, same bytes.
    assert.equal(JSON.stringify(scanDoc()), JSON.stringify(doc));
  });
});

describe('ignore rules', () => {
  it('move matches to ignoredMatches with the rules that applied', () => {
    const rules = parseIgnoreRulesYaml(`
ignore:
  - vulnerability: CVE-2020-28500
    reason: not reachable from our code
  - fix-state: wont-fix
  - package:
      location: "/var/lib/**"
      upstream-name: glibc
    vulnerability: DEBIAN-CVE-2019-1010022
`);
    const doc = scanDoc({ ignoreRules: rules });
    assert.deepEqual(
      doc.matches.map((m) => m.vulnerability.id),
      ['DEBIAN-CVE-2023-4911'],
    );
    assert.deepEqual(
      doc.ignoredMatches?.map((m) => [m.vulnerability.id, m.appliedIgnoreRules]),
      [
        [
          'DEBIAN-CVE-2019-1010022',
          [
            { 'fix-state': 'wont-fix' },
            {
              vulnerability: 'DEBIAN-CVE-2019-1010022',
              package: { language: '', location: '/var/lib/**', 'upstream-name': 'glibc' },
            },
          ],
        ],
        ['GHSA-29mw-wpgm-hmr9', [{ vulnerability: 'CVE-2020-28500', reason: 'not reachable from our code' }]],
      ],
    );
  });

  it('reject rules that would ignore everything or are misspelt', () => {
    for (const [text, pattern] of [
      ['ignore:\n  - reason: everything', /states no criterion/],
      ['ignore:\n  - vulnerabilty: CVE-1', /unknown key "vulnerabilty"/],
      ['ignore:\n  - fix-state: maybe', /fix-state must be one of/],
      ['ignore: 3', /expected a list/],
    ] as const) {
      assert.throws(
        () => parseIgnoreRulesYaml(text, 'rules.yaml'),
        (e: unknown) =>
          isKubeguardError(e, 'KG_ERR_INVALID_INPUT') &&
          pattern.test(e.message) &&
          e.message.startsWith('rules.yaml'),
      );
    }
  });

  it('globs: ** crosses directories, * does not', () => {
    assert.ok(globToRegExp('/usr/**').test('/usr/lib/x/y'));
    assert.ok(globToRegExp('**/node_modules/**').test('/app/node_modules/a/package.json'));
    assert.ok(globToRegExp('/app/*.jar').test('/app/a.jar'));
    assert.ok(!globToRegExp('/app/*.jar').test('/app/lib/a.jar'));
    assert.ok(globToRegExp('/app/[ab].txt').test('/app/b.txt'));
  });
});

describe('OpenVEX input', () => {
  const vex = (statements: unknown[]): string =>
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex-1',
      author: 'security@example.com',
      timestamp: '2026-01-01T00:00:00Z',
      version: 1,
      statements,
    });

  it('not_affected and fixed statements ignore matches by package purl or image subcomponent; later statements win', () => {
    const statements = parseOpenVex(
      vex([
        {
          vulnerability: { name: 'CVE-2020-28500' },
          products: [{ '@id': 'pkg:npm/lodash@4.17.20' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impact_statement: 'trim() is never called',
        },
        {
          vulnerability: { name: 'DEBIAN-CVE-2023-4911' },
          products: [
            { '@id': 'pkg:oci/app@sha256%3Afeed', subcomponents: [{ '@id': 'pkg:deb/debian/libc6' }] },
          ],
          status: 'fixed',
          timestamp: '2026-01-02T00:00:00Z',
        },
        {
          vulnerability: { name: 'DEBIAN-CVE-2023-4911' },
          products: [{ '@id': 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u1' }],
          status: 'under_investigation',
          timestamp: '2026-01-01T12:00:00Z',
        },
        {
          vulnerability: { name: 'DEBIAN-CVE-2019-1010022' },
          products: [{ '@id': 'pkg:deb/debian/other' }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ]),
      'vex.json',
    );
    const doc = scanDoc({ vexStatements: statements });
    assert.deepEqual(
      doc.matches.map((m) => m.vulnerability.id),
      ['DEBIAN-CVE-2019-1010022'],
    );
    assert.deepEqual(
      doc.ignoredMatches?.map((m) => m.appliedIgnoreRules),
      [
        [
          {
            vulnerability: 'DEBIAN-CVE-2023-4911',
            package: { name: 'libc6', version: '2.36-9+deb12u1', language: '', type: 'deb' },
            'vex-status': 'fixed',
            reason: 'OpenVEX https://example.com/vex-1',
          },
        ],
        [
          {
            vulnerability: 'GHSA-29mw-wpgm-hmr9',
            package: { name: 'lodash', version: '4.17.20', language: 'javascript', type: 'npm' },
            'vex-status': 'not_affected',
            reason: 'trim() is never called',
            'vex-justification': 'vulnerable_code_not_in_execute_path',
          },
        ],
      ],
    );
  });

  it('rejects documents that are not OpenVEX', () => {
    assert.throws(() => parseOpenVex('{"statements": []}', 'x.json'), /not an OpenVEX document/);
    assert.throws(
      () => parseOpenVex(vex([{ vulnerability: { name: 'X' }, products: [], status: 'maybe' }])),
      /invalid status/,
    );
  });
});

describe('renderings', () => {
  const doc = scanDoc({
    ignoreRules: parseIgnoreRulesYaml('- vulnerability: DEBIAN-CVE-2019-1010022\n  reason: accepted'),
  });
  const now = new Date('2026-02-03T04:05:06Z');

  it('table: grype’s columns, most severe first', () => {
    const lines = renderTable(doc).trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+INSTALLED\s+FIXED-IN\s+TYPE\s+VULNERABILITY\s+SEVERITY$/);
    assert.match(
      lines[1] ?? '',
      /^libc6\s+2\.36-9\+deb12u1\s+2\.36-9\+deb12u3\s+deb\s+DEBIAN-CVE-2023-4911\s+High$/,
    );
    assert.match(lines[2] ?? '', /^lodash\s+4\.17\.20\s+4\.17\.21\s+npm\s+GHSA-29mw-wpgm-hmr9\s+Medium$/);
    assert.equal(lines.length, 3);
    assert.match(
      renderTable(doc, { showSuppressed: true }),
      /\(won't fix\)\s+deb\s+DEBIAN-CVE-2019-1010022\s+Negligible \(suppressed\)/,
    );
    assert.equal(renderTable({ ...doc, matches: [] }), 'No vulnerabilities found\n');
  });

  it('SARIF 2.1.0: required fields, every result refers to a rule', () => {
    const sarif = renderSarif(doc) as {
      $schema: string;
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string; properties: Record<string, unknown> }[] } };
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.$schema, SARIF_SCHEMA);
    const run = sarif.runs[0];
    assert.ok(run);
    assert.equal(run.tool.driver.name, 'kubeguard');
    const ruleIds = new Set(run.tool.driver.rules.map((r) => r.id));
    assert.equal(run.results.length, doc.matches.length);
    for (const r of run.results) {
      assert.ok(ruleIds.has(r.ruleId), r.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(r.level));
      assert.ok(r.message.text.length > 0);
      assert.ok(r.locations[0]?.physicalLocation.artifactLocation.uri);
    }
    const lodashRule = run.tool.driver.rules.find((r) => r.id === 'GHSA-29mw-wpgm-hmr9-lodash');
    assert.equal(lodashRule?.properties['security-severity'], '5.3');
    assert.equal(run.results.find((r) => r.ruleId === 'DEBIAN-CVE-2023-4911-libc6')?.level, 'error');
  });

  it('CycloneDX 1.6: components, vulnerabilities with ratings and affects, ignored ones analysed', () => {
    const bom = renderCycloneDx(doc, { now }) as Record<string, unknown> & {
      components: { 'bom-ref': string; purl?: string }[];
      vulnerabilities: {
        id: string;
        ratings: { severity: string; method: string; score?: number }[];
        affects: { ref: string }[];
        analysis?: { state: string; detail: string };
      }[];
    };
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.match(
      String(bom.serialNumber),
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(bom.version, 1);
    assert.equal((bom.metadata as { timestamp: string }).timestamp, '2026-02-03T04:05:06.000Z');
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    assert.equal(bom.vulnerabilities.length, 3);
    for (const v of bom.vulnerabilities) for (const a of v.affects) assert.ok(refs.has(a.ref), a.ref);
    const lodash = bom.vulnerabilities.find((v) => v.id === 'GHSA-29mw-wpgm-hmr9');
    assert.deepEqual(
      lodash?.ratings.map((r) => [r.method, r.severity, r.score]),
      [
        ['CVSSv31', 'medium', 5.3],
        ['other', 'medium', undefined],
      ],
    );
    const ignored = bom.vulnerabilities.find((v) => v.id === 'DEBIAN-CVE-2019-1010022');
    assert.deepEqual(ignored?.analysis, { state: 'not_affected', detail: 'ignored by rule: accepted' });
    assert.equal(JSON.stringify(renderCycloneDx(doc, { now })), JSON.stringify(bom));
  });

  it('OpenVEX 0.2.0: a statement per match with the status rules OpenVEX requires', () => {
    const vex = renderOpenVex(doc, { now }) as {
      '@context': string;
      '@id': string;
      author: string;
      timestamp: string;
      version: number;
      statements: {
        vulnerability: { name: string; aliases?: string[] };
        products: { '@id': string; subcomponents?: { '@id': string }[] }[];
        status: string;
        justification?: string;
        impact_statement?: string;
        action_statement?: string;
      }[];
    };
    assert.equal(vex['@context'], 'https://openvex.dev/ns/v0.2.0');
    assert.match(vex['@id'], /^https:\/\/openvex\.dev\/docs\/public\/vex-[0-9a-f]{64}$/);
    assert.equal(vex.version, 1);
    assert.equal(vex.timestamp, '2026-02-03T04:05:06.000Z');
    assert.equal(vex.statements.length, 3);
    for (const s of vex.statements) {
      assert.ok(s.products.length > 0);
      if (s.status === 'not_affected') assert.ok(s.justification ?? s.impact_statement);
      if (s.status === 'affected') assert.ok(s.action_statement);
    }
    const lodash = vex.statements.find((s) => s.vulnerability.name === 'GHSA-29mw-wpgm-hmr9');
    assert.deepEqual(lodash?.vulnerability.aliases, ['CVE-2020-28500']);
    assert.deepEqual(lodash?.products, [
      {
        '@id': 'pkg:oci/app@sha256%3Afeed?repository_url=registry.example%2Fteam%2Fapp',
        subcomponents: [{ '@id': 'pkg:npm/lodash@4.17.20' }],
      },
    ]);
    assert.equal(lodash?.action_statement, 'Upgrade pkg:npm/lodash@4.17.20 to version 4.17.21');
    // The output reads back as VEX input and suppresses the ignored finding again.
    const back = parseOpenVex(JSON.stringify(vex), 'roundtrip');
    assert.equal(back.filter((s) => s.status === 'not_affected').length, 1);
  });
});
