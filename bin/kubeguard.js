#!/usr/bin/env node
// In a checkout (src/ present) runs the TypeScript sources through tsx, so nothing is ever stale;
// an installed package or image ships only dist/ (npm run build) and runs that.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
