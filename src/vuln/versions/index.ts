/**
 * Version schemes (one comparator per ecosystem family) and OSV range evaluation. The rest of
 * src/vuln imports only this file.
 */
export { apk, compareApkVersions } from './apk.ts';
export { composer, normalizeComposer, phpVersionCompare } from './composer.ts';
export { compareDebVersions, deb, parseDeb, verrevcmp } from './deb.ts';
export type { DebVersion } from './deb.ts';
export { SCHEMES, ecosystemBase, schemeById, schemeForEcosystem } from './ecosystem.ts';
export { compareGeneric, generic } from './generic.ts';
export { go, goTagToSemver, parseGo } from './go.ts';
export { compareMavenVersions, maven } from './maven.ts';
export { comparePep440Versions, parsePep440, pep440 } from './pep440.ts';
export type { Pep440Version } from './pep440.ts';
export { fixedVersions, inAnyRange, isAffected, isListed, schemeForRange } from './range.ts';
export type { SortedRanges } from './range.ts';
export { compareRpmVersions, parseRpm, rpm, rpmvercmp } from './rpm.ts';
export type { RpmVersion } from './rpm.ts';
export { compareGemVersions, rubygems } from './rubygems.ts';
export { compareSemverVersions, comparePrerelease, parseSemver, semver } from './semver.ts';
export type { SemverVersion } from './semver.ts';
export { compareNuGetVersions, nuget, parseNuGet } from './nuget.ts';
export type { NuGetVersion } from './nuget.ts';
export { memoize, sortSmall } from './util.ts';
