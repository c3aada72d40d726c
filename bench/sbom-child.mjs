// One SBOM run for bench/sbom.ts: the compiled engine (as deployed, no TypeScript loader in
// memory) in a process of its own, so that its peak RSS (VmHWM) is the engine's alone.
import fs from 'node:fs';
import { generateSbom } from '../dist/sbom/generate.js';

const [spec, options = '{}'] = process.argv.slice(2);
const started = process.hrtime.bigint();
const doc = await generateSbom(spec, JSON.parse(options));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const status = fs.readFileSync('/proc/self/status', 'utf8');
const peakRssKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
process.stdout.write(
  JSON.stringify({
    seconds,
    packages: doc.packages.length,
    files: doc.files.length,
    status: doc.status,
    statusReason: doc.statusReason,
    issues: doc.issues.length,
    peakRssKiB,
    timings: doc.timings,
    memory: {
      heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 1048576),
      externalMiB: Math.round(process.memoryUsage().external / 1048576),
    },
  }),
);
