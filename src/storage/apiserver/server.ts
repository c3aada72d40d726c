import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import YAML from 'yaml';
import type { KubeObject } from '../../api/index.ts';
import { API_VERSION, GROUP, VERSION } from '../../api/index.ts';
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import type { KindDefinition, VirtualReadContext } from '../kinds/define.ts';
import type {
  FieldRequirement,
  LabelRequirement,
  ObjectStore,
  StoredRecord,
  WatchEvent,
} from '../store/index.ts';
import { parseFieldSelector, parseLabelSelector } from '../store/index.ts';
import type { Authenticator, Authorizer, UserInfo } from './auth.ts';
import { apiGroup, apiGroupDiscoveryList, apiGroupList, apiResourceList } from './discovery.ts';
import type { OpenApiDocuments } from './openapi.ts';
import { applyPatch } from './patch.ts';
import {
  checkTypeAndNamespace,
  parseResourceVersion,
  prepareCreate,
  prepareUpdate,
  refOf,
} from './pipeline.ts';
import type { RequestInfo } from './request-info.ts';
import { requestInfo } from './request-info.ts';
import type { StatusError } from './status.ts';
import { errors, toStatusError } from './status.ts';
import type { Table } from './table.ts';
import { toTable } from './table.ts';

export interface StorageServerOptions {
  store: ObjectStore;
  kinds: KindDefinition[];
  authenticator: Authenticator;
  authorizer: Authorizer;
  openapi: OpenApiDocuments;
  /** PEM serving certificate and key; `ca` lists the CAs whose client certificates are accepted. */
  tls: { cert: string | Buffer; key: string | Buffer; ca?: (string | Buffer)[] };
  logger?: Logger;
  /** Interval between watch bookmarks. */
  bookmarkIntervalMs?: number;
  /** Paths served without authentication. */
  alwaysAllowPaths?: string[];
}

const JSON_TYPE = 'application/json';
const groupPath = `/apis/${GROUP}`;
/** Kubescape's magic resourceVersion values. */
const FULL_SPEC = 'fullSpec';
const METADATA_ONLY = 'metadata';
const maxWatchBuffer = 64 * 1024 * 1024;

type Negotiated = 'json' | 'table' | 'yaml';

/** One request to a resource, as the handlers see it. */
interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  info: RequestInfo;
  kind: KindDefinition;
}

function negotiate(accept: string | undefined): Negotiated {
  if (!accept) return 'json';
  if (/as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept)) return 'table';
  if (/application\/(json|\*)|\*\/\*/.test(accept)) return 'json';
  if (/application\/yaml/.test(accept)) return 'yaml';
  if (/application\/vnd\.kubernetes\.protobuf/.test(accept)) return 'json';
  throw errors.notAcceptable(`only application/json and application/yaml are served, not "${accept}"`);
}

function send(res: ServerResponse, code: number, body: unknown, format: Negotiated = 'json'): void {
  const text =
    typeof body === 'string' ? body : format === 'yaml' ? YAML.stringify(body) : JSON.stringify(body);
  res.writeHead(code, {
    'content-type': format === 'yaml' ? 'application/yaml' : JSON_TYPE,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number, what: string): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw errors.tooLarge(`the request body for ${what} is ${declared} bytes; the limit is ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw errors.tooLarge(`the request body for ${what} exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  const type = (contentType ?? JSON_TYPE).split(';')[0]!.trim();
  try {
    if (type === 'application/yaml') return YAML.parse(text, { maxAliasCount: 100 });
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(
      `the request body is not valid ${type === 'application/yaml' ? 'YAML' : 'JSON'}: ${messageOf(err).split('\n')[0]}`,
    );
  }
}

/** A stored object as the response: its JSON as stored, or YAML; a write never answers with a Table. */
function sendRecord(res: ServerResponse, code: number, record: StoredRecord, format: Negotiated): void {
  if (format === 'yaml') send(res, code, parseRecord(record), 'yaml');
  else send(res, code, record.json);
}

function sendObject(res: ServerResponse, code: number, object: KubeObject, format: Negotiated): void {
  send(res, code, object, format === 'table' ? 'json' : format);
}

function isDryRun(url: URL): boolean {
  return url.searchParams.getAll('dryRun').some((v) => v === 'All');
}

function listKind(kind: KindDefinition): string {
  return `${kind.kind}List`;
}

function parseRecord(record: StoredRecord): KubeObject {
  return JSON.parse(record.json) as KubeObject;
}

/**
 * The aggregated API server of spdx.softwarecomposition.kubescape.io/v1beta1: discovery, OpenAPI,
 * and every verb over the store, with Kubernetes semantics (resourceVersion, optimistic
 * concurrency, selectors, pagination, watch with bookmarks, Table output, Status errors).
 */
export class StorageServer {
  private readonly kindsByPlural: Map<string, KindDefinition>;
  private readonly logger: Logger;
  private readonly server: https.Server;
  private readonly watches = new Set<() => void>();

  constructor(private readonly options: StorageServerOptions) {
    this.kindsByPlural = new Map(options.kinds.map((k) => [k.plural, k]));
    this.logger = options.logger ?? silentLogger;
    this.server = https.createServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        ca: options.tls.ca,
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => this.fail(res, toStatusError(err)));
      },
    );
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 70_000;
  }

  /** Replaces the accepted client CAs (the front-proxy CA can rotate). */
  setClientCAs(ca: (string | Buffer)[]): void {
    this.server.setSecureContext({ cert: this.options.tls.cert, key: this.options.tls.key, ca });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    for (const stop of this.watches) stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private fail(res: ServerResponse, err: StatusError): void {
    if (err.code >= 500) this.logger.error('request failed', { error: err.message });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, err.code, err.toStatus());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://storage');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (
      ['/healthz', '/livez', '/readyz'].includes(path) ||
      (this.options.alwaysAllowPaths ?? []).includes(path)
    ) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const info = requestInfo(method, url);
    const user = await this.options.authenticator.authenticate(req);
    if (!user)
      throw errors.unauthorized(
        'Unauthorized: anonymous requests are refused; authenticate through the Kubernetes API server',
      );
    await this.authorize(user, info);
    if (!info.isResourceRequest) return this.serveNonResource(req, res, path, method);
    if (info.apiGroup !== GROUP || info.apiVersion !== VERSION) throw errors.pathNotFound(path);
    if (info.resource === '' && method === 'GET') {
      send(res, 200, apiResourceList(this.options.kinds));
      return;
    }
    const kind = this.kindsByPlural.get(info.resource);
    if (!kind) throw errors.pathNotFound(path);
    if (info.subresource !== '') throw errors.pathNotFound(path);
    if (!kind.namespaced && info.namespace !== '') throw errors.pathNotFound(path);
    return this.serveResource({ req, res, url, info, kind });
  }

  private async authorize(user: UserInfo, info: RequestInfo): Promise<void> {
    const decision = await this.options.authorizer.authorize(
      info.isResourceRequest
        ? {
            user,
            verb: info.verb,
            resource: {
              group: info.apiGroup,
              version: info.apiVersion,
              resource: info.resource,
              subresource: info.subresource,
              namespace: info.namespace,
              name: info.name,
            },
          }
        : { user, verb: info.verb, path: info.path },
    );
    if (decision.allowed) return;
    const what = info.isResourceRequest
      ? `resource "${info.resource}" in API group "${info.apiGroup}"${info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope'}`
      : `path "${info.path}"`;
    throw errors.forbidden(
      `${info.resource || 'path'}${info.name ? ` "${info.name}"` : ''} is forbidden: User "${user.username}" cannot ${info.verb} ${what}${decision.reason ? `: ${decision.reason}` : ''}`,
      info.isResourceRequest
        ? { group: info.apiGroup, kind: info.resource, plural: info.resource, name: info.name }
        : undefined,
    );
  }

  private serveNonResource(req: IncomingMessage, res: ServerResponse, path: string, method: string): void {
    if (method !== 'GET' && method !== 'HEAD')
      throw errors.methodNotAllowed(`${method} is not allowed on ${path}`);
    const accept = req.headers.accept ?? '';
    switch (path) {
      case '/apis': {
        const aggregated = /as=APIGroupDiscoveryList/.test(accept)
          ? /v=v2beta1/.test(accept) && !/v=v2[;,]|v=v2$/.test(accept)
            ? 'v2beta1'
            : 'v2'
          : undefined;
        if (aggregated) {
          const text = JSON.stringify(apiGroupDiscoveryList(this.options.kinds, aggregated));
          res.writeHead(200, {
            'content-type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
            'content-length': Buffer.byteLength(text),
            vary: 'Accept',
          });
          res.end(text);
          return;
        }
        send(res, 200, apiGroupList());
        return;
      }
      case groupPath:
        send(res, 200, apiGroup());
        return;
      case '/version':
        send(res, 200, {
          major: '1',
          minor: '32',
          gitVersion: 'v0.1.0-kubeguard',
          platform: `${process.platform}/${process.arch}`,
        });
        return;
      case '/openapi/v2':
        send(res, 200, this.options.openapi.v2);
        return;
      case '/openapi/v3':
        send(res, 200, this.options.openapi.v3Index);
        return;
      case `/openapi/v3/apis/${GROUP}/${VERSION}`:
        send(res, 200, this.options.openapi.v3);
        return;
      default:
        throw errors.pathNotFound(path);
    }
  }

  private async serveResource(call: Call): Promise<void> {
    const { req, url, info, kind } = call;
    const ref = refOf(kind, info.name || undefined);
    try {
      const readOnly = ['get', 'list', 'watch'].includes(info.verb);
      if (kind.virtual && !readOnly) {
        throw errors.methodNotAllowed(
          `${kind.plural} are computed from other objects and cannot be written (operation "${info.verb}" is not supported)`,
        );
      }
      switch (info.verb) {
        case 'get':
          return this.get(call);
        case 'list':
          return this.list(call);
        case 'watch':
          return this.watch(call);
        case 'create':
          return await this.create(call);
        case 'update':
          return await this.update(call);
        case 'patch':
          return await this.patch(call);
        case 'delete':
          return await this.delete(call);
        case 'deletecollection':
          return await this.deleteCollection(call);
        default:
          throw errors.methodNotAllowed(`${req.method} is not supported on ${url.pathname}`);
      }
    } catch (err) {
      throw toStatusError(err, ref);
    }
  }

  private virtualContext(): VirtualReadContext {
    const store = this.options.store;
    return {
      listFull: (resource, namespace) =>
        store.list(resource, { namespace, fullSpec: true }).items.map(parseRecord),
      getFull: (resource, namespace, name) => {
        const record = store.get(resource, namespace, name);
        return record ? parseRecord(record) : undefined;
      },
      namespacesOf: (resource) => [...new Set(store.list(resource, {}).items.map((r) => r.namespace))].sort(),
      resourceVersion: () => store.currentResourceVersion(),
    };
  }

  private get(call: Call): void {
    const { req, res, url, info, kind } = call;
    const format = negotiate(req.headers.accept);
    let object: KubeObject | undefined;
    if (kind.virtual) {
      object = kind.virtual.get(this.virtualContext(), info.namespace, info.name);
    } else {
      const metadataOnly = url.searchParams.get('resourceVersion') === METADATA_ONLY;
      const record = this.options.store.get(kind.plural, info.namespace, info.name, { metadataOnly });
      if (record) {
        if (format !== 'table') {
          if (format === 'json') return send(res, 200, record.json);
          return send(res, 200, parseRecord(record), format);
        }
        object = parseRecord(record);
      }
    }
    if (!object) throw errors.notFound(refOf(kind, info.name));
    send(
      res,
      200,
      format === 'table'
        ? toTable(kind, [object], { resourceVersion: object.metadata.resourceVersion })
        : object,
      format,
    );
  }

  private selectors(url: URL) {
    return {
      labelSelector: url.searchParams.has('labelSelector')
        ? parseLabelSelector(url.searchParams.get('labelSelector')!)
        : undefined,
      fieldSelector: url.searchParams.has('fieldSelector')
        ? parseFieldSelector(url.searchParams.get('fieldSelector')!)
        : undefined,
    };
  }

  private list(call: Call): void | Promise<void> {
    const { req, res, url, info, kind } = call;
    const format = negotiate(req.headers.accept);
    const rv = url.searchParams.get('resourceVersion') ?? '';
    const fullSpec = rv === FULL_SPEC;
    if (fullSpec && !kind.fullSpecListAllowed) {
      throw errors.badRequest(
        `resourceVersion=fullSpec is not allowed for ${kind.plural}: get the objects one by one`,
      );
    }
    if (!fullSpec && rv !== '' && rv !== METADATA_ONLY) parseResourceVersion(rv);
    const limitText = url.searchParams.get('limit');
    const limit = limitText ? Number(limitText) : undefined;
    if (limitText && (!Number.isInteger(limit) || limit! < 0))
      throw errors.badRequest(`limit "${limitText}" must be a non-negative integer`);
    const { labelSelector, fieldSelector } = this.selectors(url);
    if (kind.virtual) {
      const items = kind.virtual.list(this.virtualContext(), info.namespace || undefined);
      const meta = { resourceVersion: String(this.options.store.currentResourceVersion()) };
      if (format === 'table') return send(res, 200, toTable(kind, items, meta));
      return send(res, 200, { kind: listKind(kind), apiVersion: API_VERSION, metadata: meta, items }, format);
    }
    const query = {
      namespace: info.namespace || undefined,
      labelSelector,
      fieldSelector,
      fullSpec: fullSpec || (format === 'table' && kind.columnsNeedSpec),
    };
    if (format === 'json' && !limit && !url.searchParams.has('continue')) {
      return this.streamList(res, kind, query);
    }
    const result = this.options.store.list(kind.plural, {
      ...query,
      limit,
      continueToken: url.searchParams.get('continue') ?? undefined,
    });
    const meta = {
      resourceVersion: String(result.resourceVersion),
      ...(result.continueToken ? { continue: result.continueToken } : {}),
      ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
    };
    if (format === 'table') return send(res, 200, toTable(kind, result.items.map(parseRecord), meta));
    if (format === 'yaml') {
      return send(
        res,
        200,
        {
          kind: listKind(kind),
          apiVersion: API_VERSION,
          metadata: meta,
          items: result.items.map(parseRecord),
        },
        format,
      );
    }
    // Items are already serialized: concatenate instead of parsing and re-serializing them.
    const head = JSON.stringify({ kind: listKind(kind), apiVersion: API_VERSION, metadata: meta }).slice(
      0,
      -1,
    );
    send(res, 200, `${head},"items":[${result.items.map((r) => r.json).join(',')}]}`);
  }

  /**
   * A whole list, written page by page as it is read, so that listing 100,000 objects never holds
   * them all in memory. Later pages see the store as of the first one (the store's continue
   * semantics), so the list is one consistent resourceVersion.
   */
  private async streamList(
    res: ServerResponse,
    kind: KindDefinition,
    query: {
      namespace?: string;
      labelSelector?: LabelRequirement[];
      fieldSelector?: FieldRequirement[];
      fullSpec: boolean;
    },
  ): Promise<void> {
    const pageSize = query.fullSpec ? 200 : 2000;
    let page = this.options.store.list(kind.plural, { ...query, limit: pageSize });
    res.writeHead(200, { 'content-type': JSON_TYPE });
    res.write(
      `${JSON.stringify({ kind: listKind(kind), apiVersion: API_VERSION, metadata: { resourceVersion: String(page.resourceVersion) } }).slice(0, -1)},"items":[`,
    );
    let first = true;
    for (;;) {
      if (page.items.length > 0) {
        const ok = res.write(`${first ? '' : ','}${page.items.map((r) => r.json).join(',')}`);
        first = false;
        if (!ok) await new Promise((resolve) => res.once('drain', resolve));
      }
      if (!page.continueToken || res.destroyed) break;
      page = this.options.store.list(kind.plural, {
        ...query,
        limit: pageSize,
        continueToken: page.continueToken,
      });
    }
    res.end(']}');
  }

  private watch(call: Call): void {
    const { req, res, url, info, kind } = call;
    const format = negotiate(req.headers.accept);
    const rvText = url.searchParams.get('resourceVersion') ?? '';
    // Table rows of some kinds count things in the spec: their watch needs full objects too.
    const fullSpec = rvText === FULL_SPEC || (format === 'table' && kind.columnsNeedSpec);
    const since =
      rvText === '' || rvText === '0' || fullSpec || rvText === METADATA_ONLY
        ? undefined
        : parseResourceVersion(rvText);
    const { labelSelector, fieldSelector } = this.selectors(url);
    const bookmarks = url.searchParams.get('allowWatchBookmarks') === 'true';
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    res.writeHead(200, {
      'content-type': JSON_TYPE,
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    let first = true;
    const write = (type: string, object: unknown) => {
      if (res.writableLength > maxWatchBuffer) {
        // A client that does not read is dropped; it will re-watch from its last resourceVersion.
        stop();
        return;
      }
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const emit = (type: string, object: KubeObject) => {
      if (format === 'table') {
        write(
          type,
          toTable(
            kind,
            [object],
            { resourceVersion: object.metadata.resourceVersion },
            { includeColumns: first },
          ),
        );
        first = false;
      } else {
        write(type, object);
      }
    };
    let unsubscribe: () => void = () => {};
    const timers: NodeJS.Timeout[] = [];
    const stop = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      this.watches.delete(stop);
      if (!res.writableEnded) res.end();
    };
    this.watches.add(stop);
    res.on('close', stop);
    res.on('error', stop);
    if (timeoutSeconds > 0) timers.push(setTimeout(stop, timeoutSeconds * 1000));
    if (kind.virtual) return; // like Kubescape: virtual kinds never change on their own
    const store = this.options.store;
    try {
      if (since === undefined) {
        // No resourceVersion: synthetic ADDED events for what exists, then changes.
        const existing = store.list(kind.plural, {
          namespace: info.namespace || undefined,
          labelSelector,
          fieldSelector,
          fullSpec,
        });
        for (const record of existing.items) emit('ADDED', parseRecord(record));
        unsubscribe = store.watch(
          kind.plural,
          {
            namespace: info.namespace || undefined,
            labelSelector,
            fieldSelector,
            sinceResourceVersion: existing.resourceVersion,
            fullSpec,
          },
          (event: WatchEvent) => emit(event.type, parseRecord(event.record)),
        );
      } else {
        unsubscribe = store.watch(
          kind.plural,
          {
            namespace: info.namespace || undefined,
            labelSelector,
            fieldSelector,
            sinceResourceVersion: since,
            fullSpec,
          },
          (event: WatchEvent) => emit(event.type, parseRecord(event.record)),
        );
      }
    } catch (err) {
      const status = toStatusError(err, refOf(kind));
      write(
        'ERROR',
        status.code === 410
          ? {
              ...status.toStatus(),
              message: `too old resource version: ${rvText} (${store.currentResourceVersion()})`,
            }
          : status.toStatus(),
      );
      stop();
      return;
    }
    if (bookmarks) {
      const interval = setInterval(() => {
        write('BOOKMARK', {
          kind: kind.kind,
          apiVersion: API_VERSION,
          metadata: { resourceVersion: String(store.currentResourceVersion()) },
        });
      }, this.options.bookmarkIntervalMs ?? 30_000);
      timers.push(interval);
    }
  }

  private async readObject(req: IncomingMessage, kind: KindDefinition): Promise<unknown> {
    const text = await readBody(req, kind.maxBytes, `a ${kind.kind}`);
    return parseBody(text, req.headers['content-type']);
  }

  private async create(call: Call): Promise<void> {
    const { req, res, url, info, kind } = call;
    if (info.name !== '') throw errors.methodNotAllowed('POST goes to the collection, not to an object');
    const object = prepareCreate(
      checkTypeAndNamespace(await this.readObject(req, kind), kind, info.namespace),
      kind,
    );
    const format = negotiate(req.headers.accept);
    if (isDryRun(url)) {
      if (
        this.options.store.get(kind.plural, info.namespace, object.metadata.name!, { metadataOnly: true })
      ) {
        throw errors.alreadyExists(refOf(kind, object.metadata.name));
      }
      return sendObject(res, 201, object, format);
    }
    const record = this.options.store.create(kind.plural, object);
    sendRecord(res, 201, record, format);
  }

  private existing(kind: KindDefinition, info: RequestInfo): KubeObject {
    const record = this.options.store.get(kind.plural, info.namespace, info.name);
    if (!record) throw errors.notFound(refOf(kind, info.name));
    return parseRecord(record);
  }

  private save(
    res: ServerResponse,
    url: URL,
    kind: KindDefinition,
    object: KubeObject,
    expected: number | undefined,
    format: Negotiated,
  ): void {
    if (isDryRun(url)) return sendObject(res, 200, object, format);
    const { record } = this.options.store.update(kind.plural, object, { expectedResourceVersion: expected });
    sendRecord(res, 200, record, format);
  }

  private async update(call: Call): Promise<void> {
    const { req, res, url, info, kind } = call;
    if (info.name === '') throw errors.methodNotAllowed('PUT goes to an object, not to the collection');
    const body = checkTypeAndNamespace(await this.readObject(req, kind), kind, info.namespace);
    const old = this.existing(kind, info);
    const { object, expected } = prepareUpdate(body, old, kind);
    this.save(res, url, kind, object, expected, negotiate(req.headers.accept));
  }

  private async patch(call: Call): Promise<void> {
    const { req, res, url, info, kind } = call;
    if (info.name === '') throw errors.methodNotAllowed('PATCH goes to an object, not to the collection');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const text = await readBody(req, kind.maxBytes, `a patch of ${kind.kind}`);
    const old = this.existing(kind, info);
    const patched = checkTypeAndNamespace(applyPatch(old, contentType, text), kind, info.namespace);
    // The patched object keeps the resourceVersion it was read at (unless the patch changed it), so
    // the write is conditional on nobody having written in between.
    const { object, expected } = prepareUpdate(patched, old, kind);
    this.save(res, url, kind, object, expected, negotiate(req.headers.accept));
  }

  private async deleteOptions(
    req: IncomingMessage,
  ): Promise<{ preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] }> {
    const text = await readBody(req, 1024 * 1024, 'DeleteOptions');
    if (text.trim() === '') return {};
    const body = parseBody(text, req.headers['content-type']);
    return (body && typeof body === 'object' ? body : {}) as {
      preconditions?: { uid?: string; resourceVersion?: string };
      dryRun?: string[];
    };
  }

  private async delete(call: Call): Promise<void> {
    const { req, res, url, info, kind } = call;
    const options = await this.deleteOptions(req);
    const old = this.existing(kind, info);
    const pre = options.preconditions ?? {};
    if (pre.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(
        refOf(kind, info.name),
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    const expected = parseResourceVersion(pre.resourceVersion, 'preconditions.resourceVersion');
    const format = negotiate(req.headers.accept);
    if (isDryRun(url) || options.dryRun?.includes('All')) return sendObject(res, 200, old, format);
    const record = this.options.store.delete(kind.plural, info.namespace, info.name, {
      expectedResourceVersion: expected,
    });
    sendRecord(res, 200, record, format);
  }

  private async deleteCollection(call: Call): Promise<void> {
    const { req, res, url, info, kind } = call;
    await this.deleteOptions(req);
    const { labelSelector, fieldSelector } = this.selectors(url);
    const victims = this.options.store.list(kind.plural, {
      namespace: info.namespace || undefined,
      labelSelector,
      fieldSelector,
    }).items;
    const dryRun = isDryRun(url);
    const deleted: string[] = [];
    for (const record of victims) {
      if (!dryRun) this.options.store.delete(kind.plural, record.namespace, record.name);
      deleted.push(record.json);
    }
    send(
      res,
      200,
      `{"kind":"${listKind(kind)}","apiVersion":"${API_VERSION}","metadata":{"resourceVersion":"${this.options.store.currentResourceVersion()}"},"items":[${deleted.join(',')}]}`,
    );
  }
}

export function isTlsSocket(socket: unknown): socket is TLSSocket {
  return typeof (socket as TLSSocket).getPeerCertificate === 'function';
}

export type { Table };
