/**
 * The cataloguer registry (syft's internal/task/package_tasks.go): every cataloguer listed once,
 * tagged by kind (`os`/`language`), by the scans it runs on (`image`/`directory`), by evidence
 * (`installed`/`declared`) and ecosystem. Callers select by tags; nothing registers itself.
 */
import type { PackageType } from '../model.ts';
import type { Cataloguer } from '../resolver.ts';
import { apkCataloguer } from './apk/index.ts';
import { DISTRO_ID, detectDistro, distroWants } from './distro.ts';
import { dotnetDepsCataloguer } from './dotnet/index.ts';
import { dpkgCataloguer } from './dpkg/index.ts';
import { goBinaryCataloguer, goModFileCataloguer } from './golang/index.ts';
import { javaArchiveCataloguer } from './java/index.ts';
import { javascriptLockCataloguer, javascriptPackageCataloguer } from './javascript/index.ts';
import { phpComposerInstalledCataloguer } from './php/index.ts';
import { pythonInstalledCataloguer } from './python/index.ts';
import { rpmCataloguer } from './rpm/index.ts';
import { rubyGemspecCataloguer } from './ruby/index.ts';
import { cargoAuditableCataloguer, cargoLockCataloguer } from './rust/index.ts';

export type Ecosystem =
  'dpkg' | 'apk' | 'rpm' | 'javascript' | 'python' | 'go' | 'java' | 'ruby' | 'rust' | 'dotnet' | 'php';
/** Kind, scan, evidence, ecosystem, and the package type produced (`deb`, `npm`, `go-module`...). */
export type CataloguerTag =
  'os' | 'language' | 'image' | 'directory' | 'installed' | 'declared' | 'binary' | Ecosystem | PackageType;

/** Tags read as plain strings (selection comes from the command line); `entry` checks them. */
export interface CataloguerEntry {
  cataloguer: Cataloguer;
  tags: readonly string[];
}

const entry = (cataloguer: Cataloguer, tags: readonly CataloguerTag[]): CataloguerEntry => ({
  cataloguer,
  tags,
});

const both = ['image', 'directory'] as const;

export const catalogers: readonly CataloguerEntry[] = [
  entry(dpkgCataloguer, ['os', ...both, 'installed', 'dpkg', 'deb']),
  entry(apkCataloguer, ['os', ...both, 'installed', 'apk']),
  entry(rpmCataloguer, ['os', ...both, 'installed', 'rpm']),
  entry(javascriptPackageCataloguer, ['language', ...both, 'installed', 'javascript', 'npm']),
  entry(javascriptLockCataloguer, ['language', 'directory', 'declared', 'javascript', 'npm']),
  entry(pythonInstalledCataloguer, ['language', ...both, 'installed', 'python']),
  entry(goBinaryCataloguer, ['language', ...both, 'installed', 'binary', 'go', 'go-module']),
  entry(goModFileCataloguer, ['language', 'directory', 'declared', 'go', 'go-module']),
  entry(javaArchiveCataloguer, ['language', ...both, 'installed', 'java', 'java-archive']),
  entry(rubyGemspecCataloguer, ['language', ...both, 'installed', 'ruby', 'gem']),
  entry(cargoAuditableCataloguer, ['language', ...both, 'installed', 'binary', 'rust', 'rust-crate']),
  entry(cargoLockCataloguer, ['language', 'directory', 'declared', 'rust', 'rust-crate']),
  entry(dotnetDepsCataloguer, ['language', ...both, 'declared', 'dotnet']),
  entry(phpComposerInstalledCataloguer, ['language', ...both, 'installed', 'php', 'php-composer']),
];

/** Cataloguers carrying every given tag, in registry order: `catalogersTagged('image')`. */
export function catalogersTagged(...tags: CataloguerTag[]): Cataloguer[] {
  return catalogers.filter((e) => tags.every((t) => e.tags.includes(t))).map((e) => e.cataloguer);
}

export { DISTRO_ID, detectDistro, distroWants };
export {
  distroFromAlpineRelease,
  distroFromDebianVersion,
  distroFromOsRelease,
  distroFromRedhatRelease,
  parseOsRelease,
} from './distro.ts';
export type { DistroDetection } from './distro.ts';
export { defineCataloguer, comparePackages } from './generic.ts';
export type { CataloguerSpec, ParseContext, ParserSpec } from './generic.ts';
export { compileGlob, compileGlobs } from './glob.ts';
export { formatPurl } from './purl.ts';
export {
  apkCataloguer,
  cargoAuditableCataloguer,
  cargoLockCataloguer,
  dotnetDepsCataloguer,
  dpkgCataloguer,
  goBinaryCataloguer,
  goModFileCataloguer,
  javaArchiveCataloguer,
  javascriptLockCataloguer,
  javascriptPackageCataloguer,
  phpComposerInstalledCataloguer,
  pythonInstalledCataloguer,
  rpmCataloguer,
  rubyGemspecCataloguer,
};
