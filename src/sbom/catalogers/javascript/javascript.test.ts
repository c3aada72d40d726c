import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogTester, MemoryResolver } from '../testkit.ts';
import { javascriptLockCataloguer, javascriptPackageCataloguer } from './index.ts';
import { isPackageRoot } from './parse-package-json.ts';

const testdata = fileURLToPath(new URL('../testdata/javascript/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('javascript-package-cataloger', () => {
  it('tells package roots from nested files', () => {
    assert.equal(isPackageRoot('/app/node_modules/a/package.json'), true);
    assert.equal(isPackageRoot('/app/node_modules/@s/a/package.json'), true);
    assert.equal(isPackageRoot('/app/node_modules/a/node_modules/b/package.json'), true);
    assert.equal(isPackageRoot('/app/package.json'), true);
    assert.equal(isPackageRoot('/app/node_modules/a/lib/package.json'), false);
    assert.equal(isPackageRoot('/app/node_modules/@s/package.json'), false);
    assert.equal(isPackageRoot('/app/node_modules/.bin/package.json'), false);
    assert.equal(isPackageRoot('/app/test/fixtures/package.json'), false);
  });

  it('catalogues installed packages with licences, authors, scoped purls', async () => {
    await new CatalogTester(javascriptPackageCataloguer)
      .fromTxtar(path.join(testdata, 'node-app.txtar'))
      .expectPackages([
        {
          name: '@types/node',
          version: '20.19.43',
          type: 'npm',
          language: 'javascript',
          purl: 'pkg:npm/%40types/node@20.19.43',
          licenses: ['MIT'],
          locations: [{ path: '/app/node_modules/@types/node/package.json' }],
          metadata: {
            name: '@types/node',
            version: '20.19.43',
            homepage: 'https://github.com/DefinitelyTyped/DefinitelyTyped/tree/master/types/node',
            description: 'TypeScript definitions for node',
            url: 'https://github.com/DefinitelyTyped/DefinitelyTyped.git',
            private: false,
          },
        },
        {
          name: 'debug',
          version: '2.6.9',
          purl: 'pkg:npm/debug@2.6.9',
          cpes: [
            'cpe:2.3:a:debug:debug:2.6.9:*:*:*:*:*:*:*',
            'cpe:2.3:a:debug_project:debug:2.6.9:*:*:*:*:*:*:*',
            'cpe:2.3:a:debug-project:debug:2.6.9:*:*:*:*:*:*:*',
          ],
          licenses: ['MIT'],
          metadata: {
            name: 'debug',
            version: '2.6.9',
            author: 'TJ Holowaychuk <tj@vision-media.ca>',
            url: 'git://github.com/visionmedia/debug.git',
            private: false,
          },
        },
        {
          name: 'ms',
          version: '2.0.0',
          locations: [{ path: '/app/node_modules/debug/node_modules/ms/package.json' }],
        },
        { name: 'shop-api', version: '1.4.0', licenses: ['UNLICENSED'], purl: 'pkg:npm/shop-api@1.4.0' },
        { name: 'yaml', version: '2.9.1', licenses: ['ISC'], metadataType: 'javascript-npm-package' },
      ])
      .expectReads([
        '/app/package.json',
        '/app/node_modules/yaml/package.json',
        '/app/node_modules/@types/node/package.json',
        '/app/node_modules/debug/package.json',
        '/app/node_modules/debug/node_modules/ms/package.json',
      ])
      .run();
  });

  it('reports a broken package.json and goes on', async () => {
    await new CatalogTester(javascriptPackageCataloguer)
      .fromTxtar(
        '-- /a/node_modules/x/package.json --\n{"name": "x",\n-- /a/node_modules/y/package.json --\n{"name":"y","version":"1.0.0"}\n',
      )
      .expectIssues([/cannot parse: .*JSON/])
      .expectPackages([{ name: 'y', version: '1.0.0' }])
      .run();
  });

  it("finds every package installed in this repository's node_modules at its locked version", async () => {
    const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; name?: string }>;
    };
    const resolver = MemoryResolver.fromDirectory(repoRoot, { include: ['/node_modules/**/package.json'] });
    const result = await new CatalogTester(javascriptPackageCataloguer).withResolver(resolver).run();
    const found = result.packages
      .map((p) => `${path.posix.dirname(p.locations[0]?.path ?? '').slice(1)} ${p.name}@${p.version}`)
      .sort();
    const expected = Object.entries(lock.packages)
      .filter(([p, e]) => p !== '' && e.version && fs.existsSync(path.join(repoRoot, p, 'package.json')))
      .map(([p, e]) => `${p} ${e.name ?? p.slice(p.lastIndexOf('node_modules/') + 13)}@${e.version}`)
      .sort();
    assert.ok(expected.length > 100);
    assert.deepEqual(found, expected);
  });
});

describe('javascript-lock-cataloger', () => {
  it('reads package-lock v1 and v3 and yarn classic and berry locks', async () => {
    const result = await new CatalogTester(javascriptLockCataloguer)
      .fromTxtar(path.join(testdata, 'locks.txtar'))
      .expectReads([
        '/src/v3/package-lock.json',
        '/src/v1/package-lock.json',
        '/src/yarn1/yarn.lock',
        '/src/berry/yarn.lock',
      ])
      .run();
    assert.deepEqual(
      result.packages.map((p) => `${p.locations[0]?.path} ${p.purl} ${p.licenses?.join('|')}`),
      [
        '/src/yarn1/yarn.lock pkg:npm/%40babel/code-frame@7.12.13 ',
        '/src/v3/package-lock.json pkg:npm/%40types/node@20.19.43 MIT',
        '/src/v1/package-lock.json pkg:npm/debug@2.6.9 ',
        '/src/v3/package-lock.json pkg:npm/debug@2.6.9 MIT',
        '/src/v1/package-lock.json pkg:npm/express@4.17.1 ',
        '/src/berry/yarn.lock pkg:npm/lodash@4.17.21 ',
        '/src/yarn1/yarn.lock pkg:npm/lodash@4.17.21 ',
        '/src/v3/package-lock.json pkg:npm/ms@2.0.0 MIT',
        '/src/v3/package-lock.json pkg:npm/shop-api@1.4.0 UNLICENSED',
        '/src/v3/package-lock.json pkg:npm/string-width@4.2.3 MIT',
      ],
    );
    const express = result.packages.find((p) => p.name === 'express');
    assert.equal(express?.metadataType, 'javascript-npm-package-lock-entry');
    assert.deepEqual(express?.metadata, {
      resolved: 'https://registry.npmjs.org/express/-/express-4.17.1.tgz',
      integrity:
        'sha512-mHJ9O79RqluphRrcw2X/GTh3k9tVv8YcoyY4Kkh4WDMUYKRZUq0h1o0w2rrrxBqM7VoeUVqgb27xlEMXTnYt4g==',
    });
    const berry = result.packages.find((p) => p.locations[0]?.path === '/src/berry/yarn.lock');
    assert.equal(berry?.metadataType, 'javascript-yarn-lock-entry');
    assert.equal(berry?.metadata?.resolved, 'lodash@npm:4.17.21');
  });

  it('ignores the hidden lock npm keeps inside node_modules', () => {
    const file = { type: 'file' as const, size: 10, mode: 0o644 };
    assert.equal(javascriptLockCataloguer.wants('/app/node_modules/.package-lock.json', file), false);
    assert.equal(javascriptLockCataloguer.wants('/app/package-lock.json', file), true);
  });
});
