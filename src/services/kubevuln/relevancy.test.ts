import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyftDocument } from '../../api/index.ts';
import { filterSbom, pathMatcher } from './relevancy.ts';

const pkg = (id: string) => ({
  id,
  name: id,
  version: '1',
  type: 'deb',
  foundBy: '',
  locations: [],
  licenses: [],
  language: '',
  cpes: [],
  purl: '',
});

const doc: SyftDocument = {
  artifacts: [pkg('app'), pkg('lib'), pkg('nested'), pkg('unused')],
  artifactRelationships: [
    { parent: 'app', child: 'f-bin', type: 'contains' },
    { parent: 'lib', child: 'f-so', type: 'contains' },
    { parent: 'nested', child: 'lib', type: 'contains' },
    { parent: 'unused', child: 'f-doc', type: 'contains' },
    { parent: 'app', child: 'f-bin', type: 'contains' },
  ],
  files: [
    { id: 'f-bin', location: { path: '/usr/bin/app' } },
    { id: 'f-so', location: { path: '/usr/lib/x86_64/libz.so.1' } },
    { id: 'f-doc', location: { path: '/usr/share/doc/unused/README' } },
  ],
  source: { id: '', name: '', version: '', type: 'image', metadata: null },
  distro: {},
  descriptor: { name: 'kubeguard', version: '0' },
  schema: { version: '16', url: '' },
};

describe('relevancy filter', () => {
  it('matches exact paths and ⋯ (one segment) / * (any segments) placeholders', () => {
    const m = pathMatcher(['/usr/bin/app', '/usr/lib/⋯/libz.so.1', '/opt/*/run']);
    assert.ok(m('/usr/bin/app'));
    assert.ok(m('/usr/lib/x86_64/libz.so.1'));
    assert.ok(!m('/usr/lib/a/b/libz.so.1'));
    assert.ok(m('/opt/run'));
    assert.ok(m('/opt/a/b/run'));
    assert.ok(!m('/usr/bin/other'));
  });

  it('keeps used files, the relationships reaching them transitively (deduped), and their parents', () => {
    const out = filterSbom(doc, ['/usr/bin/app', '/usr/lib/⋯/libz.so.1']);
    assert.deepEqual(
      out.files?.map((f) => f.id),
      ['f-bin', 'f-so'],
    );
    assert.deepEqual(
      out.artifactRelationships.map((r) => `${r.parent}>${r.child}`),
      ['app>f-bin', 'lib>f-so', 'nested>lib'],
    );
    assert.deepEqual(
      out.artifacts.map((a) => a.id),
      ['app', 'lib', 'nested'],
    );
    assert.equal(filterSbom(doc, []).artifacts.length, 0);
  });
});
