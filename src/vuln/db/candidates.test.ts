/**
 * The database's reduced lookup (`candidates`) against the whole records (`find`): the same
 * advisories in the same order, the same affected entries as `affectedEntriesFor` (reduced to what
 * matching reads), the head of each; databases written before the matching columns existed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { AdvisoryCandidate, AdvisoryQuery } from '../types.ts';
import { affectedVersionsOf, candidateOf, headOf } from './candidates.ts';
import { affectedEntriesFor } from './ecosystems.ts';
import { importInto } from './importer.ts';
import { buildDatabase } from './install.ts';
import { normalizeOsv } from './osv.ts';
import { openAdvisoryDb } from './store.ts';
import type { AdvisoryDb } from './store.ts';

const VULNDATA =
  process.env.KUBEGUARD_VULNDATA ?? path.resolve(import.meta.dirname, '../../../../shared/vulndata');
const OSV = path.join(VULNDATA, 'osv');
const available = fs.existsSync(path.join(VULNDATA, 'facts.json'));
const skip = available ? false : `vulndata not found at ${VULNDATA}`;

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-candidates-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * What a candidate says, comparable with deepEqual: reduced as the database stores it (a
 * candidate read through whole records carries them unreduced; matching reads the same fields).
 */
function plain(c: AdvisoryCandidate): unknown {
  return {
    id: c.id,
    withdrawn: c.withdrawn,
    entries: c.entries().map(affectedVersionsOf),
    head: headOf(c.head()),
  };
}

/** `find` in candidate form, reduced as the database stores it. */
function expected(db: AdvisoryDb, query: AdvisoryQuery): unknown[] {
  return db.find(query).map((a) => ({
    id: a.id,
    withdrawn: Boolean(a.withdrawn),
    entries: affectedEntriesFor(a, query).map(affectedVersionsOf),
    head: headOf(a),
  }));
}

/** Every (ecosystem, name) of the index, with and without its release. */
function queriesOf(file: string): AdvisoryQuery[] {
  const raw = new Database(file, { readonly: true });
  try {
    const rows = raw.prepare('SELECT DISTINCT family, name, release FROM affected').all() as {
      family: string;
      name: string;
      release: string;
    }[];
    return rows.flatMap((r) => [
      { ecosystem: r.release ? `${r.family}:${r.release}` : r.family, name: r.name },
      { ecosystem: r.family, name: r.name },
    ]);
  } finally {
    raw.close();
  }
}

function osv(id: string, affected: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { id, modified: '2024-01-01T00:00:00Z', summary: `${id} summary`, affected, ...extra };
}

const write = (dir: string, records: unknown[]): void => {
  fs.mkdirSync(dir, { recursive: true });
  records.forEach((r, i) => fs.writeFileSync(path.join(dir, `${i}.json`), JSON.stringify(r)));
};

describe('candidates from the vulndata corpus', { skip }, () => {
  let file: string;
  let db: AdvisoryDb;
  before(async () => {
    file = path.join(tmp, 'vulndata.sqlite');
    await buildDatabase({ output: file, inputs: [OSV] });
    db = openAdvisoryDb(file);
  });
  after(() => db?.close());

  it('equal find() for every package of the index, with and without the release', () => {
    const queries = queriesOf(file);
    assert.ok(queries.length > 100);
    for (const q of queries)
      assert.deepEqual(db.candidates(q).map(plain), expected(db, q), JSON.stringify(q));
  });
});

describe('candidates', () => {
  const records = [
    // Listed for the bare family and a release, interleaved: entries come back in record order.
    osv('DSA-1-1', [
      {
        package: { ecosystem: 'Debian:12', name: 'zlib' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2' }] }],
        ecosystem_specific: { urgency: 'low', binaries: ['zlib1g'] },
      },
      {
        package: { ecosystem: 'Debian', name: 'zlib' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2' }] }],
        database_specific: { tracker_status: 'ignored', note: 'dropped' },
      },
      {
        package: { ecosystem: 'Debian:12', name: 'ZLIB' },
        versions: ['1.5'],
        ranges: [],
        ecosystem_specific: { nodsa: 'minor' },
      },
      { package: { ecosystem: 'Debian:11', name: 'zlib' }, ranges: [] },
    ]),
    osv('DEBIAN-CVE-2024-1', [{ package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: [] }], {
      withdrawn: '2024-02-01T00:00:00Z',
      details: 'only details',
      summary: undefined,
    }),
    osv('GHSA-aaaa', [{ package: { ecosystem: 'PyPI', name: 'Foo_Bar' }, ranges: [] }], {
      aliases: ['CVE-2024-2'],
      details: 'not kept: there is a summary',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      references: [{ type: 'WEB', url: 'https://example.com' }],
      database_specific: { severity: 'HIGH' },
    }),
  ];
  let file: string;
  let db: AdvisoryDb;
  before(async () => {
    write(path.join(tmp, 'small'), records);
    file = path.join(tmp, 'small.sqlite');
    await buildDatabase({ output: file, inputs: [path.join(tmp, 'small')] });
    db = openAdvisoryDb(file);
  });
  after(() => db?.close());

  it('merge the rows of one advisory in record order and keep what matching reads', () => {
    const found = db.candidates({ ecosystem: 'Debian:12', name: 'zlib' });
    assert.deepEqual(
      found.map((c) => c.id),
      ['DEBIAN-CVE-2024-1', 'DSA-1-1'],
    );
    const byId = new Map(found.map((c) => [c.id, c]));
    assert.deepEqual(byId.get('DSA-1-1')?.entries(), [
      { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2' }] }], versions: [] },
      {
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2' }] }],
        versions: [],
        databaseSpecific: { tracker_status: 'ignored' },
      },
      { ranges: [], versions: ['1.5'], ecosystemSpecific: { nodsa: 'minor' } },
    ]);
    assert.equal(byId.get('DEBIAN-CVE-2024-1')?.withdrawn, true);
    assert.equal(byId.get('DSA-1-1')?.withdrawn, false);
    for (const q of [
      { ecosystem: 'Debian:12', name: 'zlib' },
      { ecosystem: 'Debian', name: 'zlib' },
      { ecosystem: 'Debian:11', name: 'Zlib' },
      { ecosystem: 'PyPI', name: 'foo.bar' },
      { ecosystem: 'npm', name: 'nothing' },
      { ecosystem: 'NoSuchEcosystem', name: 'zlib' },
    ])
      assert.deepEqual(db.candidates(q).map(plain), expected(db, q), JSON.stringify(q));
  });

  it('carry a head with the description source and the rating, without the other fields', () => {
    const [ghsa] = db.candidates({ ecosystem: 'PyPI', name: 'foo-bar' });
    assert.deepEqual(ghsa?.head(), {
      id: 'GHSA-aaaa',
      aliases: ['CVE-2024-2'],
      upstream: [],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      references: [{ type: 'WEB', url: 'https://example.com' }],
      affected: [{ ecosystem: 'PyPI' }],
      summary: 'GHSA-aaaa summary',
      databaseSeverity: 'HIGH',
    });
    const withdrawn = db.candidates({ ecosystem: 'Debian:12', name: 'zlib' }).find((c) => c.withdrawn);
    assert.equal(withdrawn?.head().details, 'only details');
  });

  it('read in one transaction, nested or not, and leave none open after an error', () => {
    const q = { ecosystem: 'Debian:12', name: 'zlib' };
    const outside = db.candidates(q).map(plain);
    assert.deepEqual(
      db.read(() => db.read(() => db.candidates(q).map(plain))),
      outside,
    );
    assert.throws(
      () =>
        db.read(() => {
          db.candidates(q);
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(db.sqlite.inTransaction, false);
    assert.deepEqual(db.candidates(q).map(plain), outside);
  });

  it('agree with candidateOf on whole records', () => {
    for (const raw of records) {
      const r = normalizeOsv(raw, 'test');
      assert.ok(r.ok);
      const q = { ecosystem: 'Debian:12', name: 'zlib' };
      const c = candidateOf(r.advisory, q);
      assert.deepEqual(c.entries(), affectedEntriesFor(r.advisory, q));
      assert.equal(c.head(), r.advisory);
    }
  });
});

describe('a database written before the matching columns', () => {
  it('is read through the whole records, and gains the columns when opened for writing', async () => {
    const dir = path.join(tmp, 'old');
    write(dir, [
      osv('OLD-1', [
        {
          package: { ecosystem: 'npm', name: 'left-pad' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
        },
      ]),
    ]);
    const file = path.join(tmp, 'old.sqlite');
    await buildDatabase({ output: file, inputs: [dir] });
    // Back to the first layout: the index without the matching columns.
    const raw = new Database(file);
    raw.exec(`
      CREATE TABLE old_affected (family TEXT NOT NULL, name TEXT NOT NULL, release TEXT NOT NULL,
        advisory INTEGER NOT NULL, PRIMARY KEY (family, name, release, advisory)) WITHOUT ROWID;
      INSERT INTO old_affected SELECT family, name, release, advisory FROM affected;
      DROP TABLE affected;
      ALTER TABLE old_affected RENAME TO affected;`);
    raw.close();
    const q = { ecosystem: 'npm', name: 'left-pad' };

    const readonly = openAdvisoryDb(file);
    assert.deepEqual(readonly.candidates(q).map(plain), expected(readonly, q));
    readonly.close();

    // Opened for writing, it gains the columns; its old rows keep NULL there and are still read
    // through the records, also next to rows written now.
    const writable = openAdvisoryDb(file, { readonly: false });
    assert.deepEqual(writable.candidates(q).map(plain), expected(writable, q));
    const more = path.join(tmp, 'old-more');
    write(more, [
      osv('NEW-1', [
        { package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [] },
        { package: { ecosystem: 'npm', name: 'right-pad' }, ranges: [] },
      ]),
    ]);
    await importInto(writable, more);
    writable.close();
    const again = openAdvisoryDb(file);
    for (const query of [q, { ecosystem: 'npm', name: 'right-pad' }])
      assert.deepEqual(again.candidates(query).map(plain), expected(again, query), query.name);
    assert.deepEqual(
      again.candidates(q).map((c) => c.id),
      ['NEW-1', 'OLD-1'],
    );
    again.close();
  });
});
