import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Collected bytes of one file: small ones in memory, large ones in a file of the temp area. */
export type Content = { kind: 'memory'; data: Buffer } | { kind: 'file'; file: string; size: number };

export function contentSize(c: Content): number {
  return c.kind === 'memory' ? c.data.length : c.size;
}

export async function readContent(c: Content): Promise<Buffer> {
  // A copy for memory contents: callers may mutate what they get, the cache must not see it.
  return c.kind === 'memory' ? Buffer.from(c.data) : fs.promises.readFile(c.file);
}

/**
 * The temporary area of one scan. File names are counters, never names from a layer, so nothing
 * a hostile tar says can place a file outside it; `close()` removes it all.
 */
export class SpillArea {
  private dir: string | undefined;
  private counter = 0;
  /** Bytes of collected contents held in memory (the budget deciding when to spill). */
  memoryBytes = 0;

  constructor(private readonly parent: string = os.tmpdir()) {}

  private ensureDir(): string {
    this.dir ??= fs.mkdtempSync(path.join(this.parent, 'kubeguard-scan-'));
    return this.dir;
  }

  /** A new file name in the area. */
  newFile(): string {
    return path.join(this.ensureDir(), String(++this.counter));
  }

  /** Writes chunks to a new file of the area. */
  async write(chunks: AsyncIterable<Buffer>): Promise<Content> {
    const file = this.newFile();
    const handle = await fs.promises.open(file, 'wx', 0o600);
    let size = 0;
    try {
      for await (const chunk of chunks) {
        await handle.write(chunk);
        size += chunk.length;
      }
    } finally {
      await handle.close();
    }
    return { kind: 'file', file, size };
  }

  /** Takes a file owned by someone else (a cache) into the area: a hard link when possible, else a copy. */
  async adopt(source: string, size: number): Promise<Content> {
    const file = this.newFile();
    try {
      await fs.promises.link(source, file);
    } catch {
      await fs.promises.copyFile(source, file);
    }
    return { kind: 'file', file, size };
  }

  get location(): string | undefined {
    return this.dir;
  }

  async close(): Promise<void> {
    if (this.dir) await fs.promises.rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
