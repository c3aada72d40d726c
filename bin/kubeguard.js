#!/usr/bin/env node
// In a checkout (src/ present) runs the TypeScript sources through tsx, so nothing is ever stale;
// an installed package or image ships only dist/ (npm run build) and runs that.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Image scans allocate many short-lived objects; a small young generation keeps their peak memory
// about 20 MiB lower at the same speed. V8 fixes it at start-up, so these commands re-execute once.
const memoryTuned = ['sbom', 'vuln'];
const tuned = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) =>
  a.includes('--max-semi-space-size'),
);
if (memoryTuned.includes(process.argv[2] ?? '') && !tuned) {
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=4', ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { MALLOC_ARENA_MAX: '2', ...process.env },
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  const sources = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  let main;
  if (existsSync(sources)) {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import(sources));
  } else {
    ({ main } = await import('../dist/cli/main.js'));
  }
  process.exitCode = await main(process.argv.slice(2));
}
