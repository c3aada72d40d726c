// `kubeguard sbom` as a user runs it: a separate process, a real registry, files and exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RegistryInfo } from '../../src/devenv/index.ts';
import {
  freePort,
  imageLayoutDir,
  pushTestImages,
  registryDown,
  registryUp,
  testImages,
} from '../../src/devenv/index.ts';
import { isolatedPaths } from '../kit/devenv.ts';

const paths = isolatedPaths('sbom-cli');
const repo = path.join(import.meta.dirname, '..', '..');

/** A program with just the sbom command, wired like src/cli/main.ts (error report, exit codes). */
const RUNNER = `
import { Command } from ${JSON.stringify(import.meta.resolve('commander'))};
import { sbomCommand } from ${JSON.stringify(path.join(repo, 'src/cli/sbom.ts'))};
import { reportError } from ${JSON.stringify(path.join(repo, 'src/cli/main.ts'))};
const program = new Command('kubeguard').exitOverride().addCommand(sbomCommand());
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (err) {
  process.exitCode = reportError(err);
}
`;

function kubeguard(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(paths.stateDir, 'runner.mts'), ...args],
      {
        cwd: repo,
        env: { ...process.env, SOURCE_DATE_EPOCH: '1767225600' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('kubeguard sbom', { timeout: 600_000 }, () => {
  let registry: RegistryInfo;
  let debian: string;
  before(async () => {
    fs.writeFileSync(path.join(paths.stateDir, 'runner.mts'), RUNNER);
    registry = await registryUp(paths, { name: 'default', port: await freePort() });
    await pushTestImages(paths, registry, { only: ['test/debian', 'test/whiteouts'] });
    debian = `${registry.address}/test/debian:12-minbase`;
  });
  after(async () => {
    await registryDown(paths, { name: 'default', wipe: true });
    paths.cleanup();
  });

  it('writes SPDX JSON to a file and exits 0', async () => {
    const out = path.join(paths.stateDir, 'debian.spdx.json');
    const r = await kubeguard(['sbom', debian, '--plain-http', '-o', 'spdx-json', '--file', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const spdx = JSON.parse(fs.readFileSync(out, 'utf8')) as { spdxVersion: string; packages: unknown[] };
    assert.equal(spdx.spdxVersion, 'SPDX-2.3');
    assert.ok(spdx.packages.length > 80);
    assert.match(r.stderr, /\d+ packages in /);
    assert.ok(!r.stderr.includes('\u001b[K'), 'no progress line when stderr is not a terminal');
  });

  it('prints a table to standard output by default; the same bytes every time', async () => {
    const a = await kubeguard(['sbom', debian, '--plain-http', '-q']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^NAME +VERSION +TYPE\n/);
    assert.match(a.stdout, /^base-files +12\.\S+ +deb$/m);
    assert.equal(a.stderr, '', 'quiet');
    const b = await kubeguard(['sbom', debian, '--plain-http', '-q', '-o', 'syft-json']);
    const c = await kubeguard(['sbom', debian, '--plain-http', '-q', '-o', 'syft-json']);
    assert.equal(b.stdout, c.stdout, 'syft JSON is byte-identical with SOURCE_DATE_EPOCH');
  });

  it('reads an OCI layout directory without a registry', async () => {
    const image = testImages.find((i) => i.name.startsWith('test/whiteouts'))!;
    const r = await kubeguard([
      'sbom',
      `oci-dir:${imageLayoutDir(paths, image)}`,
      '-o',
      'cyclonedx-json',
      '-q',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const bom = JSON.parse(r.stdout) as { components: { name: string; type: string }[] };
    assert.deepEqual(
      bom.components.filter((c) => c.type === 'library').map((c) => c.name),
      ['base-files'],
    );
  });

  it('exits 2 and still writes the document when the image is too large', async () => {
    const out = path.join(paths.stateDir, 'too-large.json');
    const r = await kubeguard([
      'sbom',
      debian,
      '--plain-http',
      '-o',
      'syft-json',
      '--file',
      out,
      '--max-image-size',
      '1Mi',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /too-large \(image-too-large\)/);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { artifacts: unknown[] };
    assert.deepEqual(doc.artifacts, []);
  });

  it('exits 1 with a message for an unknown cataloguer or an unreachable source', async () => {
    const typo = await kubeguard(['sbom', debian, '--plain-http', '--catalogers', 'no-such-cataloguer']);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /no cataloguer or tag is named "no-such-cataloguer"/);
    assert.match(typo.stderr, /hint: cataloguers: /);
    const missing = await kubeguard(['sbom', 'oci-dir:/nonexistent/layout']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: /m);
  });
});
