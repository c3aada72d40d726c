/**
 * End to end on the real data: a SQLite database built from ../shared/vulndata/osv (read in
 * place) with the db engine, scanned through scanSbom and through the `vuln` command.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVuln, vulnCommand, EXIT_VULNERABLE } from '../../src/cli/vuln.ts';
import { isKubeguardError } from '../../src/common/index.ts';
import type { SbomModel } from '../../src/sbom/index.ts';
import { buildDatabase, openAdvisoryDb } from '../../src/vuln/index.ts';
import type { AdvisoryDb } from '../../src/vuln/index.ts';
import { scanSbom } from '../../src/vuln/index.ts';
import type { GrypeDocument } from '../../src/vuln/index.ts';

const VULNDATA =
  process.env.KUBEGUARD_VULNDATA ?? path.resolve(import.meta.dirname, '../../../shared/vulndata');
const skip = fs.existsSync(path.join(VULNDATA, 'osv')) ? false : `vulndata not found at ${VULNDATA}`;

describe('vuln matching against a SQLite database of the real advisories', { skip }, () => {
  let dir = '';
  let dbPath = '';
  let db: AdvisoryDb;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-vuln-it-'));
    dbPath = path.join(dir, 'vulndb.sqlite');
    const { info } = await buildDatabase({ output: dbPath, inputs: [path.join(VULNDATA, 'osv')] });
    assert.equal(info.counts.advisories, 169);
    db = openAdvisoryDb(dbPath, { readonly: true });
  });
  after(() => {
    db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the same records as facts.json for a mixed SBOM', () => {
    const sbom: SbomModel = {
      source: { type: 'image', name: 'example/app', version: '1.0' },
      distro: { id: 'debian', versionId: '12' },
      packages: [
        {
          id: '1',
          name: 'libc6',
          version: '2.36-9+deb12u3',
          type: 'deb',
          locations: [],
          upstreams: [{ name: 'glibc' }],
        },
        { id: '2', name: 'Jinja2', version: '3.1.3', type: 'python', locations: [] },
        { id: '3', name: 'lodash', version: '4.17.19', type: 'npm', locations: [] },
        { id: '4', name: 'stdlib', version: 'go1.22.5', type: 'go-module', locations: [] },
        {
          id: '5',
          name: 'log4j-core',
          version: '2.14.1',
          type: 'java-archive',
          purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
          locations: [],
        },
      ],
    };
    const result = scanSbom(sbom, db);
    const found = (name: string): string[] =>
      [
        ...new Set(
          result.document.matches
            .filter((m) => m.artifact.name === name)
            .flatMap((m) => m.matchDetails.map((d) => d.found?.vulnerabilityID ?? '')),
        ),
      ].sort();
    assert.deepEqual(found('libc6'), [
      'DEBIAN-CVE-2018-20796',
      'DEBIAN-CVE-2019-1010022',
      'DEBIAN-CVE-2023-6246',
      'DEBIAN-CVE-2024-2961',
      'DEBIAN-CVE-2024-33599',
      'DEBIAN-CVE-2025-4802',
      'DEBIAN-CVE-2026-4046',
      'DSA-5611-1',
      'DSA-5673-1',
      'DSA-5678-1',
    ]);
    assert.deepEqual(found('Jinja2'), ['GHSA-h75v-3vvj-5mfj']);
    assert.deepEqual(found('lodash'), ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']);
    assert.deepEqual(found('stdlib'), ['GO-2024-3105', 'GO-2025-3373', 'GO-2025-3420', 'GO-2025-3503']);
    assert.deepEqual(found('log4j-core'), [
      'GHSA-7rjr-3q55-vv33',
      'GHSA-jfh8-c2jp-5v3q',
      'GHSA-p6xc-xr62-6r2g',
    ]);
    assert.equal(result.document.descriptor.db?.checksum, db.metadata().checksum);
    assert.deepEqual(result.warnings, []);
  });

  it('`kubeguard vuln` reads an SBOM file, writes each format and honours --fail-on', async () => {
    const sbomFile = path.join(dir, 'sbom.syft.json');
    fs.writeFileSync(
      sbomFile,
      JSON.stringify({
        artifacts: [
          {
            id: 'a',
            name: 'libgnutls30',
            version: '3.7.9-2+deb12u4',
            type: 'deb',
            locations: [{ path: '/var/lib/dpkg/status' }],
            purl: 'pkg:deb/debian/libgnutls30@3.7.9-2%2Bdeb12u4?arch=amd64&upstream=gnutls28&distro=debian-12',
            metadata: { source: 'gnutls28' },
          },
          {
            id: 'b',
            name: 'minimist',
            version: '1.2.5',
            type: 'npm',
            locations: [{ path: '/app/node_modules/minimist/package.json' }],
            purl: 'pkg:npm/minimist@1.2.5',
          },
        ],
        source: {
          id: 's',
          name: 'example/app',
          version: '1.0',
          type: 'image',
          metadata: { userInput: 'example/app:1.0', manifestDigest: 'sha256:abc' },
        },
        distro: { id: 'debian', versionID: '12' },
        schema: {
          version: '16.0.0',
          url: 'https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.0.json',
        },
      }),
    );
    const ignoreFile = path.join(dir, 'ignore.yaml');
    fs.writeFileSync(ignoreFile, 'ignore:\n  - vulnerability: CVE-2021-44906\n    reason: build-time only\n');
    const out = path.join(dir, 'report.json');
    const quiet = { db: dbPath, quiet: true };
    assert.equal(await runVuln(sbomFile, { ...quiet, output: 'json', file: out, ignoreFile }), 0);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as GrypeDocument;
    assert.deepEqual(
      doc.matches.map((m) => m.vulnerability.id),
      ['DEBIAN-CVE-2025-32988', 'DEBIAN-CVE-2026-33845'],
    );
    assert.deepEqual(
      doc.ignoredMatches?.map((m) => [m.vulnerability.id, m.appliedIgnoreRules[0]?.reason]),
      [['GHSA-xvch-5gv4-984h', 'build-time only']],
    );
    for (const output of ['table', 'sarif', 'cyclonedx', 'openvex'] as const) {
      const file = path.join(dir, `report.${output}`);
      assert.equal(await runVuln(sbomFile, { ...quiet, output, file }), 0);
      assert.ok(fs.statSync(file).size > 100, output);
    }
    assert.equal(
      await runVuln(sbomFile, { ...quiet, output: 'json', file: out, failOn: 'Critical' }),
      EXIT_VULNERABLE,
    );
  });

  it('the command maps its flags: --by-cve, --vex, --ignore-file, --fail-on', async () => {
    const sbomFile = path.join(dir, 'sbom.cdx.json');
    fs.writeFileSync(
      sbomFile,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [
          { type: 'library', name: 'requests', version: '2.30.0', purl: 'pkg:pypi/requests@2.30.0' },
          { type: 'library', name: 'flask', version: '2.2.4', purl: 'pkg:pypi/flask@2.2.4' },
        ],
      }),
    );
    const vexFile = path.join(dir, 'flask.openvex.json');
    fs.writeFileSync(
      vexFile,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/flask',
        author: 'me',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name: 'CVE-2023-30861' },
            products: [{ '@id': 'pkg:pypi/flask' }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
          },
        ],
      }),
    );
    const out = path.join(dir, 'by-cve.json');
    const saved = process.exitCode;
    await vulnCommand()
      .exitOverride()
      .parseAsync(
        [
          sbomFile,
          '--db',
          dbPath,
          '-o',
          'json',
          '--file',
          out,
          '--vex',
          vexFile,
          '--by-cve',
          '--fail-on',
          'medium',
          '-q',
        ],
        {
          from: 'user',
        },
      );
    const exitCode = process.exitCode;
    process.exitCode = saved;
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as GrypeDocument;
    assert.deepEqual(
      doc.matches.map((m) => [m.vulnerability.id, m.relatedVulnerabilities.map((r) => r.id)]),
      [
        ['CVE-2023-32681', ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74']],
        ['CVE-2024-35195', ['GHSA-9wx4-h78v-vm56']],
      ],
    );
    assert.deepEqual(
      doc.ignoredMatches?.map((m) => [m.vulnerability.id, m.appliedIgnoreRules[0]?.['vex-status']]),
      [['CVE-2023-30861', 'not_affected']],
    );
    assert.equal(exitCode, EXIT_VULNERABLE);
  });

  it('catalogues an image source with the SBOM engine first (dir: root filesystem)', async () => {
    const root = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'etc/os-release'),
      'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    );
    fs.writeFileSync(
      path.join(root, 'var/lib/dpkg/status'),
      'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9\nDescription: GNU C Library\n',
    );
    const out = path.join(dir, 'dir-report.json');
    assert.equal(await runVuln(`dir:${root}`, { db: dbPath, output: 'json', file: out, quiet: true }), 0);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as GrypeDocument;
    assert.ok(doc.matches.length > 0, 'glibc 2.36-9 has known vulnerabilities in the test data');
    assert.ok(
      doc.matches.every((m) => m.artifact.name === 'libc6'),
      'findings name the binary package',
    );
    await assert.rejects(
      runVuln(path.join(dir, 'does-not-exist'), { db: dbPath, output: 'json', quiet: true }),
      (e: unknown) => isKubeguardError(e),
    );
  });
});
