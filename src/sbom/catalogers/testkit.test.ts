import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MemoryResolver, parseTxtar } from './testkit.ts';

describe('testkit', () => {
  it('parses txtar sections', () => {
    assert.deepEqual(parseTxtar('comment\n-- /a --\nx\n-- /b --\n-- /c --\ny\nz'), {
      comment: 'comment',
      files: [
        { name: '/a', data: 'x\n' },
        { name: '/b', data: '' },
        { name: '/c', data: 'y\nz\n' },
      ],
    });
  });

  it('resolves globs, symlinks, directories and collection like an image view', async () => {
    const r = MemoryResolver.fromTxtar(
      [
        '-- /usr/share/doc/libfoo1/copyright --',
        'License: MIT',
        '-- /usr/share/doc/libfoo-dev -> libfoo1 --',
        '-- /lib -> usr/lib --',
        '-- /usr/lib/x.so mode=0755 layer=sha256:l2 --',
        '-- /etc/skip --',
        '-- /empty/ --',
        '',
      ].join('\n'),
      { collect: (p) => !p.startsWith('/etc') },
    );
    assert.deepEqual(
      r.byGlob('**/copyright').map((f) => f.path),
      ['/usr/share/doc/libfoo1/copyright'],
    );
    assert.deepEqual(
      r.byGlob('/usr/**').map((f) => f.path),
      ['/usr/lib/x.so', '/usr/share/doc/libfoo1/copyright'],
    );
    assert.equal(r.byPath('/usr/share/doc/libfoo-dev/copyright')?.path, '/usr/share/doc/libfoo1/copyright');
    assert.deepEqual(r.byPath('/lib/x.so'), {
      path: '/usr/lib/x.so',
      type: 'file',
      size: 0,
      mode: 0o755,
      layerID: 'sha256:l2',
    });
    assert.equal(r.byPath('/empty')?.type, 'dir');
    assert.equal(r.byPath('/usr/share/doc')?.type, 'dir');
    assert.equal(r.byPath('/nope'), undefined);
    assert.equal((await r.read('/usr/share/doc/libfoo-dev/copyright')).toString(), 'License: MIT\n');
    await assert.rejects(r.read('/etc/skip'), /not collected/);
    assert.deepEqual(r.reads, ['/usr/share/doc/libfoo1/copyright']);
    assert.ok([...r.allPaths()].includes('/usr/share/doc/libfoo-dev'));
  });

  it('stops symlink loops', () => {
    const r = new MemoryResolver().addSymlink('/a', '/b').addSymlink('/b', '/a');
    assert.equal(r.byPath('/a/x'), undefined);
  });

  it('walks a real directory from the literal prefixes of its globs, reading lazily', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-kit-'));
    try {
      fs.mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
      fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), 'Package: a\n');
      fs.writeFileSync(path.join(root, 'var/lib/dpkg/info/a.list'), '/x\n');
      fs.writeFileSync(path.join(root, 'var/lib/dpkg/info/a.postinst'), '#!/bin/sh\n');
      fs.mkdirSync(path.join(root, 'etc'));
      fs.symlinkSync('../usr/lib/os-release', path.join(root, 'etc/os-release'));
      const r = MemoryResolver.fromDirectory(root, {
        include: ['/var/lib/dpkg/status', '/var/lib/dpkg/info/*.list', '/etc/os-release'],
      });
      assert.deepEqual(
        r.byGlob('**').map((f) => f.path),
        ['/var/lib/dpkg/info/a.list', '/var/lib/dpkg/status'],
      );
      assert.equal(r.byPath('/etc/os-release'), undefined);
      assert.equal((await r.read('/var/lib/dpkg/status')).toString(), 'Package: a\n');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
