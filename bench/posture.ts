// Posture benchmark: node --import tsx bench/posture.ts [--sizes 1000,10000,50000] [--frameworks all]
// Generates realistic clusters as YAML on disk (namespaces with Deployments, ReplicaSets, Pods,
// Services, ServiceAccounts, Roles, RoleBindings, NetworkPolicies, ConfigMaps, Secrets, Ingresses;
// cluster-wide ClusterRoles/Bindings and Nodes; a share of them insecure on purpose; not timed),
// then scans each in a fresh child process (compiled code, as deployed) end to end: read + parse YAML, evaluate every control
// of the selected frameworks, write the JSON report to /dev/null. Prints wall time per phase and
// the child's peak RSS, and how both grow per object.
// Targets (issue 4): all frameworks on 10,000 objects < 3 s end to end, peak RSS < 400 MiB; linear growth.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SIZES = (arg('--sizes') ?? '1000,10000,50000').split(',').map(Number);
const FRAMEWORKS = arg('--frameworks') ?? 'all';
const here = path.dirname(fileURLToPath(import.meta.url));

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Obj = Record<string, unknown>;

function container(r: () => number, name: string, i: number): Obj {
  const insecure = r() < 0.3;
  const c: Obj = {
    name,
    image: r() < 0.2 ? `nginx:latest` : `registry.example.com/team/app-${i % 97}:1.${i % 13}.${i % 7}`,
    imagePullPolicy: r() < 0.5 ? 'IfNotPresent' : 'Always',
    ports: [{ containerPort: 8080, ...(r() < 0.05 ? { hostPort: 8080 } : {}) }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      r() < 0.1 ? { name: 'DB_PASSWORD', value: 'hunter2' } : { name: 'DB_HOST', value: 'db' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
    ],
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app' },
      ...(insecure ? [{ name: 'host', mountPath: '/host' }] : []),
    ],
  };
  if (r() < 0.7)
    c.resources = { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } };
  if (r() < 0.6) c.livenessProbe = { httpGet: { path: '/healthz', port: 8080 } };
  if (r() < 0.6) c.readinessProbe = { httpGet: { path: '/ready', port: 8080 } };
  c.securityContext = insecure
    ? { privileged: r() < 0.3, allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'] } }
    : {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      };
  return c;
}

function podSpec(r: () => number, i: number, sa: string): Obj {
  const insecure = r() < 0.1;
  return {
    serviceAccountName: sa,
    ...(r() < 0.5 ? { automountServiceAccountToken: false } : {}),
    ...(insecure ? { hostNetwork: true, hostPID: r() < 0.5 } : {}),
    containers: [container(r, 'app', i), ...(r() < 0.3 ? [container(r, 'sidecar', i + 1)] : [])],
    volumes: [
      { name: 'config', configMap: { name: `config-${i % 20}` } },
      { name: 'host', hostPath: { path: '/var/log' } },
    ],
  };
}

/** About `size` objects, deterministic. */
export function generateCluster(size: number): Obj[] {
  const r = rng(size);
  const objects: Obj[] = [];
  const namespaces = Math.max(1, Math.round(size / 200));
  for (let n = 0; n < namespaces; n++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: `team-${n}`,
        labels: r() < 0.5 ? { 'pod-security.kubernetes.io/enforce': 'baseline' } : {},
      },
    });
  }
  const nodes = Math.max(1, Math.round(size / 500));
  for (let n = 0; n < nodes; n++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${n}` },
      status: {
        nodeInfo: {
          kubeletVersion: 'v1.32.4',
          containerRuntimeVersion: 'containerd://1.7.20',
          osImage: 'Debian GNU/Linux 12',
        },
      },
    });
  }
  for (let n = 0; n < Math.max(2, Math.round(size / 400)); n++) {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `cluster-role-${n}` },
      rules: [
        {
          apiGroups: [''],
          resources: n % 3 === 0 ? ['*'] : ['pods', 'secrets'],
          verbs: n % 2 === 0 ? ['get', 'list'] : ['*'],
        },
      ],
    });
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `cluster-binding-${n}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `cluster-role-${n}` },
      subjects: [{ kind: 'ServiceAccount', name: `sa-${n}`, namespace: `team-${n % namespaces}` }],
    });
  }
  let i = 0;
  while (objects.length < size) {
    const ns = `team-${i % namespaces}`;
    const app = `app-${i}`;
    const labels = { app, tier: 'web', 'app.kubernetes.io/name': app };
    const sa = `sa-${i % 7}`;
    const kind = i % 20;
    const meta = { name: app, namespace: ns, labels };
    if (kind < 4) {
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: {
          replicas: 1 + (i % 3),
          selector: { matchLabels: { app } },
          template: { metadata: { labels }, spec: podSpec(r, i, sa) },
        },
      });
    } else if (kind < 6) {
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          ...meta,
          name: `${app}-5d8f7c`,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app }],
        },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app } },
          template: { metadata: { labels }, spec: podSpec(r, i, sa) },
        },
      });
    } else if (kind < 10) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...meta,
          name: `${app}-5d8f7c-x${i % 10}`,
          ...(r() < 0.8
            ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-5d8f7c` }] }
            : {}),
        },
        spec: podSpec(r, i, sa),
      });
    } else if (kind < 13) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta,
        spec: {
          type: r() < 0.1 ? 'NodePort' : 'ClusterIP',
          selector: { app: `app-${i - (i % 20)}` },
          ports: [{ port: 80, targetPort: 8080 }],
        },
      });
    } else if (kind < 15) {
      objects.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { ...meta, name: `config-${i % 20}-${i}` },
        data: { 'app.properties': 'mode=prod\n' },
      });
    } else if (kind === 15) {
      objects.push({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: sa + `-${i}`, namespace: ns },
      });
    } else if (kind === 16) {
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `role-${i}`, namespace: ns },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], verbs: r() < 0.2 ? ['update', 'patch'] : ['get'] },
        ],
      });
    } else if (kind === 17) {
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `binding-${i}`, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${i - 1}` },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
      });
    } else if (kind === 18) {
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `policy-${i}`, namespace: ns },
        spec: { podSelector: { matchLabels: { app: `app-${i - 18}` } }, policyTypes: ['Ingress'] },
      });
    } else {
      objects.push(
        r() < 0.5
          ? {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: { name: `secret-${i}`, namespace: ns },
              data: { token: 'c2VjcmV0' },
            }
          : {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'Ingress',
              metadata: { name: `ingress-${i}`, namespace: ns },
              spec: {
                rules: [
                  {
                    host: `${app}.example.com`,
                    http: {
                      paths: [
                        {
                          path: '/',
                          pathType: 'Prefix',
                          backend: { service: { name: `app-${i - 9}`, port: { number: 80 } } },
                        },
                      ],
                    },
                  },
                ],
              },
            },
      );
    }
    i++;
  }
  return objects.slice(0, size);
}

function writeCluster(size: number): { dir: string; bytes: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kubeguard-posture-${size}-`));
  const objects = generateCluster(size);
  let bytes = 0;
  for (let start = 0, file = 0; start < objects.length; start += 500, file++) {
    const text = objects
      .slice(start, start + 500)
      .map((o) => dump(o, { lineWidth: -1, noRefs: true }))
      .join('---\n');
    fs.writeFileSync(path.join(dir, `objects-${String(file).padStart(4, '0')}.yaml`), text);
    bytes += text.length;
  }
  return { dir, bytes };
}

interface ChildFigures {
  objects: number;
  resources: number;
  controls: number;
  loadMs: number;
  scanMs: number;
  writeMs: number;
  totalMs: number;
  /** CPU time of the whole child (user + system), less sensitive to a busy machine than wall time. */
  cpuMs: number;
  maxRssMiB: number;
  complianceScore: number;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The scan runs the compiled code, as deployed: build it first.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: path.join(here, '..'), stdio: 'inherit' });
  const rows: (ChildFigures & { size: number; mb: number; wallMs: number })[] = [];
  for (const size of SIZES) {
    const { dir, bytes } = writeCluster(size);
    const started = performance.now();
    const child = spawnSync(process.execPath, [path.join(here, 'posture-child.mjs'), dir, FRAMEWORKS], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const wallMs = performance.now() - started;
    fs.rmSync(dir, { recursive: true, force: true });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exit(1);
    }
    const figures = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as ChildFigures;
    rows.push({ ...figures, size, mb: bytes / 1e6, wallMs });
    console.log(
      `${String(size).padStart(6)} objects (${(bytes / 1e6).toFixed(1)} MB YAML, frameworks ${FRAMEWORKS}, ${figures.controls} controls, ${figures.resources} resources): ` +
        `read ${figures.loadMs.toFixed(0)} ms, evaluate ${figures.scanMs.toFixed(0)} ms, JSON report ${figures.writeMs.toFixed(0)} ms, ` +
        `end to end ${figures.totalMs.toFixed(0)} ms (process wall ${wallMs.toFixed(0)} ms incl. start-up, CPU ${figures.cpuMs.toFixed(0)} ms), peak RSS ${figures.maxRssMiB.toFixed(0)} MiB`,
    );
  }
  if (rows.length > 1) {
    const first = rows[0]!;
    for (const row of rows.slice(1)) {
      const ratio = row.size / first.size;
      console.log(
        `${first.size} → ${row.size} (×${ratio.toFixed(0)}): time ×${(row.totalMs / first.totalMs).toFixed(1)}, ` +
          `per object ${((1000 * first.totalMs) / first.size).toFixed(0)} → ${((1000 * row.totalMs) / row.size).toFixed(0)} µs; ` +
          `RSS ×${(row.maxRssMiB / first.maxRssMiB).toFixed(1)}`,
      );
    }
  }
}
