import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Advisory } from '../types.ts';
import {
  affectedEntriesFor,
  indexKeysOf,
  normalizePackageName,
  normalizeQuery,
  parseEcosystem,
} from './ecosystems.ts';
import { isNewer, normalizeOsv } from './osv.ts';

const record = (extra: Record<string, unknown> = {}) => ({
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2024-01-02T03:04:05Z',
  affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [] }],
  ...extra,
});

describe('ecosystems', () => {
  it('splits family and release, canonical family spelling, release as published', () => {
    assert.deepEqual(parseEcosystem('Debian:12'), { family: 'Debian', release: '12', key: 'Debian:12' });
    assert.deepEqual(parseEcosystem('Alpine:v3.20'), {
      family: 'Alpine',
      release: 'v3.20',
      key: 'Alpine:v3.20',
    });
    assert.deepEqual(parseEcosystem('pypi'), { family: 'PyPI', release: '', key: 'PyPI' });
    assert.deepEqual(parseEcosystem('Ubuntu:22.04:LTS'), {
      family: 'Ubuntu',
      release: '22.04:LTS',
      key: 'Ubuntu:22.04:LTS',
    });
    assert.deepEqual(parseEcosystem('Red Hat:enterprise_linux:9::appstream')?.family, 'Red Hat');
    assert.equal(parseEcosystem('CRATES.IO')?.key, 'crates.io');
    assert.equal(parseEcosystem('NoSuchEcosystem'), undefined);
    assert.equal(parseEcosystem(''), undefined);
  });

  it('normalises names per ecosystem: PEP 503, lowercase distributions, others exact', () => {
    assert.equal(normalizePackageName('PyPI', 'Jinja2'), 'jinja2');
    assert.equal(normalizePackageName('PyPI', 'zope.interface'), 'zope-interface');
    assert.equal(normalizePackageName('PyPI', 'Foo__Bar-._baz'), 'foo-bar-baz');
    assert.equal(normalizePackageName('npm', 'Axios'), 'Axios');
    assert.equal(normalizePackageName('Go', 'github.com/BurntSushi/toml'), 'github.com/BurntSushi/toml');
    assert.equal(
      normalizePackageName('Maven', 'org.apache.logging.log4j:log4j-core'),
      'org.apache.logging.log4j:log4j-core',
    );
    assert.equal(normalizePackageName('Debian', 'GLibC'), 'glibc');
    assert.equal(normalizePackageName('alpine', 'Musl'), 'musl');
    assert.equal(normalizePackageName('NuGet', 'Newtonsoft.Json'), 'newtonsoft.json');
    assert.equal(normalizePackageName('crates.io', 'Serde_json'), 'Serde_json');
  });

  it('a release query finds that release and the bare family; a family query finds every release', () => {
    const advisory: Advisory = {
      id: 'X-1',
      modified: '2024-01-01T00:00:00Z',
      aliases: [],
      related: [],
      upstream: [],
      severity: [],
      references: [],
      affected: [
        { ecosystem: 'Debian:11', name: 'zlib', ranges: [], versions: [] },
        { ecosystem: 'Debian:12', name: 'zlib', ranges: [], versions: [] },
        { ecosystem: 'Debian', name: 'zlib', ranges: [], versions: [] },
      ],
    };
    const eco = (q: { ecosystem: string; name: string }) =>
      affectedEntriesFor(advisory, q).map((a) => a.ecosystem);
    assert.deepEqual(eco({ ecosystem: 'Debian:12', name: 'zlib' }), ['Debian:12', 'Debian']);
    assert.deepEqual(eco({ ecosystem: 'Debian:13', name: 'zlib' }), ['Debian']);
    assert.deepEqual(eco({ ecosystem: 'debian', name: 'ZLIB' }), ['Debian:11', 'Debian:12', 'Debian']);
    assert.deepEqual(eco({ ecosystem: 'Alpine:v3.20', name: 'zlib' }), []);
    assert.equal(indexKeysOf(advisory).length, 3);
    assert.deepEqual(normalizeQuery({ ecosystem: 'PyPI', name: 'PyYAML' }), {
      family: 'PyPI',
      release: '',
      name: 'pyyaml',
    });
  });
});

describe('normalizeOsv', () => {
  it('keeps aliases, related, upstream, severity, references, ranges, versions and purl', () => {
    const r = normalizeOsv(
      record({
        aliases: ['CVE-2024-1', 7],
        related: ['CVE-2024-2'],
        upstream: ['CVE-2024-3'],
        published: '2024-01-01T00:00:00Z',
        withdrawn: '2024-02-01T00:00:00Z',
        summary: 'summary',
        details: 'details',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, { type: 'X' }],
        references: [{ type: 'ADVISORY', url: 'https://example.org/a' }, { type: 'WEB' }],
        database_specific: { severity: 'HIGH' },
        affected: [
          {
            package: { ecosystem: 'npm', name: 'left-pad', purl: 'pkg:npm/left-pad' },
            ranges: [
              { type: 'semver', events: [{ introduced: '0' }, { fixed: '1.3.0' }, { bogus: '1' }] },
              { type: 'WEIRD', events: [] },
            ],
            versions: ['1.0.0', 2],
            ecosystem_specific: { affects: 'x' },
          },
        ],
      }),
      'in.json',
    );
    assert.ok(r.ok);
    const a = r.advisory;
    assert.deepEqual(a.aliases, ['CVE-2024-1']);
    assert.deepEqual(a.related, ['CVE-2024-2']);
    assert.deepEqual(a.upstream, ['CVE-2024-3']);
    assert.equal(a.withdrawn, '2024-02-01T00:00:00Z');
    assert.equal(a.published, '2024-01-01T00:00:00Z');
    assert.equal(a.databaseSeverity, 'HIGH');
    assert.deepEqual(a.severity, [
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    ]);
    assert.deepEqual(a.references, [{ type: 'ADVISORY', url: 'https://example.org/a' }]);
    assert.deepEqual(a.affected, [
      {
        ecosystem: 'npm',
        name: 'left-pad',
        purl: 'pkg:npm/left-pad',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }],
        versions: ['1.0.0'],
        ecosystemSpecific: { affects: 'x' },
      },
    ]);
    assert.deepEqual(r.keys, [{ family: 'npm', release: '', name: 'left-pad' }]);
  });

  it('takes the Debian urgency as database severity', () => {
    const r = normalizeOsv(
      record({
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'apt' },
            ecosystem_specific: { urgency: 'unimportant' },
          },
        ],
      }),
      'x',
    );
    assert.ok(r.ok);
    assert.equal(r.advisory.databaseSeverity, 'unimportant');
  });

  it('refuses records without id or modified, or with a modified that is not a time', () => {
    const reasons = [
      normalizeOsv(null, 'a'),
      normalizeOsv([], 'a'),
      normalizeOsv(record({ id: undefined }), 'a'),
      normalizeOsv(record({ id: '  ' }), 'a'),
      normalizeOsv(record({ modified: undefined }), 'a'),
      normalizeOsv(record({ modified: 'yesterday' }), 'a'),
      normalizeOsv(record({ affected: { not: 'a list' } }), 'a'),
    ].map((r) => (r.ok ? 'ok' : `${r.warning.reason}: ${r.warning.message}`));
    assert.deepEqual(reasons, [
      'malformed: not a JSON object',
      'malformed: not a JSON object',
      'malformed: missing "id"',
      'malformed: missing "id"',
      'malformed: missing "modified"',
      'malformed: unparsable "modified" yesterday',
      'malformed: "affected" is not a list',
    ]);
    const r = normalizeOsv(record({ modified: undefined }), 'dir/x.json');
    assert.ok(!r.ok);
    assert.equal(r.warning.input, 'dir/x.json#GHSA-aaaa-bbbb-cccc');
  });

  it('drops entries of unknown ecosystems, and the record when nothing usable is left', () => {
    const mixed = normalizeOsv(
      record({
        affected: [
          { package: { ecosystem: 'npm', name: 'a' } },
          { package: { ecosystem: 'Atari', name: 'b' } },
          { ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }] }] },
        ],
      }),
      'x',
    );
    assert.ok(mixed.ok);
    assert.equal(mixed.advisory.affected.length, 1);
    assert.deepEqual(
      mixed.dropped.map((d) => d.reason),
      ['unknown-ecosystem'],
    );
    const none = normalizeOsv(record({ affected: [{ package: { ecosystem: 'Atari', name: 'b' } }] }), 'x');
    assert.ok(!none.ok);
    assert.equal(none.warning.reason, 'unknown-ecosystem');
    assert.match(none.warning.message, /Atari/);
    // A record that never had affected entries is kept (withdrawn and CVE-only records look like that).
    assert.ok(normalizeOsv(record({ affected: [] }), 'x').ok);
  });

  it('orders modified times, nanoseconds included', () => {
    assert.ok(isNewer('2024-01-02T00:00:00Z', '2024-01-01T23:59:59Z'));
    assert.ok(isNewer('2024-01-01T00:00:00.000000002Z', '2024-01-01T00:00:00.000000001Z'));
    assert.ok(isNewer('2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.499999999Z'));
    assert.ok(!isNewer('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z'));
    assert.ok(isNewer('2024-01-01T00:00:00Z', '0001-01-01T00:00:00Z'));
    assert.ok(isNewer('2024-01-01T02:00:00+01:00', '2024-01-01T00:30:00Z'));
  });
});
