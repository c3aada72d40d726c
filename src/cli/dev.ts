import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ErrorCodes, KubeguardError, streamLogger } from '../common/index.ts';
import type { ClusterStatus, DevUpResult, RegistryStatus, ServiceStatus } from '../devenv/index.ts';
import {
  assertServicesPrerequisites,
  clusterDown,
  clusterStatus,
  clusterUp,
  devPaths,
  devUp,
  ensureVulnDb,
  envExports,
  pushTestImages,
  registryDown,
  registryNames,
  registryStatus,
  registryUp,
  servicesDown,
  servicesStatus,
  servicesUp,
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

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a number of seconds`);
  return n;
}

function formatServices(all: ServiceStatus[]): string {
  return all
    .map(
      (s) =>
        `  ${s.role.padEnd(9)} ${s.state.padEnd(8)} ${s.ready ? 'ready' : 'not ready'}  ${s.url}` +
        `${s.pid ? `  (pid ${s.pid})` : ''}${s.detail ? `  ${s.detail}` : ''}`,
    )
    .join('\n')
    .concat('\n');
}

/** What `dev up` prints: what runs where, what the demo produced, and where to look. */
function formatDevUp(r: DevUpResult): string {
  const s = r.services.services;
  const lines = [
    `Kubernetes ${r.cluster.config.kubeVersion} API server: ${r.cluster.server}`,
    `  kubeconfig: ${r.cluster.kubeconfig}`,
    `Registry: ${r.registry.url}`,
    ...r.images.map((i) => `  ${i.reference}`),
    `Kubeguard storage (aggregated API spdx.softwarecomposition.kubescape.io/v1beta1): https://127.0.0.1:${r.storage.port}`,
    `CRDs: ${r.crds.join(', ')}`,
    `Vulnerability database: ${r.db.path} (${r.db.state}${r.services.dbReady ? ', loaded' : ', not loaded'})`,
    ...(r.db.hint ? [`  ${r.db.hint}`] : []),
    `Services (cluster name "${r.services.clusterName}"):`,
    `  posture   ${s.posture.url}   /v1/scan, /v1/status, /v1/results   log: ${s.posture.logFile}`,
    `  kubevuln  ${s.kubevuln.url}   /v1/scanImage, /v1/diagnostics     log: ${s.kubevuln.logFile}`,
    `  operator  ${s.operator.url}   /v1/triggerAction                  log: ${s.operator.logFile}`,
  ];
  if (r.demo && r.results) {
    const { counts: c, expected: e, done, seconds: secs } = r.results;
    lines.push(
      `Demo: namespace "${r.demo.namespace}", ${r.demo.workloads.map((w) => `${w.spec.kind.toLowerCase()}/${w.spec.name}`).join(', ')}`,
      `  ${done ? 'scanned' : 'still scanning'} after ${secs} s: ${c.vulnerabilityManifestSummaries}/${e.vulnerabilityManifestSummaries} vulnerability summaries, ` +
        `${c.workloadConfigurationScanSummaries}/${e.workloadConfigurationScanSummaries} posture summaries, ${c.vulnerabilityManifests}/${e.vulnerabilityManifests} image manifests`,
    );
  }
  lines.push(
    '',
    'Use them from this shell:',
    `  eval "$(${self()} dev env)"`,
    '  kubectl get vulnerabilitymanifestsummaries -A',
    '  kubectl get workloadconfigurationscansummaries -A',
    '  kubectl get vulnerabilitysummaries',
    '  kubectl get vulnerabilitymanifests -n kubescape',
    `  kubectl -n ${r.demo?.namespace ?? 'demo'} get workloadconfigurationscansummary deployment-web -o yaml`,
    '  kubectl api-resources --api-group=spdx.softwarecomposition.kubescape.io',
    `  ${self()} trigger --url ${s.operator.url}/v1/triggerAction --kubescape-scan   # or --vuln-scan`,
    `  curl -s ${s.kubevuln.url}/v1/diagnostics`,
    `  skopeo inspect --tls-verify=false docker://${r.registry.address}/test/debian:12-minbase`,
    '',
    `Stop everything with: ${self()} dev down   (add --wipe to delete state)`,
    '',
  );
  return lines.join('\n');
}

function servicesDevCommand(): Command {
  const services = new Command('services').description(
    'the posture, kubevuln and operator roles on 127.0.0.1 against the local control plane and storage',
  );
  services
    .command('up')
    .description('build the vulnerability database if needed and start the roles that are not running')
    .option('--posture-port <port>', 'posture port (default 8080, then remembered)', port)
    .option('--kubevuln-port <port>', 'kubevuln port (default 8081, then remembered)', port)
    .option('--operator-port <port>', 'operator port (default 4002, then remembered)', port)
    .option('--cluster-name <name>', 'cluster name in WLIDs (default kubeguard-dev, then remembered)')
    .option(
      '--db <path>',
      'vulnerability database (default: one in the state directory, built from ../shared/vulndata)',
    )
    .action(
      async (opts: {
        posturePort?: number;
        kubevulnPort?: number;
        operatorPort?: number;
        clusterName?: string;
        db?: string;
      }) => {
        const paths = devPaths();
        const logger = streamLogger({ prefix: 'services' });
        await assertServicesPrerequisites(paths);
        const db = await ensureVulnDb(paths, { dbPath: opts.db }, logger);
        if (db.hint) logger.warn(db.hint);
        const info = await servicesUp(
          paths,
          {
            ports: { posture: opts.posturePort, kubevuln: opts.kubevulnPort, operator: opts.operatorPort },
            clusterName: opts.clusterName,
            dbPath: db.path,
          },
          logger,
        );
        for (const svc of Object.values(info.services)) {
          process.stdout.write(
            `${svc.role.padEnd(9)} ${svc.url}  (pid ${svc.pid ?? '?'})  log: ${svc.logFile}\n`,
          );
        }
        process.stdout.write(
          `database ${info.dbPath}${info.dbReady ? '' : ' (not loaded yet)'}\n` +
            `  ${self()} trigger --url ${info.services.operator.url}/v1/triggerAction --vuln-scan\n`,
        );
      },
    );
  services
    .command('down')
    .description('stop the roles (by PID)')
    .option('--wipe', 'also delete their kubeconfigs, logs and the vulnerability database')
    .action(async (opts: { wipe?: boolean }) => {
      await servicesDown(devPaths(), opts, streamLogger({ prefix: 'services' }));
    });
  services
    .command('status')
    .description('show whether each role runs and is ready')
    .action(async () => {
      const all = await servicesStatus(devPaths());
      process.stdout.write(formatServices(all));
      if (!all.every((s) => s.ready)) process.exitCode = 3;
    });
  return services;
}

export function devCommand(): Command {
  const dev = new Command('dev').description(
    'local development environment: control plane, registry, test images, storage and the in-cluster services',
  );
  dev
    .command('up')
    .description(
      'the main job: control plane, registry, test images, storage, CRDs, vulnerability database, the posture / kubevuln / operator roles, demo workloads scanned once',
    )
    .option('--no-demo', 'do not create the demo workloads (and do not trigger scans)')
    .option('--wait <seconds>', 'how long to wait for the demo results', seconds, 300)
    .action(async (opts: { demo: boolean; wait: number }) => {
      const paths = devPaths();
      const result = await devUp(paths, streamLogger({ prefix: 'dev' }), {
        demo: opts.demo,
        resultsTimeoutMs: opts.wait * 1000,
      });
      process.stdout.write(formatDevUp(result));
    });
  dev
    .command('down')
    .description('stop the services, the storage, the registries and the control plane')
    .option('--wipe', 'also delete their state (certificates, etcd data, registry storage, database)')
    .action(async (opts: { wipe?: boolean }) => {
      const paths = devPaths();
      const logger = streamLogger({ prefix: 'dev' });
      await servicesDown(paths, { wipe: opts.wipe }, logger);
      await storageDown(paths, { wipe: opts.wipe }, logger);
      for (const name of registryNames(paths)) await registryDown(paths, { name, wipe: opts.wipe }, logger);
      await clusterDown({ paths, wipe: opts.wipe, logger });
    });
  dev
    .command('status')
    .description('show the control plane, the registries, the storage and the services')
    .action(async () => {
      const paths = devPaths();
      const cluster = await clusterStatus(paths);
      const registries = await Promise.all(registryNames(paths).map((n) => registryStatus(paths, n)));
      process.stdout.write(formatClusterStatus(cluster));
      process.stdout.write(
        registries.length === 0 ? 'registries      none\n' : `registries\n${formatRegistries(registries)}`,
      );
      const storage = storageStatus(paths);
      process.stdout.write(
        `storage         ${storage.state}${storage.pid ? ` (pid ${storage.pid})` : ''}${storage.port ? ` port ${storage.port}` : ''}\n`,
      );
      process.stdout.write(`services\n${formatServices(await servicesStatus(paths))}`);
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
  dev.addCommand(servicesDevCommand());
  return dev;
}
