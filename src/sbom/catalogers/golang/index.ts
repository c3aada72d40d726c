/**
 * Go cataloguers: module build info in ELF binaries (syft's go-module-binary-cataloger, images and
 * directories) and go.mod/go.sum in source trees (go-module-file-cataloger, directories). Binaries
 * are picked cheaply while layers stream (executable bit, size window) and confirmed by content.
 */
import { defineCataloguer, executableWithin } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import type { NewPackage } from '../package.ts';
import { readGoBuildInfo } from './buildinfo.ts';
import type { GoBuildInfo, GoModule } from './buildinfo.ts';
import { parseGoMod } from './gomod.ts';
import { newGoModulePackage, newGoStdlibPackage } from './package.ts';

/** The smallest Go binaries (stripped hello world) are ~1 MiB; the largest few hundred MiB. */
export const GO_BINARY_MIN = 512 * 1024;
export const GO_BINARY_MAX = 512 * 1024 * 1024;

const LDFLAGS_VERSION =
  /-X[= ]\s*['"]?(?:\S*?[./])?(?:main|cmd|version|buildinfo)\.(?:[a-z]*)?[Vv]ersion=['"]?([^\s'"]+)/;
const SEMVER = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;

/**
 * The main module's version when the toolchain wrote `(devel)` (syft's defaults): a version set
 * by `-ldflags -X main.version=...`, else a pseudo-version from the VCS stamp, else `(devel)`.
 */
export function mainModuleVersion(info: GoBuildInfo): string {
  const v = info.main?.version ?? '';
  if (v && v !== '(devel)') return v;
  const setting = (k: string): string | undefined => info.settings.find((s) => s.key === k)?.value;
  const fromLd = LDFLAGS_VERSION.exec(setting('-ldflags') ?? '')?.[1];
  if (fromLd && SEMVER.test(fromLd)) return fromLd.startsWith('v') ? fromLd : `v${fromLd}`;
  const revision = setting('vcs.revision');
  const time = setting('vcs.time');
  if (revision && time && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(time)) {
    return `v0.0.0-${time.slice(0, 19).replace(/\D/g, '')}-${revision.slice(0, 12)}`;
  }
  return '(devel)';
}

function effective(m: GoModule): GoModule {
  const r = m.replace;
  if (!r) return m;
  // Local directory replacements have no module version: keep the required identity.
  if (r.path.startsWith('.') || r.path.startsWith('/'))
    return { path: m.path, version: r.version || '(devel)' };
  return r;
}

function parseBinary(data: Buffer, ctx: ParseContext): NewPackage[] {
  const info = readGoBuildInfo(data);
  if (!info) return [];
  const setting = (k: string): string | undefined => info.settings.find((s) => s.key === k)?.value;
  const common = {
    goCompiledVersion: info.goVersion,
    architecture: setting('GOARCH'),
    mainModule: info.main?.path,
  };
  const out: NewPackage[] = [];
  if (info.main?.path) {
    out.push(
      newGoModulePackage(info.main.path, mainModuleVersion(info), ctx.location, 'go-module-buildinfo-entry', {
        goBuildSettings: info.settings,
        ...common,
        h1Digest: info.main.sum,
      }),
    );
  }
  for (const dep of info.deps) {
    const m = effective(dep);
    if (!m.path) continue;
    out.push(
      newGoModulePackage(m.path, m.version, ctx.location, 'go-module-buildinfo-entry', {
        ...common,
        h1Digest: m.sum,
      }),
    );
  }
  out.push(newGoStdlibPackage(info.goVersion, ctx.location, common));
  return out;
}

export const goBinaryCataloguer = defineCataloguer({
  id: 'go-module-binary-cataloger',
  version: 1,
  parsers: [{ globs: ['**'], accept: executableWithin(GO_BINARY_MIN, GO_BINARY_MAX), parse: parseBinary }],
});

export const goModFileCataloguer = defineCataloguer({
  id: 'go-module-file-cataloger',
  version: 1,
  parsers: [{ globs: ['**/go.mod'], accept: (p) => !p.includes('/vendor/'), parse: parseGoMod }],
  supporting: ['**/go.sum'],
});
