/** ApplicationProfile and ContainerProfile (storage-api.md §2.9). */
import type { KubeObject } from '../meta.ts';
import { arr, bool, mapOf, obj, str, strings, type SchemaObject } from '../schema.ts';
import { labelSelectorProperties, type LabelSelector } from './common.ts';
import { networkNeighborSchema, type NetworkNeighbor } from './network.ts';
import { singleSeccompProfileSchema, type SingleSeccompProfile } from './seccomp.ts';

export interface ExecCalls {
  path: string;
  /** `⋯⋯` stands for zero or more arguments after collapsing. */
  args?: string[];
  envs?: string[];
  argsRequired?: boolean;
}

export interface OpenCalls {
  /** `⋯` stands for one path segment, `*` for zero or more, after collapsing. */
  path: string;
  flags: string[];
}

export interface HTTPEndpoint {
  endpoint?: string;
  methods?: string[];
  internal: boolean;
  direction?: 'inbound' | 'outbound';
  /** Raw JSON of a header name -> values map. */
  headers?: Record<string, string[]>;
}

export interface RulePolicy {
  processAllowed?: string[];
  containerAllowed?: boolean;
}

export interface StackFrame {
  fileID: string;
  lineno: string;
  // [U] the spec names frameType without a type; a string like its siblings.
  frameType: string;
}

export interface CallStackNode {
  children: CallStackNode[];
  frame: StackFrame;
}

export interface CallStack {
  root: CallStackNode;
}

export interface IdentifiedCallStack {
  callID: string;
  callStack: CallStack;
}

export interface ApplicationProfileContainer {
  name: string;
  capabilities: string[];
  execs: ExecCalls[];
  opens: OpenCalls[];
  syscalls: string[];
  seccompProfile: SingleSeccompProfile;
  endpoints: HTTPEndpoint[];
  imageID: string;
  imageTag: string;
  /** Keyed by rule ID. */
  rulePolicies: Record<string, RulePolicy>;
  identifiedCallStacks: IdentifiedCallStack[];
}

export interface ApplicationProfileSpec {
  architectures: string[];
  containers?: ApplicationProfileContainer[];
  initContainers?: ApplicationProfileContainer[];
  ephemeralContainers?: ApplicationProfileContainer[];
}

/** Assembled on GET from the workload's ContainerProfiles. */
export interface ApplicationProfile extends KubeObject {
  spec: ApplicationProfileSpec;
}

/** One container's profile: the container fields minus `name`, the inlined selector, and its peers. */
export interface ContainerProfileSpec extends Omit<ApplicationProfileContainer, 'name'>, LabelSelector {
  architectures: string[];
  ingress: NetworkNeighbor[];
  egress: NetworkNeighbor[];
}

export interface ContainerProfile extends KubeObject {
  spec: ContainerProfileSpec;
}

const callStackNodeSchema = obj(
  {
    children: arr(
      { type: 'object', description: 'A child node.', 'x-kubernetes-preserve-unknown-fields': true },
      'Child frames (same shape, nested).',
    ),
    frame: obj(
      {
        fileID: str('ID of the file holding the code.'),
        lineno: str('Line or offset in the file.'),
        frameType: str('Kind of frame.'),
      },
      'The frame of this node.',
    ),
  },
  'Root of the call tree.',
);

const containerFields: Record<string, SchemaObject> = {
  capabilities: strings('Linux capabilities used.'),
  execs: arr(
    obj(
      {
        path: str('Executable path.'),
        args: strings('Arguments; ⋯⋯ stands for zero or more.'),
        envs: strings('Environment variables.'),
        argsRequired: bool('Whether the arguments must match.'),
      },
      'One executed program.',
    ),
    'Programs executed.',
  ),
  opens: arr(
    obj(
      {
        path: str('File path; ⋯ stands for one segment, * for zero or more.'),
        flags: strings('open(2) flags used.'),
      },
      'One opened file.',
    ),
    'Files opened.',
  ),
  syscalls: strings('System calls made.'),
  seccompProfile: singleSeccompProfileSchema,
  endpoints: arr(
    obj(
      {
        endpoint: str('HTTP endpoint, e.g. :80/api/⋯.'),
        methods: strings('HTTP methods used.'),
        internal: bool('Whether the peer is in the cluster.'),
        direction: str('inbound or outbound.'),
        headers: mapOf(strings('Header values.'), 'HTTP headers seen, by name.'),
      },
      'One HTTP endpoint.',
    ),
    'HTTP endpoints served or called.',
  ),
  imageID: str('Image ID (digest) of the container.'),
  imageTag: str('Image tag of the container.'),
  rulePolicies: mapOf(
    obj(
      {
        processAllowed: strings('Processes allowed to trigger the rule.'),
        containerAllowed: bool('Whether the whole container may trigger the rule.'),
      },
      'Policy of one rule.',
    ),
    'Runtime rule policies by rule ID.',
  ),
  identifiedCallStacks: arr(
    obj(
      {
        callID: str('ID of the call.'),
        callStack: obj({ root: callStackNodeSchema }, 'The call stack, as a tree.'),
      },
      'One call stack.',
    ),
    'Call stacks identified for calls.',
  ),
};

const containersSchema = (description: string): SchemaObject =>
  arr(obj({ name: str('Container name.'), ...containerFields }, 'Profile of one container.'), description);

export const applicationProfileSpecSchema = obj(
  {
    architectures: strings('CPU architectures seen.'),
    containers: containersSchema('Profiles of the containers.'),
    initContainers: containersSchema('Profiles of the init containers.'),
    ephemeralContainers: containersSchema('Profiles of the ephemeral containers.'),
  },
  'What a workload did at run time, per container.',
);

export const containerProfileSpecSchema = obj(
  {
    architectures: strings('CPU architectures seen.'),
    ...containerFields,
    ...labelSelectorProperties,
    ingress: arr(networkNeighborSchema, 'Peers that connected to the container.'),
    egress: arr(networkNeighborSchema, 'Peers the container connected to.'),
  },
  'What one container did at run time; the workload selector is inlined.',
);
