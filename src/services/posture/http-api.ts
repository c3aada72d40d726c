/**
 * The HTTP API of Kubescape's in-cluster service (components.md §3.4), as its httphandler answers:
 * every /v1 reply is `{id, type, response}` with type `busy | notBusy | v1results | error`.
 * Health endpoints (`/livez`, `/readyz`) are never behind the optional bearer token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import type { ScanQueue } from './scan-queue.ts';
import type { PostScanRequest, ScanPlan } from './scan-request.ts';
import { decodePostScanRequest, describePlan, InvalidScanRequestError } from './scan-request.ts';

export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

export interface PostureApiOptions {
  queue: ScanQueue;
  /** Request to plan (defaults applied); throws InvalidScanRequestError for a bad request. */
  planOf: (request: PostScanRequest) => ScanPlan;
  /** When set, /v1 requests need `Authorization: Bearer <token>`. */
  apiToken?: string;
  maxBodyBytes?: number;
  /** Whether the service can do its job (reaches the API server). */
  ready: () => Promise<boolean>;
  logger?: Logger;
}

type ResponseType = 'busy' | 'notBusy' | 'v1results' | 'error' | 'ready';

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function reply(
  res: http.ServerResponse,
  status: number,
  body: { id?: string; type: ResponseType; response?: string },
  headers: Record<string, string> = {},
): void {
  // Go's Response: `id` always present, `response` omitted when empty.
  const payload = JSON.stringify({
    id: body.id ?? '',
    type: body.type,
    ...(body.response !== undefined ? { response: body.response } : {}),
  });
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(payload);
}

/** A reply whose `response` is JSON text already (the scan report), spliced in without re-parsing. */
function replyRaw(res: http.ServerResponse, id: string, json: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`{"id":${JSON.stringify(id)},"type":"v1results","response":${json}}`);
}

/** A query parameter by name, matched case-insensitively (gorilla/schema does, and the operator sends `ID`). */
function param(url: URL, name: string): string | undefined {
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Go's strconv.ParseBool, as gorilla/schema decodes booleans. */
function boolParam(url: URL, name: string): boolean {
  const value = param(url, name);
  if (value === undefined || value === '') return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new HttpFailure(400, `failed to parse query params, reason: ${name}: "${value}" is not a boolean`);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const tooLarge = () => new HttpFailure(413, `scan request body exceeds the ${limit} byte limit`);
    if (declared > limit) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function authorized(req: http.IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  // Hashing first gives equal lengths, so the comparison time says nothing about the token.
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), digest(token));
}

export function createPostureApi(options: PostureApiOptions): http.RequestListener {
  const { queue } = options;
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  async function postScan(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const wait = boolParam(url, 'wait');
    const keep = boolParam(url, 'keep');
    const body = await readBody(req, maxBodyBytes);
    let parsed: unknown = null;
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new HttpFailure(400, `failed to parse request payload, reason: ${messageOf(err)}`);
      }
    }
    let plan: ScanPlan;
    try {
      plan = options.planOf(decodePostScanRequest(parsed));
    } catch (err) {
      if (err instanceof InvalidScanRequestError) throw new HttpFailure(400, err.message);
      throw err;
    }
    if (queue.isClosed) throw new HttpFailure(503, 'the service is shutting down');
    const admitted = queue.submit(plan);
    if (!admitted) {
      reply(
        res,
        429,
        { type: 'error', response: 'scan queue is full; retry the request later' },
        { 'retry-after': '1' },
      );
      return;
    }
    const { id } = admitted;
    logger.info('scan requested', { id, scan: describePlan(plan), wait });
    if (!wait) {
      reply(res, 200, { id, type: 'busy', response: `scanning '${id}' is in progress` });
      return;
    }
    const outcome = await queue.wait(id);
    if (!keep) queue.removeResult(id);
    if (outcome.kind === 'done') replyRaw(res, id, outcome.json);
    else reply(res, 500, { id, type: 'error', response: outcome.message });
  }

  function cancelScan(res: http.ServerResponse, url: URL): void {
    const id = param(url, 'id') ?? '';
    const cancelled = queue.cancel(id || undefined);
    if (cancelled.length === 0) {
      reply(res, 404, {
        type: 'error',
        response: id ? `no in-flight scan found for '${id}'` : 'no in-flight scan',
      });
      return;
    }
    logger.info('scan cancelled', { ids: cancelled });
    reply(res, 200, {
      id: id || (cancelled.length === 1 ? cancelled[0] : ''),
      type: 'notBusy',
      response: `scan${cancelled.length > 1 ? 's' : ''} ${cancelled.map((c) => `'${c}'`).join(', ')} cancelled`,
    });
  }

  function status(res: http.ServerResponse, url: URL): void {
    const id = param(url, 'id') || queue.latestScanId();
    if (id && queue.isBusy(id)) reply(res, 200, { id, type: 'busy', response: id });
    else reply(res, 200, { type: 'notBusy' });
  }

  function results(res: http.ServerResponse, url: URL, method: string): void {
    if (method === 'DELETE' && boolParam(url, 'all')) {
      const removed = queue.removeAllResults();
      reply(res, 200, { type: 'notBusy', response: `deleted the results of ${removed} scan(s)` });
      return;
    }
    const id = param(url, 'id') ?? '';
    if (!id) throw new HttpFailure(400, 'scan ID is required');
    const keep = method === 'GET' && boolParam(url, 'keep');
    const state = queue.state(id);
    if (state.state === 'busy') {
      reply(res, 200, { id, type: 'busy', response: `scanning '${id}' in progress` });
      return;
    }
    if (state.state === 'unknown') {
      reply(res, 404, {
        id,
        type: 'error',
        response: `no results for scan '${id}' (unknown, or already fetched)`,
      });
      return;
    }
    if (method === 'DELETE') {
      queue.removeResult(id);
      reply(res, 200, { id, type: 'notBusy', response: `deleted the results of scan '${id}'` });
      return;
    }
    if (!keep) queue.removeResult(id);
    if (state.outcome.kind === 'done') replyRaw(res, id, state.outcome.json);
    else reply(res, 500, { id, type: 'error', response: state.outcome.message });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (url.pathname === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/readyz') {
      const ready = await options.ready();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok' : 'not ready');
      return;
    }
    if (!url.pathname.startsWith('/v1/')) throw new HttpFailure(404, `no route ${url.pathname}`);
    if (!authorized(req, options.apiToken)) {
      reply(
        res,
        401,
        { type: 'error', response: 'unauthorized: a valid bearer token is required' },
        {
          'www-authenticate': 'Bearer',
        },
      );
      return;
    }
    const routes: Record<string, Partial<Record<string, () => Promise<void> | void>>> = {
      '/v1/scan': { POST: () => postScan(req, res, url), DELETE: () => cancelScan(res, url) },
      '/v1/status': { GET: () => status(res, url) },
      '/v1/results': { GET: () => results(res, url, 'GET'), DELETE: () => results(res, url, 'DELETE') },
    };
    const handlers = routes[url.pathname];
    if (!handlers) throw new HttpFailure(404, `no route ${url.pathname}`);
    const handler = handlers[method];
    if (!handler) {
      reply(
        res,
        405,
        { type: 'error', response: `${method} is not allowed on ${url.pathname}` },
        {
          allow: Object.keys(handlers).join(', '),
        },
      );
      return;
    }
    await handler();
  }

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpFailure ? err.status : 500;
      if (status === 500)
        logger.error('request failed', { method: req.method, url: req.url, error: messageOf(err) });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // An unread (too large) body must not be left on a kept-alive connection.
      const headers: Record<string, string> = status === 413 ? { connection: 'close' } : {};
      reply(res, status, { type: 'error', response: messageOf(err) }, headers);
      if (status === 413) req.resume();
    });
  };
}
