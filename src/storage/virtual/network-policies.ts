import type { KubeObject } from '../../api/index.ts';
import { API_VERSION } from '../../api/index.ts';
import type { VirtualKind, VirtualReadContext } from '../kinds/define.ts';

interface Port {
  name?: string;
  protocol?: string;
  port?: number | null;
}

interface Neighbor {
  identifier?: string;
  type?: string;
  dns?: string;
  dnsNames?: string[];
  ports?: Port[];
  podSelector?: unknown;
  namespaceSelector?: unknown;
  ipAddress?: string;
  ipAddresses?: string[];
}

interface KnownServerEntry {
  ipBlock?: string;
  server?: string;
  name?: string;
}

interface PolicyRef {
  ipBlock: string;
  originalIP: string;
  dns: string;
  name: string;
  server: string;
}

type Rule = { peers: unknown[]; ports: { protocol: string; port?: number }[] };

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base ?? '');
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

function portsOf(neighbor: Neighbor): Rule['ports'] {
  return (neighbor.ports ?? [])
    .filter((p) => p.protocol)
    .map((p) => ({ protocol: p.protocol!, ...(typeof p.port === 'number' ? { port: p.port } : {}) }));
}

/** Peers of one neighbor; IPs inside a KnownServer's block become that block, noted in policyRef. */
function peersOf(neighbor: Neighbor, known: KnownServerEntry[], refs: PolicyRef[]): unknown[] {
  if (neighbor.podSelector || neighbor.namespaceSelector) {
    return [
      {
        ...(neighbor.podSelector ? { podSelector: neighbor.podSelector } : {}),
        ...(neighbor.namespaceSelector ? { namespaceSelector: neighbor.namespaceSelector } : {}),
      },
    ];
  }
  const ips = [
    ...new Set([...(neighbor.ipAddresses ?? []), ...(neighbor.ipAddress ? [neighbor.ipAddress] : [])]),
  ];
  const dns = neighbor.dnsNames?.[0] ?? neighbor.dns ?? '';
  const peers: unknown[] = [];
  for (const ip of ips) {
    if (ip === '*') continue;
    const cidr = ip.includes('/') ? ip : `${ip}/32`;
    const server = ip.includes('/') ? undefined : known.find((k) => k.ipBlock && inCidr(ip, k.ipBlock));
    const block = server?.ipBlock ?? cidr;
    peers.push({ ipBlock: { cidr: block } });
    if (server || dns) {
      refs.push({
        ipBlock: block,
        originalIP: ip,
        dns,
        name: server?.name ?? '',
        server: server?.server ?? '',
      });
    }
  }
  return peers;
}

/** Dedupe identical rules, then merge rules with the same ports into one (peers unioned). */
function mergeRules(rules: Rule[], peerKey: 'from' | 'to'): unknown[] {
  const byPorts = new Map<string, Set<string>>();
  for (const rule of rules) {
    const key = JSON.stringify(rule.ports);
    const set = byPorts.get(key) ?? new Set<string>();
    for (const peer of rule.peers) set.add(JSON.stringify(peer));
    byPorts.set(key, set);
  }
  return [...byPorts.entries()].map(([ports, peers]) => ({
    ...(JSON.parse(ports).length > 0 ? { ports: JSON.parse(ports) } : {}),
    [peerKey]: [...peers].sort().map((p) => JSON.parse(p) as unknown),
  }));
}

function generate(
  ctx: VirtualReadContext,
  nn: KubeObject,
  known: KnownServerEntry[],
): KubeObject | undefined {
  const annotations = nn.metadata.annotations ?? {};
  const labels = nn.metadata.labels ?? {};
  const status = annotations['kubescape.io/status'];
  const userManaged = annotations['kubescape.io/managed-by'] === 'User';
  const workloadKind = labels['kubescape.io/workload-kind'];
  if (!workloadKind || !(userManaged || status === 'ready' || status === 'completed')) return undefined;
  const spec = (nn.spec ?? {}) as Record<string, unknown>;
  const containers = ['containers', 'initContainers', 'ephemeralContainers'].flatMap(
    (k) => (spec[k] as { ingress?: Neighbor[]; egress?: Neighbor[] }[] | undefined) ?? [],
  );
  const refs: PolicyRef[] = [];
  const ingress: Rule[] = [];
  const egress: Rule[] = [];
  for (const container of containers) {
    for (const n of container.ingress ?? [])
      ingress.push({ peers: peersOf(n, known, refs), ports: portsOf(n) });
    for (const n of container.egress ?? [])
      egress.push({ peers: peersOf(n, known, refs), ports: portsOf(n) });
  }
  const { ['kubescape.io/instance-template-hash']: _hash, ...keptLabels } = labels;
  const podSelector = {
    ...(spec.matchLabels ? { matchLabels: spec.matchLabels } : {}),
    ...(spec.matchExpressions ? { matchExpressions: spec.matchExpressions } : {}),
  };
  const uniqueRefs = [...new Map(refs.map((r) => [JSON.stringify(r), r])).values()];
  return {
    apiVersion: API_VERSION,
    kind: 'GeneratedNetworkPolicy',
    metadata: {
      name: nn.metadata.name,
      namespace: nn.metadata.namespace,
      labels: keptLabels,
      creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      resourceVersion: String(ctx.resourceVersion()),
    },
    spec: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: `${workloadKind.toLowerCase()}-${labels['kubescape.io/workload-name'] ?? nn.metadata.name}`,
        namespace: nn.metadata.namespace,
        annotations: { 'generated-by': 'kubescape' },
        labels: keptLabels,
      },
      spec: {
        podSelector,
        policyTypes: ['Ingress', 'Egress'],
        ingress: mergeRules(ingress, 'from'),
        egress: mergeRules(egress, 'to'),
      },
    },
    policyRef: uniqueRefs,
  };
}

function knownServers(ctx: VirtualReadContext): KnownServerEntry[] {
  return ctx
    .listFull('knownservers')
    .flatMap((k) => (Array.isArray(k.spec) ? (k.spec as KnownServerEntry[]) : []));
}

/** GeneratedNetworkPolicy <ns>/<name>: a NetworkPolicy from NetworkNeighborhood <ns>/<name> and the KnownServers. */
export const generatedNetworkPolicies: VirtualKind = {
  get: (ctx, namespace, name) => {
    const nn = ctx.getFull('networkneighborhoods', namespace, name);
    return nn ? generate(ctx, nn, knownServers(ctx)) : undefined;
  },
  list: (ctx, namespace) => {
    const known = knownServers(ctx);
    return ctx
      .listFull('networkneighborhoods', namespace)
      .map((nn) => generate(ctx, nn, known))
      .filter((o): o is KubeObject => o !== undefined);
  },
};
