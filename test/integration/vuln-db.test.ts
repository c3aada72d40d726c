/**
 * The `kubeguard db` commands end to end, each in its own process as a user runs them: update from
 * a local HTTP server, status (text and JSON, stale warning), bundle, import of the bundle on
 * "another installation", merge of more OSV data, find, and failures that leave the database as
 * it was. Real advisories from ../shared/vulndata, read in place.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { writeZip } from '../../src/vuln/db/zip.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VULNDATA = process.env.KUBEGUARD_VULNDATA ?? path.resolve(ROOT, '../shared/vulndata');
const OSV = path.join(VULNDATA, 'osv');
const skip = fs.existsSync(OSV) ? false : `vulndata not found at ${VULNDATA}`;

/**
 * `kubeguard db ...` in a child process. The lead registers `db` in main.ts; until then this runs
 * the command directly and prints errors as main.ts's reportError does (importing main.ts would
 * load the Kubernetes client and triple the start-up time).
 */
const DRIVER = `
import { dbCommand } from ${JSON.stringify(path.join(ROOT, 'src/cli/db.ts'))};
import { isKubeguardError, messageOf } from ${JSON.stringify(path.join(ROOT, 'src/common/index.ts'))};
try { await dbCommand().exitOverride().parseAsync(process.argv.slice(1), { from: 'user' }); }
catch (err) {
  if (err?.code?.startsWith?.('commander.')) process.exitCode = err.exitCode;
  else {
    process.stderr.write('error: ' + messageOf(err) + '\\n');
    if (isKubeguardError(err) && err.hint) process.stderr.write('  hint: ' + err.hint + '\\n');
    process.exitCode = 1;
  }
}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function db(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', DRIVER, ...args], {
      cwd: ROOT,
      env: { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const ok = (r: Run) => {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
};

let tmp: string;
let server: http.Server;
let base: string;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-db-cli-'));
  if (skip) return;
  const zip = path.join(tmp, 'npm-pypi.zip');
  writeZip(
    zip,
    ['npm', 'PyPI'].flatMap((eco) =>
      fs
        .readdirSync(path.join(OSV, eco))
        .map((f) => ({ name: f, data: fs.readFileSync(path.join(OSV, eco, f)) })),
    ),
  );
  const body = fs.readFileSync(zip);
  server = http.createServer((req, res) => {
    if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
    else res.writeHead(200, { etag: '"v1"', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('kubeguard db', { skip }, () => {
  const first = () => path.join(tmp, 'online', 'vulndb.sqlite');
  const second = () => path.join(tmp, 'airgapped', 'vulndb.sqlite');
  const bundle = () => path.join(tmp, 'transfer', 'vulndb.bundle');

  it('update downloads and builds; a second update is a 304 and keeps the database', async () => {
    const r = ok(await db('update', '--db', first(), '--source', `osv=${base}/all.zip`, '-o', 'json'));
    const out = JSON.parse(r.stdout) as {
      rebuilt: boolean;
      status: { counts: { advisories: number }; age: { stale: boolean } };
    };
    assert.equal(out.rebuilt, true);
    assert.equal(out.status.counts.advisories, 39);
    assert.equal(out.status.age.stale, false);
    const again = ok(await db('update', '--db', first(), '--source', `osv=${base}/all.zip`));
    assert.match(again.stdout, /not-modified/);
    assert.match(again.stdout, /database is up to date/);
  });

  it('status prints path, schema, build time and age, sources, counts', async () => {
    const r = ok(await db('status', '--db', first()));
    assert.match(r.stdout, new RegExp(`database +${first().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.stdout, /schema +1/);
    assert.match(r.stdout, /built +\S+ \(just now\)/);
    assert.match(r.stdout, /advisories +39 /);
    assert.match(r.stdout, /ecosystems +PyPI 19, npm 20/);
    assert.match(r.stdout, new RegExp(`osv +39 records .*${base}/all.zip`));
    assert.match(r.stdout, /skipped +0/);
  });

  it('bundle writes one file that import installs on another installation', async () => {
    ok(await db('bundle', '--db', first(), '--output', bundle()));
    assert.ok(fs.existsSync(bundle()));
    const r = ok(await db('import', bundle(), '--db', second()));
    assert.match(r.stdout, /39 advisories/);
    const a = JSON.parse(ok(await db('status', '--db', first(), '-o', 'json')).stdout) as {
      checksum: string;
    };
    const b = JSON.parse(ok(await db('status', '--db', second(), '-o', 'json')).stdout) as {
      checksum: string;
      sources: { name: string; url?: string }[];
    };
    assert.equal(b.checksum, a.checksum);
    assert.deepEqual(
      b.sources.map((s) => [s.name, s.url]),
      [['osv', `${base}/all.zip`]],
    );
  });

  it('import adds OSV folders and zips to the current database; find answers', async () => {
    const r = ok(await db('import', path.join(OSV, 'Go'), path.join(OSV, 'Debian'), '--db', second()));
    assert.match(r.stdout, /145 advisories/);
    const found = ok(await db('find', 'PyPI', 'Jinja2', '--db', second()));
    assert.match(found.stdout, /GHSA-h5c8-rqwp-cp95/);
    assert.match(found.stdout, /GHSA-h75v-3vvj-5mfj/);
    const glibc = JSON.parse(
      ok(await db('find', 'Debian:12', 'glibc', '--db', second(), '-o', 'json')).stdout,
    ) as {
      id: string;
    }[];
    assert.equal(glibc.length, 12);
    // --replace starts from nothing but the inputs.
    ok(await db('import', '--replace', path.join(OSV, 'crates.io'), '--db', second()));
    const status = JSON.parse(ok(await db('status', '--db', second(), '-o', 'json')).stdout) as {
      counts: { advisories: number };
    };
    assert.equal(status.counts.advisories, 8);
  });

  it('a stale database keeps working and says how stale it is', async () => {
    const raw = new Database(second());
    const nineDays = new Date(Date.now() - 9 * 86400_000 - 60_000).toISOString();
    raw.prepare("UPDATE metadata SET value = ? WHERE key = 'built'").run(JSON.stringify(nineDays));
    raw.close();
    const r = ok(await db('status', '--db', second()));
    assert.match(r.stdout, /9 days ago — consider `kubeguard db update`/);
    const j = JSON.parse(ok(await db('status', '--db', second(), '-o', 'json')).stdout) as {
      age: { stale: boolean; text: string };
    };
    assert.equal(j.age.stale, true);
    assert.equal(j.age.text, 'built 9 days ago — consider `kubeguard db update`');
    ok(await db('find', 'crates.io', 'rsa', '--db', second()));
  });

  it('failures say what to do and leave the database as it was', async () => {
    const before = ok(await db('status', '--db', first(), '-o', 'json')).stdout;
    const wrong = await db(
      'update',
      '--db',
      first(),
      '--source',
      `osv=${base}/all.zip#sha256=${'1'.repeat(64)}`,
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /error: source "osv" .* does not match/);
    assert.match(wrong.stderr, /hint: the installed database was not changed/);
    const after = ok(await db('status', '--db', first(), '-o', 'json')).stdout;
    assert.equal(JSON.parse(after).checksum, JSON.parse(before).checksum);

    const missing = await db('status', '--db', path.join(tmp, 'nowhere.sqlite'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no vulnerability database at/);
    assert.match(missing.stderr, /hint: create it with `kubeguard db update`/);

    const bad = await db('import', path.join(tmp, 'does-not-exist'), '--db', first());
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no such file or folder/);
  });
});
