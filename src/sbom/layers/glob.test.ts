import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globToRegExp } from './glob.ts';

describe('globToRegExp', () => {
  const cases: [string, string, boolean][] = [
    ['**/var/lib/dpkg/status', '/var/lib/dpkg/status', true],
    ['**/var/lib/dpkg/status', '/opt/x/var/lib/dpkg/status', true],
    ['/var/lib/dpkg/status', '/var/lib/dpkg/status', true],
    ['var/lib/dpkg/status', '/var/lib/dpkg/status', true],
    ['/var/lib/dpkg/status.d/*', '/var/lib/dpkg/status.d/base', true],
    ['/var/lib/dpkg/status.d/*', '/var/lib/dpkg/status.d/a/b', false],
    ['**/node_modules/**/package.json', '/app/node_modules/a/package.json', true],
    ['**/node_modules/**/package.json', '/app/node_modules/@s/a/node_modules/b/package.json', true],
    ['**/node_modules/**/package.json', '/app/package.json', false],
    ['**/*.{jar,war,ear}', '/opt/app.war', true],
    ['**/*.{jar,war,ear}', '/opt/app.zip', false],
    ['**/lib/python3.?/**', '/usr/lib/python3.9/site.py', true],
    ['/usr/lib/**', '/usr/lib', true],
    ['/usr/lib/**', '/usr/lib/x/y', true],
    ['/usr/lib/**', '/usr/library', false],
    ['**/[a-c]*.txt', '/x/b1.txt', true],
    ['**/[!a-c]*.txt', '/x/b1.txt', false],
    ['**/*.deps.json', '/app/x.deps.json', true],
    ['**/*.deps.json', '/app/xdepsxjson', false],
  ];
  for (const [glob, path, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(globToRegExp(glob).test(path), expected);
    });
  }
});
