import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import type { AffectedPackage, AffectedRange, RangeEvent } from '../types.ts';
import { deb } from './deb.ts';
import { schemeForEcosystem } from './ecosystem.ts';
import { go } from './go.ts';
import { pep440 } from './pep440.ts';
import { fixedVersions, isAffected, schemeForRange } from './range.ts';
import { semver } from './semver.ts';
import { VULNDATA } from './testdata/corpus.ts';

function pkg(ranges: AffectedRange[], versions: string[] = [], ecosystem = 'npm'): AffectedPackage {
  return { ecosystem, name: 'p', ranges, versions };
}
const semverRange = (...events: RangeEvent[]): AffectedRange => ({ type: 'SEMVER', events });
const ecoRange = (...events: RangeEvent[]): AffectedRange => ({ type: 'ECOSYSTEM', events });

describe('isAffected (OSV evaluation)', () => {
  it('"every possible version is affected"', () => {
    const a = pkg([semverRange({ introduced: '0' })]);
    for (const v of ['0.0.0', '0.0.0-0', '1.0.0', '99.0.0']) assert.equal(isAffected(v, a, semver), true, v);
  });

  it('"everything before 1.0.2": fixed is exclusive', () => {
    const a = pkg([semverRange({ introduced: '0' }, { fixed: '1.0.2' })]);
    assert.equal(isAffected('1.0.1', a, semver), true);
    assert.equal(isAffected('1.0.2-rc.1', a, semver), true);
    assert.equal(isAffected('1.0.2', a, semver), false);
    assert.equal(isAffected('1.0.3', a, semver), false);
  });

  it('multiple ranges in one event list: [1.0.0, 1.0.2) and [3.0.0, 3.2.5)', () => {
    const a = pkg([
      semverRange({ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }),
    ]);
    const want: Record<string, boolean> = {
      '0.9.0': false,
      '1.0.0': true,
      '1.0.1': true,
      '1.0.2': false,
      '2.0.0': false,
      '3.0.0': true,
      '3.2.4': true,
      '3.2.5': false,
      '4.0.0': false,
    };
    for (const [v, affected] of Object.entries(want)) assert.equal(isAffected(v, a, semver), affected, v);
  });

  it('sorts events by version before walking them, introduced "0" first', () => {
    const a = pkg([
      semverRange({ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '0' }),
    ]);
    assert.equal(isAffected('0.1.0', a, semver), true);
    assert.equal(isAffected('2.0.0', a, semver), false);
    assert.equal(isAffected('3.1.0', a, semver), true);
  });

  it('last_affected is inclusive', () => {
    const a = pkg([ecoRange({ introduced: '0' }, { last_affected: '4.5.1' })]);
    assert.equal(isAffected('4.5.1', a, semver), true);
    assert.equal(isAffected('4.5.2', a, semver), false);
  });

  it('limit caps a range (exclusive), "*" is infinity, several limits mean "below any"', () => {
    const limited = pkg([semverRange({ introduced: '1.0.0' }, { limit: '2.0.0' })]);
    assert.equal(isAffected('1.5.0', limited, semver), true);
    assert.equal(isAffected('2.0.0', limited, semver), false);
    const star = pkg([semverRange({ introduced: '1.0.0' }, { limit: '*' })]);
    assert.equal(isAffected('9.0.0', star, semver), true);
    const two = pkg([semverRange({ introduced: '1.0.0' }, { limit: '2.0.0' }, { limit: '3.0.0' })]);
    assert.equal(isAffected('2.5.0', two, semver), true);
    assert.equal(isAffected('3.0.0', two, semver), false);
  });

  it('matches the explicit versions list, by string and by scheme equality', () => {
    const a = pkg([], ['1.0', '2.0.0rc1', 'some-tag'], 'PyPI');
    assert.equal(isAffected('1.0', a, pep440), true);
    assert.equal(isAffected('1.0.0', a, pep440), true);
    assert.equal(isAffected('2.0.0-rc.1', a, pep440), true);
    assert.equal(isAffected('some-tag', a, pep440), true);
    assert.equal(isAffected('1.1', a, pep440), false);
    // Only compared as a string, so an unparsable installed version is no error here.
    assert.equal(isAffected('not a version', a, pep440), false);
  });

  it('ignores GIT ranges and needs at least one introduced to be affected', () => {
    const a = pkg([
      { type: 'GIT', events: [{ introduced: '0' }, { fixed: '1dd69c5c5982fae7c87a620d487c2ebf7a6b436b' }] },
    ]);
    assert.equal(isAffected('1.0.0', a, semver), false);
    assert.equal(isAffected('1.0.0', pkg([semverRange({ fixed: '2.0.0' })]), semver), false);
  });

  it('compares SEMVER ranges as SemVer whatever the ecosystem (Go keeps its superset)', () => {
    assert.equal(schemeForRange('SEMVER', pep440), semver);
    assert.equal(schemeForRange('SEMVER', go), go);
    assert.equal(schemeForRange('ECOSYSTEM', pep440), pep440);
    // As SemVer 1.0.0-rc.1 < 1.0.0; PEP 440 would reject "1.0.0-rc.1"-style ordering quirks differently.
    const a = pkg([semverRange({ introduced: '0' }, { fixed: '1.0.0' })], [], 'PyPI');
    assert.equal(isAffected('1.0.0-rc.1', a, pep440), true);
    const stdlib = pkg(
      [
        semverRange(
          { introduced: '0' },
          { fixed: '1.21.8' },
          { introduced: '1.22.0-0' },
          { fixed: '1.22.1' },
        ),
      ],
      [],
      'Go',
    );
    assert.equal(isAffected('go1.22.0', stdlib, go), true);
    assert.equal(isAffected('go1.22rc1', stdlib, go), true);
    assert.equal(isAffected('go1.22.1', stdlib, go), false);
    assert.equal(isAffected('v1.21.7', stdlib, go), true);
  });

  it('throws KG_ERR_INVALID_INPUT naming an unparsable version on either side', () => {
    const a = pkg([ecoRange({ introduced: '0' }, { fixed: '1.2.3' })]);
    assert.throws(
      () => isAffected('banana', a, semver),
      (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes('"banana"'),
    );
    const badEvent = pkg([ecoRange({ introduced: '0' }, { fixed: 'one.two' })]);
    assert.throws(
      () => isAffected('1.0.0', badEvent, semver),
      (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes('"one.two"'),
    );
  });

  it('fixedVersions: the fixed events of version ranges, de-duplicated and sorted', () => {
    const a = pkg([
      ecoRange({ introduced: '7.0.0' }, { fixed: '7.5.2' }),
      ecoRange({ introduced: '0' }, { fixed: '5.7.2' }),
      ecoRange({ introduced: '6.0.0' }, { fixed: '6.3.1' }, { introduced: '6.4.0' }, { fixed: '6.3.1' }),
      { type: 'GIT', events: [{ introduced: '0' }, { fixed: 'abc123' }] },
    ]);
    assert.deepEqual(fixedVersions(a, semver), ['5.7.2', '6.3.1', '7.5.2']);
    const withJunk = pkg([ecoRange({ introduced: '0' }, { fixed: 'unknown' }, { fixed: '1.0.0' })]);
    assert.deepEqual(fixedVersions(withJunk, semver), ['1.0.0', 'unknown']);
    const debian = pkg(
      [
        ecoRange({ introduced: '0' }, { fixed: '252.38-1~deb12u1' }),
        ecoRange({ introduced: '0' }, { fixed: '252.38-1' }),
      ],
      [],
      'Debian:12',
    );
    assert.deepEqual(fixedVersions(debian, deb), ['252.38-1~deb12u1', '252.38-1']);
  });
});

// Real records of ../shared/vulndata, read in place, against the expectations in facts.json.

interface OsvAffected {
  package: { ecosystem: string; name: string; purl?: string };
  ranges?: { type: AffectedRange['type']; events: RangeEvent[] }[];
  versions?: string[];
}
interface OsvRecord {
  id: string;
  affected?: OsvAffected[];
}

function loadRecords(): { id: string; affected: AffectedPackage[] }[] {
  const out: { id: string; affected: AffectedPackage[] }[] = [];
  for (const folder of readdirSync(`${VULNDATA}osv`)) {
    for (const file of readdirSync(`${VULNDATA}osv/${folder}`).filter((f) => f.endsWith('.json'))) {
      const r = JSON.parse(readFileSync(`${VULNDATA}osv/${folder}/${file}`, 'utf8')) as OsvRecord;
      out.push({
        id: r.id,
        affected: (r.affected ?? []).map((a) => ({
          ecosystem: a.package.ecosystem,
          name: a.package.name,
          ranges: (a.ranges ?? []).map((x) => ({ type: x.type, events: x.events })),
          versions: a.versions ?? [],
        })),
      });
    }
  }
  return out;
}

/** PEP 503 for PyPI; every other ecosystem here compares names exactly. */
const normalizeName = (ecosystem: string, name: string): string =>
  ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;

interface Fact {
  ecosystem: string;
  name: string;
  version: string;
  expected: string[];
}

function facts(): Fact[] {
  const f = JSON.parse(readFileSync(`${VULNDATA}facts.json`, 'utf8')) as {
    language_ecosystems: Record<
      string,
      { ecosystem: string; package: string; version: string; expected_ids: string[] }[]
    >;
    debian_12: {
      minbase_12_15: {
        source: string;
        source_version_12_15: string;
        expected_ids_by_source_version: string[];
        bookworm_security_version_nov2026?: string;
        expected_ids_after_security_update?: string[];
      }[];
      other_versions: { source: string; version: string; expected_ids: string[] }[];
    };
  };
  const out: Fact[] = [];
  for (const list of Object.values(f.language_ecosystems)) {
    for (const x of list)
      out.push({ ecosystem: x.ecosystem, name: x.package, version: x.version, expected: x.expected_ids });
  }
  for (const x of f.debian_12.minbase_12_15) {
    out.push({
      ecosystem: 'Debian:12',
      name: x.source,
      version: x.source_version_12_15,
      expected: x.expected_ids_by_source_version,
    });
    if (x.bookworm_security_version_nov2026 && x.expected_ids_after_security_update) {
      out.push({
        ecosystem: 'Debian:12',
        name: x.source,
        version: x.bookworm_security_version_nov2026,
        expected: x.expected_ids_after_security_update,
      });
    }
  }
  for (const x of f.debian_12.other_versions)
    out.push({ ecosystem: 'Debian:12', name: x.source, version: x.version, expected: x.expected_ids });
  return out;
}

describe(
  'isAffected on the shared OSV records (facts.json)',
  { skip: !existsSync(`${VULNDATA}facts.json`) && `no ${VULNDATA}` },
  () => {
    const records = existsSync(`${VULNDATA}osv`) ? loadRecords() : [];
    const all = existsSync(`${VULNDATA}facts.json`) ? facts() : [];

    it(`reproduces all ${all.length} expected match sets`, () => {
      assert.ok(all.length > 250, `${all.length} facts`);
      const wrong: string[] = [];
      for (const fact of all) {
        const ids = new Set<string>();
        for (const record of records) {
          for (const a of record.affected) {
            if (a.ecosystem !== fact.ecosystem) continue;
            if (normalizeName(a.ecosystem, a.name) !== normalizeName(fact.ecosystem, fact.name)) continue;
            if (isAffected(fact.version, a, schemeForEcosystem(a.ecosystem))) ids.add(record.id);
          }
        }
        const got = [...ids].sort();
        const want = [...fact.expected].sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          wrong.push(
            `${fact.ecosystem} ${fact.name}@${fact.version}: got ${got.join(',')} want ${want.join(',')}`,
          );
        }
      }
      assert.deepEqual(wrong, []);
    });

    it('parses every event version of every record with its ecosystem scheme', () => {
      for (const record of records) {
        for (const a of record.affected) {
          const scheme = schemeForEcosystem(a.ecosystem);
          for (const r of a.ranges) {
            if (r.type === 'GIT') continue;
            const s = schemeForRange(r.type, scheme);
            for (const e of r.events) {
              for (const v of Object.values(e) as string[]) {
                if (!(e.introduced === '0'))
                  assert.equal(s.valid(v), true, `${record.id} ${a.ecosystem} ${v} (${s.id})`);
              }
            }
          }
        }
      }
    });

    it('reports the fixes of real back-port ranges in order', () => {
      const byId = new Map(records.map((r) => [r.id, r]));
      // GHSA-hrpp-h998-j3pp lists qs in nine affected entries (one per back-port line); merged here.
      const entries = byId.get('GHSA-hrpp-h998-j3pp')?.affected.filter((a) => a.name === 'qs') ?? [];
      assert.equal(entries.length, 9);
      const qs: AffectedPackage = {
        ecosystem: 'npm',
        name: 'qs',
        ranges: entries.flatMap((a) => a.ranges),
        versions: [],
      };
      assert.deepEqual(fixedVersions(qs, semver), [
        '6.2.4',
        '6.3.3',
        '6.4.1',
        '6.5.3',
        '6.6.1',
        '6.7.3',
        '6.8.3',
        '6.9.7',
        '6.10.3',
      ]);
      const time = byId.get('RUSTSEC-2020-0071')?.affected[0];
      assert.ok(time, 'RUSTSEC-2020-0071 not found');
      assert.equal(isAffected('0.2.22', time, semver), true);
      assert.equal(isAffected('0.2.23', time, semver), false);
    });
  },
);
