/**
 * Import and lookup against the real advisories of ../shared/vulndata (read in place, never
 * copied) and its facts.json, plus bad input, zip import, "newer modified wins" and bundles.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isKubeguardError } from '../../common/index.ts';
import type { AdvisoryProvider } from '../types.ts';
import { extractBundle, writeBundle } from './bundle.ts';
import { importInto } from './importer.ts';
import { buildDatabase } from './install.ts';
import { memoryProviderFromOsv } from './provider.ts';
import { openAdvisoryDb } from './store.ts';
import type { AdvisoryDb } from './store.ts';
import { writeZip } from './zip.ts';

const VULNDATA =
  process.env.KUBEGUARD_VULNDATA ?? path.resolve(import.meta.dirname, '../../../../shared/vulndata');
const OSV = path.join(VULNDATA, 'osv');
const available = fs.existsSync(path.join(VULNDATA, 'facts.json'));
const skip = available ? false : `vulndata not found at ${VULNDATA}`;

interface Facts {
  language_ecosystems: Record<
    string,
    { ecosystem: string; package: string; version: string; expected_ids: string[] }[]
  >;
  debian_12: {
    minbase_12_15: { source: string; expected_ids_by_source_version: string[] }[];
    other_versions: { source: string; version: string; expected_ids: string[] }[];
  };
}

/** Every (ecosystem, package) of facts.json with the ids expected at some version of it. */
function factQueries(facts: Facts): { ecosystem: string; name: string; expected: Set<string> }[] {
  const byKey = new Map<string, { ecosystem: string; name: string; expected: Set<string> }>();
  const add = (ecosystem: string, name: string, ids: string[]) => {
    const key = `${ecosystem} ${name}`;
    const entry = byKey.get(key) ?? { ecosystem, name, expected: new Set<string>() };
    for (const id of ids) entry.expected.add(id);
    byKey.set(key, entry);
  };
  for (const list of Object.values(facts.language_ecosystems))
    for (const f of list) add(f.ecosystem, f.package, f.expected_ids);
  for (const f of facts.debian_12.minbase_12_15) add('Debian:12', f.source, f.expected_ids_by_source_version);
  for (const f of facts.debian_12.other_versions) add('Debian:12', f.source, f.expected_ids);
  return [...byKey.values()];
}

const ids = (p: AdvisoryProvider, ecosystem: string, name: string) =>
  p.find({ ecosystem, name }).map((a) => a.id);

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-vulndb-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the vulndata corpus', { skip }, () => {
  let dbPath: string;
  let db: AdvisoryDb;
  before(async () => {
    dbPath = path.join(tmp, 'vulndata.sqlite');
    await buildDatabase({ output: dbPath, inputs: [OSV] });
    db = openAdvisoryDb(dbPath);
  });
  after(() => db?.close());

  it('imports all 169 records with the per-ecosystem counts of MANIFEST.md', () => {
    const info = db.info();
    assert.equal(info.counts.advisories, 169);
    assert.equal(info.counts.skipped, 0);
    assert.deepEqual(info.ecosystems, {
      'Alpine:v3.16': 1,
      'Alpine:v3.17': 1,
      'Alpine:v3.18': 1,
      'Alpine:v3.19': 1,
      'Alpine:v3.20': 1,
      'Alpine:v3.21': 1,
      'Alpine:v3.22': 1,
      'Alpine:v3.23': 1,
      'Alpine:v3.24': 1,
      'Debian:12': 75,
      'Debian:9': 4,
      Go: 27,
      Maven: 10,
      PyPI: 19,
      RubyGems: 5,
      'crates.io': 8,
      npm: 20,
    });
    assert.deepEqual(
      info.sources.map((s) => [s.name, s.records]),
      [['osv', 169]],
    );
    assert.match(info.checksum, /^sha256:[0-9a-f]{64}$/);
    assert.equal(info.schemaVersion, 1);
    const meta = db.metadata();
    assert.deepEqual(Object.keys(meta).sort(), ['built', 'checksum', 'counts', 'schemaVersion', 'sources']);
  });

  it('finds every advisory that facts.json expects, per (ecosystem, package)', () => {
    const facts = JSON.parse(fs.readFileSync(path.join(VULNDATA, 'facts.json'), 'utf8')) as Facts;
    const queries = factQueries(facts);
    assert.ok(queries.length > 80);
    for (const q of queries) {
      const found = new Set(ids(db, q.ecosystem, q.name));
      for (const id of q.expected) assert.ok(found.has(id), `${q.ecosystem} ${q.name}: ${id} not found`);
    }
  });

  it('answers Debian 12 source packages exactly', () => {
    assert.deepEqual(ids(db, 'Debian:12', 'glibc'), [
      'DEBIAN-CVE-2018-20796',
      'DEBIAN-CVE-2019-1010022',
      'DEBIAN-CVE-2023-4911',
      'DEBIAN-CVE-2023-6246',
      'DEBIAN-CVE-2024-2961',
      'DEBIAN-CVE-2024-33599',
      'DEBIAN-CVE-2025-4802',
      'DEBIAN-CVE-2026-4046',
      'DSA-5514-1',
      'DSA-5611-1',
      'DSA-5673-1',
      'DSA-5678-1',
    ]);
    assert.deepEqual(ids(db, 'Debian:12', 'apt'), ['DEBIAN-CVE-2011-3374']);
    assert.deepEqual(ids(db, 'Debian:12', 'adduser'), []);
    // Debian:9 records do not leak into Debian:12, but the bare family sees both.
    const dla = ids(db, 'Debian:9', 'dpkg');
    assert.ok(dla.length > 0 && dla.every((id) => id.startsWith('DLA-')), dla.join());
    assert.ok(!ids(db, 'Debian:12', 'dpkg').some((id) => id.startsWith('DLA-')));
    assert.deepEqual(ids(db, 'Debian', 'dpkg').sort(), [...ids(db, 'Debian:12', 'dpkg'), ...dla].sort());
    const dsa = db.get('DSA-5514-1');
    assert.deepEqual(dsa?.upstream, ['CVE-2023-4911', 'DEBIAN-CVE-2023-4911']);
    assert.equal(db.get('DEBIAN-CVE-2011-3374')?.databaseSeverity, 'unimportant');
  });

  it('normalises PyPI names per PEP 503 and keeps npm names exact', () => {
    const jinja = ids(db, 'PyPI', 'jinja2');
    assert.deepEqual(jinja, ['GHSA-h5c8-rqwp-cp95', 'GHSA-h75v-3vvj-5mfj']);
    assert.deepEqual(ids(db, 'PyPI', 'Jinja2'), jinja);
    assert.deepEqual(ids(db, 'pypi', 'JINJA2'), jinja);
    assert.deepEqual(ids(db, 'PyPI', 'pyyaml'), ids(db, 'PyPI', 'PyYAML'));
    assert.ok(ids(db, 'PyPI', 'pyyaml').length > 0);
    assert.deepEqual(ids(db, 'PyPI', 'django'), ids(db, 'PyPI', 'Django'));
    assert.deepEqual(ids(db, 'npm', 'axios'), ['GHSA-wf5p-g6vw-rhxx']);
    assert.deepEqual(ids(db, 'npm', 'Axios'), ['GHSA-8hc4-vh64-cxmj']);
    assert.ok(ids(db, 'npm', 'lodash').includes('GHSA-35jh-r3h4-6jhm'));
    assert.ok(ids(db, 'Maven', 'org.apache.logging.log4j:log4j-core').includes('GHSA-jfh8-c2jp-5v3q'));
    assert.ok(ids(db, 'Go', 'stdlib').includes('GO-2025-3503'));
    assert.deepEqual(ids(db, 'crates.io', 'rsa'), ['RUSTSEC-2023-0071']);
  });

  it('answers Alpine per release and for the family', () => {
    assert.deepEqual(ids(db, 'Alpine:v3.18', 'musl'), ['ALPINE-CVE-2025-26519']);
    assert.deepEqual(ids(db, 'Alpine:v3.15', 'musl'), []);
    assert.deepEqual(ids(db, 'Alpine', 'musl'), ['ALPINE-CVE-2025-26519']);
    assert.deepEqual(ids(db, 'Atari', 'musl'), []);
  });

  it('gives the same answers as the in-memory provider', () => {
    const records = fs
      .readdirSync(OSV)
      .flatMap((d) => fs.readdirSync(path.join(OSV, d)).map((f) => path.join(OSV, d, f)))
      .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as unknown);
    const memory = memoryProviderFromOsv(records);
    const facts = JSON.parse(fs.readFileSync(path.join(VULNDATA, 'facts.json'), 'utf8')) as Facts;
    for (const q of [...factQueries(facts), { ecosystem: 'Debian', name: 'glibc', expected: new Set() }])
      assert.deepEqual(
        ids(memory, q.ecosystem, q.name),
        ids(db, q.ecosystem, q.name),
        `${q.ecosystem} ${q.name}`,
      );
    assert.equal(memory.metadata().counts.advisories, 169);
    // Same content, same checksum, whichever provider computed it.
    assert.equal(memory.metadata().checksum, db.metadata().checksum);
  });

  it('opens in well under 100 ms', () => {
    const t = performance.now();
    const again = openAdvisoryDb(dbPath);
    again.metadata();
    again.find({ ecosystem: 'npm', name: 'lodash' });
    const ms = performance.now() - t;
    again.close();
    assert.ok(ms < 100, `${ms} ms`);
  });

  it('imports the same corpus from an all.zip per ecosystem with the same content checksum', async () => {
    const zips: string[] = [];
    for (const eco of fs.readdirSync(OSV)) {
      const file = path.join(tmp, 'zips', eco, 'all.zip');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeZip(
        file,
        fs
          .readdirSync(path.join(OSV, eco))
          .map((f) => ({ name: f, data: fs.readFileSync(path.join(OSV, eco, f)) })),
      );
      zips.push(file);
    }
    const out = path.join(tmp, 'from-zips.sqlite');
    const { info, imports } = await buildDatabase({ output: out, inputs: zips });
    assert.equal(info.counts.advisories, 169);
    assert.equal(info.checksum, db.info().checksum);
    assert.deepEqual(
      imports.map((i) => i.source).sort(),
      fs.readdirSync(OSV).sort(),
      'an all.zip is named after its folder',
    );
    assert.ok(info.sources.every((s) => /^[0-9a-f]{64}$/.test(s.sha256 ?? '')));
  });
});

function osv(id: string, modified: string, ecosystem: string, name: string): string {
  return JSON.stringify({ id, modified, affected: [{ package: { ecosystem, name } }] });
}

describe('bad input', () => {
  it('skips malformed records, unknown ecosystems, hostile zip entries and bombs with counted warnings', async () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(path.join(dir, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'good.json'), osv('GOOD-1', '2024-01-01T00:00:00Z', 'npm', 'good'));
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"id": "BROKEN-1", ');
    fs.writeFileSync(path.join(dir, 'no-id.json'), JSON.stringify({ modified: '2024-01-01T00:00:00Z' }));
    fs.writeFileSync(path.join(dir, 'no-modified.json'), JSON.stringify({ id: 'NOMOD-1' }));
    fs.writeFileSync(path.join(dir, 'atari.json'), osv('ATARI-1', '2024-01-01T00:00:00Z', 'Atari', 'pong'));
    fs.writeFileSync(
      path.join(dir, 'nested', 'list.json'),
      `[${osv('LIST-1', '2024-01-01T00:00:00Z', 'PyPI', 'Some_Thing')}, 42]`,
    );
    fs.writeFileSync(path.join(dir, 'README.md'), '# not an advisory');
    fs.writeFileSync(path.join(dir, 'huge.json'), ' '.repeat(2 * 1024 * 1024));
    writeZip(path.join(dir, 'nested', 'all.zip'), [
      { name: 'ZIP-1.json', data: osv('ZIP-1', '2024-01-01T00:00:00Z', 'Go', 'example.com/m') },
      { name: '../../escape.json', data: osv('ESC-1', '2024-01-01T00:00:00Z', 'npm', 'x') },
      { name: '/etc/abs.json', data: osv('ABS-1', '2024-01-01T00:00:00Z', 'npm', 'x') },
      { name: 'bomb.json', data: Buffer.alloc(4 * 1024 * 1024), declaredSize: 10 },
      { name: 'notes.txt', data: 'ignored' },
    ]);
    fs.writeFileSync(path.join(dir, 'fake.zip'), 'PK\x03\x04 but nothing else');

    const out = path.join(tmp, 'bad.sqlite');
    const { info, imports } = await buildDatabase({
      output: out,
      inputs: [dir],
      limits: { maxEntryBytes: 1024 * 1024 },
    });
    const [stats] = imports;
    assert.ok(stats);
    const db = openAdvisoryDb(out);
    try {
      assert.deepEqual(
        db.info().sources.map((s) => [s.name, s.records, s.skipped]),
        [['bad', 3, 10]],
      );
      assert.deepEqual(ids(db, 'npm', 'good'), ['GOOD-1']);
      assert.deepEqual(ids(db, 'PyPI', 'some-thing'), ['LIST-1']);
      assert.deepEqual(ids(db, 'Go', 'example.com/m'), ['ZIP-1']);
      assert.deepEqual(ids(db, 'npm', 'x'), []);
    } finally {
      db.close();
    }
    assert.equal(info.counts.advisories, 3);
    assert.deepEqual(info.skipped, {
      malformed: 4,
      'unknown-ecosystem': 1,
      'unsafe-path': 2,
      'too-large': 2,
      corrupt: 1,
      unsupported: 0,
    });
    assert.equal(info.counts.skipped, 10);
    assert.equal(stats.ignored, 2, 'README.md and notes.txt');
    const warned = (suffix: string) => info.warnings.find((w) => w.input.endsWith(suffix));
    assert.equal(warned('broken.json')?.reason, 'malformed');
    assert.equal(warned('no-modified.json#NOMOD-1')?.reason, 'malformed');
    assert.equal(warned('atari.json#ATARI-1')?.reason, 'unknown-ecosystem');
    assert.equal(warned('list.json[1]')?.reason, 'malformed');
    assert.equal(warned('all.zip!../../escape.json')?.reason, 'unsafe-path');
    assert.equal(warned('all.zip!bomb.json')?.reason, 'too-large');
    assert.equal(warned('huge.json')?.reason, 'too-large');
    assert.equal(warned('fake.zip')?.reason, 'corrupt');
  });

  it('fails a build whose top-level input cannot be read, leaving the database as it was', async () => {
    const out = path.join(tmp, 'kept.sqlite');
    const good = path.join(tmp, 'kept-input');
    fs.mkdirSync(good);
    fs.writeFileSync(path.join(good, 'a.json'), osv('KEEP-1', '2024-01-01T00:00:00Z', 'npm', 'kept'));
    const { info } = await buildDatabase({ output: out, inputs: [good] });
    const garbage = path.join(tmp, 'garbage.zip');
    fs.writeFileSync(garbage, 'PK\x03\x04 not really');
    await assert.rejects(buildDatabase({ output: out, inputs: [garbage] }), /cannot import/);
    await assert.rejects(
      buildDatabase({ output: out, inputs: [path.join(tmp, 'missing')] }),
      /cannot import/,
    );
    const db = openAdvisoryDb(out);
    assert.equal(db.info().checksum, info.checksum);
    assert.deepEqual(ids(db, 'npm', 'kept'), ['KEEP-1']);
    db.close();
    assert.deepEqual(
      fs.readdirSync(tmp).filter((f) => f.startsWith('.kept.sqlite')),
      [],
      'no temporary files left',
    );
  });
});

describe('several inputs', () => {
  it('keeps the advisory with the newer modified, whatever the order', async () => {
    const dir = path.join(tmp, 'versions');
    for (const [name, modified, pkg] of [
      ['a', '2024-01-01T00:00:00Z', 'old-name'],
      ['b', '2025-06-01T00:00:00.000000002Z', 'new-name'],
      ['c', '2025-06-01T00:00:00.000000001Z', 'almost-new-name'],
    ] as const) {
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      fs.writeFileSync(path.join(dir, name, 'X.json'), osv('X-1', modified, 'npm', pkg));
    }
    // [input order, records not written because a newer version was already there]
    for (const [order, superseded] of [
      [['a', 'b', 'c'], 1],
      [['c', 'b', 'a'], 1],
      [['b', 'a', 'c'], 2],
    ] as const) {
      const out = path.join(tmp, `order-${order.join('')}.sqlite`);
      const { imports } = await buildDatabase({ output: out, inputs: order.map((o) => path.join(dir, o)) });
      const db = openAdvisoryDb(out);
      try {
        assert.deepEqual(ids(db, 'npm', 'new-name'), ['X-1'], order.join());
        assert.deepEqual(ids(db, 'npm', 'old-name'), []);
        assert.deepEqual(ids(db, 'npm', 'almost-new-name'), []);
        assert.equal(db.info().counts.affected, 1);
        assert.deepEqual(db.info().sources.find((s) => s.name === 'b')?.records, 1);
      } finally {
        db.close();
      }
      assert.equal(
        imports.reduce((n, i) => n + i.superseded, 0),
        superseded,
      );
    }
  });

  it('imports into an open database and merges with `merge`', async () => {
    const out = path.join(tmp, 'merge.sqlite');
    const db = openAdvisoryDb(out, { readonly: false });
    const file = path.join(tmp, 'one.json');
    fs.writeFileSync(file, osv('ONE-1', '2024-01-01T00:00:00Z', 'RubyGems', 'rack'));
    const stats = await importInto(db, file);
    assert.equal(stats.records, 1);
    assert.equal(db.info().counts.advisories, 1);
    db.close();
    const two = path.join(tmp, 'two.json');
    fs.writeFileSync(two, osv('TWO-1', '2024-01-01T00:00:00Z', 'RubyGems', 'rack'));
    await buildDatabase({ output: out, inputs: [two], merge: true });
    const again = openAdvisoryDb(out);
    assert.deepEqual(ids(again, 'RubyGems', 'rack'), ['ONE-1', 'TWO-1']);
    assert.deepEqual(
      again.info().sources.map((s) => s.name),
      ['one.json', 'two.json'],
    );
    again.close();
  });
});

describe('bundles', { skip }, () => {
  it('round-trips: bundle, install elsewhere, same content; damaged bundles are refused', async () => {
    const src = path.join(tmp, 'bundle-src.sqlite');
    const built = await buildDatabase({ output: src, inputs: [path.join(OSV, 'npm'), path.join(OSV, 'Go')] });
    const bundle = path.join(tmp, 'vulndb.bundle');
    const manifest = await writeBundle(src, bundle);
    assert.equal(manifest.checksum, built.info.checksum);
    assert.equal(manifest.counts.advisories, 47);
    assert.ok(fs.statSync(bundle).size < manifest.dbBytes / 2, 'compressed');

    const dest = path.join(tmp, 'elsewhere', 'vulndb.sqlite');
    const installed = await buildDatabase({ output: dest, inputs: [bundle] });
    assert.equal(installed.info.checksum, built.info.checksum);
    assert.deepEqual(
      installed.info.sources.map((s) => [s.name, s.records]),
      [
        ['Go', 27],
        ['npm', 20],
      ],
    );
    const db = openAdvisoryDb(dest);
    assert.deepEqual(ids(db, 'npm', 'axios'), ['GHSA-wf5p-g6vw-rhxx']);
    db.close();

    // Merged into a database with other data: the bundle's records and sources join it.
    const other = path.join(tmp, 'other.sqlite');
    await buildDatabase({ output: other, inputs: [path.join(OSV, 'PyPI')] });
    const merged = await buildDatabase({ output: other, inputs: [bundle], merge: true });
    assert.equal(merged.info.counts.advisories, 47 + 19);
    assert.deepEqual(
      merged.info.sources.map((s) => s.name),
      ['Go', 'npm', 'PyPI'],
    );

    // A flipped byte in the compressed database, or a truncated file, is refused and changes nothing.
    const damaged = path.join(tmp, 'damaged.bundle');
    const bytes = fs.readFileSync(bundle);
    bytes[bytes.length - 5000] = (bytes[bytes.length - 5000] as number) ^ 0xff;
    fs.writeFileSync(damaged, bytes);
    await assert.rejects(buildDatabase({ output: dest, inputs: [damaged] }), (err) => isKubeguardError(err));
    fs.writeFileSync(damaged, bytes.subarray(0, bytes.length / 2));
    await assert.rejects(buildDatabase({ output: dest, inputs: [damaged] }), (err) => isKubeguardError(err));
    await assert.rejects(
      extractBundle(
        path.join(OSV, 'npm', fs.readdirSync(path.join(OSV, 'npm'))[0] as string),
        path.join(tmp, 'x'),
      ),
      /not a usable Kubeguard bundle/,
    );
    const still = openAdvisoryDb(dest);
    assert.equal(still.info().checksum, built.info.checksum);
    still.close();
  });
});

describe('opening', () => {
  it('refuses a missing file read-only, another schema and non-databases, with hints', async () => {
    assert.throws(
      () => openAdvisoryDb(path.join(tmp, 'absent.sqlite')),
      (err) => isKubeguardError(err, 'KG_ERR_NOT_FOUND') && /db update/.test(err.hint ?? ''),
    );
    const file = path.join(tmp, 'schema.sqlite');
    const one = path.join(tmp, 'schema-input.json');
    fs.writeFileSync(one, osv('S-1', '2024-01-01T00:00:00Z', 'npm', 's'));
    await buildDatabase({ output: file, inputs: [one] });
    const raw = new Database(file);
    raw.prepare("UPDATE metadata SET value = '99' WHERE key = 'schema_version'").run();
    raw.close();
    assert.throws(
      () => openAdvisoryDb(file),
      (err) => isKubeguardError(err, 'KG_ERR_INTEGRITY') && /schema 99/.test(err.message),
    );
    const text = path.join(tmp, 'text.sqlite');
    fs.writeFileSync(text, 'not a database');
    assert.throws(
      () => openAdvisoryDb(text),
      (err) => isKubeguardError(err, 'KG_ERR_INTEGRITY'),
    );
  });
});
