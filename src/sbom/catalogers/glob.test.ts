import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob, compileGlobs, expandBraces } from './glob.ts';

describe('globs', () => {
  const table: [string, string, boolean][] = [
    ['**/package.json', '/package.json', true],
    ['**/package.json', '/app/node_modules/a/package.json', true],
    ['**/package.json', '/app/package.json.bak', false],
    ['**/package.json', '/app/xpackage.json', false],
    ['/var/lib/dpkg/status.d/*', '/var/lib/dpkg/status.d/libc6', true],
    ['/var/lib/dpkg/status.d/*', '/var/lib/dpkg/status.d/a/b', false],
    ['/usr/share/doc/*/copyright', '/usr/share/doc/bash/copyright', true],
    ['/usr/share/doc/*/copyright', '/usr/share/doc/copyright', false],
    ['**/*.dist-info/METADATA', '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA', true],
    ['/a/**/b', '/a/b', true],
    ['/a/**/b', '/a/x/y/b', true],
    ['/a/**', '/a', true],
    ['/a/**', '/ab', false],
    ['**/*.jar', '/opt/app.jar', true],
    ['**/*.jar', '/opt/app.jar/x', false],
    ['/x?z', '/xyz', true],
    ['/x?z', '/x/z', false],
    ['/{var/lib,usr/lib/sysimage}/rpm/{Packages,rpmdb.sqlite}', '/usr/lib/sysimage/rpm/rpmdb.sqlite', true],
    ['/{var/lib,usr/lib/sysimage}/rpm/{Packages,rpmdb.sqlite}', '/var/lib/rpm/Packages', true],
    ['/{var/lib,usr/lib/sysimage}/rpm/{Packages,rpmdb.sqlite}', '/var/lib/rpm/Packages.db', false],
    ['/a.b+c(d)', '/a.b+c(d)', true],
  ];
  for (const [glob, path, expected] of table) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(compileGlob(glob)(path), expected);
    });
  }

  it('expands nested braces', () => {
    assert.deepEqual(expandBraces('/a/{b,c{d,e}}/f'), ['/a/b/f', '/a/cd/f', '/a/ce/f']);
    assert.deepEqual(expandBraces('/a/{b'), ['/a/{b']);
  });

  it('combines several globs', () => {
    const m = compileGlobs(['/etc/os-release', '**/*.gemspec']);
    assert.equal(m('/etc/os-release'), true);
    assert.equal(m('/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec'), true);
    assert.equal(m('/etc/passwd'), false);
  });
});
