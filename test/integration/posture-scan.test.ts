// `kubeguard scan` as a user runs it: a separate process against files and against the real
// kube-apiserver (objects created with kubectl), reading its JSON, SARIF and JUnit outputs and exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clusterDown, clusterUp, freePort, userKubeconfig } from '../../src/devenv/index.ts';
import { isolatedPaths, kubectl } from '../kit/devenv.ts';

const paths = isolatedPaths('posture-scan');
const repo = path.join(import.meta.dirname, '..', '..');
let kubeconfig = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubeguard(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/kubeguard.js'), ...args], {
      cwd: paths.stateDir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const INSECURE = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
      - name: main
        image: nginx:1.27
        securityContext: {privileged: true}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: hardened, namespace: shop, labels: {app: hardened}}
spec:
  selector: {matchLabels: {app: hardened}}
  template:
    metadata: {labels: {app: hardened}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: main
        image: nginx:1.27
        resources: {limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 50m, memory: 32Mi}}
        securityContext: {privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everything-to-jane}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: jane}]
`;

interface Report {
  summaryDetails: {
    complianceScore: number;
    controls: Record<
      string,
      {
        status: string;
        statusInfo: { subStatus?: string; info?: string };
        ResourceCounters: Record<string, number>;
      }
    >;
  };
  results: { resourceID: string; controls: { controlID: string; status: { status: string } }[] }[];
  inputProblems?: { file: string; line?: number; message: string }[];
}

const failedOn = (report: Report, controlID: string): string[] =>
  report.results
    .filter((r) => r.controls.some((c) => c.controlID === controlID && c.status.status === 'failed'))
    .map((r) => r.resourceID)
    .sort();

describe('kubeguard scan', { timeout: 600_000 }, () => {
  before(async () => {
    const cluster = await clusterUp({
      paths,
      ports: { apiserverPort: await freePort(), etcdPort: await freePort(), etcdPeerPort: await freePort() },
    });
    kubeconfig = cluster.kubeconfig;
    await kubectl(kubeconfig, ['apply', '-f', '-'], INSECURE);
    fs.mkdirSync(path.join(paths.stateDir, 'manifests', 'nested'), { recursive: true });
    fs.writeFileSync(path.join(paths.stateDir, 'manifests', 'app.yaml'), INSECURE);
    fs.writeFileSync(
      path.join(paths.stateDir, 'manifests', 'nested', 'broken.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkey: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: after-the-error}\nspec: {containers: [{name: c, image: busybox, securityContext: {privileged: true}}]}\n',
    );
    fs.writeFileSync(
      path.join(paths.stateDir, 'manifests', 'values.yaml'),
      'replicaCount: 2\nimage: {tag: x}\n',
    );
  });
  after(async () => {
    await clusterDown({ paths, wipe: true });
    paths.cleanup();
  });

  it('scans the live cluster through the kubeconfig', async () => {
    const run = await kubeguard([
      'scan',
      'framework',
      'nsa,mitre',
      '--kubeconfig',
      kubeconfig,
      '-f',
      'json',
      '-o',
      'cluster.json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /collected \d+ objects/);
    const report = JSON.parse(fs.readFileSync(path.join(paths.stateDir, 'cluster.json'), 'utf8')) as Report;
    assert.deepEqual(failedOn(report, 'C-0057'), ['apps/v1/shop/Deployment/web']);
    assert.ok(failedOn(report, 'C-0041').includes('apps/v1/shop/Deployment/web'));
    // The RBAC vector of jane's cluster-admin-like binding.
    assert.ok(failedOn(report, 'C-0035').some((id) => id.includes('/User/jane')));
    assert.ok(report.summaryDetails.complianceScore > 0 && report.summaryDetails.complianceScore < 100);
  });

  it('honours --exclude-namespaces and the compliance gate', async () => {
    const run = await kubeguard([
      'scan',
      'control',
      'C-0057',
      '--kubeconfig',
      kubeconfig,
      '-e',
      'shop',
      '-f',
      'json',
      '-o',
      'excluded.json',
      '--compliance-threshold',
      '100',
    ]);
    const report = JSON.parse(fs.readFileSync(path.join(paths.stateDir, 'excluded.json'), 'utf8')) as Report;
    assert.deepEqual(failedOn(report, 'C-0057'), []);
    assert.equal(run.code, 0, run.stderr);
    const gated = await kubeguard([
      'scan',
      'control',
      'C-0057',
      '--kubeconfig',
      kubeconfig,
      '--compliance-threshold',
      '100',
      '-q',
    ]);
    assert.equal(gated.code, 1);
    assert.match(gated.stderr, /below the threshold 100%/);
  });

  it('reports kinds it may not list as not evaluated instead of failing', async () => {
    const limited = path.join(paths.stateDir, 'limited.kubeconfig');
    fs.writeFileSync(limited, await userKubeconfig(paths, 'viewer'));
    await kubectl(kubeconfig, [
      'create',
      'clusterrole',
      'pod-reader',
      '--verb=get,list',
      '--resource=pods,deployments.apps',
    ]);
    await kubectl(kubeconfig, [
      'create',
      'clusterrolebinding',
      'viewer-pods',
      '--clusterrole=pod-reader',
      '--user=viewer',
    ]);
    const run = await kubeguard([
      'scan',
      'control',
      'C-0057,C-0035',
      '--kubeconfig',
      limited,
      '-f',
      'json',
      '-o',
      'limited.json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /could not list .*ClusterRole/);
    const report = JSON.parse(fs.readFileSync(path.join(paths.stateDir, 'limited.json'), 'utf8')) as Report;
    assert.deepEqual(failedOn(report, 'C-0057'), ['apps/v1/shop/Deployment/web']);
    assert.equal(report.summaryDetails.controls['C-0035']?.statusInfo.subStatus, 'notEvaluated');
  });

  it('scans a folder: bad documents are reported with file and line, the rest is scanned', async () => {
    const run = await kubeguard(['scan', 'manifests', '-f', 'json,sarif,junit', '-o', 'out/report']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(
      fs.readFileSync(path.join(paths.stateDir, 'out', 'report.json'), 'utf8'),
    ) as Report;
    // The Pod after the broken document was still read and evaluated.
    assert.ok(failedOn(report, 'C-0057').includes('/v1//Pod/after-the-error'));
    const problems = report.inputProblems ?? [];
    assert.ok(
      problems.some((p) => p.file === 'manifests/nested/broken.yaml' && (p.line ?? 0) >= 5),
      JSON.stringify(problems),
    );
    assert.ok(
      problems.some((p) => p.file === 'manifests/values.yaml' && /not a Kubernetes object/.test(p.message)),
    );
    const sarif = JSON.parse(fs.readFileSync(path.join(paths.stateDir, 'out', 'report.sarif'), 'utf8')) as {
      version: string;
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const privileged = sarif.runs[0]!.results.find(
      (r) =>
        r.ruleId === 'C-0057' &&
        r.locations[0]!.physicalLocation.artifactLocation.uri === 'manifests/app.yaml',
    );
    assert.ok(privileged, 'a SARIF result for C-0057 in app.yaml');
    // `privileged: true` of the first Deployment is on line 19 of app.yaml (paths are relative to the working directory).
    assert.equal(privileged.locations[0]!.physicalLocation.region.startLine, 19);
    const junit = fs.readFileSync(path.join(paths.stateDir, 'out', 'report.xml'), 'utf8');
    assert.match(junit, /<testsuites name="Kubescape Scanning"/);
    assert.match(junit, /classname="WorkloadScan\/C-0057"/);
  });

  it('reads stdin and evaluates one rule over a folder (conformance command)', async () => {
    const run = await kubeguard(['scan', 'control', 'C-0041', '-', '-f', 'json', '-q'], INSECURE);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(failedOn(report, 'C-0041'), ['apps/v1/shop/Deployment/web']);
    const rule = await kubeguard(['scan', 'rule', 'host-network-access', '--input', 'manifests']);
    assert.equal(rule.code, 0, rule.stderr);
    const violations = JSON.parse(rule.stdout) as {
      alertObject: { k8sApiObjects: { metadata: { name: string } }[] };
      failedPaths: string[];
    }[];
    assert.deepEqual(
      violations.map((v) => v.alertObject.k8sApiObjects[0]!.metadata.name),
      ['web'],
    );
    const unknown = await kubeguard(['scan', 'rule', 'no-such-rule', '--input', 'manifests']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no posture rule named no-such-rule/);
  });
});
