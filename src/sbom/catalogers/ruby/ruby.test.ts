import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogTester } from '../testkit.ts';
import { rubyGemspecCataloguer } from './index.ts';

const testdata = fileURLToPath(new URL('../testdata/ruby/', import.meta.url));

describe('ruby-installed-gemspec-cataloger', () => {
  it('reads installed and default gemspecs', async () => {
    await new CatalogTester(rubyGemspecCataloguer)
      .fromTxtar(path.join(testdata, 'gems.txtar'))
      .expectIssues(['gemspec without version'])
      .expectPackages([
        {
          name: 'json',
          version: '2.6.1',
          purl: 'pkg:gem/json@2.6.1',
          licenses: ['Ruby'],
          files: [
            '/usr/local/lib/ruby/3.1.0/gems/json-2.6.1/json.rb',
            '/usr/local/lib/ruby/3.1.0/gems/json-2.6.1/json/add/core.rb',
            '/usr/local/lib/ruby/3.1.0/gems/json-2.6.1/json/common.rb',
            '/usr/local/lib/ruby/3.1.0/gems/json-2.6.1/json/version.rb',
          ],
        },
        {
          name: 'rake',
          version: '13.0.6',
          type: 'gem',
          language: 'ruby',
          purl: 'pkg:gem/rake@13.0.6',
          cpes: [
            'cpe:2.3:a:rake:rake:13.0.6:*:*:*:*:*:*:*',
            'cpe:2.3:a:rake_project:rake:13.0.6:*:*:*:*:*:*:*',
            'cpe:2.3:a:rake-project:rake:13.0.6:*:*:*:*:*:*:*',
          ],
          licenses: ['MIT'],
          locations: [{ path: '/usr/local/bundle/specifications/rake-13.0.6.gemspec' }],
          metadataType: 'ruby-gemspec',
          metadata: {
            name: 'rake',
            version: '13.0.6',
            authors: ['Hiroshi SHIBATA', 'Eric Hodel', 'Jim Weirich'],
            licenses: ['MIT'],
            homepage: 'https://github.com/ruby/rake',
          },
        },
      ])
      .run();
  });
});
