import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the dev environment keeps things. Caches (the kube-apiserver binary, image layouts) outlive
 * resets; state (certificates, etcd data, PID files, kubeconfig) belongs to one environment and is
 * what `down --wipe` removes. Both live outside the work tree so that every clone shares the caches.
 */
export interface DevPaths {
  cacheDir: string;
  stateDir: string;
  repoRoot: string;
}

export function devPaths(env: NodeJS.ProcessEnv = process.env): DevPaths {
  const home = os.homedir();
  const cacheDir =
    env.KUBEGUARD_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'kubeguard');
  const stateDir =
    env.KUBEGUARD_STATE_DIR ??
    path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'kubeguard');
  return { cacheDir, stateDir, repoRoot: repoRoot() };
}

export function repoRoot(): string {
  // src/devenv/paths.ts or dist/devenv/paths.js -> two levels up.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}
