/**
 * Java archives (syft's java-archive-cataloger): .jar/.war/.ear/.jpi/.hpi and friends, nested
 * archives included; see archive.ts.
 */
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import type { NewPackage } from '../package.ts';
import { ARCHIVE_EXTENSIONS, defaultArchiveLimits, parseJavaArchive } from './archive.ts';
import type { ArchiveLimits } from './archive.ts';

/** Largest archive read (the file comes into memory whole). */
export const JAVA_ARCHIVE_MAX = 512 * 1024 * 1024;

export function createJavaArchiveCataloguer(limits: ArchiveLimits = defaultArchiveLimits) {
  return defineCataloguer({
    id: 'java-archive-cataloger',
    version: 1,
    parsers: [
      {
        globs: [`**/*.{${ARCHIVE_EXTENSIONS.join(',')}}`],
        accept: (_p, info) => info.size >= 22 && info.size <= JAVA_ARCHIVE_MAX,
        parse: (data: Buffer, ctx: ParseContext): NewPackage[] =>
          parseJavaArchive(data, ctx.file.path, {
            location: ctx.location,
            limits,
            issue: (r) => ctx.issue(r),
          }),
      },
    ],
  });
}

export const javaArchiveCataloguer = createJavaArchiveCataloguer();
