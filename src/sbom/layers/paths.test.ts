import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeEntryName, normalizeLinkName, symlinkTarget, whiteoutOf } from './paths.ts';

describe('layer paths', () => {
  it('normalizes entry names and rejects absolute paths and ".." escapes', () => {
    const cases: [string, ReturnType<typeof normalizeEntryName>['kind'], string?][] = [
      ['/', 'root'],
      ['./', 'root'],
      ['.', 'root'],
      ['', 'root'],
      ['./etc/passwd', 'path', '/etc/passwd'],
      ['etc/passwd', 'path', '/etc/passwd'],
      ['usr/bin/', 'path', '/usr/bin'],
      ['./a//b/./c', 'path', '/a/b/c'],
      ['a/b/../c', 'path', '/a/c'],
      ['/etc/passwd', 'invalid'],
      ['../etc/passwd', 'invalid'],
      ['./a/../../etc', 'invalid'],
    ];
    for (const [name, kind, path] of cases) {
      const n = normalizeEntryName(name);
      assert.equal(n.kind, kind, name);
      if (path) assert.deepEqual(n, { kind: 'path', path }, name);
    }
    assert.match(
      (normalizeEntryName(`a/${'b/'.repeat(3000)}`) as { reason: string }).reason,
      /longer than 4096/,
    );
    assert.deepEqual(normalizeLinkName('/bin/busybox'), { kind: 'path', path: '/bin/busybox' });
    assert.equal(normalizeLinkName('../x').kind, 'invalid');
  });

  it('resolves symlink targets inside the image only', () => {
    assert.equal(symlinkTarget('/etc/os-release', '../usr/lib/os-release'), '/usr/lib/os-release');
    assert.equal(symlinkTarget('/bin/sh', 'busybox'), '/bin/busybox');
    assert.equal(symlinkTarget('/a/b', '/etc/passwd'), '/etc/passwd');
    assert.equal(symlinkTarget('/a/evil', '../../../../../etc/shadow'), '/etc/shadow');
    assert.equal(symlinkTarget('/lib', 'usr/lib'), '/usr/lib');
  });

  it('recognizes whiteouts and opaque directories', () => {
    assert.deepEqual(whiteoutOf('/app/.wh.remove-me.txt'), { kind: 'delete', path: '/app/remove-me.txt' });
    assert.deepEqual(whiteoutOf('/.wh.top'), { kind: 'delete', path: '/top' });
    assert.deepEqual(whiteoutOf('/data/old/.wh..wh..opq'), { kind: 'opaque', dir: '/data/old' });
    assert.deepEqual(whiteoutOf('/.wh..wh..opq'), { kind: 'opaque', dir: '/' });
    assert.deepEqual(whiteoutOf('/x/.wh..wh.plnk'), { kind: 'meta' });
    assert.deepEqual(whiteoutOf('/x/what.wh.ever'), { kind: 'none' });
  });
});
