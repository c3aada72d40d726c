import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogTester } from '../testkit.ts';
import { phpComposerInstalledCataloguer } from './index.ts';

const testdata = fileURLToPath(new URL('../testdata/php/', import.meta.url));

describe('php-composer-installed-cataloger', () => {
  it('reads Composer 1 and 2 installed.json', async () => {
    await new CatalogTester(phpComposerInstalledCataloguer)
      .fromTxtar(path.join(testdata, 'composer.txtar'))
      .expectIssues(['package without name or version: broken/no-version'])
      .expectPackages([
        { name: 'guzzlehttp/guzzle', version: '6.5.8', purl: 'pkg:composer/guzzlehttp/guzzle@6.5.8' },
        {
          name: 'monolog/monolog',
          version: '3.5.0',
          type: 'php-composer',
          language: 'php',
          purl: 'pkg:composer/monolog/monolog@3.5.0',
          cpes: ['cpe:2.3:a:monolog:monolog:3.5.0:*:*:*:*:*:*:*'],
          licenses: ['MIT'],
          locations: [{ path: '/var/www/html/vendor/composer/installed.json' }],
          metadataType: 'php-composer-installed-entry',
        },
        {
          name: 'psr/log',
          version: '3.0.0',
          cpes: ['cpe:2.3:a:log:log:3.0.0:*:*:*:*:*:*:*', 'cpe:2.3:a:psr:log:3.0.0:*:*:*:*:*:*:*'],
        },
      ])
      .run();
  });
});
