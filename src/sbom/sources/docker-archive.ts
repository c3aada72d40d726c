import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { Platform } from '../image/index.ts';
import { formatReference, parseReference, sha256Digest } from '../image/index.ts';
import {
  MAX_JSON_BLOB,
  checkPlatform,
  parseJson,
  summarizeConfig,
  uncompressedTar,
  verifying,
} from './oci-image.ts';
import { TarArchive } from './tar-archive.ts';
import type { ImageSource, LayerSource } from './types.ts';

/** One image of a `docker save` archive's manifest.json. */
interface DockerArchiveImage {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
  LayerSources?: Record<string, { mediaType?: string; size?: number; digest?: string }>;
}

function normalizedTag(tag: string): string | undefined {
  try {
    return formatReference(parseReference(tag));
  } catch {
    return undefined;
  }
}

/** Picks an image by "name:tag" (as docker and skopeo normalize it) or "@N" (position). */
function selectImage(
  images: DockerArchiveImage[],
  ref: string | undefined,
  file: string,
): DockerArchiveImage {
  if (ref?.startsWith('@')) {
    const image = images[Number(ref.slice(1))];
    if (!/^@\d+$/.test(ref) || !image) {
      throw new KubeguardError(ErrorCodes.notFound, `${file} has no image ${ref} (it has ${images.length})`);
    }
    return image;
  }
  if (ref) {
    const wanted = normalizedTag(ref) ?? ref;
    const image = images.find((i) =>
      (i.RepoTags ?? []).some((t) => t === ref || normalizedTag(t) === wanted),
    );
    if (!image) {
      const tags = images.flatMap((i) => i.RepoTags ?? []);
      throw new KubeguardError(
        ErrorCodes.notFound,
        `${file} has no image tagged "${ref}"; it has: ${tags.length > 0 ? tags.join(', ') : 'untagged images only'}`,
      );
    }
    return image;
  }
  if (images.length !== 1) {
    const tags = images.map((i, n) => i.RepoTags?.[0] ?? `@${n}`);
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `${file} holds ${images.length} images; name one with docker-archive:${file}:NAME:TAG or :@N (${tags.join(', ')})`,
    );
  }
  return images[0]!;
}

/**
 * A `docker save` archive (also skopeo's docker-archive: and `docker save | gzip`): manifest.json
 * names the config and the layer tars (plain or compressed) of each image.
 */
export async function openDockerArchiveSource(
  userInput: string,
  file: string,
  ref: string | undefined,
  options: { platform?: Platform; tempDir?: string; maxBytes?: number; signal?: AbortSignal },
): Promise<ImageSource> {
  const archive = await TarArchive.open(file, options);
  try {
    if (!archive.member('manifest.json')) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `${file} is not a docker save archive (no manifest.json)`,
        { hint: archive.member('index.json') ? `it is an OCI archive: use oci-archive:${file}` : undefined },
      );
    }
    const images = parseJson<DockerArchiveImage[]>(
      await archive.read('manifest.json', MAX_JSON_BLOB),
      `${file}: manifest.json`,
    );
    if (!Array.isArray(images) || images.length === 0) {
      throw new KubeguardError(ErrorCodes.invalidInput, `${file}: manifest.json lists no image`);
    }
    const image = selectImage(images, ref, file);
    const configBytes = await archive.read(image.Config, MAX_JSON_BLOB);
    const config = summarizeConfig(configBytes, `${file}: ${image.Config}`);
    checkPlatform(config, options.platform, file);
    const imageID = sha256Digest(configBytes);
    const layers: LayerSource[] = (image.Layers ?? []).map((layerPath, index) => {
      const member = archive.member(layerPath);
      if (!member || member.type !== 'file') {
        throw new KubeguardError(
          ErrorCodes.invalidInput,
          `${file}: layer ${layerPath} is missing from the archive`,
        );
      }
      const diffID = image.Layers.length === config.diffIDs.length ? config.diffIDs[index] : undefined;
      // Newer docker saves an OCI layout inside: layers are content-addressed blobs we can verify.
      const blob = /^blobs\/(sha256)\/([a-f0-9]{64})$/.exec(member.name);
      const digest = blob ? `${blob[1]}:${blob[2]}` : undefined;
      const mediaType = diffID ? image.LayerSources?.[diffID]?.mediaType : undefined;
      const open = async () =>
        verifying(archive.stream(layerPath), digest, member.size, `${file}: layer ${layerPath}`);
      return {
        index,
        ...(diffID ? { diffID } : {}),
        ...(digest ? { digest } : {}),
        size: member.size,
        ...(mediaType ? { mediaType } : {}),
        openBlob: open,
        openTar: async () => uncompressedTar(await open()),
      };
    });
    const tag = image.RepoTags?.[0];
    let name = file;
    let version: string | undefined;
    if (tag) {
      try {
        const parsed = parseReference(tag);
        name = `${parsed.registry}/${parsed.repository}`;
        version = parsed.tag;
      } catch {
        name = tag;
      }
    }
    return {
      description: { type: 'image', name, ...(version ? { version } : {}), digest: imageID },
      metadata: {
        userInput,
        imageID,
        tags: (image.RepoTags ?? []).map((t) => normalizedTag(t) ?? t),
        repoDigests: [],
        ...(config.os && config.architecture
          ? {
              platform: {
                os: config.os,
                architecture: config.architecture,
                ...(config.variant ? { variant: config.variant } : {}),
              },
            }
          : {}),
        size: layers.reduce((n, l) => n + (l.size ?? 0), 0),
        config: configBytes,
      },
      config,
      layers,
      close: () => archive.close(),
    };
  } catch (err) {
    await archive.close();
    throw err;
  }
}
