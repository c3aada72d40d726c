import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CatalogTester, MemoryResolver } from '../testkit.ts';
import { readBerkeleyPackages } from './bdb.ts';
import { HeaderError, RpmHeader, TAG } from './header.ts';
import { readNdbPackages } from './ndb.ts';
import { parseSourceRpm } from './package.ts';
import { readSqlitePackages } from './sqlite.ts';
import { rpmCataloguer } from './index.ts';

const hasRpm =
  spawnSync('rpmbuild', ['--version']).status === 0 && spawnSync('rpm', ['--version']).status === 0;
const rhel = { id: 'rhel', versionId: '9.3' };

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const SPECS = {
  'hello-kg': `Name: hello-kg
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: Tiny test package
License: MIT and (BSD-3-Clause or GPL-2.0-or-later)
Vendor: Kubeguard Tests
BuildArch: noarch
%description
A tiny package for rpmdb tests.
%install
mkdir -p %{buildroot}/usr/share/hello-kg %{buildroot}/etc
echo hello > %{buildroot}/usr/share/hello-kg/hello.txt
echo conf > %{buildroot}/etc/hello-kg.conf
ln -s hello.txt %{buildroot}/usr/share/hello-kg/link.txt
%files
%dir /usr/share/hello-kg
/usr/share/hello-kg/hello.txt
/usr/share/hello-kg/link.txt
%config /etc/hello-kg.conf
`,
  'nodejs-mod': `Name: nodejs-mod
Version: 18.19.0
Release: 1.module+el9.3.0+20000+abcdef01
Summary: Modular package
License: MIT
BuildArch: noarch
%description
Modular.
%install
mkdir -p %{buildroot}/usr/lib/nodejs-mod
echo x > %{buildroot}/usr/lib/nodejs-mod/index.js
%files
/usr/lib/nodejs-mod/index.js
`,
};

let dir: string;
let root: string;

before(() => {
  if (!hasRpm) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-rpm-'));
  root = path.join(dir, 'root');
  const top = path.join(dir, 'top');
  const rpms: string[] = [];
  for (const [name, spec] of Object.entries(SPECS)) {
    const file = path.join(dir, `${name}.spec`);
    fs.writeFileSync(file, spec);
    const defines = ['--define', `_topdir ${top}`];
    if (name === 'nodejs-mod') defines.push('--define', 'modularitylabel nodejs:18:9030020231023:rhel9');
    run('rpmbuild', [...defines, '--quiet', '-bb', file]);
  }
  for (const f of fs.readdirSync(path.join(top, 'RPMS', 'noarch')))
    rpms.push(path.join(top, 'RPMS', 'noarch', f));
  run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--initdb']);
  run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-i', '--nodeps', '--noscripts', ...rpms]);
});
before(async () => {
  if (!hasRpm) return;
  // As an image build leaves it: everything checkpointed into the main file, no log beside it.
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(dbFile());
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const dbFile = (): string => path.join(root, 'var/lib/rpm/rpmdb.sqlite');

function rpmQuery(format: string): string[] {
  return run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-qa', '--qf', format])
    .trim()
    .split('\n')
    .sort();
}

/** A BerkeleyDB hash file as rpm <= 4.15 wrote it: meta page, one hash page, overflow chains. */
function writeBerkeley(blobs: Buffer[], pageSize = 4096): Buffer {
  const pages: Buffer[] = [Buffer.alloc(pageSize), Buffer.alloc(pageSize)];
  const hash = pages[1] as Buffer;
  hash.writeUInt32LE(1, 8);
  hash[25] = 13; // P_HASH
  let free = pageSize;
  blobs.forEach((blob, i) => {
    const first = pages.length;
    const chunk = pageSize - 26;
    for (let off = 0; off < blob.length; off += chunk) {
      const p = Buffer.alloc(pageSize);
      const n = Math.min(chunk, blob.length - off);
      p.writeUInt32LE(pages.length, 8);
      p.writeUInt32LE(off + chunk < blob.length ? pages.length + 1 : 0, 16);
      p.writeUInt16LE(n, 22);
      p[25] = 7; // P_OVERFLOW
      blob.copy(p, 26, off, off + n);
      pages.push(p);
    }
    // key: H_KEYDATA with the 4-byte header number; value: H_OFFPAGE {type, pad, pgno, tlen}
    free -= 5;
    hash[free] = 1;
    hash.writeUInt32LE(i + 1, free + 1);
    hash.writeUInt16LE(free, 26 + i * 4);
    free -= 12;
    hash[free] = 3;
    hash.writeUInt32LE(first, free + 4);
    hash.writeUInt32LE(blob.length, free + 8);
    hash.writeUInt16LE(free, 26 + i * 4 + 2);
  });
  hash.writeUInt16LE(blobs.length * 2, 20);
  hash.writeUInt16LE(free, 22);
  const meta = pages[0] as Buffer;
  meta.writeUInt32LE(0x061561, 12);
  meta.writeUInt32LE(9, 16);
  meta.writeUInt32LE(pageSize, 20);
  meta[25] = 8; // P_HASHMETA
  meta.writeUInt32LE(pages.length - 1, 32);
  return Buffer.concat(pages);
}

/** An NDB Packages.db as rpm's ndb backend writes it: header, one slot page, 16-byte blocks. */
function writeNdb(blobs: Buffer[]): Buffer {
  const slotPage = Buffer.alloc(4096);
  slotPage.writeUInt32LE(0x506d7052, 0);
  slotPage.writeUInt32LE(0, 4);
  slotPage.writeUInt32LE(1, 8);
  slotPage.writeUInt32LE(1, 12);
  const data: Buffer[] = [];
  let block = 4096 / 16;
  for (let s = 0; s < 4096 / 16 - 2; s++) {
    const at = (s + 2) * 16;
    slotPage.writeUInt32LE(0x746f6c53, at);
    const blob = blobs[s];
    if (!blob) continue;
    const size = Math.ceil((16 + blob.length + 12) / 16) * 16;
    slotPage.writeUInt32LE(s + 1, at + 4);
    slotPage.writeUInt32LE(block, at + 8);
    slotPage.writeUInt32LE(size / 16, at + 12);
    const b = Buffer.alloc(size);
    b.writeUInt32LE(0x53626c42, 0);
    b.writeUInt32LE(s + 1, 4);
    b.writeUInt32LE(blob.length, 12);
    blob.copy(b, 16);
    data.push(b);
    block += size / 16;
  }
  return Buffer.concat([slotPage, ...data]);
}

describe('rpm header', () => {
  it('rejects blobs whose entries point outside the store', () => {
    const blob = Buffer.alloc(8 + 16 + 4);
    blob.writeUInt32BE(1, 0);
    blob.writeUInt32BE(4, 4);
    blob.writeUInt32BE(TAG.NAME, 8);
    blob.writeUInt32BE(6, 12);
    blob.writeInt32BE(100, 16);
    blob.writeUInt32BE(1, 20);
    assert.throws(() => RpmHeader.parse(blob), HeaderError);
    assert.throws(() => RpmHeader.parse(Buffer.from([0, 0, 0, 1, 0, 0, 0, 0])), /needs 24 bytes/);
    // A string with no terminating NUL inside the store.
    blob.writeInt32BE(0, 16);
    blob.write('abcd', 24);
    assert.throws(() => RpmHeader.parse(blob), /not terminated/);
  });

  it('splits source RPM names', () => {
    assert.deepEqual(parseSourceRpm('openssl-3.0.7-24.el9.src.rpm'), {
      name: 'openssl',
      version: '3.0.7-24.el9',
    });
    assert.deepEqual(parseSourceRpm('python-urllib3-1.26.5-3.el9.src.rpm'), {
      name: 'python-urllib3',
      version: '1.26.5-3.el9',
    });
  });
});

describe('rpm-db-cataloger', { skip: !hasRpm && 'rpm/rpmbuild not installed' }, () => {
  it('reads an SQLite rpmdb written by rpm, as rpm -qa reports it', async () => {
    const result = await new CatalogTester(rpmCataloguer)
      .fromDirectory(root, ['/var/lib/rpm/**', '/usr/**', '/etc/**'])
      .withDistro(rhel)
      .expectPackages([
        {
          name: 'hello-kg',
          version: '2:1.2.3-4.el9',
          type: 'rpm',
          epoch: 2,
          purl: 'pkg:rpm/rhel/hello-kg@1.2.3-4.el9?arch=noarch&epoch=2&upstream=hello-kg-1.2.3-4.el9.src.rpm&distro=rhel-9.3',
          cpes: [
            'cpe:2.3:a:hello-kg:hello-kg:2\\:1.2.3-4.el9:*:*:*:*:*:*:*',
            'cpe:2.3:a:hello-kg:hello_kg:2\\:1.2.3-4.el9:*:*:*:*:*:*:*',
            'cpe:2.3:a:hello_kg:hello-kg:2\\:1.2.3-4.el9:*:*:*:*:*:*:*',
            'cpe:2.3:a:hello_kg:hello_kg:2\\:1.2.3-4.el9:*:*:*:*:*:*:*',
          ],
          licenses: ['MIT and (BSD-3-Clause or GPL-2.0-or-later)'],
          upstreams: [{ name: 'hello-kg', version: '1.2.3-4.el9' }],
          locations: [{ path: '/var/lib/rpm/rpmdb.sqlite' }],
          files: ['/etc/hello-kg.conf', '/usr/share/hello-kg/hello.txt', '/usr/share/hello-kg/link.txt'],
          metadataType: 'rpm-db-entry',
        },
        {
          name: 'nodejs-mod',
          version: '18.19.0-1.module+el9.3.0+20000+abcdef01',
          purl: 'pkg:rpm/rhel/nodejs-mod@18.19.0-1.module%2Bel9.3.0%2B20000%2Babcdef01?arch=noarch&upstream=nodejs-mod-18.19.0-1.module%2Bel9.3.0%2B20000%2Babcdef01.src.rpm&distro=rhel-9.3',
          files: ['/usr/lib/nodejs-mod/index.js'],
        },
      ])
      .expectReads(['/var/lib/rpm/rpmdb.sqlite'])
      .run();
    const mod = result.packages[1]?.metadata;
    assert.equal(mod?.modularityLabel, 'nodejs:18:9030020231023:rhel9');
    assert.equal(mod?.epoch, null);
    assert.equal(result.packages[0]?.metadata?.vendor, 'Kubeguard Tests');

    const expected = rpmQuery(
      '%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\n',
    ).map((l) => l.replace('\t(none):', '\t'));
    const actual = result.packages
      .map((p) =>
        [p.name, p.version, p.metadata?.architecture, p.metadata?.sourceRpm, p.licenses?.[0]].join('\t'),
      )
      .sort();
    assert.deepEqual(actual, expected);
    const listed = run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-ql', 'hello-kg'])
      .trim()
      .split('\n');
    assert.deepEqual(result.packages[0]?.files, listed.filter((f) => f !== '/usr/share/hello-kg').sort());
  });

  it('replays a write-ahead log that was not checkpointed', async () => {
    const copy = path.join(dir, 'wal', 'var/lib/rpm');
    fs.mkdirSync(copy, { recursive: true });
    fs.copyFileSync(dbFile(), path.join(copy, 'rpmdb.sqlite'));
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(path.join(copy, 'rpmdb.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('foreign_keys = OFF');
    db.prepare("DELETE FROM Packages WHERE hnum = (SELECT hnum FROM Name WHERE key = 'nodejs-mod')").run();
    // Snapshot while the connection is open: the deletion lives only in the -wal file.
    const image = path.join(dir, 'wal-image', 'var/lib/rpm');
    fs.mkdirSync(image, { recursive: true });
    for (const f of ['rpmdb.sqlite', 'rpmdb.sqlite-wal'])
      fs.copyFileSync(path.join(copy, f), path.join(image, f));
    db.close();
    assert.ok(fs.statSync(path.join(image, 'rpmdb.sqlite-wal')).size > 0);
    await new CatalogTester(rpmCataloguer)
      .fromDirectory(path.join(dir, 'wal-image'), ['/var/lib/rpm/**'])
      .expectPackages([
        {
          name: 'hello-kg',
          purl: 'pkg:rpm/hello-kg@1.2.3-4.el9?arch=noarch&epoch=2&upstream=hello-kg-1.2.3-4.el9.src.rpm',
        },
      ])
      .expectReads(['/var/lib/rpm/rpmdb.sqlite', '/var/lib/rpm/rpmdb.sqlite-wal'])
      .run();
  });

  it('reads the same headers from BerkeleyDB and NDB databases', async () => {
    const blobs = await readSqlitePackages(fs.readFileSync(dbFile()));
    assert.equal(blobs.length, 2);
    const bdb = writeBerkeley(blobs, 1024);
    assert.deepEqual(readBerkeleyPackages(bdb), blobs);
    const ndb = writeNdb(blobs);
    assert.deepEqual(readNdbPackages(ndb), blobs);
    const resolver = new MemoryResolver()
      .addFile('/var/lib/rpm/Packages', bdb)
      .addFile('/usr/lib/sysimage/rpm/Packages.db', ndb);
    const result = await new CatalogTester(rpmCataloguer).withResolver(resolver).run();
    assert.deepEqual(
      result.packages.map((p) => `${p.locations[0]?.path} ${p.name} ${p.version}`),
      [
        '/usr/lib/sysimage/rpm/Packages.db hello-kg 2:1.2.3-4.el9',
        '/var/lib/rpm/Packages hello-kg 2:1.2.3-4.el9',
        '/usr/lib/sysimage/rpm/Packages.db nodejs-mod 18.19.0-1.module+el9.3.0+20000+abcdef01',
        '/var/lib/rpm/Packages nodejs-mod 18.19.0-1.module+el9.3.0+20000+abcdef01',
      ],
    );
  });

  it('reports unreadable databases by format and corrupt headers one by one', async () => {
    const blobs = await readSqlitePackages(fs.readFileSync(dbFile()));
    const byName = (n: string): Buffer =>
      blobs.find((b) => RpmHeader.parse(b).string(TAG.NAME) === n) as Buffer;
    const corrupt = Buffer.from(byName('hello-kg'));
    corrupt.writeUInt32BE(0xffffff, 4); // data length beyond the blob
    const bdb = writeBerkeley([corrupt, byName('nodejs-mod')]);
    const brokenChain = writeBerkeley(blobs);
    brokenChain.writeUInt32LE(999, 4096 * 2 + 16); // first overflow page points past the file
    const resolver = new MemoryResolver()
      .addFile('/var/lib/rpm/Packages', bdb)
      .addFile('/usr/share/rpm/Packages', brokenChain)
      .addFile('/usr/lib/sysimage/rpm/rpmdb.sqlite', Buffer.from('not a database'));
    await new CatalogTester(rpmCataloguer)
      .withResolver(resolver)
      .expectIssues([
        /^not an rpm database this cataloguer reads/,
        /^BerkeleyDB hash rpmdb: overflow chain broken at page 999/,
        /^BerkeleyDB hash rpmdb: package header 1: header needs/,
      ])
      .expectPackages([{ name: 'nodejs-mod' }])
      .run();
  });
});
