/** SeccompProfile (storage-api.md §2.12): security-profiles-operator shapes, per container. */
import type { KubeObject } from '../meta.ts';
import { arr, bool, int64, mapOf, obj, str, strings, time, type SchemaObject } from '../schema.ts';

export interface SeccompSyscallArg {
  index: number;
  value?: number;
  valueTwo?: number;
  /** e.g. `SCMP_CMP_EQ`. */
  op: string;
}

export interface SeccompSyscall {
  names: string[];
  /** e.g. `SCMP_ACT_ALLOW`. */
  action: string;
  errnoRet?: number;
  args?: SeccompSyscallArg[];
}

export interface SingleSeccompProfileSpec {
  disabled?: boolean;
  baseProfileName?: string;
  defaultAction: string;
  architectures?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompSyscall[];
  flags?: string[];
}

export interface SingleSeccompProfile {
  name?: string;
  path?: string;
  spec: SingleSeccompProfileSpec;
}

export interface SeccompCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message?: string;
}

export interface SingleSeccompProfileStatus {
  conditions?: SeccompCondition[];
  status?: string;
  path?: string;
  activeWorkloads?: string[];
  localhostProfile?: string;
}

export interface SeccompProfileSpec {
  containers?: SingleSeccompProfile[];
  initContainers?: SingleSeccompProfile[];
  ephemeralContainers?: SingleSeccompProfile[];
}

export interface SeccompProfileStatus {
  /** Keyed by container name. */
  containers?: Record<string, SingleSeccompProfileStatus>;
}

export interface SeccompProfile extends KubeObject {
  spec: SeccompProfileSpec;
  status?: SeccompProfileStatus;
}

export const singleSeccompProfileSchema = obj(
  {
    name: str('Container name.'),
    path: str('Path of the profile on the node.'),
    spec: obj(
      {
        disabled: bool('Whether the profile is disabled.'),
        baseProfileName: str('Profile unioned into this one (oci:// for remote).'),
        defaultAction: str('Action for syscalls not listed, e.g. SCMP_ACT_ERRNO.'),
        architectures: strings('Architectures, e.g. SCMP_ARCH_X86_64.'),
        listenerPath: str('Socket of a seccomp agent for SCMP_ACT_NOTIFY.'),
        listenerMetadata: str('Opaque data passed to the seccomp agent.'),
        syscalls: arr(
          obj(
            {
              names: strings('Syscall names.'),
              action: str('Action for these syscalls, e.g. SCMP_ACT_ALLOW.'),
              errnoRet: int64('errno returned by SCMP_ACT_ERRNO or SCMP_ACT_TRACE.'),
              args: arr(
                obj(
                  {
                    index: int64('Argument index.'),
                    value: int64('Value to compare with.'),
                    valueTwo: int64('Second value (masked comparisons).'),
                    op: str('Comparison operator, e.g. SCMP_CMP_EQ.'),
                  },
                  'One argument condition.',
                ),
                'Argument conditions.',
              ),
            },
            'One syscall rule.',
          ),
          'Syscall rules.',
        ),
        flags: strings('seccomp(2) flags.'),
      },
      'The seccomp profile.',
    ),
  },
  'Seccomp profile of one container.',
);

const containersSchema = (description: string): SchemaObject => arr(singleSeccompProfileSchema, description);

export const seccompProfileSpecSchema = obj(
  {
    containers: containersSchema('Profiles of the containers.'),
    initContainers: containersSchema('Profiles of the init containers.'),
    ephemeralContainers: containersSchema('Profiles of the ephemeral containers.'),
  },
  'Seccomp profiles of a workload, per container.',
);

export const seccompProfileStatusSchema = obj(
  {
    containers: mapOf(
      obj(
        {
          conditions: arr(
            obj(
              {
                type: str('Condition type.'),
                status: str('True, False or Unknown.'),
                lastTransitionTime: time('When the condition last changed.'),
                reason: str('Reason of the last change.'),
                message: str('Details of the last change.'),
              },
              'One condition.',
            ),
            'Conditions of the profile.',
          ),
          status: str('State of the profile.'),
          path: str('Path of the profile on the node.'),
          activeWorkloads: strings('Workloads using the profile.'),
          localhostProfile: str('Value for securityContext.seccompProfile.localhostProfile.'),
        },
        'Status of one container profile.',
      ),
      'Status per container name.',
    ),
  },
  'Status of the profiles.',
);
