// Vulnerability database benchmark: node --import tsx bench/vuln-db.ts [--count N] [--keep]
// Generates an OSV corpus (default 200,000 advisories over nine ecosystems, written as one
// all.zip per ecosystem like OSV publishes them; generation is not timed), then, in a fresh child
// process so that memory and open time are its own, builds a database from it and reports import
// throughput, database size, open time, 1,000 find() lookups and peak RSS.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDatabase, openAdvisoryDb } from '../src/vuln/db/index.ts';
import { writeZip } from '../src/vuln/db/zip.ts';
import type { ZipWriteEntry } from '../src/vuln/db/zip.ts';

const args = process.argv.slice(2);
const countArg = args.indexOf('--count');
const TOTAL = countArg >= 0 ? Number(args[countArg + 1]) : 200_000;
const KEEP = args.includes('--keep');
const MEASURE = args.indexOf('--measure');

/** Deterministic PRNG (mulberry32), so every run measures the same corpus. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;

interface EcoPlan {
  folder: string;
  share: number;
  packages: number;
  prefix: string;
  ecosystems: readonly string[];
  name: (i: number) => string;
  purl: (name: string) => string;
  version: () => string;
  rangeType: 'ECOSYSTEM' | 'SEMVER';
}

const semver = () => `${int(12)}.${int(30)}.${int(20)}`;
const plans: EcoPlan[] = [
  {
    folder: 'npm',
    share: 0.22,
    packages: 12_000,
    prefix: 'GHSA',
    ecosystems: ['npm'],
    name: (i) => (i % 5 === 0 ? `@scope${i % 97}/pkg-${i}` : `pkg-${i}`),
    purl: (n) => `pkg:npm/${encodeURIComponent(n)}`,
    version: semver,
    rangeType: 'SEMVER',
  },
  {
    folder: 'PyPI',
    share: 0.12,
    packages: 6_000,
    prefix: 'PYSEC',
    ecosystems: ['PyPI'],
    name: (i) => (i % 3 === 0 ? `Py_Package.${i}` : `py-package-${i}`),
    purl: (n) => `pkg:pypi/${n.toLowerCase()}`,
    version: () => `${int(5)}.${int(20)}${rand() < 0.2 ? `rc${int(3)}` : `.${int(10)}`}`,
    rangeType: 'ECOSYSTEM',
  },
  {
    folder: 'Maven',
    share: 0.1,
    packages: 5_000,
    prefix: 'GHSA',
    ecosystems: ['Maven'],
    name: (i) => `org.example${i % 300}:artifact-${i}`,
    purl: (n) => `pkg:maven/${n.replace(':', '/')}`,
    version: () => `${int(6)}.${int(20)}.${int(10)}${rand() < 0.3 ? '.RELEASE' : ''}`,
    rangeType: 'ECOSYSTEM',
  },
  {
    folder: 'Go',
    share: 0.08,
    packages: 4_000,
    prefix: 'GO',
    ecosystems: ['Go'],
    name: (i) => `github.com/org${i % 500}/module${i}`,
    purl: (n) => `pkg:golang/${n}`,
    version: semver,
    rangeType: 'SEMVER',
  },
  {
    folder: 'crates.io',
    share: 0.03,
    packages: 1_500,
    prefix: 'RUSTSEC',
    ecosystems: ['crates.io'],
    name: (i) => `crate_${i}`,
    purl: (n) => `pkg:cargo/${n}`,
    version: semver,
    rangeType: 'SEMVER',
  },
  {
    folder: 'RubyGems',
    share: 0.05,
    packages: 2_500,
    prefix: 'GHSA',
    ecosystems: ['RubyGems'],
    name: (i) => `gem-${i}`,
    purl: (n) => `pkg:gem/${n}`,
    version: () => `${int(7)}.${int(10)}.${int(10)}.${int(4)}`,
    rangeType: 'ECOSYSTEM',
  },
  {
    folder: 'Debian',
    share: 0.3,
    packages: 3_000,
    prefix: 'DEBIAN-CVE',
    ecosystems: ['Debian:11', 'Debian:12', 'Debian:13'],
    name: (i) => `src-package${i}`,
    purl: (n) => `pkg:deb/debian/${n}?arch=source`,
    version: () => `${int(3)}:${int(10)}.${int(20)}-${int(5)}+deb12u${int(6)}`,
    rangeType: 'ECOSYSTEM',
  },
  {
    folder: 'Alpine',
    share: 0.07,
    packages: 1_500,
    prefix: 'ALPINE-CVE',
    ecosystems: ['Alpine:v3.18', 'Alpine:v3.19', 'Alpine:v3.20', 'Alpine:v3.21'],
    name: (i) => `apk-${i}`,
    purl: (n) => `pkg:apk/alpine/${n}?arch=source`,
    version: () => `${int(3)}.${int(10)}.${int(10)}-r${int(8)}`,
    rangeType: 'ECOSYSTEM',
  },
  {
    folder: 'NuGet',
    share: 0.03,
    packages: 1_500,
    prefix: 'GHSA',
    ecosystems: ['NuGet'],
    name: (i) => `Example.Package${i}`,
    purl: (n) => `pkg:nuget/${n}`,
    version: semver,
    rangeType: 'ECOSYSTEM',
  },
];

const words =
  'a flaw was found in the parser where crafted input leads to out of bounds read memory corruption denial of service remote attackers could exploit this via specially crafted request header allowing arbitrary code execution or information disclosure in affected versions'.split(
    ' ',
  );
const sentence = (n: number) => Array.from({ length: n }, () => pick(words)).join(' ');
const cwes = ['CWE-79', 'CWE-20', 'CWE-400', 'CWE-787', 'CWE-22', 'CWE-502', 'CWE-1321'];
const severities = ['LOW', 'MODERATE', 'HIGH', 'CRITICAL'];
const vectors = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H',
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
];

function ghsaId(n: number): string {
  const chars = '23456789cfghjmpqrvwx';
  let s = '';
  let x = n * 2654435761;
  for (let i = 0; i < 12; i++) {
    s += chars[x % 20];
    x = Math.floor(x / 20) + i * 7919;
  }
  return `GHSA-${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

function advisory(plan: EcoPlan, seq: number): Record<string, unknown> {
  const year = 2015 + int(11);
  const cve = `CVE-${year}-${10000 + seq}`;
  const id =
    plan.prefix === 'GHSA'
      ? ghsaId(seq)
      : plan.prefix.endsWith('CVE')
        ? `${plan.prefix}-${year}-${10000 + seq}`
        : `${plan.prefix}-${year}-${seq}`;
  const pkg = plan.name(int(plan.packages));
  const affected = plan.ecosystems
    .filter((_, i) => i === 0 || rand() < 0.7)
    .map((ecosystem) => {
      const ranges = Array.from({ length: 1 + int(3) }, () => ({
        type: plan.rangeType,
        events:
          rand() < 0.1
            ? [{ introduced: '0' }]
            : [{ introduced: rand() < 0.5 ? '0' : plan.version() }, { fixed: plan.version() }],
      }));
      return {
        package: { ecosystem, name: pkg, purl: plan.purl(pkg) },
        ranges,
        ...(rand() < 0.15 ? { versions: Array.from({ length: 5 }, plan.version) } : {}),
        ...(plan.folder === 'Debian'
          ? { ecosystem_specific: { urgency: pick(['low', 'medium', 'unimportant', 'not yet assigned']) } }
          : {}),
        database_specific: { source: `https://example.org/osv/${plan.folder}/${id}.json` },
      };
    });
  return {
    schema_version: '1.6.0',
    id,
    modified: new Date(Date.UTC(2024, 0, 1) + int(700) * 86400000).toISOString(),
    published: new Date(Date.UTC(year, int(12), 1 + int(28))).toISOString(),
    aliases: id === cve ? [] : rand() < 0.3 ? [cve, `GHSA-${seq}`] : [cve],
    ...(plan.folder === 'Debian' || plan.folder === 'Alpine' ? { upstream: [cve] } : {}),
    summary: sentence(6 + int(8)),
    details: sentence(60 + int(120)),
    severity: plan.folder === 'Debian' ? [] : [{ type: 'CVSS_V3', score: pick(vectors) }],
    affected,
    references: [
      { type: 'ADVISORY', url: `https://nvd.nist.gov/vuln/detail/${cve}` },
      {
        type: 'WEB',
        url: `https://github.com/example/${pkg.replace(/[^a-z0-9]/gi, '')}/commit/${seq.toString(16).padStart(40, '0')}`,
      },
      ...(rand() < 0.5 ? [{ type: 'PACKAGE', url: `https://example.org/${pkg}` }] : []),
    ],
    database_specific: {
      cwe_ids: [pick(cwes)],
      severity: pick(severities),
      github_reviewed: true,
      nvd_published_at: null,
    },
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

interface Plan {
  zips: { path: string; name: string }[];
  queries: { ecosystem: string; name: string }[];
}

function generate(dir: string): Plan {
  const genStart = performance.now();
  const zips: Plan['zips'] = [];
  const queries: Plan['queries'] = [];
  let seq = 0;
  let jsonBytes = 0;
  for (const [i, plan] of plans.entries()) {
    const n = i === plans.length - 1 ? TOTAL - seq : Math.round(TOTAL * plan.share);
    const folder = path.join(dir, plan.folder);
    fs.mkdirSync(folder);
    const file = path.join(folder, 'all.zip');
    function* entries(): Generator<ZipWriteEntry> {
      for (let k = 0; k < n; k++) {
        const record = advisory(plan, ++seq);
        const text = JSON.stringify(record);
        jsonBytes += text.length;
        yield { name: `${record.id as string}.json`, data: text };
      }
    }
    writeZip(file, entries());
    zips.push({ path: file, name: plan.folder });
    for (let q = 0; q < Math.ceil(1000 / plans.length); q++) {
      const eco = pick(plan.ecosystems);
      // Roughly one in ten lookups is for a package without advisories, as in a real SBOM.
      queries.push({
        ecosystem: eco,
        name: rand() < 0.1 ? `no-such-package-${q}` : plan.name(int(plan.packages)),
      });
    }
  }
  const zipBytes = zips.reduce((sum, z) => sum + fs.statSync(z.path).size, 0);
  console.log(
    `generated ${seq} advisories (${mib(jsonBytes)} of JSON, ${mib(zipBytes)} in ${zips.length} all.zip files) ` +
      `in ${((performance.now() - genStart) / 1000).toFixed(1)} s (not timed)`,
  );
  return { zips, queries: queries.slice(0, 1000) };
}

/** The timed part, run in a child process. */
async function measure(dir: string): Promise<void> {
  const { zips, queries } = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as Plan;
  const dbPath = path.join(dir, 'vulndb.sqlite');
  const t0 = performance.now();
  const { info, imports } = await buildDatabase({ output: dbPath, inputs: zips });
  const seconds = (performance.now() - t0) / 1000;
  const importSeconds = imports.reduce((s, i) => s + i.seconds, 0);
  const importRss = process.resourceUsage().maxRSS * 1024;
  console.log(
    `import: ${info.counts.advisories} advisories, ${info.counts.affected} package entries in ${seconds.toFixed(1)} s ` +
      `=> ${Math.round(info.counts.advisories / seconds)} records/s ` +
      `(read + normalise + write ${importSeconds.toFixed(1)} s; counts, checksum, fsync and rename ${(seconds - importSeconds).toFixed(1)} s)`,
  );
  console.log(`database size: ${mib(fs.statSync(dbPath).size)}`);

  const opens: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const db = openAdvisoryDb(dbPath);
    db.metadata();
    opens.push(performance.now() - t);
    db.close();
  }
  const median = [...opens].sort((a, b) => a - b)[2] as number;
  console.log(
    `open (read-only, metadata read): first ${(opens[0] as number).toFixed(2)} ms, median ${median.toFixed(2)} ms`,
  );

  const db = openAdvisoryDb(dbPath);
  let found = 0;
  const t1 = performance.now();
  for (const q of queries) found += db.find(q).length;
  const lookupMs = performance.now() - t1;
  const t2 = performance.now();
  for (const q of queries) db.find(q);
  const warmMs = performance.now() - t2;
  db.close();
  console.log(
    `find: ${queries.length} lookups in ${lookupMs.toFixed(1)} ms (${(lookupMs / queries.length).toFixed(3)} ms each, ` +
      `${found} advisories returned and parsed); repeated: ${warmMs.toFixed(1)} ms`,
  );
  console.log(
    `peak RSS of the import process: ${mib(importRss)} after the import, ${mib(process.resourceUsage().maxRSS * 1024)} at the end`,
  );
}

async function main(): Promise<void> {
  if (MEASURE >= 0) {
    await measure(args[MEASURE + 1] as string);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-vuln-bench-'));
  try {
    fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(generate(dir)));
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1] as string, '--measure', dir],
      {
        stdio: 'inherit',
      },
    );
    if (child.status !== 0) process.exitCode = child.status ?? 1;
    if (KEEP) console.log(`kept ${dir}`);
  } finally {
    if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
