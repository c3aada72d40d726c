import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SquashedTree } from './filetree.ts';
import type { LayerEntry, LayerScan } from './scan.ts';
import { emptyScan } from './scan.ts';

const file = (path: string): LayerEntry => ({ path, type: 'file', size: 1, mode: 0o644 });
const dir = (path: string): LayerEntry => ({ path, type: 'dir', size: 0, mode: 0o755 });
const link = (path: string, target: string): LayerEntry => ({
  path,
  type: 'symlink',
  size: 0,
  mode: 0o777,
  link: target,
});
const layer = (entries: LayerEntry[], extra: Partial<LayerScan> = {}): LayerScan => ({
  ...emptyScan(),
  entries,
  ...extra,
});
const paths = (t: SquashedTree) =>
  [...t.walk()].map(([p, n]) => `${p}${n.type === 'symlink' ? ` -> ${n.link}` : ''}`);

describe('SquashedTree', () => {
  it('puts entries below a symlinked parent where the link points, creating missing directories', () => {
    const t = new SquashedTree();
    t.apply(layer([link('/lib', 'usr/lib'), link('/opt', '/srv/opt')]), 0);
    t.apply(layer([file('/lib/x.so'), file('/opt/app/run')]), 1);
    assert.deepEqual(paths(t), [
      '/',
      '/lib -> usr/lib',
      '/opt -> /srv/opt',
      '/srv',
      '/srv/opt',
      '/srv/opt/app',
      '/srv/opt/app/run',
      '/usr',
      '/usr/lib',
      '/usr/lib/x.so',
    ]);
    assert.equal(t.resolve('/lib/x.so')?.path, '/usr/lib/x.so');
    assert.equal(t.size, 9);
  });

  it('deletes through symlinked parents and skips entries under looping links', () => {
    const t = new SquashedTree();
    t.apply(
      layer([
        dir('/usr'),
        dir('/usr/lib'),
        file('/usr/lib/old.so'),
        link('/lib', 'usr/lib'),
        link('/a', 'b'),
        link('/b', 'a'),
      ]),
      0,
    );
    t.apply(layer([file('/a/x')], { whiteouts: ['/lib/old.so'] }), 1);
    assert.deepEqual(paths(t), ['/', '/a -> b', '/b -> a', '/lib -> usr/lib', '/usr', '/usr/lib']);
  });

  it('replaces a file where a directory is needed, and merges directories', () => {
    const t = new SquashedTree();
    t.apply(layer([file('/etc'), dir('/var'), file('/var/a')]), 0);
    t.apply(layer([file('/etc/passwd'), { ...dir('/var'), mode: 0o700 }, file('/var/b')]), 1);
    assert.deepEqual(paths(t), ['/', '/etc', '/etc/passwd', '/var', '/var/a', '/var/b']);
    assert.equal(t.lookup('/var')?.mode, 0o700);
    assert.equal(t.lookup('/var')?.layer, 1);
    assert.equal(t.lookup('/var/a')?.layer, 0);
    assert.equal(t.size, 5);
  });

  it('hides everything lower under an opaque directory, at any depth, but not the same layer', () => {
    const t = new SquashedTree();
    t.apply(layer([file('/d/a'), file('/d/sub/deep/b'), file('/other')]), 0);
    t.apply(layer([file('/d/new')], { opaques: ['/d'] }), 1);
    assert.deepEqual(paths(t), ['/', '/d', '/d/new', '/other']);
    t.apply(layer([], { opaques: ['/'] }), 2);
    assert.deepEqual(paths(t), ['/']);
    assert.equal(t.size, 0);
  });
});
