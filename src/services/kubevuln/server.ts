/**
 * kubevuln's HTTP API (storage-api.md §5.1): scan requests are validated, answered at once and run
 * by the job queue; replies are RFC 7807 problem documents `{status, title, detail}`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Logger } from '../../common/index.ts';
import { messageOf } from '../../common/index.ts';
import type { Endpoint, ScanCommand } from './commands.ts';
import { InvalidCommandError, acknowledgement, decodeCommand, validateCommand } from './commands.ts';
import type { DbView } from './advisory-db.ts';
import type { Counters } from './context.ts';
import { normaliseTag } from './image-ref.ts';
import type { JobContext, JobQueue } from './jobs.ts';
import type { JobResult } from './scanner.ts';
import type { RateLimitCooldown } from './sync.ts';

const MAX_BODY = 1024 * 1024;

export interface ServerDeps {
  jobs: JobQueue;
  db: DbView;
  cooldown: RateLimitCooldown;
  counters: Counters;
  /** Runs one job of an endpoint. */
  run(endpoint: Endpoint, cmd: ScanCommand, job: JobContext): Promise<JobResult>;
  /** Static facts for /v1/diagnostics (versions, limits, configuration). */
  diagnostics(): Record<string, unknown>;
  logger: Logger;
}

const POST_ROUTES: Record<string, Endpoint> = {
  '/v1/scanImage': 'scanImage',
  '/v1/generateSBOM': 'generateSBOM',
  '/v1/sbomCreation': 'generateSBOM',
  '/v1/scanRegistryImage': 'scanRegistryImage',
  '/v1/scanApplicationProfile': 'scanApplicationProfile',
  '/v1/applicationProfileScan': 'scanApplicationProfile',
};

const TITLES: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function reply(res: http.ServerResponse, body: unknown, status = 200, problem = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': problem ? 'application/problem+json' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** RFC 7807 reply; extension members (e.g. `jobID`) are allowed by the RFC. */
function problem(
  res: http.ServerResponse,
  status: number,
  detail?: string,
  extra: Record<string, unknown> = {},
): void {
  reply(
    res,
    { status, title: TITLES[status] ?? 'Error', ...(detail ? { detail } : {}), ...extra },
    status,
    true,
  );
}

class BodyTooLarge extends Error {}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const needsDb = (e: Endpoint) => e !== 'generateSBOM';

async function handleScan(
  deps: ServerDeps,
  endpoint: Endpoint,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  let cmd: ScanCommand;
  try {
    const text = await readBody(req);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InvalidCommandError(`the body is not JSON: ${messageOf(err)}`);
    }
    cmd = decodeCommand(json);
    validateCommand(endpoint, cmd);
  } catch (err) {
    if (err instanceof BodyTooLarge) return problem(res, 413, `the body is larger than ${MAX_BODY} bytes`);
    if (err instanceof InvalidCommandError) return problem(res, 400, err.message);
    throw err;
  }
  if (cmd.imageTag && deps.cooldown.coolingDown(normaliseTag(cmd.imageTag))) {
    return problem(
      res,
      429,
      `${cmd.imageTag} was rate-limited by its registry in the last 10 minutes; try later`,
    );
  }
  if (needsDb(endpoint) && !deps.db.refresh()) {
    return problem(res, 503, 'the vulnerability database is not loaded yet');
  }
  const jobID = cmd.jobID || randomUUID();
  const accepted = deps.jobs.submit(jobID, endpoint, (job) => deps.run(endpoint, cmd, job));
  if (accepted === 'full') return problem(res, 503, 'the scan queue is full; try later');
  deps.logger.info('scan accepted', {
    endpoint,
    jobID,
    image: cmd.imageTag || undefined,
    wlid: cmd.wlid || undefined,
  });
  problem(res, 200, acknowledgement(endpoint, cmd), { jobID });
}

async function route(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const endpoint = POST_ROUTES[path];
  if (endpoint) {
    if (req.method !== 'POST') return problem(res, 405, `${path} takes POST`);
    return handleScan(deps, endpoint, req, res);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 405, `${path} takes GET`);
  if (path === '/v1/liveness') return problem(res, 200);
  if (path === '/v1/readiness') {
    return deps.db.refresh()
      ? problem(res, 200)
      : problem(res, 503, 'the vulnerability database is not loaded yet');
  }
  if (path === '/v1/diagnostics') {
    return reply(res, {
      ...deps.diagnostics(),
      cveDBVersion: deps.db.version,
      cveDBBuilt: deps.db.built,
      ready: deps.db.ready,
      queue: { queued: deps.jobs.queued, running: deps.jobs.active },
      counters: deps.counters,
      imagesPulled: deps.counters.imagesPulled,
      scansServedFromCache: deps.counters.scansFromCache + deps.counters.scansCopied,
    });
  }
  const status = /^\/v1\/scanStatus\/([^/]+)$/.exec(path);
  if (status) {
    const found = deps.jobs.status(decodeURIComponent(status[1]!));
    return found ? reply(res, found) : problem(res, 404, `no job ${status[1]}`);
  }
  problem(res, 404, `no route ${path}`);
}

export function createKubevulnServer(deps: ServerDeps): http.Server {
  return http.createServer((req, res) => {
    route(deps, req, res).catch((err: unknown) => {
      deps.logger.error('request failed', { path: req.url, error: messageOf(err) });
      if (!res.headersSent) problem(res, 500, messageOf(err));
      else res.destroy();
    });
  });
}
