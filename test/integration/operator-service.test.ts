// The operator role against a real kube-apiserver + etcd with our storage registered, the chart's
// CRDs applied, and small HTTP servers standing in for kubescape (posture) and kubevuln that record
// every request: what this test checks is the exact HTTP the operator sends, and what it does to
// the cluster (CronJobs, OperatorCommand status, deleted summaries), seen with kubectl.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { streamLogger } from '../../src/common/index.ts';
import {
  applyCrds,
  clusterDown,
  clusterLayout,
  clusterUp,
  freePort,
  storageDown,
  storageUp,
} from '../../src/devenv/index.ts';
import { runOperator } from '../../src/services/index.ts';
import type { RunningOperator } from '../../src/services/index.ts';
import { triggerCommand } from '../../src/cli/trigger.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';

const paths = isolatedPaths('operator-service');
let kubeconfig = '';
let operator: RunningOperator;

interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

/** An HTTP server that records requests and answers with `reply`. */
async function recorder(reply: (r: Recorded) => [number, unknown]) {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      const r: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      requests.push(r);
      const [status, body] = reply(r);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    requests,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

let scanCount = 0;
const posture = await recorder((r) =>
  r.path.startsWith('/v1/status')
    ? [200, { id: 'x', type: 'notBusy' }]
    : [200, { id: `scan-${++scanCount}`, type: 'busy' }],
);
const kubevuln = await recorder(() => [200, { status: 200, title: 'OK' }]);

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ScanV1 = {
  scanObject?: { kind?: string; metadata?: { name?: string; namespace?: string } };
  isDeletedScanObject?: boolean;
} & Record<string, unknown>;

/** Posture scans of one object (by kind/name), in order. */
function postureScansOf(kind: string, name: string): ScanV1[] {
  return posture.requests
    .filter((r) => r.path.startsWith('/v1/scan'))
    .map((r) => r.body as ScanV1)
    .filter((b) => b.scanObject?.kind === kind && b.scanObject.metadata?.name === name);
}

function imageScans(filter: (b: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  return kubevuln.requests
    .filter((r) => r.path === '/v1/scanImage')
    .map((r) => r.body)
    .filter(filter);
}

const deployment = (name: string, image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
  },
});

async function apply(obj: unknown): Promise<void> {
  await kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify(obj));
}

async function triggerCli(args: string[]): Promise<void> {
  await triggerCommand()
    .exitOverride()
    .parseAsync(['--url', `${operator.url}/v1/triggerAction`, ...args], { from: 'user' });
}

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe(
  'operator service (real kube-apiserver, recorded posture and kubevuln)',
  { timeout: 900_000 },
  () => {
    before(async () => {
      // freePort may hand out the same port twice in a row: take four distinct ones.
      const ports = new Set<number>();
      while (ports.size < 4) ports.add(await freePort());
      const [apiserverPort, etcdPort, etcdPeerPort, storagePort] = [...ports] as [
        number,
        number,
        number,
        number,
      ];
      const cluster = await clusterUp({ paths, ports: { apiserverPort, etcdPort, etcdPeerPort } });
      kubeconfig = cluster.kubeconfig;
      await storageUp(paths, { port: storagePort });
      await applyCrds(kubeconfig);
      await kubectl(kubeconfig, ['create', 'namespace', 'shop']);
      operator = await runOperator({
        kubeconfig,
        port: 0,
        watchBackoffMaxMs: 1000,
        logger: process.env.KUBEGUARD_TEST_LOGS
          ? streamLogger({ level: 'debug', prefix: 'operator' })
          : undefined,
        config: {
          clusterName: 'test',
          postureUrl: posture.url,
          kubevulnUrl: kubevuln.url,
          cooldownMs: 500,
          postureStatusPollMs: 200,
          kubevulnRetryDelayMs: 100,
        },
      });
      await operator.synced;
    });
    after(async () => {
      await operator?.close();
      posture.close();
      kubevuln.close();
      await storageDown(paths, { wipe: true });
      await clusterDown({ paths, wipe: true });
      paths.cleanup();
    });

    it("forwards the kubescape scheduler's body (kubeguard trigger --kubescape-scan) as a defaulted scan", async () => {
      const before = posture.requests.length;
      await triggerCli(['--kubescape-scan']);
      const scan = await eventually('the posture scan', () =>
        posture.requests.slice(before).find((r) => r.path.startsWith('/v1/scan')),
      );
      assert.equal(scan.method, 'POST');
      assert.equal(scan.path, '/v1/scan?keep=false');
      assert.deepEqual(scan.body, { targetType: 'Framework', targetNames: ['all', 'security'] });
    });

    it("scans every running container on the kubevuln scheduler's body, with pull-secret credentials", async () => {
      const dockerconfig = {
        auths: { 'registry.example:5000': { auth: Buffer.from('robot:s3cret').toString('base64') } },
      };
      await apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'pull', namespace: 'shop' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify(dockerconfig)).toString('base64') },
      });
      // A pod of a ReplicaSet of Deployment "shopfront" (no controller-manager: the test plays kubelet).
      await apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'shopfront-5d8-x1',
          namespace: 'shop',
          labels: { 'pod-template-hash': '5d8' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'shopfront-5d8',
              uid: '11111111-2222-3333-4444-555555555555',
              controller: true,
            },
          ],
        },
        spec: {
          imagePullSecrets: [{ name: 'pull' }],
          containers: [{ name: 'app', image: 'registry.example:5000/shop/front:1.0' }],
        },
      });
      await kubectl(kubeconfig, [
      '-n', 'shop', 'patch', 'pod', 'shopfront-5d8-x1', '--subresource=status', '--type=merge', '-p',
      JSON.stringify({ status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'registry.example:5000/shop/front:1.0', imageID: `registry.example:5000/shop/front@${DIGEST}`, ready: true, restartCount: 0, started: true, state: { running: { startedAt: new Date().toISOString() } } }] } }),
    ]); // prettier-ignore
      const ofPod = (b: Record<string, unknown>) =>
        b['imageHash'] === `registry.example:5000/shop/front@${DIGEST}`;
      // Continuous scanning sees the new digest first, once.
      await eventually('the continuous image scan', () => imageScans(ofPod).length === 1 || undefined);
      await triggerCli(['--vuln-scan']);
      const [, scoped] = await eventually('the scheduled image scan', () =>
        imageScans(ofPod).length === 2 ? imageScans(ofPod) : undefined,
      );
      assert.ok(scoped);
      assert.equal(scoped['wlid'], 'wlid://cluster-test/namespace-shop/replicaset-shopfront-5d8');
      assert.equal(scoped['imageTag'], 'registry.example:5000/shop/front:1.0');
      assert.equal(scoped['containerName'], 'app');
      assert.equal(scoped['isScanned'], false);
      assert.equal(scoped['actionIDN'], 0);
      assert.match(String(scoped['instanceID']), /^replicaset-shopfront-5d8-app-[0-9a-f]{4}-[0-9a-f]{4}$/);
      assert.deepEqual(scoped['credentialsList'], [
        {
          serveraddress: 'registry.example:5000',
          username: 'robot',
          password: 's3cret',
          auth: Buffer.from('robot:s3cret').toString('base64'),
        },
      ]);
      const session = scoped['session'] as { jobIDs: string[]; action: string; rootJobID: string };
      assert.equal(session.action, 'scan');
      assert.equal(session.jobIDs.at(-1), scoped['jobID']);
      assert.equal(session.rootJobID, scoped['parentJobID']);
      await sleep(1500);
      assert.equal(imageScans(ofPod).length, 2, 'nothing else for that pod');
    });

    it('setKubescapeCronJob / setVulnScanCronJob create CronJobs and ConfigMaps; update and delete change them', async () => {
      await triggerCli([
        '--body',
        JSON.stringify({
          commands: [
            {
              CommandName: 'setKubescapeCronJob',
              jobTracking: { jobID: 'ks-cron-job' },
              args: {
                kubescapeJobParams: { cronTabSchedule: '0 3 * * *' },
                scanV1: { targetType: 'Framework', targetNames: ['nsa'] },
              },
            },
            {
              commandName: 'setVulnScanCronJob',
              jobTracking: { jobID: 'kv-cron-job' },
              designators: [{ designatorType: 'Attributes', attributes: { namespace: 'shop' } }],
              args: { jobParams: { cronTabSchedule: '0 4 * * *' } },
            },
          ],
        }),
      ]);
      type CronJob = {
        metadata: { name: string; labels: Record<string, string> };
        spec: {
          schedule: string;
          jobTemplate: {
            spec: {
              template: {
                metadata: { annotations: Record<string, string> };
                spec: { volumes: { name: string; configMap: { name: string } }[] };
              };
            };
          };
        };
      };
      const list = async () =>
        (
          JSON.parse(await kubectl(kubeconfig, ['-n', 'kubescape', 'get', 'cronjobs', '-o', 'json'])) as {
            items: CronJob[];
          }
        ).items;
      const [ks, kv] = await eventually('both CronJobs', async () => {
        const items = await list();
        const a = items.find((c) => c.metadata.name.startsWith('ks-scheduled-scan-nsa-'));
        const b = items.find((c) => c.metadata.name.startsWith('kubevuln-schedule-'));
        return a && b ? [a, b] : undefined;
      });
      assert.ok(ks.metadata.name.length <= 52 && kv.metadata.name.length <= 52);
      assert.equal(ks.spec.schedule, '0 3 * * *');
      assert.equal(ks.metadata.labels['app'], ks.metadata.name);
      assert.equal(ks.metadata.labels['armo.tier'], 'kubescape-scan');
      assert.deepEqual(ks.spec.jobTemplate.spec.template.metadata.annotations, {
        'armo.jobid': 'ks-cron-job',
        'armo.framework': 'nsa',
      });
      assert.deepEqual(ks.spec.jobTemplate.spec.template.spec.volumes, [
        { name: 'request-body-volume', configMap: { name: ks.metadata.name, defaultMode: 420 } },
      ]);
      assert.equal(kv.spec.schedule, '0 4 * * *');
      assert.deepEqual(kv.spec.jobTemplate.spec.template.metadata.annotations, {
        'armo.cloud/jobid': 'kv-cron-job',
        'app.kubescape/job-id': 'kv-cron-job',
        'armo.namespace': 'shop',
        'app.kubescape/namespace': 'shop',
      });
      const body = async (name: string) =>
        JSON.parse(
          await kubectl(kubeconfig, [
            '-n',
            'kubescape',
            'get',
            'configmap',
            name,
            '-o',
            'jsonpath={.data.request-body\\.json}',
          ]),
        ) as unknown;
      assert.deepEqual(await body(ks.metadata.name), {
        commands: [
          {
            commandName: 'kubescapeScan',
            args: { scanV1: { targetType: 'Framework', targetNames: ['nsa'] } },
          },
        ],
      });
      assert.deepEqual(await body(kv.metadata.name), {
        commands: [
          {
            commandName: 'scan',
            designators: [{ designatorType: 'Attributes', attributes: { namespace: 'shop' } }],
            jobTracking: { jobID: 'kv-cron-job' },
          },
        ],
      });
      assert.equal(
        await kubectl(kubeconfig, [
          '-n',
          'kubescape',
          'get',
          'configmap',
          ks.metadata.name,
          '-o',
          'jsonpath={.metadata.labels.app}',
        ]),
        ks.metadata.name,
      );

      // The body a CronJob mounts is what `kubeguard trigger --body-file` sends: it must run.
      const file = `${paths.stateDir}/request-body.json`;
      fs.writeFileSync(file, JSON.stringify(await body(ks.metadata.name)));
      const before = posture.requests.length;
      await triggerCli(['--body-file', file]);
      const scan = await eventually('the scheduled posture scan', () =>
        posture.requests.slice(before).find((r) => r.path.startsWith('/v1/scan')),
      );
      assert.deepEqual(scan.body, { targetType: 'Framework', targetNames: ['nsa', 'security'] });

      await triggerCli([
        '--body',
        JSON.stringify({
          commands: [
            {
              commandName: 'updateKubescapeCronJob',
              jobTracking: { jobID: 'upd-1' },
              args: { jobParams: { name: ks.metadata.name, cronTabSchedule: '30 1 * * *' } },
            },
          ],
        }),
      ]);
      const updated = await eventually('the new schedule', async () =>
        (await list()).find((c) => c.metadata.name === ks.metadata.name && c.spec.schedule === '30 1 * * *'),
      );
      assert.equal(
        updated.spec.jobTemplate.spec.template.metadata.annotations['app.kubescape/update-job-id'],
        'upd-1',
      );
      assert.equal(updated.spec.jobTemplate.spec.template.metadata.annotations['armo.updatejobid'], 'upd-1');

      await triggerCli(['--body', JSON.stringify({ commands: [
      { commandName: 'deleteKubescapeCronJob', args: { kubescapeJobParams: { name: ks.metadata.name } } },
      { commandName: 'deleteVulnScanCronJob', args: { jobParams: { name: kv.metadata.name } } },
    ] })]); // prettier-ignore
      await eventually('the CronJobs gone', async () => ((await list()).length === 0 ? true : undefined));
      const cms = await kubectl(kubeconfig, ['-n', 'kubescape', 'get', 'configmaps', '-o', 'name']);
      assert.doesNotMatch(cms, /ks-scheduled-scan|kubevuln-schedule/);
    });

    it('uses the chart template ConfigMap when there is one', async () => {
      const template = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'kubevuln-scheduler', namespace: 'kubescape', labels: { app: 'kubevuln-scheduler', 'armo.tier': 'vuln-scan' } },
      spec: {
        schedule: '0 0 * * *',
        jobTemplate: { spec: { template: { spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'kubevuln-scheduler', image: 'mirror.example/http-request:custom', args: ['-method=post'] }],
          volumes: [{ name: 'request-body-volume', configMap: { name: 'kubevuln-scheduler' } }],
        } } } },
      },
    }; // prettier-ignore
      await apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kubevuln-cronjob-template', namespace: 'kubescape' },
        data: { cronjobTemplate: JSON.stringify(template) },
      });
      await triggerCli([
        '--body',
        JSON.stringify({
          commands: [
            { commandName: 'setVulnScanCronJob', args: { jobParams: { cronTabSchedule: '15 2 * * *' } } },
          ],
        }),
      ]);
      const image = await eventually('the CronJob from the template', async () => {
        const out = await kubectl(kubeconfig, [
          '-n',
          'kubescape',
          'get',
          'cronjobs',
          '-o',
          'jsonpath={.items[*].spec.jobTemplate.spec.template.spec.containers[0].image}',
        ]);
        return out.trim() || undefined;
      });
      assert.equal(image, 'mirror.example/http-request:custom');
      await kubectl(kubeconfig, ['-n', 'kubescape', 'delete', 'cronjobs', '--all']);
    });

    it('runs an OperatorCommand and writes its status; refuses unknown commands clearly', async () => {
      const command = (name: string, body: unknown) => ({
        apiVersion: 'kubescape.io/v1alpha1',
        kind: 'OperatorCommand',
        metadata: { name, namespace: 'kubescape', labels: { 'kubescape.io/app-name': 'operator' } },
        spec: {
          guid: `guid-${name}`,
          commandType: 'OperatorAPI',
          body: Buffer.from(JSON.stringify(body)).toString('base64'),
        },
      });
      const before = posture.requests.length;
      await apply(
        command('scan-nsa', {
          commandName: 'kubescapeScan',
          args: { scanV1: { targetType: 'Framework', targetNames: ['nsa'] } },
        }),
      );
      await apply(command('bogus', { commandName: 'noSuchCommand' }));
      type Status = {
        started?: boolean;
        completed?: boolean;
        executer?: string;
        startedAt?: string;
        completedAt?: string;
        payload?: string;
        error?: { message?: string };
      };
      const status = async (name: string) =>
        (
          JSON.parse(
            await kubectl(kubeconfig, ['-n', 'kubescape', 'get', 'operatorcommand', name, '-o', 'json']),
          ) as { status?: Status }
        ).status;
      const done = await eventually('the status of scan-nsa', async () =>
        (await status('scan-nsa'))?.completed ? status('scan-nsa') : undefined,
      );
      const scan = posture.requests.slice(before).find((r) => r.path.startsWith('/v1/scan'));
      assert.deepEqual(scan?.body, { targetType: 'Framework', targetNames: ['nsa', 'security'] });
      assert.ok(
        posture.requests.slice(before).some((r) => r.path.startsWith('/v1/status?ID=scan-')),
        'the scan was followed to its end',
      );
      assert.equal(done?.executer, 'operator');
      assert.equal(done?.started, true);
      assert.ok(done?.startedAt && done.completedAt);
      assert.equal(done?.error, undefined);
      assert.match(Buffer.from(done?.payload ?? '', 'base64').toString('utf8'), /^scan-\d+$/);
      const failed = await eventually('the status of bogus', async () =>
        (await status('bogus'))?.completed ? status('bogus') : undefined,
      );
      assert.match(failed?.error?.message ?? '', /unknown command "noSuchCommand"/);
    });

    it('a new Deployment is scanned (image by tag, posture scanObject) without any trigger; deleting it cleans its results', async () => {
      const imagesBefore = kubevuln.requests.length;
      await apply(deployment('web', 'nginx:1.27'));
      const image = await eventually(
        'the image scan',
        () => imageScans((b) => b['wlid'] === 'wlid://cluster-test/namespace-shop/deployment-web')[0],
      );
      assert.equal(image['imageTag'], 'nginx:1.27');
      assert.equal(image['imageHash'], '', 'kubevuln resolves the digest');
      assert.equal(image['containerName'], 'main');
      const scans = await eventually('the posture scan', () =>
        postureScansOf('Deployment', 'web').length > 0 ? postureScansOf('Deployment', 'web') : undefined,
      );
      assert.deepEqual(
        { ...scans[0], scanObject: undefined },
        {
          scanObject: undefined,
          isDeletedScanObject: false,
          hostScanner: false,
          targetType: 'Framework',
          targetNames: ['all', 'security'],
        },
      );
      assert.equal(scans[0]!.scanObject?.metadata?.namespace, 'shop');
      assert.equal((scans[0]!.scanObject as { apiVersion?: string }).apiVersion, 'apps/v1');
      await sleep(2000);
      assert.equal(postureScansOf('Deployment', 'web').length, 1, 'one posture scan');
      assert.equal(kubevuln.requests.length - imagesBefore, 1, 'one image scan');

      // What the posture and kubevuln services would have stored for it.
      for (const [kind, name, spec] of [
        ['WorkloadConfigurationScan', 'deployment-web', { controls: {}, relatedObjects: [] }],
        [
          'WorkloadConfigurationScanSummary',
          'deployment-web',
          { severities: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 }, controls: {} },
        ],
        ['VulnerabilityManifestSummary', 'deployment-web-main', { severities: {}, vulnerabilitiesRef: {} }],
      ] as const) {
        await apply({
          apiVersion: 'spdx.softwarecomposition.kubescape.io/v1beta1',
          kind,
          metadata: { name, namespace: 'shop' },
          spec,
        });
      }
      await kubectl(kubeconfig, ['-n', 'shop', 'delete', 'deployment', 'web']);
      const deleted = await eventually('the deletion scan', () =>
        postureScansOf('Deployment', 'web').find((s) => s.isDeletedScanObject === true),
      );
      assert.equal(deleted.hostScanner, false);
      for (const resource of [
        'workloadconfigurationscans',
        'workloadconfigurationscansummaries',
        'vulnerabilitymanifestsummaries',
      ]) {
        const left = await kubectl(kubeconfig, ['-n', 'shop', 'get', resource, '-o', 'name']);
        assert.equal(left.trim(), '', `${resource} left: ${left}`);
      }
    });

    it('scanRegistryV2 lists the registry and sends every image to kubevuln', async () => {
      const registry = http.createServer((req, res) => {
        res.setHeader('Content-Type', 'application/json');
        if (req.url?.startsWith('/v2/_catalog'))
          return res.end(JSON.stringify({ repositories: ['team/app'] }));
        if (req.url?.startsWith('/v2/team/app/tags/list'))
          return res.end(JSON.stringify({ tags: ['1.0', 'latest'] }));
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
      const host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
      try {
        await apply({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'registry-harbor', namespace: 'kubescape' },
          data: {
            registriesAuth: Buffer.from(
              JSON.stringify({ instanceURL: `http://${host}`, username: 'u', password: 'p' }),
            ).toString('base64'),
          },
        });
        await triggerCli(['--body', JSON.stringify({ commands: [{ commandName: 'scanRegistryV2', args: {
        'registryInfo-v1': { provider: 'harbor', clusterName: 'test', guid: 'reg-guid' },
        'registry-secret': 'registry-harbor',
      } }] })]); // prettier-ignore
        const sent = await eventually('the registry image scan', () =>
          kubevuln.requests.find((r) => r.path === '/v1/scanRegistryImage'),
        );
        assert.equal(sent.body['imageTag'], `${host}/team/app:latest`);
        assert.deepEqual(
          { ...(sent.body['args'] as Record<string, unknown>), registryScanID: undefined },
          {
            registryName: `http://${host}`,
            repository: 'team/app',
            tag: 'latest',
            useHTTP: true,
            skipTLSVerify: false,
            sensor: 'test',
            registryID: 'reg-guid',
            registryScanID: undefined,
            registryScanImagesCount: '1',
          },
        );
        assert.deepEqual(sent.body['credentialsList'], [
          { username: 'u', password: 'p', serveraddress: host },
        ]);
      } finally {
        registry.close();
      }
    });

    it('survives a kube-apiserver restart: watches resume, nothing is scanned twice, new workloads are seen', async () => {
      await apply(deployment('steady', 'redis:7'));
      await eventually('the scans of steady', () =>
        postureScansOf('Deployment', 'steady').length === 1 &&
        imageScans((b) => b['imageTag'] === 'redis:7').length === 1
          ? true
          : undefined,
      );
      await sleep(1500);
      const counts = () => ({ posture: posture.requests.length, kubevuln: kubevuln.requests.length });
      const before = counts();
      const watchesBefore = operator.stats()['Deployment']!.watches;

      const layout = clusterLayout(paths);
      process.kill(Number(fs.readFileSync(layout.apiserver.pidFile, 'utf8')), 'SIGKILL');
      await sleep(3000); // the watches fail and back off while the server is down
      await clusterUp({ paths });
      await eventually(
        'the watches re-established',
        () => (operator.stats()['Deployment']!.watches > watchesBefore + 1 ? true : undefined),
        60_000,
      );
      await sleep(3000);
      assert.deepEqual(counts(), before, 'no scan was repeated after the restart');

      await apply(deployment('after-restart', 'httpd:2.4'));
      await eventually(
        'the scans of after-restart',
        () =>
          postureScansOf('Deployment', 'after-restart').length === 1 &&
          imageScans((b) => b['imageTag'] === 'httpd:2.4').length === 1
            ? true
            : undefined,
        60_000,
      );
      await sleep(1500);
      assert.equal(postureScansOf('Deployment', 'steady').length, 1);
      assert.equal(imageScans((b) => b['imageTag'] === 'redis:7').length, 1);
      assert.equal(postureScansOf('Deployment', 'after-restart').length, 1);
    });
  },
);
