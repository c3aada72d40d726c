import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogTester, MemoryResolver } from '../testkit.ts';
import { readGoBuildInfo } from './buildinfo.ts';
import type { GoBuildInfo } from './buildinfo.ts';
import { goBinaryCataloguer, goModFileCataloguer, mainModuleVersion } from './index.ts';
import { goPurl } from './package.ts';

const testdata = fileURLToPath(new URL('../testdata/golang/', import.meta.url));
const GO = fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
const hasGo = spawnSync(GO, ['version']).status === 0;

/** `go version -m` output in the shape readGoBuildInfo returns: the oracle. */
function goVersionM(file: string): GoBuildInfo {
  const out = spawnSync(GO, ['version', '-m', file], { encoding: 'utf8' }).stdout;
  const [first, ...lines] = out.trimEnd().split('\n');
  const info: GoBuildInfo = {
    goVersion: (first ?? '').split(': ')[1] ?? '',
    path: '',
    deps: [],
    settings: [],
  };
  let last: GoBuildInfo['deps'][number] | undefined;
  for (const line of lines) {
    const [kind, ...f] = line.replace(/^\t/, '').split('\t');
    const mod = { path: f[0] ?? '', version: f[1] ?? '', ...(f[2] ? { sum: f[2] } : {}) };
    if (kind === 'path') info.path = f[0] ?? '';
    else if (kind === 'mod') last = info.main = mod;
    else if (kind === 'dep') info.deps.push((last = mod));
    else if (kind === '=>' && last) last.replace = mod;
    else if (kind === 'build') {
      const kv = f.join('\t');
      const eq = kv.indexOf('=');
      const value = kv.slice(eq + 1);
      info.settings.push({
        key: kv.slice(0, eq),
        value: value.startsWith('"') ? (JSON.parse(value) as string) : value,
      });
    }
  }
  return info;
}

/** A Go 1.13-1.17 style ELF: build info header with pointers to Go string headers. */
function pointerFormatElf(version: string, modinfo: string): Buffer {
  const base = 0x400000;
  const buf = Buffer.alloc(0x2000);
  buf.write('\x7fELF', 0, 'latin1');
  buf[4] = 2; // 64-bit
  buf[5] = 1; // little-endian
  buf[6] = 1;
  buf.writeUInt16LE(2, 0x10); // ET_EXEC
  buf.writeUInt16LE(62, 0x12); // x86-64
  buf.writeBigUInt64LE(0x40n, 0x20); // phoff
  buf.writeUInt16LE(56, 0x36);
  buf.writeUInt16LE(1, 0x38); // one PT_LOAD mapping the whole file
  buf.writeUInt16LE(64, 0x3a);
  buf.writeUInt32LE(1, 0x40);
  buf.writeUInt32LE(6, 0x44);
  buf.writeBigUInt64LE(0n, 0x48);
  buf.writeBigUInt64LE(BigInt(base), 0x50);
  buf.writeBigUInt64LE(BigInt(buf.length), 0x60);
  const sentinelStart = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
  const sentinelEnd = Buffer.from('f932433186182072008242104116d8f2', 'hex');
  const mod = Buffer.concat([sentinelStart, Buffer.from(modinfo), sentinelEnd]);
  const hdr = 0x1000;
  buf.write('\xff Go buildinf:', hdr, 'latin1');
  buf[hdr + 14] = 8;
  buf[hdr + 15] = 0;
  buf.writeBigUInt64LE(BigInt(base + 0x1100), hdr + 16);
  buf.writeBigUInt64LE(BigInt(base + 0x1110), hdr + 24);
  buf.writeBigUInt64LE(BigInt(base + 0x1200), 0x1100);
  buf.writeBigUInt64LE(BigInt(version.length), 0x1108);
  buf.writeBigUInt64LE(BigInt(base + 0x1300), 0x1110);
  buf.writeBigUInt64LE(BigInt(mod.length), 0x1118);
  buf.write(version, 0x1200);
  mod.copy(buf, 0x1300);
  return buf;
}

let dir: string | undefined;
let binary: string | undefined;
let buildError = '';

before(() => {
  if (!hasGo) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-go-'));
  fs.writeFileSync(
    path.join(dir, 'go.mod'),
    [
      'module example.com/hello',
      'go 1.22',
      'require (',
      '\tgithub.com/google/uuid v1.6.0',
      '\texample.com/difflib v0.0.0',
      ')',
      'replace example.com/difflib => github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'main.go'),
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/difflib/difflib"\n\t"github.com/google/uuid"\n)\n\nvar version = "dev"\n\nfunc main() { fmt.Println(uuid.NewString(), difflib.SplitLines("a"), version) }\n',
  );
  // Offline by default (the module cache); GOPROXY from the environment lets a fresh machine fetch.
  // No -trimpath: it drops -ldflags from the build info, and the main version comes from there.
  const r = spawnSync(GO, ['build', '-ldflags', '-X main.version=1.2.3', '-o', 'hello', '.'], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      CGO_ENABLED: '0',
      GOFLAGS: '-mod=mod',
      GOPROXY: process.env.GOPROXY ?? 'off',
      GOSUMDB: 'off',
    },
  });
  if (r.status === 0) binary = path.join(dir, 'hello');
  else buildError = r.stderr;
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('go build info', () => {
  it('reads a binary built from a module with a dependency and a replacement, as `go version -m` does', (t) => {
    if (!binary) return t.skip(`go build failed: ${buildError.slice(0, 200)}`);
    assert.deepEqual(readGoBuildInfo(fs.readFileSync(binary)), goVersionM(binary));
  });

  it('reads the Go toolchain binary', { skip: !fs.existsSync('/usr/local/go/bin/go') }, () => {
    const info = readGoBuildInfo(fs.readFileSync('/usr/local/go/bin/go'));
    assert.deepEqual(info, goVersionM('/usr/local/go/bin/go'));
    assert.equal(info?.path, 'cmd/go');
  });

  it('reads the pre-1.18 pointer format', () => {
    const info = readGoBuildInfo(
      pointerFormatElf(
        'go1.16.15',
        'path\texample.com/old\nmod\texample.com/old\tv1.0.0\th1:abc=\ndep\tgolang.org/x/text\tv0.3.7\th1:def=\n',
      ),
    );
    assert.deepEqual(info, {
      goVersion: 'go1.16.15',
      path: 'example.com/old',
      main: { path: 'example.com/old', version: 'v1.0.0', sum: 'h1:abc=' },
      deps: [{ path: 'golang.org/x/text', version: 'v0.3.7', sum: 'h1:def=' }],
      settings: [],
    });
  });

  it('finds nothing in non-Go files', () => {
    assert.equal(readGoBuildInfo(Buffer.from('#!/bin/sh\necho hi\n')), undefined);
    assert.equal(readGoBuildInfo(fs.readFileSync(process.execPath)), undefined);
  });

  it('derives the main module version like syft', () => {
    const base: GoBuildInfo = {
      goVersion: 'go1.22.1',
      path: 'x',
      main: { path: 'x', version: '(devel)' },
      deps: [],
      settings: [],
    };
    assert.equal(mainModuleVersion(base), '(devel)');
    assert.equal(
      mainModuleVersion({ ...base, settings: [{ key: '-ldflags', value: '-s -w -X main.version=2.4.0' }] }),
      'v2.4.0',
    );
    assert.equal(
      mainModuleVersion({
        ...base,
        settings: [{ key: '-ldflags', value: '-X github.com/a/b/cmd.Version=v1.0.0-rc.1' }],
      }),
      'v1.0.0-rc.1',
    );
    assert.equal(
      mainModuleVersion({
        ...base,
        settings: [
          { key: 'vcs.revision', value: '4f0d2e3c1b2a99887766554433221100ffeeddcc' },
          { key: 'vcs.time', value: '2024-03-05T10:11:12Z' },
        ],
      }),
      'v0.0.0-20240305101112-4f0d2e3c1b2a',
    );
  });

  it('builds module purls', () => {
    assert.equal(goPurl('github.com/google/uuid', 'v1.6.0'), 'pkg:golang/github.com/google/uuid@v1.6.0');
    assert.equal(
      goPurl('github.com/docker/docker', 'v24.0.0+incompatible'),
      'pkg:golang/github.com/docker/docker@v24.0.0%2Bincompatible',
    );
  });
});

describe('go-module-binary-cataloger', () => {
  it('catalogues main module, replaced dependency, dependency and stdlib', async (t) => {
    if (!binary) return t.skip('go build failed');
    const resolver = new MemoryResolver()
      .addFile('/usr/local/bin/hello', fs.readFileSync(binary), { mode: 0o755, layerID: 'sha256:app' })
      .addFile('/usr/local/bin/hello.sh', '#!/bin/sh\n'.padEnd(600 * 1024, '#'), { mode: 0o755 });
    const location = [{ path: '/usr/local/bin/hello', layerID: 'sha256:app' }];
    const goVersion = goVersionM(binary).goVersion;
    await new CatalogTester(goBinaryCataloguer)
      .withResolver(resolver)
      .expectPackages([
        {
          name: 'example.com/hello',
          version: 'v1.2.3',
          type: 'go-module',
          language: 'go',
          purl: 'pkg:golang/example.com/hello@v1.2.3',
          locations: location,
          metadataType: 'go-module-buildinfo-entry',
        },
        {
          name: 'github.com/google/uuid',
          version: 'v1.6.0',
          purl: 'pkg:golang/github.com/google/uuid@v1.6.0',
          cpes: ['cpe:2.3:a:uuid:uuid:v1.6.0:*:*:*:*:*:*:*', 'cpe:2.3:a:google:uuid:v1.6.0:*:*:*:*:*:*:*'],
          metadata: {
            goCompiledVersion: goVersion,
            architecture: 'amd64',
            mainModule: 'example.com/hello',
            h1Digest: 'h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=',
          },
        },
        {
          name: 'github.com/pmezard/go-difflib',
          version: 'v1.0.1-0.20181226105442-5d4384ee4fb2',
          purl: 'pkg:golang/github.com/pmezard/go-difflib@v1.0.1-0.20181226105442-5d4384ee4fb2',
        },
        {
          name: 'stdlib',
          version: goVersion,
          purl: `pkg:golang/stdlib@${goVersion.slice(2)}`,
          cpes: [`cpe:2.3:a:golang:go:${goVersion.slice(2)}:-:*:*:*:*:*:*`],
          licenses: ['BSD-3-Clause'],
        },
      ])
      .expectReads(['/usr/local/bin/hello', '/usr/local/bin/hello.sh'])
      .run();
  });

  it('wants executables within the size window only', () => {
    const exe = { type: 'file' as const, size: 8 * 1024 * 1024, mode: 0o755 };
    assert.equal(goBinaryCataloguer.wants('/usr/bin/app', exe), true);
    assert.equal(goBinaryCataloguer.wants('/usr/bin/app', { ...exe, mode: 0o644 }), false);
    assert.equal(goBinaryCataloguer.wants('/usr/bin/app', { ...exe, size: 4096 }), false);
    assert.equal(goBinaryCataloguer.wants('/usr/bin/app', { ...exe, type: 'symlink' }), false);
  });

  it('turns a corrupt ELF into an issue', async () => {
    const elf = pointerFormatElf('go1.16.15', 'path\tx\n');
    elf.writeBigUInt64LE(BigInt(0x7fffffff), 0x20); // program headers far outside the file
    const resolver = new MemoryResolver().addFile('/app', Buffer.concat([elf, Buffer.alloc(600 * 1024)]), {
      mode: 0o755,
    });
    await new CatalogTester(goBinaryCataloguer)
      .withResolver(resolver)
      .expectIssues([/program header table outside the file/])
      .expectPackages([])
      .run();
  });
});

describe('go-module-file-cataloger', () => {
  it('reads go.mod with replacements, exclusions and go.sum digests', async () => {
    await new CatalogTester(goModFileCataloguer)
      .fromTxtar(path.join(testdata, 'gomod.txtar'))
      .expectPackages([
        { name: 'example.com/internal/tools', version: 'v0.0.0-00010101000000-000000000000' },
        {
          name: 'github.com/google/uuid',
          version: 'v1.6.0',
          metadataType: 'go-module-entry',
          metadata: { h1Digest: 'h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=' },
          locations: [{ path: '/src/app/go.mod' }, { path: '/src/app/go.sum' }],
        },
        {
          name: 'github.com/pmezard/go-difflib',
          version: 'v1.0.1-0.20181226105442-5d4384ee4fb2',
          metadata: { h1Digest: 'h1:Jamvg5psRIccs7FGNTlIRMkT8wgtp5eCXdBlqhYGL6U=' },
        },
        {
          name: 'golang.org/x/net',
          version: 'v0.25.0',
          cpes: ['cpe:2.3:a:net:net:v0.25.0:*:*:*:*:*:*:*', 'cpe:2.3:a:golang:net:v0.25.0:*:*:*:*:*:*:*'],
        },
        { name: 'gopkg.in/yaml.v3', version: 'v3.0.1', purl: 'pkg:golang/gopkg.in/yaml.v3@v3.0.1' },
      ])
      .expectReads(['/src/app/go.mod', '/src/app/go.sum'])
      .run();
  });
});
