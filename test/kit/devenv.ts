import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DevPaths } from '../../src/devenv/index.ts';
import { devPaths } from '../../src/devenv/index.ts';

const execFileAsync = promisify(execFile);

/**
 * Dev paths with a state directory of the test's own (so tests never touch a developer's running
 * environment) and the shared cache (so the kube-apiserver build and images are reused).
 */
export function isolatedPaths(label: string): DevPaths & { cleanup(): void } {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `kubeguard-${label}-`));
  return { ...devPaths(), stateDir, cleanup: () => fs.rmSync(stateDir, { recursive: true, force: true }) };
}

/** Runs kubectl as a user would; rejects with its stderr. */
export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const child = execFileAsync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    maxBuffer: 32 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    return (await child).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

export async function run(command: string, args: string[]): Promise<string> {
  return (await execFileAsync(command, args, { maxBuffer: 32 * 1024 * 1024 })).stdout;
}
