/**
 * `db update`: fetch each configured source (an OSV `all.zip` or a Kubeguard bundle) with a
 * conditional request, check its sha256 when one is given, and rebuild the database from all of
 * them beside the old one. Downloads are kept in a cache folder beside the database
 * (`<db>.sources/`), so a source that answers 304 Not Modified is rebuilt from its cached copy, and
 * an update where nothing changed does not rebuild at all. Any failure (network, HTTP status,
 * truncated body, checksum mismatch, unreadable archive) aborts the update before the database is
 * touched; a kill at any point leaves at most temporary files, removed by the next update.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { EnvHttpProxyAgent, interceptors, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { ErrorCode, Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf, silentLogger } from '../../common/index.ts';
import { sha256File } from './bundle.ts';
import type { ImportLimits, ImportStats } from './importer.ts';
import { buildLocked, lockDatabase } from './install.ts';
import { openAdvisoryDb } from './store.ts';
import type { DbInfo, FetchedSource } from './store.ts';

export interface SourceSpec {
  /** Name shown by `db status` and used for the cached download: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** http(s) URL, file: URL or local path of an OSV all.zip, OSV JSON, or a bundle. */
  url: string;
  /** Expected sha256 (hex) of the file. */
  sha256?: string;
}

const OSV_BUCKET = 'https://osv-vulnerabilities.storage.googleapis.com';

/** The OSV ecosystems `db update` fetches when no source is configured. */
export const defaultSources: readonly SourceSpec[] = [
  ['debian', 'Debian'],
  ['ubuntu', 'Ubuntu'],
  ['alpine', 'Alpine'],
  ['redhat', 'Red Hat'],
  ['rocky', 'Rocky Linux'],
  ['alma', 'AlmaLinux'],
  ['npm', 'npm'],
  ['pypi', 'PyPI'],
  ['go', 'Go'],
  ['maven', 'Maven'],
  ['crates.io', 'crates.io'],
  ['rubygems', 'RubyGems'],
  ['nuget', 'NuGet'],
  ['packagist', 'Packagist'],
  ['hex', 'Hex'],
  ['pub', 'Pub'],
].map(([name, ecosystem]) => ({
  name: name as string,
  url: `${OSV_BUCKET}/${encodeURIComponent(ecosystem as string)}/all.zip`,
}));

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkSource(s: SourceSpec, where: string): SourceSpec {
  if (!NAME.test(s.name))
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `${where}: source name "${s.name}" must be letters, digits, ".", "_" or "-"`,
    );
  if (!s.url) throw new KubeguardError(ErrorCodes.invalidInput, `${where}: source "${s.name}" has no URL`);
  if (s.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(s.sha256))
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `${where}: sha256 of source "${s.name}" is not 64 hex digits`,
    );
  return s.sha256 ? { ...s, sha256: s.sha256.toLowerCase() } : s;
}

/** Parses `name=url` with an optional `#sha256=<hex>` suffix (the `--source` flag). */
export function parseSourceSpec(spec: string): SourceSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0)
    throw new KubeguardError(ErrorCodes.invalidInput, `source "${spec}": expected NAME=URL[#sha256=HEX]`);
  const name = spec.slice(0, eq);
  let url = spec.slice(eq + 1);
  let sha256: string | undefined;
  const hash = url.lastIndexOf('#sha256=');
  if (hash >= 0) {
    sha256 = url.slice(hash + '#sha256='.length);
    url = url.slice(0, hash);
  }
  return checkSource({ name, url, ...(sha256 ? { sha256 } : {}) }, '--source');
}

/** Reads a sources file: `{"sources": [{"name", "url", "sha256"?}]}` (a bare list works too). */
export function loadSourcesConfig(file: string): SourceSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `cannot read sources config ${file}: ${messageOf(err)}`,
    );
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(list) || list.length === 0)
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `${file}: expected {"sources": [{"name": ..., "url": ...}]}`,
    );
  const out = list.map((s, i) => {
    const o = (s ?? {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || typeof o.url !== 'string')
      throw new KubeguardError(ErrorCodes.invalidInput, `${file}: sources[${i}] needs a "name" and a "url"`);
    return checkSource(
      { name: o.name, url: o.url, ...(typeof o.sha256 === 'string' ? { sha256: o.sha256 } : {}) },
      file,
    );
  });
  const names = new Set<string>();
  for (const s of out) {
    if (names.has(s.name))
      throw new KubeguardError(ErrorCodes.invalidInput, `${file}: source "${s.name}" is listed twice`);
    names.add(s.name);
  }
  return out;
}

export interface UpdateOptions {
  /** Database file. */
  db: string;
  sources: readonly SourceSpec[];
  logger?: Logger;
  /** Rebuild even when no source changed. */
  force?: boolean;
  /** Timeout for response headers and between body chunks (default 60 s). */
  timeoutMs?: number;
  /** Largest download accepted per source (default 4 GiB). */
  maxDownloadBytes?: number;
  limits?: Partial<ImportLimits>;
  /** Cache folder for downloads (default `<db>.sources` beside the database). */
  cacheDir?: string;
}

export interface SourceFetch {
  name: string;
  url: string;
  status: 'downloaded' | 'not-modified' | 'local';
  bytes: number;
  sha256: string;
  file: string;
}

export interface UpdateResult {
  /** False when every source was unchanged and the database was kept. */
  rebuilt: boolean;
  sources: SourceFetch[];
  info: DbInfo;
  imports: ImportStats[];
}

interface CacheState {
  url: string;
  etag?: string;
  lastModified?: string;
  sha256: string;
  bytes: number;
  fetched: string;
}

function readState(file: string): CacheState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as CacheState;
  } catch {
    return undefined;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function fetchSource(
  source: SourceSpec,
  cacheDir: string,
  dispatcher: Dispatcher,
  maxBytes: number,
  logger: Logger,
): Promise<SourceFetch> {
  const fail = (message: string, cause?: unknown, code: ErrorCode = ErrorCodes.remote) =>
    new KubeguardError(code, `source "${source.name}" (${source.url}): ${message}`, {
      cause,
      hint: 'the installed database was not changed; check the source, or import a file with `kubeguard db import`',
    });
  const checkSha = (sha: string) => {
    if (source.sha256 && sha !== source.sha256)
      throw fail(
        `sha256 ${sha} does not match the expected ${source.sha256}`,
        undefined,
        ErrorCodes.integrity,
      );
  };

  if (!/^https?:\/\//i.test(source.url)) {
    const file = source.url.startsWith('file:') ? fileURLToPath(source.url) : path.resolve(source.url);
    if (!fs.existsSync(file)) throw fail('no such file', undefined, ErrorCodes.notFound);
    const sha256 = sha256File(file);
    checkSha(sha256);
    return {
      name: source.name,
      url: source.url,
      status: 'local',
      bytes: fs.statSync(file).size,
      sha256,
      file,
    };
  }

  const dataFile = path.join(cacheDir, `${source.name}.data`);
  const stateFile = path.join(cacheDir, `${source.name}.state.json`);
  const state = fs.existsSync(dataFile) ? readState(stateFile) : undefined;
  // A cached copy is only reused for the same URL and, when a checksum is expected, the same checksum.
  const usable =
    state && state.url === source.url && (!source.sha256 || state.sha256 === source.sha256)
      ? state
      : undefined;
  const headers: Record<string, string> = { 'user-agent': 'kubeguard-db-update/0.1', accept: '*/*' };
  if (usable?.etag) headers['if-none-match'] = usable.etag;
  if (usable?.lastModified) headers['if-modified-since'] = usable.lastModified;

  let res: Dispatcher.ResponseData;
  try {
    res = await request(source.url, { method: 'GET', headers, dispatcher });
  } catch (err) {
    throw fail(messageOf(err), err);
  }
  if (res.statusCode === 304 && usable) {
    await res.body.dump();
    logger.info(`source ${source.name}: not modified`);
    return {
      name: source.name,
      url: source.url,
      status: 'not-modified',
      bytes: usable.bytes,
      sha256: usable.sha256,
      file: dataFile,
    };
  }
  if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    throw fail(`HTTP ${res.statusCode}`);
  }
  const declared = Number(header(res.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw fail(`${declared} bytes exceed the download limit of ${maxBytes}`, undefined, ErrorCodes.tooLarge);
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const partial = path.join(cacheDir, `${source.name}.partial-${process.pid}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(fail(`download exceeds the limit of ${maxBytes} bytes`, undefined, ErrorCodes.tooLarge));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res.body, meter, fs.createWriteStream(partial));
    if (Number.isFinite(declared) && bytes !== declared)
      throw fail(`body ended after ${bytes} of ${declared} bytes`);
    const sha256 = hash.digest('hex');
    checkSha(sha256);
    fs.renameSync(partial, dataFile);
    const next: CacheState = { url: source.url, sha256, bytes, fetched: new Date().toISOString() };
    const etag = header(res.headers, 'etag');
    const lastModified = header(res.headers, 'last-modified');
    if (etag) next.etag = etag;
    if (lastModified) next.lastModified = lastModified;
    fs.writeFileSync(stateFile, `${JSON.stringify(next, null, 2)}\n`);
    logger.info(`source ${source.name}: downloaded`, { bytes, sha256 });
    return { name: source.name, url: source.url, status: 'downloaded', bytes, sha256, file: dataFile };
  } catch (err) {
    fs.rmSync(partial, { force: true });
    if (err instanceof KubeguardError) throw err;
    throw fail(`download failed: ${messageOf(err)}`, err);
  }
}

function sameFetch(previous: FetchedSource[] | undefined, now: SourceFetch[]): boolean {
  if (!previous || previous.length !== now.length) return false;
  return now.every((n) =>
    previous.some((p) => p.name === n.name && p.url === n.url && p.sha256 === n.sha256),
  );
}

/** Fetches the sources and rebuilds the database when any of them changed (see the file header). */
export async function updateDatabase(options: UpdateOptions): Promise<UpdateResult> {
  const logger = options.logger ?? silentLogger;
  if (options.sources.length === 0)
    throw new KubeguardError(ErrorCodes.invalidInput, 'no sources to update from');
  const names = new Set(options.sources.map((s) => s.name));
  if (names.size !== options.sources.length)
    throw new KubeguardError(ErrorCodes.invalidInput, 'two sources have the same name');
  const dbPath = path.resolve(options.db);
  const cacheDir = options.cacheDir ?? `${dbPath}.sources`;
  const timeout = options.timeoutMs ?? 60_000;
  // HTTP(S)_PROXY and NO_PROXY are honoured: mirrors behind corporate proxies are the common case.
  const agent = new EnvHttpProxyAgent({
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 30_000),
  });
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 5 }));
  const release = lockDatabase(dbPath, logger);
  try {
    if (fs.existsSync(cacheDir)) {
      for (const f of fs.readdirSync(cacheDir))
        if (f.includes('.partial-')) fs.rmSync(path.join(cacheDir, f), { force: true });
    }
    const fetched: SourceFetch[] = [];
    for (const source of options.sources.map((s) => checkSource(s, 'sources'))) {
      fetched.push(
        await fetchSource(source, cacheDir, dispatcher, options.maxDownloadBytes ?? 4 * 1024 ** 3, logger),
      );
    }
    const current = currentInfo(dbPath);
    if (!options.force && current && sameFetch(current.updateSources, fetched)) {
      logger.info('every source is unchanged; the database is up to date');
      return { rebuilt: false, sources: fetched, info: current, imports: [] };
    }
    const { info, imports } = await buildLocked({
      output: dbPath,
      inputs: fetched.map((f) => ({ path: f.file, name: f.name, url: f.url, sha256: f.sha256 })),
      logger,
      requireRecords: true,
      stamp: { update_sources: fetched.map(({ name, url, sha256 }) => ({ name, url, sha256 })) },
      ...(options.limits ? { limits: options.limits } : {}),
    });
    return { rebuilt: true, sources: fetched, info: currentInfo(dbPath) ?? info, imports };
  } finally {
    release();
    await agent.close();
  }
}

function currentInfo(dbPath: string): DbInfo | undefined {
  if (!fs.existsSync(dbPath)) return undefined;
  try {
    const db = openAdvisoryDb(dbPath);
    try {
      return db.info();
    } finally {
      db.close();
    }
  } catch {
    // Another schema or a damaged file: rebuild.
    return undefined;
  }
}
