// Vulnerability matching benchmark: node --import tsx bench/vuln-match.ts [--count N] [--db DIR] [--keep]
// Generates an OSV corpus (default 200,000 advisories: Debian 12 source packages and seven
// language ecosystems, written as one all.zip per ecosystem; not timed) and builds a database
// with the db engine (timed, for context). Then, for SBOMs of 100, 1,000 and 5,000 packages (a
// Debian 12 image with language packages; about a third of the names have no advisory, the rest
// several, so matches are far denser than in real images), a fresh child process opens the
// database and runs scanSbom: open time; the first scan's wall time, CPU time and the part spent
// in database lookups (find() or candidates()); the median of BENCH_REPEATS (default 5) repeated
// scans; peak RSS after the first scan. The database file is read once beforehand, so that every
// run starts from the same (warm) OS page cache. `--db DIR` reuses a corpus kept with --keep (and
// rebuilds its database from the kept zips when vulndb.sqlite was deleted).
// Targets (issue 6): open < 100 ms, 1,000 packages < 300 ms after open, matching memory < 100 MiB.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Package, SbomModel } from '../src/sbom/index.ts';
import { buildDatabase, openAdvisoryDb } from '../src/vuln/db/index.ts';
import { writeZip, type ZipWriteEntry } from '../src/vuln/db/zip.ts';
import { scanSbom } from '../src/vuln/scan.ts';
import type { AdvisoryProvider } from '../src/vuln/types.ts';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const TOTAL = Number(arg('--count') ?? 200_000);
const KEEP = args.includes('--keep');
const SIZES = [100, 1_000, 5_000];

/** Deterministic PRNG (mulberry32): every run measures the same corpus and SBOMs. */
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

interface Eco {
  folder: string;
  ecosystem: string;
  share: number;
  /** Names with advisories are 0..packages-1; the SBOM also draws names beyond that. */
  packages: number;
  prefix: string;
  rangeType: 'ECOSYSTEM' | 'SEMVER';
  name: (i: number) => string;
  version: (r: () => number) => string;
  /** SBOM package for name i. */
  pkg: (i: number, version: string) => Omit<Package, 'id' | 'locations'>;
}

const n = (r: () => number, k: number): number => Math.floor(r() * k);
const semver = (r: () => number) => `${n(r, 12)}.${n(r, 30)}.${n(r, 20)}`;

const ecos: Eco[] = [
  {
    folder: 'Debian',
    ecosystem: 'Debian:12',
    share: 0.35,
    packages: 4_000,
    prefix: 'DEBIAN-CVE',
    rangeType: 'ECOSYSTEM',
    name: (i) => `srcpkg${i}`,
    version: (r) => `${n(r, 3)}:${n(r, 10)}.${n(r, 20)}-${n(r, 5)}+deb12u${n(r, 6)}`,
    pkg: (i, version) => ({ name: `lib${i}-bin`, version, type: 'deb', upstreams: [{ name: `srcpkg${i}` }] }),
  },
  {
    folder: 'npm',
    ecosystem: 'npm',
    share: 0.22,
    packages: 12_000,
    prefix: 'GHSA',
    rangeType: 'SEMVER',
    name: (i) => (i % 5 === 0 ? `@scope${i % 97}/pkg-${i}` : `pkg-${i}`),
    version: semver,
    pkg: (i, version) => ({
      name: i % 5 === 0 ? `@scope${i % 97}/pkg-${i}` : `pkg-${i}`,
      version,
      type: 'npm',
    }),
  },
  {
    folder: 'PyPI',
    ecosystem: 'PyPI',
    share: 0.12,
    packages: 6_000,
    prefix: 'PYSEC',
    rangeType: 'ECOSYSTEM',
    name: (i) => (i % 3 === 0 ? `Py_Package.${i}` : `py-package-${i}`),
    version: (r) => `${n(r, 5)}.${n(r, 20)}${r() < 0.2 ? `rc${n(r, 3)}` : `.${n(r, 10)}`}`,
    // SBOMs spell names their own way; PEP 503 makes them meet.
    pkg: (i, version) => ({
      name: i % 3 === 0 ? `py-package-${i}` : `py_package_${i}`,
      version,
      type: 'python',
    }),
  },
  {
    folder: 'Maven',
    ecosystem: 'Maven',
    share: 0.1,
    packages: 5_000,
    prefix: 'GHSA',
    rangeType: 'ECOSYSTEM',
    name: (i) => `org.example${i % 300}:artifact-${i}`,
    version: (r) => `${n(r, 6)}.${n(r, 20)}.${n(r, 10)}${r() < 0.3 ? '.RELEASE' : ''}`,
    pkg: (i, version) => ({
      name: `artifact-${i}`,
      version,
      type: 'java-archive',
      purl: `pkg:maven/org.example${i % 300}/artifact-${i}@${version}`,
    }),
  },
  {
    folder: 'Go',
    ecosystem: 'Go',
    share: 0.08,
    packages: 4_000,
    prefix: 'GO',
    rangeType: 'SEMVER',
    name: (i) => `github.com/org${i % 500}/module${i}`,
    version: semver,
    pkg: (i, version) => ({
      name: `github.com/org${i % 500}/module${i}`,
      version: `v${version}`,
      type: 'go-module',
    }),
  },
  {
    folder: 'RubyGems',
    ecosystem: 'RubyGems',
    share: 0.06,
    packages: 2_500,
    prefix: 'GHSA',
    rangeType: 'ECOSYSTEM',
    name: (i) => `gem-${i}`,
    version: (r) => `${n(r, 7)}.${n(r, 10)}.${n(r, 10)}.${n(r, 4)}`,
    pkg: (i, version) => ({ name: `gem-${i}`, version, type: 'gem' }),
  },
  {
    folder: 'crates.io',
    ecosystem: 'crates.io',
    share: 0.04,
    packages: 1_500,
    prefix: 'RUSTSEC',
    rangeType: 'SEMVER',
    name: (i) => `crate_${i}`,
    version: semver,
    pkg: (i, version) => ({ name: `crate_${i}`, version, type: 'rust-crate' }),
  },
  {
    folder: 'NuGet',
    ecosystem: 'NuGet',
    share: 0.03,
    packages: 1_500,
    prefix: 'GHSA',
    rangeType: 'ECOSYSTEM',
    name: (i) => `Example.Package${i}`,
    version: semver,
    pkg: (i, version) => ({ name: `example.package${i}`, version, type: 'dotnet' }),
  },
];

const vectors = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H',
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
];
const words =
  'a flaw in the parser lets crafted input cause an out of bounds read and denial of service'.split(' ');

function advisory(eco: Eco, seq: number, r: () => number): Record<string, unknown> {
  const year = 2015 + n(r, 11);
  const cve = `CVE-${year}-${10000 + seq}`;
  const id = eco.prefix === 'DEBIAN-CVE' ? `DEBIAN-${cve}` : `${eco.prefix}-${year}-${seq}`;
  const name = eco.name(n(r, eco.packages));
  const ranges = Array.from({ length: 1 + n(r, 3) }, () => ({
    type: eco.rangeType,
    events:
      r() < 0.1
        ? [{ introduced: '0' }]
        : [{ introduced: r() < 0.5 ? '0' : eco.version(r) }, { fixed: eco.version(r) }],
  }));
  return {
    schema_version: '1.6.0',
    id,
    modified: new Date(Date.UTC(2024, 0, 1) + n(r, 700) * 86400000).toISOString(),
    aliases: eco.prefix === 'DEBIAN-CVE' ? [] : [cve],
    ...(eco.prefix === 'DEBIAN-CVE' ? { upstream: [cve] } : {}),
    summary: Array.from({ length: 8 }, () => words[n(r, words.length)]).join(' '),
    details: Array.from({ length: 80 }, () => words[n(r, words.length)]).join(' '),
    severity: eco.prefix === 'DEBIAN-CVE' ? [] : [{ type: 'CVSS_V3', score: vectors[n(r, vectors.length)] }],
    affected: [
      {
        package: { ecosystem: eco.ecosystem, name },
        ranges,
        ...(eco.prefix === 'DEBIAN-CVE'
          ? { ecosystem_specific: { urgency: ['low', 'medium', 'unimportant'][n(r, 3)] } }
          : {}),
      },
    ],
    references: [{ type: 'ADVISORY', url: `https://nvd.nist.gov/vuln/detail/${cve}` }],
    database_specific:
      eco.prefix === 'GHSA' ? { severity: ['LOW', 'MODERATE', 'HIGH', 'CRITICAL'][n(r, 4)] } : {},
  };
}

function generate(dir: string): string[] {
  const t = performance.now();
  const r = rng(42);
  const zips: string[] = [];
  let seq = 0;
  for (const [i, eco] of ecos.entries()) {
    const count = i === ecos.length - 1 ? TOTAL - seq : Math.round(TOTAL * eco.share);
    fs.mkdirSync(path.join(dir, eco.folder), { recursive: true });
    const file = path.join(dir, eco.folder, 'all.zip');
    function* entries(): Generator<ZipWriteEntry> {
      for (let k = 0; k < count; k++) {
        const record = advisory(eco, ++seq, r);
        yield { name: `${record.id as string}.json`, data: JSON.stringify(record) };
      }
    }
    writeZip(file, entries());
    zips.push(file);
  }
  console.log(
    `generated ${seq} advisories in ${zips.length} all.zip files in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed)`,
  );
  return zips;
}

/** A Debian 12 image: 40% OS packages, the rest language packages; ~1/3 of names have no advisory. */
function sbomOf(size: number): SbomModel {
  const r = rng(size);
  const weights = [0.4, 0.2, 0.12, 0.1, 0.08, 0.04, 0.03, 0.03];
  const packages: Package[] = [];
  for (let k = 0; k < size; k++) {
    let x = r();
    let e = 0;
    while (e < weights.length - 1 && x >= (weights[e] as number)) x -= weights[e++] as number;
    const eco = ecos[e] as Eco;
    const i = n(r, Math.round(eco.packages * 1.5));
    packages.push({
      id: `p${k}`,
      locations: [{ path: `/layer/${eco.folder}/${k}` }],
      ...eco.pkg(i, eco.version(r)),
    });
  }
  return {
    source: { type: 'image', name: `bench/app-${size}`, version: '1.0' },
    distro: { id: 'debian', versionId: '12' },
    packages,
  };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Reads the file once: a database reused with --db may have left the page cache since it was
 * built (this machine's kernel reclaims idle file pages), which would make the first scan measure
 * the disk.
 */
function warm(file: string): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Peak RSS of this process image. Linux keeps getrusage's maxrss across exec, so a child spawned
 * by a parent that just built the database would report the parent's peak; VmHWM starts afresh.
 */
function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** The timed part for one SBOM size, in its own process. */
function measure(dbPath: string, size: number): void {
  const sbom = sbomOf(size);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const db = openAdvisoryDb(dbPath, { readonly: true });
  db.metadata();
  const openMs = performance.now() - t0;
  // Time spent inside the database's lookups (find() or candidates(): SQLite + JSON parsing; a
  // candidate's head is parsed later, by the matcher, and counts as matching), to split matching time.
  let findMs = 0;
  const timed: AdvisoryProvider = {
    find: (q) => {
      const t = performance.now();
      const found = db.find(q);
      findMs += performance.now() - t;
      return found;
    },
    candidates: (q) => {
      const t = performance.now();
      const found = db.candidates(q);
      findMs += performance.now() - t;
      return found;
    },
    read: (fn) => db.read(fn),
    metadata: () => db.metadata(),
    close: () => db.close(),
  };
  const heapBefore = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const first = scanSbom(sbom, timed);
  const cpu1 = process.cpuUsage(cpu0);
  const peakFirst = peakRss();
  const firstMs = first.timing.matchMs;
  const firstFindMs = findMs;
  const heapAfter = process.memoryUsage().heapUsed;
  // Repeated runs (same process, SQLite and OS caches warm): the median.
  const repeats: { ms: number; findMs: number }[] = [];
  for (let i = 0; i < Number(process.env.BENCH_REPEATS ?? 5); i++) {
    findMs = 0;
    const r = scanSbom(sbom, timed);
    repeats.push({ ms: r.timing.matchMs, findMs });
  }
  const median = [...repeats].sort((a, b) => a.ms - b.ms)[Math.floor(repeats.length / 2)] ?? {
    ms: 0,
    findMs: 0,
  };
  db.close();
  console.log(
    JSON.stringify({
      size,
      openMs,
      firstMs,
      firstCpuMs: (cpu1.user + cpu1.system) / 1000,
      firstFindMs,
      repeatMs: median.ms,
      repeatFindMs: median.findMs,
      totalMs: first.timing.totalMs,
      matches: first.document.matches.length,
      queries: first.stats.queries,
      advisories: first.stats.advisoriesExamined,
      rssBefore,
      peakFirst,
      heapDelta: heapAfter - heapBefore,
      warnings: first.warnings.length,
    }),
  );
}

async function main(): Promise<void> {
  const measureArg = arg('--measure');
  if (measureArg) {
    measure(measureArg, Number(arg('--size')));
    return;
  }
  const reuse = arg('--db');
  const dir = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-vuln-match-'));
  const dbPath = path.join(dir, 'vulndb.sqlite');
  try {
    if (!reuse || !fs.existsSync(dbPath)) {
      // A kept corpus is rebuilt from its zips when its database is deleted (e.g. to measure an import change).
      const kept = ecos.map((e) => path.join(dir, e.folder, 'all.zip'));
      const zips = reuse && kept.every((f) => fs.existsSync(f)) ? kept : generate(dir);
      const t = performance.now();
      const { info } = await buildDatabase({ output: dbPath, inputs: zips });
      const s = (performance.now() - t) / 1000;
      console.log(
        `database: ${info.counts.advisories} advisories, ${info.counts.affected} package entries, built in ${s.toFixed(1)} s ` +
          `(${Math.round(info.counts.advisories / s)} records/s), ${mib(fs.statSync(dbPath).size)}`,
      );
    }
    warm(dbPath);
    console.log(
      'size   open    first scan: wall  cpu      in db lookups   repeat (median): wall  in db       matches  lookups  advisories  RSS at start  peak RSS after first scan',
    );
    for (const size of SIZES) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, process.argv[1] as string, '--measure', dbPath, '--size', String(size)],
        { encoding: 'utf8' },
      );
      if (child.status !== 0) {
        process.stderr.write(child.stderr);
        process.exitCode = child.status ?? 1;
        return;
      }
      const m = JSON.parse(child.stdout.trim().split('\n').pop() as string) as Record<string, number>;
      const ms = (v: number | undefined): string => `${(v ?? 0).toFixed(0)} ms`;
      console.log(
        [
          String(m.size).padEnd(6),
          `${(m.openMs ?? 0).toFixed(1)} ms`.padEnd(19),
          ms(m.firstMs).padEnd(8),
          ms(m.firstCpuMs).padEnd(8),
          ms(m.firstFindMs).padEnd(33),
          ms(m.repeatMs).padEnd(10),
          ms(m.repeatFindMs).padEnd(10),
          String(m.matches).padEnd(8),
          String(m.queries).padEnd(8),
          String(m.advisories).padEnd(11),
          mib(m.rssBefore ?? 0).padEnd(13),
          `${mib(m.peakFirst ?? 0)} (+${mib((m.peakFirst ?? 0) - (m.rssBefore ?? 0))})`,
        ].join(' '),
      );
    }
    if (KEEP) console.log(`kept ${dir} (reuse with --db ${dir})`);
  } finally {
    if (!KEEP && !reuse) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
