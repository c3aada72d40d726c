/**
 * Matching against the real advisories of ../shared/vulndata (read in place) and its facts.json:
 * every affected version matches exactly the expected records, every unaffected one nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Distro, Package, SbomModel } from '../sbom/index.ts';
import { memoryProviderFromOsv } from './db/index.ts';
import type { Match } from './report/index.ts';
import { scanSbom } from './scan.ts';
import type { AdvisoryProvider } from './types.ts';

const VULNDATA =
  process.env.KUBEGUARD_VULNDATA ?? path.resolve(import.meta.dirname, '../../../shared/vulndata');
const available = fs.existsSync(path.join(VULNDATA, 'facts.json'));
const skip = available ? false : `vulndata not found at ${VULNDATA}`;

interface LanguageFact {
  ecosystem: string;
  package: string;
  version: string;
  expected_ids: string[];
}
interface MinbaseFact {
  binary: string;
  binary_version_12_15: string;
  source: string;
  source_version_12_15: string;
  expected_ids_by_source_version: string[];
  bookworm_security_version_nov2026?: string;
  expected_ids_after_security_update?: string[];
}
interface Facts {
  language_ecosystems: Record<string, LanguageFact[]>;
  debian_12: {
    minbase_12_15: MinbaseFact[];
    other_versions: { source: string; version: string; expected_ids: string[] }[];
  };
}

function loadRecords(): unknown[] {
  const root = path.join(VULNDATA, 'osv');
  return fs
    .readdirSync(root)
    .flatMap((dir) => fs.readdirSync(path.join(root, dir)).map((f) => path.join(root, dir, f)))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
}

const facts: Facts | undefined = available
  ? JSON.parse(fs.readFileSync(path.join(VULNDATA, 'facts.json'), 'utf8'))
  : undefined;
const provider: AdvisoryProvider | undefined = available
  ? memoryProviderFromOsv(loadRecords(), 'vulndata')
  : undefined;

/** The records behind a package's findings: every matchDetails `found` (primary and related). */
function foundIds(matches: Match[]): string[] {
  return [
    ...new Set(matches.flatMap((m) => m.matchDetails.map((d) => d.found?.vulnerabilityID ?? ''))),
  ].sort();
}

function byPackage(matches: Match[]): Map<string, Match[]> {
  const out = new Map<string, Match[]>();
  for (const m of matches) {
    const key = `${m.artifact.name}@${m.artifact.version}`;
    out.set(key, [...(out.get(key) ?? []), m]);
  }
  return out;
}

function languagePackage(f: LanguageFact, i: number): Package {
  const base = { id: `p${i}`, version: f.version, locations: [{ path: '/app' }] };
  switch (f.ecosystem) {
    case 'npm':
      return { ...base, name: f.package, type: 'npm', purl: `pkg:npm/${f.package}@${f.version}` };
    case 'PyPI':
      return {
        ...base,
        name: f.package,
        type: 'python',
        purl: `pkg:pypi/${f.package.toLowerCase()}@${f.version}`,
      };
    case 'Maven': {
      const [group, artifact] = f.package.split(':') as [string, string];
      return {
        ...base,
        name: artifact,
        type: 'java-archive',
        purl: `pkg:maven/${group}/${artifact}@${f.version}`,
      };
    }
    case 'RubyGems':
      return { ...base, name: f.package, type: 'gem', purl: `pkg:gem/${f.package}@${f.version}` };
    case 'Go':
      return {
        ...base,
        name: f.package,
        type: 'go-module',
        version: f.package === 'stdlib' ? `go${f.version}` : `v${f.version}`,
      };
    case 'crates.io':
      return { ...base, name: f.package, type: 'rust-crate', purl: `pkg:cargo/${f.package}@${f.version}` };
    default:
      return { ...base, name: f.package, type: 'apk', upstreams: [{ name: f.package }] };
  }
}

const alpineDistro: Record<string, Distro> = {
  'Alpine:v3.18': { id: 'alpine', versionId: '3.18.4' },
  'Alpine:v3.16': { id: 'alpine', versionId: '3.16.9' },
};

describe('facts.json: language ecosystems and Alpine', { skip }, () => {
  for (const [ecosystem, list] of Object.entries(facts?.language_ecosystems ?? {})) {
    it(`${ecosystem}: ${list.length} package versions`, () => {
      const packages = list.map(languagePackage);
      const sbom: SbomModel = { source: { type: 'directory', name: '/app' }, packages };
      const distro = alpineDistro[ecosystem];
      if (distro) sbom.distro = distro;
      const result = scanSbom(sbom, provider as AdvisoryProvider);
      assert.deepEqual(result.warnings, []);
      const found = byPackage(result.document.matches);
      list.forEach((f, i) => {
        const key = `${(packages[i] as Package).name}@${(packages[i] as Package).version}`;
        const matches = found.get(key) ?? [];
        assert.deepEqual(foundIds(matches), [...f.expected_ids].sort(), `${f.package}@${f.version}`);
        const ids = matches.map((m) => m.vulnerability.id);
        assert.equal(new Set(ids).size, ids.length, `${key}: one finding per vulnerability`);
      });
    });
  }
});

describe('facts.json: Debian 12', { skip }, () => {
  const debian: Distro = { id: 'debian', versionId: '12', idLike: [], versionCodename: 'bookworm' };
  const minbase = facts?.debian_12.minbase_12_15 ?? [];

  function scanMinbase(security: boolean) {
    const packages: Package[] = minbase.map((f, i) => {
      const sourceVersion = security
        ? (f.bookworm_security_version_nov2026 ?? f.source_version_12_15)
        : f.source_version_12_15;
      const version =
        security && f.bookworm_security_version_nov2026
          ? f.bookworm_security_version_nov2026
          : f.binary_version_12_15;
      return {
        id: `deb-${i}`,
        name: f.binary,
        version,
        type: 'deb',
        purl: `pkg:deb/debian/${f.binary}@${encodeURIComponent(version)}?arch=amd64&upstream=${f.source}&distro=debian-12`,
        locations: [{ path: '/var/lib/dpkg/status' }],
        upstreams: [{ name: f.source, version: sourceVersion }],
      };
    });
    return scanSbom(
      { source: { type: 'image', name: 'debian:12.15' }, distro: debian, packages },
      provider as AdvisoryProvider,
    );
  }

  it('fresh 12.15 minbase: every binary gets its source package records', () => {
    const result = scanMinbase(false);
    assert.deepEqual(result.warnings, []);
    const found = byPackage(result.document.matches);
    for (const f of minbase) {
      const matches = found.get(`${f.binary}@${f.binary_version_12_15}`) ?? [];
      assert.deepEqual(foundIds(matches), [...f.expected_ids_by_source_version].sort(), f.binary);
      // Binary and source names differ for most: those are indirect matches via the source.
      for (const m of matches)
        assert.equal(
          m.matchDetails[0]?.type,
          f.binary === f.source ? 'exact-direct-match' : 'exact-indirect-match',
        );
    }
  });

  it('after the November 2026 security updates', () => {
    const result = scanMinbase(true);
    const found = byPackage(result.document.matches);
    for (const f of minbase) {
      if (!f.bookworm_security_version_nov2026) continue;
      const matches = found.get(`${f.binary}@${f.bookworm_security_version_nov2026}`) ?? [];
      assert.deepEqual(foundIds(matches), [...(f.expected_ids_after_security_update ?? [])].sort(), f.binary);
    }
  });

  it('older source versions, DSA records merged into their CVE findings', () => {
    const other = facts?.debian_12.other_versions ?? [];
    const packages: Package[] = other.map((f, i) => ({
      id: `src-${i}`,
      name: f.source,
      version: f.version,
      type: 'deb',
      locations: [],
    }));
    const result = scanSbom(
      { source: { type: 'image', name: 'debian:12' }, distro: debian, packages },
      provider as AdvisoryProvider,
    );
    const found = byPackage(result.document.matches);
    for (const f of other) {
      const matches = found.get(`${f.source}@${f.version}`) ?? [];
      assert.deepEqual(foundIds(matches), [...f.expected_ids].sort(), `${f.source}@${f.version}`);
      // Dedup: a DSA is never a finding of its own when one of its CVEs matched.
      for (const m of matches)
        assert.ok(!m.vulnerability.id.startsWith('DSA-'), `${m.vulnerability.id} should be related`);
      const debianCves = f.expected_ids.filter((id) => id.startsWith('DEBIAN-CVE-'));
      assert.equal(matches.length, debianCves.length, `${f.source}@${f.version}: one finding per CVE`);
    }
  });

  it('DSA-5514-1 is listed as related of DEBIAN-CVE-2023-4911, with the CVE alias', () => {
    const result = scanSbom(
      {
        source: { type: 'image', name: 'x' },
        distro: debian,
        packages: [
          {
            id: 'g',
            name: 'libc6',
            version: '2.36-9+deb12u1',
            type: 'deb',
            locations: [],
            upstreams: [{ name: 'glibc' }],
          },
        ],
      },
      provider as AdvisoryProvider,
    );
    const m = result.document.matches.find((x) => x.vulnerability.id === 'DEBIAN-CVE-2023-4911');
    assert.ok(m);
    assert.deepEqual(
      m.relatedVulnerabilities.map((r) => r.id),
      ['DSA-5514-1', 'CVE-2023-4911'],
    );
    assert.deepEqual(m.vulnerability.fix, { versions: ['2.36-9+deb12u3'], state: 'fixed' });
    assert.equal(m.vulnerability.dataSource, 'https://security-tracker.debian.org/tracker/CVE-2023-4911');
    assert.equal(m.vulnerability.namespace, 'debian:distro:debian:12');
    assert.deepEqual(m.matchDetails[0], {
      type: 'exact-indirect-match',
      matcher: 'dpkg-matcher',
      searchedBy: {
        distro: { type: 'debian', version: '12' },
        namespace: 'debian:distro:debian:12',
        package: { name: 'glibc', version: '2.36-9+deb12u1' },
      },
      found: {
        vulnerabilityID: 'DEBIAN-CVE-2023-4911',
        versionConstraint: '< 2.36-9+deb12u3 (deb)',
        severitySource: 'debian-urgency',
      },
    });
    // An umbrella DSA naming several CVEs is related to each CVE it fixes, never its own finding.
    const older = scanSbom(
      {
        source: { type: 'image', name: 'x' },
        distro: debian,
        packages: [{ id: 'g', name: 'glibc', version: '2.36-9', type: 'deb', locations: [] }],
      },
      provider as AdvisoryProvider,
    );
    const withDsa5678 = older.document.matches.filter((x) =>
      x.relatedVulnerabilities.some((r) => r.id === 'DSA-5678-1'),
    );
    assert.deepEqual(
      withDsa5678.map((x) => x.vulnerability.id),
      ['DEBIAN-CVE-2024-33599'],
    );
    const m33599 = withDsa5678[0] as Match;
    assert.ok(
      !m33599.relatedVulnerabilities.some((r) => r.id === 'CVE-2024-33600'),
      'other CVEs of the DSA are not aliases',
    );
  });
});
