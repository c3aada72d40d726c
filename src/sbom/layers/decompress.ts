import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';

export type Compression = 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'lz4' | 'none';

/** A layer whose compression we cannot decode; the scan records it as an issue. */
export class UnsupportedCompressionError extends Error {
  constructor(readonly compression: Compression) {
    super(
      compression === 'zstd'
        ? 'the layer is zstd-compressed: zstd not supported yet (Node 20 has no zstd decoder)'
        : `the layer is ${compression}-compressed, which container layers do not use and Kubeguard cannot read`,
    );
    this.name = 'UnsupportedCompressionError';
  }
}

/** Compression by magic bytes: media types lie (or say nothing, in docker save archives). */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4) {
    const magic = head.readUInt32LE(0);
    // zstd frame, or a skippable frame (0x184D2A50..5F) that zstd writers may put first.
    if (magic === 0xfd2fb528 || (magic & 0xfffffff0) === 0x184d2a50) return 'zstd';
    if (magic === 0x184d2204) return 'lz4';
  }
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])))
    return 'xz';
  return 'none';
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.();
  }
}

/**
 * The uncompressed bytes of a layer blob, whatever its compression (gzip or none; zstd and the
 * others fail with UnsupportedCompressionError). `onCompression` learns what was detected before
 * the first byte is yielded. Breaking out of the iteration destroys the source.
 */
export async function* decompress(
  source: AsyncIterable<Buffer>,
  onCompression?: (c: Compression) => void,
): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let length = 0;
  let ended = false;
  try {
    while (length < 6) {
      const next = await it.next();
      if (next.done) {
        ended = true;
        break;
      }
      parts.push(next.value);
      length += next.value.length;
    }
  } catch (err) {
    await it.return?.();
    throw err;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const compression = detectCompression(head);
  onCompression?.(compression);
  if (compression === 'none') {
    if (ended) {
      if (head.length > 0) yield head;
      return;
    }
    yield* prepend(head, it);
    return;
  }
  if (compression !== 'gzip') {
    await it.return?.();
    throw new UnsupportedCompressionError(compression);
  }
  // zlib runs on the libuv thread pool, so inflating overlaps with parsing on the main thread;
  // a 1 MiB output buffer lets it run ahead of the parser.
  // (ZlibOptions does not declare the Transform options zlib streams pass on.)
  const gunzip = zlib.createGunzip({
    chunkSize: 64 * 1024,
    readableHighWaterMark: 1024 * 1024,
  } as zlib.ZlibOptions);
  const input = Readable.from(ended ? prepend(head, (async function* () {})()) : prepend(head, it), {
    objectMode: false,
    highWaterMark: 64 * 1024,
  });
  // Errors of either stream surface through the gunzip iterator below (pipeline destroys both).
  pipeline(input, gunzip, () => {});
  for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
}
