import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { CatalogTester, MemoryResolver } from '../testkit.ts';
import { cargoAuditableCataloguer, cargoLockCataloguer } from './index.ts';

const testdata = fileURLToPath(new URL('../testdata/rust/', import.meta.url));
const hasObjcopy = spawnSync('objcopy', ['--version']).status === 0 && fs.existsSync('/bin/ls');

describe('rust-cargo-lock-cataloger', () => {
  it('reads lock files v3 and v1 with dependency edges', async () => {
    const result = await new CatalogTester(cargoLockCataloguer)
      .fromTxtar(path.join(testdata, 'cargo.txtar'))
      .expectPackages([
        { name: 'app', version: '0.1.0', purl: 'pkg:cargo/app@0.1.0' },
        {
          name: 'itoa',
          version: '0.4.8',
          type: 'rust-crate',
          language: 'rust',
          metadata: {
            name: 'itoa',
            version: '0.4.8',
            source: 'registry+https://github.com/rust-lang/crates.io-index',
            checksum: 'b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4',
          },
        },
        { name: 'itoa', version: '1.0.9' },
        { name: 'legacy', version: '0.1.0' },
        {
          name: 'libc',
          version: '0.2.49',
          metadataType: 'rust-cargo-lock-entry',
          metadata: {
            name: 'libc',
            version: '0.2.49',
            source: 'registry+https://github.com/rust-lang/crates.io-index',
            checksum: '413f3dfc802c5dc91dc570b05125b6cda9f5bd8b2ef8a4eb1ff3e5ee2b34b33e',
          },
        },
        { name: 'serde', version: '1.0.190' },
        { name: 'tokio-util', version: '0.7.10', purl: 'pkg:cargo/tokio-util@0.7.10' },
      ])
      .run();
    const name = (id: string): string => {
      const p = result.packages.find((x) => x.id === id);
      return `${p?.name}@${p?.version}`;
    };
    assert.deepEqual(
      result.relationships?.map((r) => `${name(r.parent)} ${r.type} ${name(r.child)}`).sort(),
      [
        'itoa@0.4.8 dependency-of tokio-util@0.7.10',
        'itoa@1.0.9 dependency-of app@0.1.0',
        'libc@0.2.49 dependency-of legacy@0.1.0',
        'serde@1.0.190 dependency-of app@0.1.0',
        'tokio-util@0.7.10 dependency-of app@0.1.0',
      ],
    );
  });
});

describe('cargo-auditable-binary-cataloger', () => {
  it(
    'reads the .dep-v0 section of an ELF binary, runtime dependencies only',
    { skip: !hasObjcopy },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-rust-'));
      try {
        const audit = {
          packages: [
            { name: 'hello', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
            { name: 'itoa', version: '1.0.9', source: 'crates.io', kind: 'runtime' },
            { name: 'serde', version: '1.0.190', source: 'crates.io' },
            { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
          ],
        };
        fs.writeFileSync(path.join(dir, 'dep-v0'), zlib.deflateSync(JSON.stringify(audit)));
        const r = spawnSync('objcopy', [
          '--add-section',
          `.dep-v0=${path.join(dir, 'dep-v0')}`,
          '/bin/ls',
          path.join(dir, 'hello'),
        ]);
        assert.equal(r.status, 0, r.stderr.toString());
        const resolver = new MemoryResolver()
          .addFile('/usr/local/bin/hello', fs.readFileSync(path.join(dir, 'hello')), { mode: 0o755 })
          .addFile('/usr/bin/ls', fs.readFileSync('/bin/ls'), { mode: 0o755 });
        await new CatalogTester(cargoAuditableCataloguer)
          .withResolver(resolver)
          .expectPackages([
            {
              name: 'hello',
              version: '0.1.0',
              purl: 'pkg:cargo/hello@0.1.0',
              metadataType: 'rust-cargo-audit-entry',
            },
            {
              name: 'itoa',
              version: '1.0.9',
              metadata: { name: 'itoa', version: '1.0.9', source: 'crates.io' },
            },
            { name: 'serde', version: '1.0.190', locations: [{ path: '/usr/local/bin/hello' }] },
          ])
          .expectReads(['/usr/bin/ls', '/usr/local/bin/hello'])
          .run();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
