/**
 * Test fixtures: tar archives written header by header (so tests can make hostile ones: "..",
 * absolute names, bad checksums, truncation) and OCI layouts holding them as layers.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export interface TarSpec {
  name: string;
  /** '0' file (default), '1' hardlink, '2' symlink, '5' directory, or any other flag. */
  type?: string;
  data?: string | Buffer;
  linkname?: string;
  mode?: number;
  /** pax records written in an 'x' header before the entry (e.g. a long path). */
  pax?: Record<string, string>;
  /** Write the name in a GNU 'L' header. */
  gnuLongName?: boolean;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

export function tarHeader(spec: {
  name: string;
  type: string;
  size: number;
  linkname?: string;
  mode?: number;
  corruptChecksum?: boolean;
}): Buffer {
  const h = Buffer.alloc(512);
  h.write(spec.name.slice(0, 100), 0, 'utf8');
  h.write(octal(spec.mode ?? (spec.type === '5' ? 0o755 : 0o644), 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(spec.size, 12), 124, 'latin1');
  h.write(octal(1704067200, 12), 136, 'latin1');
  h.write(spec.type, 156, 'latin1');
  if (spec.linkname) h.write(spec.linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  if (spec.corruptChecksum) sum += 1;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function pad(data: Buffer): Buffer {
  const extra = (512 - (data.length % 512)) % 512;
  return extra ? Buffer.concat([data, Buffer.alloc(extra)]) : data;
}

function paxRecords(records: Record<string, string>): Buffer {
  const parts = Object.entries(records).map(([k, v]) => {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len++;
    return `${len}${body}`;
  });
  return Buffer.from(parts.join(''));
}

/** A tar archive; `end: false` leaves out the two zero blocks. */
export function makeTar(entries: TarSpec[], options: { end?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? '0';
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    if (e.pax) {
      const records = paxRecords(e.pax);
      blocks.push(tarHeader({ name: 'PaxHeader', type: 'x', size: records.length }), pad(records));
    }
    if (e.gnuLongName) {
      const name = Buffer.from(`${e.name}\0`);
      blocks.push(tarHeader({ name: '././@LongLink', type: 'L', size: name.length }), pad(name));
    }
    blocks.push(
      tarHeader({
        name: e.name,
        type,
        size: type === '0' ? data.length : 0,
        ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
        ...(e.mode !== undefined ? { mode: e.mode } : {}),
      }),
    );
    if (type === '0' && data.length > 0) blocks.push(pad(data));
  }
  if (options.end !== false) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface LayoutLayer {
  /** The uncompressed tar. */
  tar: Buffer;
  /** How to store it (default gzip). */
  compression?: 'gzip' | 'none' | 'raw';
  /** Raw bytes to store instead (with compression "raw"): for corrupt or zstd blobs. */
  blob?: Buffer;
}

/** Writes a one-image OCI layout; returns the layer digests and diffIDs. */
export function writeOciLayout(
  dir: string,
  layers: LayoutLayer[],
  options: { tag?: string; platform?: { os: string; architecture: string; variant?: string } } = {},
): { manifestDigest: string; diffIDs: string[]; digests: string[] } {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const put = (bytes: Buffer): string => {
    const digest = sha256(bytes);
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return digest;
  };
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const descriptors = layers.map((l) => {
    const blob =
      l.compression === 'raw'
        ? l.blob!
        : l.compression === 'none'
          ? l.tar
          : zlib.gzipSync(l.tar, { level: 6 });
    return {
      mediaType:
        l.compression === 'none'
          ? 'application/vnd.oci.image.layer.v1.tar'
          : 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: put(blob),
      size: blob.length,
    };
  });
  const diffIDs = layers.map((l) => sha256(l.tar));
  const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: diffIDs } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: put(config),
        size: config.length,
      },
      layers: descriptors,
    }),
  );
  const manifestDigest = put(manifest);
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': options.tag ?? 'latest' },
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
  return { manifestDigest, diffIDs, digests: descriptors.map((d) => d.digest) };
}
