import type { VersionScheme } from '../types.ts';
import { compareSemverVersions, tryParseSemver } from './semver.ts';
import type { SemverVersion } from './semver.ts';
import { invalidVersion, memoize } from './util.ts';

/**
 * Go module versions as golang.org/x/mod/semver orders them: SemVer precedence, with the `v`
 * optional (OSV records omit it), the shorthands `v1` = `v1.0.0` and `v1.2` = `v1.2.0`, and
 * `+incompatible` (build metadata) ignored. Pseudo-versions (`v0.0.0-20220906165146-f3363e06e74c`,
 * `v1.2.4-0.20191109021931-daa7c04131f5`) are ordinary pre-releases and sort as such.
 *
 * Go toolchain tags as syft reports the stdlib (`go1.21.3`, `go1.21`, `go1.22rc2`) are mapped the
 * way golang.org/x/vuln does (`v1.21.3`, `v1.21.0`, `v1.22.0-rc.2`), so the `stdlib` records of the
 * Go vulnerability database compare correctly.
 */

const SHORTHAND = /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/;
const GO_TAG = /^go(\d+\.\d+)(\.\d+)?(?:(beta|rc|-pre)(\d+))?$/;

/** golang.org/x/vuln's GoTagToSemver: `go1.21rc2` -> `1.21.0-rc.2`; undefined when not a toolchain tag. */
export function goTagToSemver(tag: string): string | undefined {
  if (tag === 'go1') return '1.0.0';
  const m = GO_TAG.exec(tag);
  if (!m) return undefined;
  let version = m[1]! + (m[2] ?? '.0');
  if (m[3]) version += (m[3].startsWith('-') ? '' : '-') + m[3] + '.' + m[4];
  return version;
}

function parse(version: string): SemverVersion | undefined {
  const fromTag = version.startsWith('go') ? goTagToSemver(version) : undefined;
  if (fromTag !== undefined) return tryParseSemver(fromTag);
  const short = SHORTHAND.exec(version);
  if (short) return { major: short[1]!, minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
  return tryParseSemver(version);
}

/** Memoized (util.ts `memoize`): the result is shared, never mutate it. */
export const tryParseGo: (version: string) => SemverVersion | undefined = memoize(parse);

export function parseGo(version: string): SemverVersion {
  const parsed = tryParseGo(version);
  if (!parsed)
    throw invalidVersion('go', version, 'not a Go module version (vMAJOR[.MINOR[.PATCH[-pre][+build]]])');
  return parsed;
}

export const go: VersionScheme = {
  id: 'go',
  valid: (version) => tryParseGo(version) !== undefined,
  compare: (a, b) => compareSemverVersions(parseGo(a), parseGo(b)),
};
