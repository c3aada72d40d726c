import type { VersionScheme } from '../types.ts';
import { apk } from './apk.ts';
import { composer } from './composer.ts';
import { deb } from './deb.ts';
import { generic } from './generic.ts';
import { go } from './go.ts';
import { maven } from './maven.ts';
import { nuget } from './nuget.ts';
import { pep440 } from './pep440.ts';
import { rpm } from './rpm.ts';
import { rubygems } from './rubygems.ts';
import { semver } from './semver.ts';

/** Every scheme by id, e.g. to re-create the scheme recorded next to a stored range. */
export const SCHEMES: Readonly<Record<string, VersionScheme>> = Object.freeze({
  deb,
  rpm,
  apk,
  semver,
  pep440,
  go,
  maven,
  rubygems,
  nuget,
  composer,
  generic,
});

export function schemeById(id: string): VersionScheme | undefined {
  return Object.hasOwn(SCHEMES, id) ? SCHEMES[id] : undefined;
}

/**
 * OSV ecosystem (base name, lower case) -> scheme. Besides the ecosystems the matcher targets,
 * distributions whose OSV data is documented to use apk or RPM ordering are listed, so that their
 * records are not compared fuzzily.
 */
const BY_ECOSYSTEM: ReadonlyMap<string, VersionScheme> = new Map([
  ['debian', deb],
  ['ubuntu', deb],
  ['alpine', apk],
  ['wolfi', apk],
  ['chainguard', apk],
  ['red hat', rpm],
  ['rocky linux', rpm],
  ['almalinux', rpm],
  ['opensuse', rpm],
  ['suse', rpm],
  ['mageia', rpm],
  ['openeuler', rpm],
  ['photon os', rpm],
  ['npm', semver],
  ['crates.io', semver],
  ['hex', semver],
  ['pub', semver],
  ['pypi', pep440],
  ['go', go],
  ['maven', maven],
  ['rubygems', rubygems],
  ['nuget', nuget],
  ['packagist', composer],
]);

/**
 * The ecosystem without its `:suffix` (`Debian:12` -> `Debian`, `Ubuntu:Pro:18.04:LTS` -> `Ubuntu`,
 * `Red Hat:rhel_aus:8.4::appstream` -> `Red Hat`, `Maven:https://maven.google.com` -> `Maven`).
 */
export function ecosystemBase(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return (colon < 0 ? ecosystem : ecosystem.slice(0, colon)).trim();
}

/** The version scheme of an OSV ecosystem string; unknown ecosystems get the `generic` fallback. */
export function schemeForEcosystem(ecosystem: string): VersionScheme {
  return BY_ECOSYSTEM.get(ecosystemBase(ecosystem).toLowerCase()) ?? generic;
}
