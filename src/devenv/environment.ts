import fs from 'node:fs';
import type { Logger } from '../common/index.ts';
import { silentLogger } from '../common/index.ts';
import { RegistryClient } from '../sbom/index.ts';
import type { ClusterInfo } from './cluster.ts';
import { clusterLayout, clusterUp, readClusterConfig } from './cluster.ts';
import { buildTestImage, pushLayout, testImages } from './images.ts';
import type { DevPaths } from './paths.ts';
import type { RegistryInfo } from './registry.ts';
import { registryStatus, registryUp } from './registry.ts';
import type { StorageInfo } from './storage.ts';
import { storageUp } from './storage.ts';

/** A registry client that trusts and authenticates to a local registry. */
export function registryClientFor(info: RegistryInfo): RegistryClient {
  return new RegistryClient({
    plainHttp: info.tls ? [] : [info.address],
    ...(info.caFile ? { ca: fs.readFileSync(info.caFile) } : {}),
    credentials: (registry) => (registry === info.address && info.auth ? info.auth : undefined),
  });
}

export interface PushedImage {
  reference: string;
  digest: string;
  cached: boolean;
}

/** Builds (or takes from the cache) every test image and pushes it to the registry. */
export async function pushTestImages(
  paths: DevPaths,
  registry: RegistryInfo,
  options: { rebuild?: boolean; only?: string[]; logger?: Logger } = {},
): Promise<PushedImage[]> {
  const logger = options.logger ?? silentLogger;
  const client = registryClientFor(registry);
  const pushed: PushedImage[] = [];
  try {
    for (const image of testImages) {
      if (options.only && !options.only.some((o) => image.name.startsWith(o))) continue;
      const started = Date.now();
      const { dir, cached } = await buildTestImage(paths, image, { rebuild: options.rebuild, logger });
      const reference = `${registry.address}/${image.name}`;
      const digest = await pushLayout(client, dir, reference);
      logger.info(`${reference} ${cached ? 'from cache' : 'built'}, pushed in ${Date.now() - started} ms`, {
        digest,
      });
      pushed.push({ reference, digest, cached });
    }
  } finally {
    await client.close();
  }
  return pushed;
}

/** Everything the main job needs: control plane, default registry, test images, Kubeguard's storage. */
export async function devUp(
  paths: DevPaths,
  logger: Logger = silentLogger,
): Promise<{ cluster: ClusterInfo; registry: RegistryInfo; images: PushedImage[]; storage: StorageInfo }> {
  const cluster = await clusterUp({ paths, logger });
  const registry = await registryUp(paths, {}, logger);
  const images = await pushTestImages(paths, registry, { logger });
  const storage = await storageUp(paths, {}, logger);
  return { cluster, registry, images, storage };
}

/** Shell exports (like `minikube docker-env`) for the running dev environment. */
export async function envExports(paths: DevPaths): Promise<string> {
  const lines: string[] = [];
  const layout = clusterLayout(paths);
  if (readClusterConfig(layout) && fs.existsSync(layout.kubeconfig)) {
    lines.push(`export KUBECONFIG='${layout.kubeconfig}'`);
  }
  const registry = await registryStatus(paths, 'default');
  if (registry.info) lines.push(`export KUBEGUARD_REGISTRY='${registry.info.address}'`);
  if (process.env.KUBEGUARD_STATE_DIR) lines.push(`export KUBEGUARD_STATE_DIR='${paths.stateDir}'`);
  if (lines.length === 0) {
    lines.push('# no dev environment yet: run `kubeguard dev up` (or `kubeguard dev cluster up`)');
  } else {
    lines.push('# use: eval "$(node bin/kubeguard.js dev env)"');
  }
  return `${lines.join('\n')}\n`;
}
