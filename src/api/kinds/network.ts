/** NetworkNeighborhood, the virtual GeneratedNetworkPolicy and KnownServer (storage-api.md §2.10-2.11). */
import type { KubeObject, ObjectMeta } from '../meta.ts';
import { arr, int32, intOrString, nullable, obj, raw, str, strings, type SchemaObject } from '../schema.ts';
import { labelSelectorProperties, labelSelectorSchema, type LabelSelector } from './common.ts';

export interface NetworkPort {
  /** `<protocol>-<port>`, e.g. `TCP-80`. */
  name: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number | null;
}

/** One peer a container talked to. */
export interface NetworkNeighbor {
  identifier: string;
  type: 'internal' | 'external';
  /** Deprecated: see dnsNames. */
  dns: string;
  dnsNames: string[];
  ports: NetworkPort[];
  podSelector: LabelSelector | null;
  namespaceSelector: LabelSelector | null;
  /** Deprecated: see ipAddresses. */
  ipAddress: string;
  /** IPs, CIDRs or `*`. */
  ipAddresses?: string[];
}

export interface NetworkNeighborhoodContainer {
  name: string;
  ingress: NetworkNeighbor[];
  egress: NetworkNeighbor[];
}

/** The workload's selector is inlined. */
export interface NetworkNeighborhoodSpec extends LabelSelector {
  containers: NetworkNeighborhoodContainer[];
  initContainers: NetworkNeighborhoodContainer[];
  ephemeralContainers: NetworkNeighborhoodContainer[];
}

export interface NetworkNeighborhood extends KubeObject {
  spec: NetworkNeighborhoodSpec;
}

export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyIngressRule {
  ports?: NetworkPolicyPort[];
  from?: NetworkPolicyPeer[];
}

export interface NetworkPolicyEgressRule {
  ports?: NetworkPolicyPort[];
  to?: NetworkPolicyPeer[];
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  policyTypes?: ('Ingress' | 'Egress')[];
}

/** A complete networking.k8s.io/v1 NetworkPolicy. */
export interface NetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec: NetworkPolicySpec;
}

/** Where a rule's address came from. */
export interface PolicyRef {
  ipBlock: string;
  originalIP: string;
  dns: string;
  name: string;
  server: string;
}

export interface GeneratedNetworkPolicy extends KubeObject {
  spec: NetworkPolicy;
  policyRef: PolicyRef[];
}

export interface KnownServerEntry {
  ipBlock: string;
  server: string;
  name: string;
}

export interface KnownServer extends KubeObject {
  /** An array, unlike every other kind. */
  spec: KnownServerEntry[];
}

const portsSchema = arr(
  obj(
    {
      name: str('<protocol>-<port>, e.g. TCP-80.'),
      protocol: str('TCP, UDP or SCTP.'),
      port: nullable(int32('Port number; null for any.')),
    },
    'One port.',
  ),
  'Ports used.',
);

export const networkNeighborSchema = obj(
  {
    identifier: str('Unique identifier of the entry.'),
    type: str('internal (in the cluster) or external.'),
    dns: str('Deprecated: DNS name of the peer.'),
    dnsNames: strings('DNS names of the peer.'),
    ports: portsSchema,
    podSelector: nullable(labelSelectorSchema('Pods of the peer, when it is in the cluster.')),
    namespaceSelector: nullable(labelSelectorSchema('Namespace of the peer, when it is in the cluster.')),
    ipAddress: str('Deprecated: IP address of the peer.'),
    ipAddresses: strings('IP addresses or CIDRs of the peer, or *.'),
  },
  'One peer the container talked to.',
);

const neighborsSchema = (description: string): SchemaObject =>
  arr(
    obj(
      {
        name: str('Container name.'),
        ingress: arr(networkNeighborSchema, 'Peers that connected to the container.'),
        egress: arr(networkNeighborSchema, 'Peers the container connected to.'),
      },
      'Network neighbours of one container.',
    ),
    description,
  );

export const networkNeighborhoodSpecSchema = obj(
  {
    ...labelSelectorProperties,
    containers: neighborsSchema('Neighbours of the containers.'),
    initContainers: neighborsSchema('Neighbours of the init containers.'),
    ephemeralContainers: neighborsSchema('Neighbours of the ephemeral containers.'),
  },
  'Network peers of a workload, per container; the workload selector is inlined.',
);

const peersSchema = (description: string): SchemaObject =>
  arr(
    obj(
      {
        podSelector: labelSelectorSchema('Pods allowed.'),
        namespaceSelector: labelSelectorSchema('Namespaces allowed.'),
        ipBlock: obj(
          { cidr: str('CIDR allowed.'), except: strings('CIDRs excluded.') },
          'Addresses allowed.',
        ),
      },
      'One peer.',
    ),
    description,
  );

const policyPortsSchema = arr(
  obj(
    {
      protocol: str('TCP, UDP or SCTP.'),
      port: intOrString('Port number or name.'),
      endPort: int32('Last port of a range.'),
    },
    'One port.',
  ),
  'Ports allowed.',
);

export const generatedNetworkPolicySchema = {
  spec: obj(
    {
      apiVersion: str('networking.k8s.io/v1.'),
      kind: str('NetworkPolicy.'),
      metadata: raw('Metadata of the policy: name <kind>-<name>, annotation generated-by.'),
      spec: obj(
        {
          podSelector: labelSelectorSchema('Pods the policy applies to.'),
          ingress: arr(
            obj({ ports: policyPortsSchema, from: peersSchema('Sources allowed.') }, 'One ingress rule.'),
            'Ingress rules.',
          ),
          egress: arr(
            obj({ ports: policyPortsSchema, to: peersSchema('Destinations allowed.') }, 'One egress rule.'),
            'Egress rules.',
          ),
          policyTypes: strings('Ingress and Egress.'),
        },
        'The NetworkPolicy spec.',
      ),
    },
    'A networking.k8s.io/v1 NetworkPolicy generated from the NetworkNeighborhood.',
  ),
  policyRef: arr(
    obj(
      {
        ipBlock: str('CIDR used in the policy.'),
        originalIP: str('Address observed.'),
        dns: str('DNS name observed.'),
        name: str('Name of the known server.'),
        server: str('Known server.'),
      },
      'One address and where it came from.',
    ),
    'Where the addresses of the rules came from.',
  ),
} satisfies Record<string, SchemaObject>;

export const knownServerSpecSchema = arr(
  obj(
    {
      ipBlock: str('CIDR of the server.'),
      server: str('Server name.'),
      name: str('Name of the entry.'),
    },
    'One known server.',
  ),
  'Known servers (an array).',
);
