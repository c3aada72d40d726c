import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ErrorCodes, KubeguardError, streamLogger } from '../common/index.ts';
import type { ClusterStatus, RegistryStatus } from '../devenv/index.ts';
import {
  clusterDown,
  clusterStatus,
  clusterUp,
  devPaths,
  devUp,
  envExports,
  pushTestImages,
  registryDown,
  registryNames,
  registryStatus,
  registryUp,
  storageDown,
  storageStatus,
  storageUp,
  testImages,
  userKubeconfig,
} from '../devenv/index.ts';

/** How to call this CLI again from a shell: `kubeguard` when installed, else node and the script. */
function self(): string {
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .some((d) => d && fs.existsSync(path.join(d, 'kubeguard')));
  return onPath
    ? 'kubeguard'
    : `node ${path.relative(process.cwd(), path.join(devPaths().repoRoot, 'bin', 'kubeguard.js')) || 'bin/kubeguard.js'}`;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a TCP port`);
  return n;
}

function clusterCommand(): Command {
  const cluster = new Command('cluster').description(
    'the local control plane: etcd and a real kube-apiserver on 127.0.0.1',
  );
  cluster
    .command('up')
    .description('build kube-apiserver if needed, start etcd and kube-apiserver, write an admin kubeconfig')
    .option('--apiserver-port <port>', 'kube-apiserver port (default 6443, then remembered)', port)
    .option('--etcd-port <port>', 'etcd client port (default 32379, then remembered)', port)
    .option('--etcd-peer-port <port>', 'etcd peer port (default 32380, then remembered)', port)
    .action(async (opts: { apiserverPort?: number; etcdPort?: number; etcdPeerPort?: number }) => {
      const logger = streamLogger({ prefix: 'cluster' });
      const info = await clusterUp({ paths: devPaths(), logger, ports: opts });
      process.stdout.write(
        `kube-apiserver ${info.config.kubeVersion} is ready at ${info.server}\n` +
          `  kubectl --kubeconfig ${info.kubeconfig} get namespaces\n` +
          `  eval "$(${self()} dev env)"   # sets KUBECONFIG and KUBEGUARD_REGISTRY\n`,
      );
    });
  cluster
    .command('down')
    .description('stop the processes that `up` started (by PID)')
    .option('--wipe', 'also delete certificates, etcd data and the kubeconfig')
    .action(async (opts: { wipe?: boolean }) => {
      await clusterDown({ paths: devPaths(), wipe: opts.wipe, logger: streamLogger({ prefix: 'cluster' }) });
    });
  cluster
    .command('status')
    .description('show whether etcd and kube-apiserver run and are ready')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (opts: { output: string }) => {
      const status = await clusterStatus(devPaths());
      if (opts.output === 'json') process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else process.stdout.write(formatClusterStatus(status));
      if (!status.ready) process.exitCode = 3;
    });
  cluster
    .command('kubeconfig')
    .description('print a kubeconfig for a user of your choice (client certificate), e.g. to test RBAC')
    .requiredOption('--user <name>', 'user name (certificate CN)')
    .option('--group <group...>', 'groups (certificate O)', [])
    .action(async (opts: { user: string; group: string[] }) => {
      process.stdout.write(await userKubeconfig(devPaths(), opts.user, opts.group));
    });
  return cluster;
}

function formatClusterStatus(status: ClusterStatus): string {
  const lines = [
    `etcd            ${status.etcd}${status.info?.etcdPid ? ` (pid ${status.info.etcdPid})` : ''}`,
    `kube-apiserver  ${status.apiserver}${status.info?.apiserverPid ? ` (pid ${status.info.apiserverPid})` : ''}`,
    `ready           ${status.ready ? 'yes' : 'no'}${status.detail ? ` (${status.detail})` : ''}`,
  ];
  if (status.info)
    lines.push(`server          ${status.info.server}`, `kubeconfig      ${status.info.kubeconfig}`);
  return `${lines.join('\n')}\n`;
}

function credentials(value: string): { username: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError('expected USER:PASSWORD');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

function registryCommand(): Command {
  const registry = new Command('registry').description(
    "local OCI registries (Debian's docker-registry on 127.0.0.1)",
  );
  registry
    .command('up')
    .description('start a registry; several can run under different names')
    .option('--name <name>', 'registry name ("default" is the one `dev env` exports)', 'default')
    .option('--port <port>', 'port (default 5000; 5443 for "secure")', port)
    .option('--auth <user:password>', 'require htpasswd basic auth', credentials)
    .option('--tls', 'serve HTTPS with a certificate from a CA of its own')
    .action(
      async (opts: {
        name: string;
        port?: number;
        auth?: { username: string; password: string };
        tls?: boolean;
      }) => {
        const info = await registryUp(devPaths(), opts, streamLogger({ prefix: 'registry' }));
        process.stdout.write(`registry "${info.name}" is ready at ${info.url}\n`);
        if (info.caFile) process.stdout.write(`  CA certificate: ${info.caFile}\n`);
      },
    );
  registry
    .command('down')
    .description('stop a registry (by PID)')
    .option('--name <name>', 'registry name', 'default')
    .option('--wipe', 'also delete its images, certificates and config')
    .action(async (opts: { name: string; wipe?: boolean }) => {
      await registryDown(devPaths(), opts, streamLogger({ prefix: 'registry' }));
    });
  registry
    .command('status')
    .description('show the registries and whether they answer')
    .action(async () => {
      const paths = devPaths();
      const all = await Promise.all(registryNames(paths).map((n) => registryStatus(paths, n)));
      process.stdout.write(all.length === 0 ? 'no registries\n' : formatRegistries(all));
      if (!all.some((r) => r.ready)) process.exitCode = 3;
    });
  return registry;
}

function formatRegistries(all: RegistryStatus[]): string {
  return all
    .map(
      (r) =>
        `${r.name.padEnd(10)} ${r.state.padEnd(8)} ${r.ready ? 'ready' : 'not ready'}  ${r.info?.url ?? ''}` +
        `${r.info?.auth ? '  basic auth' : ''}${r.info?.pid ? `  (pid ${r.info.pid})` : ''}`,
    )
    .join('\n')
    .concat('\n');
}

function imagesCommand(): Command {
  return new Command('images')
    .description('build the test images (cached) and push them to a local registry')
    .option('--registry <name>', 'which local registry', 'default')
    .option('--rebuild', 'ignore the cache and build again')
    .option('--only <prefix...>', 'only images whose name starts with one of these')
    .option('--list', 'list the test images and exit')
    .action(async (opts: { registry: string; rebuild?: boolean; only?: string[]; list?: boolean }) => {
      if (opts.list) {
        for (const image of testImages)
          process.stdout.write(`${image.name.padEnd(24)} ${image.description}\n`);
        return;
      }
      const paths = devPaths();
      const status = await registryStatus(paths, opts.registry);
      if (!status.ready || !status.info) {
        throw new KubeguardError(ErrorCodes.notFound, `registry "${opts.registry}" is not running`, {
          hint: `start it: kubeguard dev registry up --name ${opts.registry}`,
        });
      }
      const pushed = await pushTestImages(paths, status.info, {
        ...opts,
        logger: streamLogger({ prefix: 'images' }),
      });
      for (const p of pushed) process.stdout.write(`${p.reference}@${p.digest}\n`);
    });
}

function storageDevCommand(): Command {
  const storage = new Command('storage').description(
    'the storage role on 127.0.0.1, registered with the local control plane as an aggregated API',
  );
  storage
    .command('up')
    .description('start the storage and register APIService v1beta1.spdx.softwarecomposition.kubescape.io')
    .option('--port <port>', 'HTTPS port (default 8443, then remembered)', port)
    .option('--cleanup', 'delete orphaned results every 10 minutes (default: only log what would be deleted)')
    .action(async (opts: { port?: number; cleanup?: boolean }) => {
      const info = await storageUp(devPaths(), opts, streamLogger({ prefix: 'storage' }));
      process.stdout.write(
        `storage is registered and serves https://127.0.0.1:${info.port}\n` +
          '  kubectl api-resources --api-group=spdx.softwarecomposition.kubescape.io\n' +
          `  log: ${info.logFile}\n`,
      );
    });
  storage
    .command('down')
    .description('unregister the APIService and stop the storage')
    .option('--wipe', 'also delete the stored objects')
    .action(async (opts: { wipe?: boolean }) => {
      await storageDown(devPaths(), opts, streamLogger({ prefix: 'storage' }));
    });
  storage
    .command('status')
    .description('show whether the storage runs')
    .action(() => {
      const s = storageStatus(devPaths());
      process.stdout.write(
        `storage ${s.state}${s.pid ? ` (pid ${s.pid})` : ''}${s.port ? ` port ${s.port}` : ''}\n`,
      );
      if (s.state !== 'running') process.exitCode = 3;
    });
  return storage;
}

export function devCommand(): Command {
  const dev = new Command('dev').description(
    'local development environment: control plane, registry, test images',
  );
  dev
    .command('up')
    .description('start the control plane and the registry, push the test images, print how to reach them')
    .action(async () => {
      const paths = devPaths();
      const { cluster, registry, images, storage } = await devUp(paths, streamLogger({ prefix: 'dev' }));
      process.stdout.write(
        [
          `Kubernetes ${cluster.config.kubeVersion} API server: ${cluster.server}`,
          `  kubeconfig: ${cluster.kubeconfig}`,
          `Registry: ${registry.url}`,
          ...images.map((i) => `  ${i.reference}`),
          `Kubeguard storage (aggregated API spdx.softwarecomposition.kubescape.io/v1beta1): https://127.0.0.1:${storage.port}`,
          '',
          'Use them from this shell:',
          `  eval "$(${self()} dev env)"`,
          '  kubectl get namespaces',
          '  kubectl api-resources --api-group=spdx.softwarecomposition.kubescape.io',
          '  kubectl get vulnerabilitymanifests -A',
          `  skopeo inspect --tls-verify=false docker://${registry.address}/test/debian:12-minbase`,
          '',
          `Stop everything with: ${self()} dev down   (add --wipe to delete state)`,
          '',
        ].join('\n'),
      );
    });
  dev
    .command('down')
    .description('stop the registries and the control plane')
    .option('--wipe', 'also delete their state (certificates, etcd data, registry storage)')
    .action(async (opts: { wipe?: boolean }) => {
      const paths = devPaths();
      const logger = streamLogger({ prefix: 'dev' });
      await storageDown(paths, { wipe: opts.wipe }, logger);
      for (const name of registryNames(paths)) await registryDown(paths, { name, wipe: opts.wipe }, logger);
      await clusterDown({ paths, wipe: opts.wipe, logger });
    });
  dev
    .command('status')
    .description('show the control plane and the registries')
    .action(async () => {
      const paths = devPaths();
      const cluster = await clusterStatus(paths);
      const registries = await Promise.all(registryNames(paths).map((n) => registryStatus(paths, n)));
      process.stdout.write(formatClusterStatus(cluster));
      process.stdout.write(
        registries.length === 0 ? 'registries      none\n' : `registries\n${formatRegistries(registries)}`,
      );
      if (!cluster.ready) process.exitCode = 3;
    });
  dev
    .command('env')
    .description('print shell exports for the dev environment: eval "$(kubeguard dev env)"')
    .action(async () => {
      process.stdout.write(await envExports(devPaths()));
    });
  dev.addCommand(clusterCommand());
  dev.addCommand(registryCommand());
  dev.addCommand(imagesCommand());
  dev.addCommand(storageDevCommand());
  return dev;
}
