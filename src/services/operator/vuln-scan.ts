/**
 * The `scan` command (components.md §3.2, §3.7 step 2) and `scanContainerProfile`. A scoped scan
 * (designators / wildWlid; the kubevuln scheduler sends an empty designator) lists the Running pods
 * of the allowed namespaces and sends each container once per request; `wlid` scopes it to one
 * workload, which falls back to its pod template when it has no Running pod.
 */
import { parseWlid } from '../../api/index.ts';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { hasExcludedLabel, skipNamespace } from './config.ts';
import type { Job, JobResult, OperatorContext } from './context.ts';
import { pullSecretCredentials } from './credentials.ts';
import { isObject } from './decode.ts';
import { profileScanCommand, sendContainerScan } from './image-scan.ts';
import { resourcePath } from './kube-rest.ts';
import type { Command } from './types.ts';
import type { PodJson } from './workloads.ts';
import {
  hasParent,
  POD_RESOURCE,
  podContainers,
  podTemplateOf,
  templateContainers,
  WORKLOAD_KINDS,
  wlidOf,
} from './workloads.ts';

function namespaceOfWlid(wlid: string | undefined): string {
  const m = /\/namespace-([^/]*)/.exec(wlid ?? '');
  return m?.[1] ?? '';
}

/** The namespaces a scoped command names; empty means all (the operator's getNamespaceFromVulnScanCommand). */
export function commandNamespaces(command: Command): string[] {
  const namespaces = new Set<string>();
  const fromWild = namespaceOfWlid(command.wildWlid);
  if (fromWild) namespaces.add(fromWild);
  for (const d of command.designators ?? []) {
    const ns = d.attributes?.['namespace'] ?? namespaceOfWlid(d.wildwlid ?? d.wlid);
    if (ns) namespaces.add(ns);
  }
  return [...namespaces];
}

/** The single namespace annotation of a vulnerability CronJob ("" for all). */
export function commandNamespace(command: Command): string {
  return commandNamespaces(command)[0] ?? '';
}

function isMatureOrOwned(pod: PodJson, guardMs: number, now: number): boolean {
  if (hasParent(pod) || guardMs <= 0) return true;
  const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
  return Number.isNaN(created) || now - created >= guardMs;
}

async function listRunningPods(ctx: OperatorContext, namespaces: string[]): Promise<PodJson[]> {
  const query = { fieldSelector: 'status.phase=Running' };
  if (namespaces.length === 0) return (await ctx.rest.list<PodJson>(resourcePath(POD_RESOURCE), query)).items;
  const pods: PodJson[] = [];
  for (const ns of namespaces)
    pods.push(...(await ctx.rest.list<PodJson>(resourcePath(POD_RESOURCE, ns), query)).items);
  return pods;
}

/** Scans the Running pods in scope; every container at most once per request. */
async function scopedScan(
  ctx: OperatorContext,
  command: Command,
  job: Job,
  onlyWlid?: string,
): Promise<number> {
  const namespaces = onlyWlid ? [namespaceOfWlid(onlyWlid)] : commandNamespaces(command);
  const pods = await listRunningPods(ctx, namespaces);
  const now = Date.now();
  const sent = new Set<string>();
  const errors: string[] = [];
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? '';
    // Some servers ignore the field selector for some clients: check the phase again.
    if (pod.status?.phase !== 'Running') continue;
    if (skipNamespace(ctx.config, namespace) && !onlyWlid) continue;
    if (hasExcludedLabel(ctx.config, pod.metadata?.labels)) continue;
    if (!isMatureOrOwned(pod, ctx.config.podScanGuardTimeMs, now)) {
      ctx.logger.debug('skipping a naked pod younger than the guard time', {
        namespace,
        pod: pod.metadata?.name,
      });
      continue;
    }
    const wlid = await wlidOf({ ...pod, kind: 'Pod' }, ctx.config.clusterName, ctx.ownerLookup);
    if (onlyWlid && wlid !== onlyWlid) continue;
    const containers = podContainers(pod).filter((c) => !sent.has(c.slug));
    if (containers.length === 0) continue;
    const credentials = await pullSecretCredentials(ctx.rest, namespace, pod.spec, ctx.logger);
    for (const container of containers) {
      sent.add(container.slug);
      try {
        await sendContainerScan(ctx, job, command.commandName, { wlid, namespace, container, credentials });
      } catch (err) {
        errors.push(
          `failed scanning, wlid: '${wlid}', image: '${container.imageTag}', container: ${container.containerName}, reason: ${messageOf(err)}`,
        );
      }
    }
  }
  if (errors.length > 0) throw new KubeguardError(ErrorCodes.remote, errors.join('; '));
  return sent.size;
}

/** A workload named by WLID without Running pods: its pod template, tags without digests. */
async function templateScan(ctx: OperatorContext, command: Command, job: Job, wlid: string): Promise<number> {
  const parsed = parseWlid(wlid);
  const kind = WORKLOAD_KINDS.find((k) => k.kind.toLowerCase() === parsed.kind.toLowerCase());
  if (!kind)
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `wlid ${wlid}: kind ${parsed.kind} is not a workload kind`,
    );
  const workload = await ctx.rest.get<PodJson>(resourcePath(kind.resource, parsed.namespace, parsed.name));
  if (!workload) throw new KubeguardError(ErrorCodes.notFound, `workload ${wlid} does not exist`);
  const obj = { ...workload, apiVersion: kind.apiVersion, kind: kind.kind };
  const containers = templateContainers(obj);
  const credentials = await pullSecretCredentials(
    ctx.rest,
    parsed.namespace,
    podTemplateOf(obj)?.spec,
    ctx.logger,
  );
  for (const container of containers) {
    await sendContainerScan(ctx, job, command.commandName, {
      wlid,
      namespace: parsed.namespace,
      container,
      credentials,
    });
  }
  return containers.length;
}

export async function scanCommand(ctx: OperatorContext, command: Command, job: Job): Promise<JobResult> {
  const scoped = command.wildWlid !== undefined || (command.designators?.length ?? 0) > 0 || !command.wlid;
  if (scoped) {
    const count = await scopedScan(ctx, command, job);
    ctx.logger.info(`scan: sent ${count} containers to kubevuln`, { job: job.id });
    return { payload: String(count) };
  }
  const wlid = command.wlid ?? '';
  let count = await scopedScan(ctx, command, job, wlid);
  if (count === 0) count = await templateScan(ctx, command, job, wlid);
  return { payload: String(count) };
}

/** `scanContainerProfile`: args `name`, `namespace` (of the ContainerProfile), optional `pod`. */
export async function scanContainerProfileCommand(
  ctx: OperatorContext,
  command: Command,
  job: Job,
): Promise<JobResult> {
  const name = command.args?.['name'];
  const namespace = command.args?.['namespace'];
  if (typeof name !== 'string' || typeof namespace !== 'string' || !name || !namespace) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      'scanContainerProfile needs args.name and args.namespace (of the ContainerProfile)',
    );
  }
  const pod = command.args?.['pod'];
  const credentials = isObject(pod)
    ? await pullSecretCredentials(ctx.rest, namespace, (pod as PodJson).spec, ctx.logger)
    : [];
  await ctx.kubevuln.scanApplicationProfile(
    profileScanCommand(job, command.commandName, command.wlid ?? '', name, namespace, credentials),
  );
  return {};
}
