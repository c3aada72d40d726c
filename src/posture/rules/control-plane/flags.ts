/**
 * Command-line flags of control-plane static pods (kube-apiserver, kube-controller-manager,
 * kube-scheduler, etcd) as Kubescape's rules read them: the flags are `command ++ args` of the pod's
 * only container; kubeadm puts them in `command`, RKE2/k3s keep `command: [binary]` and pass them in
 * `args`, so every report path maps an index of the combined list back to the array it came from.
 */
import type { FixPath, K8sObject } from '../../model.ts';

export type ControlPlaneBinary = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd';

/** The flag list of one container, with what is needed to turn an index into a report path. */
export interface ContainerFlags {
  /** `command ++ args`; entries that are not strings stay as `undefined` so indexes line up. */
  readonly items: readonly (string | undefined)[];
  readonly commandLength: number;
  readonly argsLength: number;
  /** Report path of the container, e.g. `spec.containers[0]`. */
  readonly containerPath: string;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function containersOf(pod: K8sObject): unknown[] | undefined {
  const containers = asRecord(pod.spec)?.containers;
  return Array.isArray(containers) ? containers : undefined;
}

/**
 * The flags of a container. `command` must be an array (Kubescape's rules concatenate it and would
 * not evaluate otherwise); an `args` that is not an array counts as empty.
 */
export function flagsOfContainer(container: unknown, containerPath: string): ContainerFlags | undefined {
  const record = asRecord(container);
  const command = record?.command;
  if (!Array.isArray(command)) return undefined;
  const args = Array.isArray(record?.args) ? (record.args as unknown[]) : [];
  const items = [...command, ...args].map((item) => (typeof item === 'string' ? item : undefined));
  return { items, commandLength: command.length, argsLength: args.length, containerPath };
}

/** The flags of `spec.containers[0]`, whatever the pod is (used by the `apiserver-pod` aggregated rules). */
export function firstContainerFlags(pod: K8sObject): ContainerFlags | undefined {
  const containers = containersOf(pod);
  return containers && containers.length > 0
    ? flagsOfContainer(containers[0], 'spec.containers[0]')
    : undefined;
}

/** How strictly a control-plane pod is recognised. */
export interface PodRecognition {
  /** The pod must be in `kube-system`. */
  inKubeSystem: boolean;
  /** Compare only the first space-separated word of `command[0]` (manifests that put a whole command line there). */
  firstWordOfCommand: boolean;
}

/** Kubescape's recognition per binary: etcd is looked for in any namespace, by the first word. */
function recognitionOf(binary: ControlPlaneBinary): PodRecognition {
  return binary === 'etcd'
    ? { inKubeSystem: false, firstWordOfCommand: true }
    : { inKubeSystem: true, firstWordOfCommand: false };
}

/**
 * The flags of a control-plane static pod, or undefined when the object is not that component's pod:
 * a `v1` Pod with exactly one container whose `command[0]` ends with the binary name.
 */
export function controlPlaneFlags(pod: K8sObject, binary: ControlPlaneBinary): ContainerFlags | undefined {
  return isControlPlanePod(pod, binary, recognitionOf(binary)) ? firstContainerFlags(pod) : undefined;
}

export function isControlPlanePod(pod: K8sObject, binary: ControlPlaneBinary, how: PodRecognition): boolean {
  if (pod.apiVersion !== 'v1' || pod.kind !== 'Pod') return false;
  if (how.inKubeSystem && pod.metadata?.namespace !== 'kube-system') return false;
  const containers = containersOf(pod);
  if (!containers || containers.length !== 1) return false;
  const command = asRecord(containers[0])?.command;
  if (!Array.isArray(command) || typeof command[0] !== 'string') return false;
  const executable = how.firstWordOfCommand ? (command[0].split(' ')[0] ?? '') : command[0];
  return executable.endsWith(binary);
}

/** Report path of the flag at `index` of the combined list: `command[i]` or `args[i - len(command)]`. */
export function flagPath(flags: ContainerFlags, index: number): string {
  return index < flags.commandLength
    ? `${flags.containerPath}.command[${index}]`
    : `${flags.containerPath}.args[${index - flags.commandLength}]`;
}

/**
 * Where the `offset`-th missing flag is added: after the last `args` entry when the container passes
 * its flags in `args`, otherwise after the last `command` entry.
 */
export function appendPath(flags: ContainerFlags, offset = 0): string {
  return flags.argsLength > 0
    ? `${flags.containerPath}.args[${flags.argsLength + offset}]`
    : `${flags.containerPath}.command[${flags.commandLength + offset}]`;
}

/** Path of the list that carries the flags (`…args` when args are used, else `…command`). */
export function flagListPath(flags: ContainerFlags): string {
  return flags.argsLength > 0 ? `${flags.containerPath}.args` : `${flags.containerPath}.command`;
}

/** A fix that adds a missing flag at the end of the flag list. */
export function appendFix(flags: ContainerFlags, value: string, offset = 0): FixPath {
  return { path: appendPath(flags, offset), value };
}

/** The flag items with their indexes in the combined list (non-string entries skipped). */
export function* flagItems(flags: ContainerFlags): Generator<[index: number, item: string]> {
  for (const [index, item] of flags.items.entries()) if (item !== undefined) yield [index, item];
}

/**
 * Whether any item mentions `text`. Kubescape decides that a flag is absent when the joined command
 * line does not contain its name, so `--profiling` is "present" in `--profiling-foo` too.
 */
export function mentions(flags: ContainerFlags, text: string): boolean {
  return flags.items.some((item) => item?.includes(text));
}

/** Every occurrence of `search` in `text` replaced (Rego's `replace`). */
export function replaceAll(text: string, search: string, replacement: string): string {
  return search === '' ? text : text.split(search).join(replacement);
}

/** One `--flag=value` found inside an item: the matched text (`origin`) and the raw value. */
export interface FlagOccurrence {
  /** The matched text, including the space before or after the flag when there is one. */
  origin: string;
  value: string;
}

const flagPatterns = new Map<string, RegExp>();

/**
 * Occurrences of `--<flag>=<value>` in one item, the value ending at the next space. Mirrors the
 * rules' ` ?--flag=(.+?)(?: |$)` (RE2: `.` excludes only newlines).
 */
export function flagOccurrences(item: string, flag: string): FlagOccurrence[] {
  let pattern = flagPatterns.get(flag);
  if (!pattern) {
    const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    pattern = new RegExp(` ?--${escaped}=([^\\n]+?)(?: |$)`, 'g');
    flagPatterns.set(flag, pattern);
  }
  return [...item.matchAll(pattern)].map((match) => ({ origin: match[0], value: match[1] ?? '' }));
}

/** The single `--<flag>=a,b,c` of an item as a list; undefined when the item has none or several. */
export function flagListValue(item: string, flag: string): { origin: string; values: string[] } | undefined {
  const occurrences = flagOccurrences(item, flag);
  const only = occurrences.length === 1 ? occurrences[0] : undefined;
  if (!only) return undefined;
  return { origin: only.origin, values: only.value.split(',').filter((value) => value !== '') };
}
