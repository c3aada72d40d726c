import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogTester } from '../testkit.ts';
import { dotnetDepsCataloguer } from './index.ts';

const testdata = fileURLToPath(new URL('../testdata/dotnet/', import.meta.url));

describe('dotnet-deps-cataloger', () => {
  it('reads NuGet packages from deps.json', async () => {
    await new CatalogTester(dotnetDepsCataloguer)
      .fromTxtar(path.join(testdata, 'deps.txtar'))
      .expectPackages([
        {
          name: 'Newtonsoft.Json',
          version: '13.0.3',
          type: 'dotnet',
          purl: 'pkg:nuget/Newtonsoft.Json@13.0.3',
          locations: [{ path: '/app/Shop.deps.json' }],
          metadataType: 'dotnet-deps-entry',
          metadata: {
            name: 'Newtonsoft.Json',
            version: '13.0.3',
            path: 'newtonsoft.json/13.0.3',
            sha512:
              'sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==',
            hashPath: 'newtonsoft.json.13.0.3.nupkg.sha512',
          },
        },
        { name: 'Serilog', version: '3.1.1', purl: 'pkg:nuget/Serilog@3.1.1' },
      ])
      .expectReads(['/app/Shop.deps.json'])
      .run();
  });

  it('reports a deps.json without libraries', async () => {
    await new CatalogTester(dotnetDepsCataloguer)
      .fromTxtar('-- /app/x.deps.json --\n{"targets": {}}\n')
      .expectIssues(['no "libraries" object'])
      .expectPackages([])
      .run();
  });
});
