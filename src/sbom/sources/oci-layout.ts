import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { Descriptor, ImageIndex, Platform } from '../image/index.ts';
import { parseReference, sha256Digest } from '../image/index.ts';
import { MAX_JSON_BLOB, manifestLayers, parseJson, resolveImage, verifying } from './oci-image.ts';
import type { FetchedJson } from './oci-image.ts';
import { TarArchive } from './tar-archive.ts';
import type { ImageSource } from './types.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

/** Blobs of an OCI layout, wherever it lives (a directory or a tar). */
interface LayoutStore {
  where: string;
  readFile(name: string, maxBytes: number): Promise<Buffer>;
  stream(name: string): Readable;
  close(): Promise<void>;
}

function blobName(digest: string): string {
  // Strict: a digest from a hostile index.json must not turn into "../../etc/passwd".
  const m = /^(sha256|sha512):([a-f0-9]{64}|[a-f0-9]{128})$/.exec(digest);
  if (!m) throw new KubeguardError(ErrorCodes.invalidInput, `invalid digest "${digest}" in the OCI layout`);
  return `blobs/${m[1]}/${m[2]}`;
}

function directoryStore(dir: string): LayoutStore {
  return {
    where: dir,
    async readFile(name, maxBytes) {
      const file = path.join(dir, name);
      const stat = await fs.promises.stat(file).catch(() => undefined);
      if (!stat?.isFile())
        throw new KubeguardError(ErrorCodes.notFound, `the OCI layout ${dir} has no ${name}`);
      if (stat.size > maxBytes) {
        throw new KubeguardError(
          ErrorCodes.tooLarge,
          `${path.join(dir, name)} is ${stat.size} bytes, more than ${maxBytes}`,
        );
      }
      return fs.promises.readFile(file);
    },
    stream(name) {
      return fs.createReadStream(path.join(dir, name), { highWaterMark: 256 * 1024 });
    },
    close: async () => {},
  };
}

function archiveStore(archive: TarArchive, file: string): LayoutStore {
  return {
    where: file,
    readFile: (name, maxBytes) => {
      if (!archive.member(name))
        throw new KubeguardError(ErrorCodes.notFound, `the OCI archive ${file} has no ${name}`);
      return archive.read(name, maxBytes);
    },
    stream: (name) => archive.stream(name),
    close: () => archive.close(),
  };
}

function refNameMatches(d: Descriptor, wanted: string): boolean {
  const name = d.annotations?.[REF_NAME];
  const full = d.annotations?.[CONTAINERD_NAME];
  return (
    name === wanted ||
    full === wanted ||
    (name?.endsWith(`:${wanted}`) ?? false) ||
    (full?.endsWith(`:${wanted}`) ?? false)
  );
}

async function readVerified(store: LayoutStore, d: Descriptor): Promise<Buffer> {
  const bytes = await store.readFile(blobName(d.digest), MAX_JSON_BLOB);
  if (d.digest.startsWith('sha256:') && sha256Digest(bytes) !== d.digest) {
    throw new KubeguardError(ErrorCodes.integrity, `${store.where}: blob ${d.digest} is corrupt`);
  }
  return bytes;
}

async function openLayout(
  store: LayoutStore,
  userInput: string,
  ref: string | undefined,
  options: { platform?: Platform },
): Promise<ImageSource> {
  const indexBytes = await store.readFile('index.json', MAX_JSON_BLOB);
  const index = parseJson<ImageIndex>(indexBytes, `${store.where}/index.json`);
  const entries = Array.isArray(index.manifests) ? index.manifests : [];
  let root: FetchedJson;
  if (ref) {
    const match = entries.find((d) => refNameMatches(d, ref));
    if (!match) {
      const names = entries.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
      throw new KubeguardError(
        ErrorCodes.notFound,
        `${store.where} has no image named "${ref}"; it has: ${names.length > 0 ? names.join(', ') : 'no named images'}`,
      );
    }
    root = { bytes: await readVerified(store, match), digest: match.digest, mediaType: match.mediaType };
  } else if (entries.length === 1) {
    const only = entries[0]!;
    root = { bytes: await readVerified(store, only), digest: only.digest, mediaType: only.mediaType };
  } else if (entries.length > 1 && entries.every((d) => !d.annotations?.[REF_NAME])) {
    // Unnamed per-platform manifests: index.json itself is the platform index.
    root = { bytes: indexBytes, digest: sha256Digest(indexBytes), mediaType: index.mediaType ?? '' };
  } else {
    const names = entries.map((d) => d.annotations?.[REF_NAME] ?? d.digest);
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      entries.length === 0
        ? `${store.where} holds no image`
        : `${store.where} holds ${entries.length} images; name one with ${userInput.split(':')[0]}:PATH:NAME (${names.join(', ')})`,
    );
  }
  const subject = `${store.where}${ref ? `:${ref}` : ''}`;
  const resolved = await resolveImage(
    {
      subject,
      manifest: async (d) => ({
        bytes: await readVerified(store, d),
        digest: d.digest,
        mediaType: d.mediaType,
      }),
      blob: (d) => readVerified(store, d),
    },
    root,
    options.platform,
  );
  const layers = manifestLayers(resolved.manifest, resolved.config, async (d) =>
    verifying(store.stream(blobName(d.digest)), d.digest, d.size, `${store.where}: layer ${d.digest}`),
  );
  // A ref name may be a full reference ("docker.io/library/x:1") or just a tag ("1").
  let name = store.where;
  let version = ref;
  const refName = ref ? entries.find((d) => refNameMatches(d, ref))?.annotations?.[REF_NAME] : undefined;
  if (refName?.includes('/') || refName?.includes(':')) {
    try {
      const parsed = parseReference(refName);
      name = `${parsed.registry}/${parsed.repository}`;
      version = parsed.tag ?? version;
    } catch {
      // Not a reference: keep the layout path as the name.
    }
  }
  return {
    description: { type: 'image', name, ...(version ? { version } : {}), digest: resolved.manifestDigest },
    metadata: {
      userInput,
      imageID: resolved.configDigest,
      manifestDigest: resolved.manifestDigest,
      mediaType: resolved.mediaType,
      tags: version ? [`${name}:${version}`] : [],
      repoDigests: [],
      ...(resolved.platform ? { platform: resolved.platform } : {}),
      size: layers.reduce((n, l) => n + (l.size ?? 0), 0),
      manifest: resolved.manifestBytes,
      config: resolved.configBytes,
    },
    config: resolved.config,
    layers,
    close: () => store.close(),
  };
}

export async function openOciDirSource(
  userInput: string,
  dir: string,
  ref: string | undefined,
  options: { platform?: Platform },
): Promise<ImageSource> {
  if (!fs.existsSync(path.join(dir, 'index.json'))) {
    throw new KubeguardError(ErrorCodes.notFound, `${dir} is not an OCI layout (no index.json)`);
  }
  return openLayout(directoryStore(dir), userInput, ref, options);
}

export async function openOciArchiveSource(
  userInput: string,
  file: string,
  ref: string | undefined,
  options: { platform?: Platform; tempDir?: string; maxBytes?: number; signal?: AbortSignal },
): Promise<ImageSource> {
  const archive = await TarArchive.open(file, options);
  try {
    return await openLayout(archiveStore(archive, file), userInput, ref, options);
  } catch (err) {
    await archive.close();
    throw err;
  }
}
