/**
 * JavaScript cataloguers: installed packages (`package.json`, syft's javascript-package-cataloger,
 * image and directory scans) and declared ones (`package-lock.json`, `yarn.lock`, syft's
 * javascript-lock-cataloger, directory scans).
 */
import { defineCataloguer } from '../generic.ts';
import { isPackageRoot, parsePackageJson } from './parse-package-json.ts';
import { parsePackageLock } from './parse-package-lock.ts';
import { parseYarnLock } from './parse-yarn-lock.ts';

const MAX_MANIFEST = 8 * 1024 * 1024;

export const javascriptPackageCataloguer = defineCataloguer({
  id: 'javascript-package-cataloger',
  version: 1,
  parsers: [
    {
      globs: ['**/package.json'],
      accept: (p, info) => info.size <= MAX_MANIFEST && isPackageRoot(p),
      parse: parsePackageJson,
    },
  ],
});

const notInstalled = (p: string): boolean => !p.includes('/node_modules/');

export const javascriptLockCataloguer = defineCataloguer({
  id: 'javascript-lock-cataloger',
  version: 1,
  parsers: [
    { globs: ['**/package-lock.json'], accept: notInstalled, parse: parsePackageLock },
    { globs: ['**/yarn.lock'], accept: notInstalled, parse: parseYarnLock },
  ],
});
