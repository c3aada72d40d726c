import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError } from '../common/index.ts';
import type { DevPaths } from './paths.ts';

/** The Kubernetes release we build and test against (kubectl on the machines is 1.32). */
export const KUBE_VERSION = 'v1.32.13';

export function kubeApiserverPath(paths: DevPaths, version = KUBE_VERSION): string {
  return path.join(paths.cacheDir, 'kube-apiserver', version, 'kube-apiserver');
}

function isBuilt(paths: DevPaths, version: string): boolean {
  const stamp = path.join(path.dirname(kubeApiserverPath(paths, version)), '.complete');
  try {
    return (
      fs.readFileSync(stamp, 'utf8').trim() === version && fs.existsSync(kubeApiserverPath(paths, version))
    );
  } catch {
    return false;
  }
}

/**
 * Returns the cached kube-apiserver binary, building it with tools/build-kube-apiserver.sh (the
 * machine's Go toolchain and the Go module proxy) when the pinned version is not built yet.
 */
export async function ensureKubeApiserver(
  paths: DevPaths,
  logger: Logger,
  version = KUBE_VERSION,
): Promise<string> {
  if (isBuilt(paths, version)) return kubeApiserverPath(paths, version);
  const script = path.join(paths.repoRoot, 'tools', 'build-kube-apiserver.sh');
  logger.info(`building kube-apiserver ${version} from source (first time only; several minutes)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [script], {
      env: {
        ...process.env,
        KUBE_VERSION: version,
        KUBEGUARD_CACHE_DIR: paths.cacheDir,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      for (const line of chunk.split('\n')) {
        if (line.startsWith('[kube-apiserver]'))
          logger.info(line.replace('[kube-apiserver] ', 'kube-apiserver build: '));
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new KubeguardError(
            ErrorCodes.processFailed,
            `building kube-apiserver ${version} failed:\n${tail.trim()}`,
            {
              hint: `fix the cause above and run again; the build resumes from the Go caches (${script})`,
            },
          ),
        );
    });
  });
  return kubeApiserverPath(paths, version);
}
