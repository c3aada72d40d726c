// Child of bench/posture.ts: one end-to-end scan in a fresh process running the compiled code (as
// deployed, no TypeScript loader in memory); prints its figures as JSON.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { jsonReportChunks, loadPaths, scan } from '../dist/posture/index.js';

const [dir = '.', frameworks = 'all'] = process.argv.slice(2);
const t0 = performance.now();
const loaded = await loadPaths([dir]);
const t1 = performance.now();
const report = scan({ objects: loaded.objects, target: 'file', frameworks: frameworks.split(',') });
const t2 = performance.now();
const fd = fs.openSync('/dev/null', 'w');
for (const chunk of jsonReportChunks(report)) fs.writeSync(fd, chunk);
fs.closeSync(fd);
const t3 = performance.now();
console.log(
  JSON.stringify({
    objects: loaded.objects.length,
    resources: report.results.length,
    controls: Object.keys(report.summaryDetails.controls).length,
    loadMs: t1 - t0,
    scanMs: t2 - t1,
    writeMs: t3 - t2,
    totalMs: t3 - t0,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    complianceScore: report.summaryDetails.complianceScore,
  }),
);
