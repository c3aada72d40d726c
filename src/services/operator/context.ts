/**
 * What command handlers work with: configuration, clients, the scan memory, and the job they run as.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/index.ts';
import type { KubeObjects } from '../shared/kube-objects.ts';
import type { OperatorConfig } from './config.ts';
import type { KubeRest } from './kube-rest.ts';
import type { KubevulnClient } from './kubevuln-client.ts';
import type { PostureClient } from './posture-client.ts';
import type { Command, SessionChain } from './types.ts';
import type { OwnerLookup } from './workloads.ts';

export interface OperatorContext {
  config: OperatorConfig;
  rest: KubeRest;
  objects: KubeObjects;
  posture: PostureClient;
  kubevuln: KubevulnClient;
  ownerLookup: OwnerLookup;
  logger: Logger;
  /** Aborted on shutdown: long waits (status polling, retries) end early. */
  signal: AbortSignal;
}

/** One command being run: its job ID (jobTracking.jobID, the OperatorCommand guid, or new). */
export interface Job {
  id: string;
  parentId?: string;
  startedAt: Date;
  /** The job came from an OperatorCommand: results are reported in its status. */
  fromOperatorCommand: boolean;
}

export interface JobResult {
  /** Status payload of an OperatorCommand (text; written as base64 bytes). */
  payload?: string;
}

export function newJob(command: Command, fromOperatorCommand = false, id?: string): Job {
  return {
    id: id || command.jobTracking?.jobID || randomUUID(),
    parentId: command.jobTracking?.parentAction || undefined,
    startedAt: new Date(),
    fromOperatorCommand,
  };
}

/**
 * The session chain and job IDs of a scan request (the operator's prepareSessionChain): the chain
 * lists the parent job, this job and a new job ID for the request itself.
 */
export function sessionFor(
  job: Job,
  action: string,
): { session: SessionChain; jobID: string; parentJobID: string } {
  const jobIDs: string[] = [];
  if (job.parentId) jobIDs.push(job.parentId);
  jobIDs.push(job.id);
  const jobID = randomUUID();
  jobIDs.push(jobID);
  return {
    session: { jobIDs, timestamp: job.startedAt.toISOString(), rootJobID: job.parentId ?? job.id, action },
    jobID,
    parentJobID: job.id,
  };
}
