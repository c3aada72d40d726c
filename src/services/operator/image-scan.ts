/**
 * Sending one container to kubevuln (components.md §3.2 `scan`, §3.8): a relevancy scan of its
 * ContainerProfile when one is usable, else an image scan with the pod's pull credentials.
 */
import { MetadataKeys } from '../../api/index.ts';
import { messageOf } from '../../common/index.ts';
import { storageKind } from '../shared/kube-objects.ts';
import type { KubeObjectLike } from '../shared/kube-objects.ts';
import type { Job, OperatorContext } from './context.ts';
import { sessionFor } from './context.ts';
import { isNotFound, resourcePath } from './kube-rest.ts';
import type { AuthConfig, WebsocketScanCommand } from './types.ts';
import type { PodContainer } from './workloads.ts';

export interface ContainerScan {
  wlid: string;
  namespace: string;
  container: PodContainer;
  credentials: AuthConfig[];
}

/** The WebsocketScanCommand of an image scan (the operator's getImageScanCommand). */
export function imageScanCommand(job: Job, action: string, scan: ContainerScan): WebsocketScanCommand {
  const { session, jobID, parentJobID } = sessionFor(job, action);
  const command: WebsocketScanCommand = {
    session,
    imageTag: scan.container.imageTag,
    jobID,
    parentJobID,
    wlid: scan.wlid,
    isScanned: false,
    containerName: scan.container.containerName,
    actionIDN: 0,
    imageHash: scan.container.imageId,
  };
  // The operator sends the container's instance slug as instanceID (kubevuln uses it for the scan ID).
  if (scan.container.slug) command.instanceID = scan.container.slug;
  if (scan.credentials.length > 0) command.credentialsList = scan.credentials;
  return command;
}

/** The WebsocketScanCommand of a relevancy scan: kubevuln reads the ContainerProfile `args.name`. */
export function profileScanCommand(
  job: Job,
  action: string,
  wlid: string,
  name: string,
  namespace: string,
  credentials: AuthConfig[],
): WebsocketScanCommand {
  const { session, jobID, parentJobID } = sessionFor(job, action);
  const command: WebsocketScanCommand = {
    session,
    imageTag: '',
    jobID,
    parentJobID,
    wlid,
    isScanned: false,
    containerName: '',
    actionIDN: 0,
    imageHash: '',
    args: { name, namespace },
  };
  if (credentials.length > 0) command.credentialsList = credentials;
  return command;
}

const USABLE_PROFILE_STATUS = new Set(['ready', 'completed']);

/**
 * Whether the container's ContainerProfile (named by its slug) is usable for relevancy: learning
 * (`ready`) or done (`completed`) and complete. Storage being absent or unreadable means no.
 */
export async function usableContainerProfile(
  ctx: OperatorContext,
  namespace: string,
  slug: string,
): Promise<boolean> {
  try {
    // `resourceVersion=metadata` makes the storage skip the (large) profile payload.
    const profile = await ctx.rest.request<KubeObjectLike>(
      'GET',
      resourcePath({ ...storageKind('containerprofiles'), namespaced: true }, namespace, slug),
      { query: { resourceVersion: 'metadata' } },
    );
    const annotations = profile.metadata.annotations ?? {};
    return (
      USABLE_PROFILE_STATUS.has(annotations[MetadataKeys.status] ?? '') &&
      annotations[MetadataKeys.completion] === 'complete'
    );
  } catch (err) {
    if (isNotFound(err)) return false;
    ctx.logger.debug('cannot read the container profile; scanning the image', {
      namespace,
      slug,
      error: messageOf(err),
    });
    return false;
  }
}

/** Sends one container: profile scan when usable, else image scan. */
export async function sendContainerScan(
  ctx: OperatorContext,
  job: Job,
  action: string,
  scan: ContainerScan,
): Promise<'profile' | 'image'> {
  if (scan.container.imageId && (await usableContainerProfile(ctx, scan.namespace, scan.container.slug))) {
    await ctx.kubevuln.scanApplicationProfile(
      profileScanCommand(job, action, scan.wlid, scan.container.slug, scan.namespace, scan.credentials),
    );
    ctx.logger.info('sent container profile scan', { wlid: scan.wlid, profile: scan.container.slug });
    return 'profile';
  }
  await ctx.kubevuln.scanImage(imageScanCommand(job, action, scan));
  ctx.logger.info('sent image scan', {
    wlid: scan.wlid,
    container: scan.container.containerName,
    image: scan.container.imageTag,
    imageID: scan.container.imageId || undefined,
  });
  return 'image';
}
