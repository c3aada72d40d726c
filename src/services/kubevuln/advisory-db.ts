/**
 * The vulnerability database as the service sees it: opened when the file appears (readiness is
 * 503 until then), reopened when the file is replaced (`kubeguard db update` renames a new file
 * over it, so the inode or mtime changes), and the old handle closed. Matching is synchronous, so
 * no scan can be using the old handle while it is swapped.
 */
import fs from 'node:fs';
import type { Logger } from '../../common/index.ts';
import { messageOf, silentLogger } from '../../common/index.ts';
import type { AdvisoryProvider } from '../../vuln/index.ts';
import { openAdvisoryDb } from '../../vuln/index.ts';

export interface DbView {
  /** The open database, reopened first if the file changed; throws when there is none. */
  provider(): AdvisoryProvider;
  /** Opens or reopens as needed; true when a database is open. */
  refresh(): boolean;
  readonly ready: boolean;
  /** Checksum of the open database (VulnerabilityManifest `databaseVersion`); '' when none. */
  readonly version: string;
  /** Built time of the open database (diagnostics). */
  readonly built: string;
}

interface FileIdentity {
  ino: number;
  mtimeMs: number;
  size: number;
}

export class AdvisoryDbHandle implements DbView {
  private db: AdvisoryProvider | undefined;
  private identity: FileIdentity | undefined;
  private lastError = '';
  /** Times a database was opened (diagnostics; 2+ means it was replaced and reopened). */
  opens = 0;

  constructor(
    readonly path: string,
    private readonly logger: Logger = silentLogger,
    private readonly open: (file: string) => AdvisoryProvider = (file) =>
      openAdvisoryDb(file, { readonly: true }),
  ) {}

  get ready(): boolean {
    return this.db !== undefined;
  }

  get version(): string {
    return this.db?.metadata().checksum ?? '';
  }

  get built(): string {
    return this.db?.metadata().built ?? '';
  }

  /** Why the database is not open (diagnostics). */
  get error(): string {
    return this.lastError;
  }

  refresh(): boolean {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.path);
    } catch (err) {
      this.lastError = `no vulnerability database at ${this.path}: ${messageOf(err)}`;
      // A vanished file keeps the open handle: SQLite still reads the unlinked inode.
      return this.ready;
    }
    const id = { ino: stat.ino, mtimeMs: stat.mtimeMs, size: stat.size };
    const same =
      this.identity &&
      this.identity.ino === id.ino &&
      this.identity.mtimeMs === id.mtimeMs &&
      this.identity.size === id.size;
    if (this.db && same) return true;
    try {
      const fresh = this.open(this.path);
      const old = this.db;
      this.db = fresh;
      this.opens++;
      this.identity = id;
      this.lastError = '';
      old?.close();
      this.logger.info(old ? 'reopened the vulnerability database' : 'opened the vulnerability database', {
        path: this.path,
        checksum: fresh.metadata().checksum,
        built: fresh.metadata().built,
      });
    } catch (err) {
      // A half-written or foreign file: keep the old database and try again on the next call.
      this.lastError = messageOf(err);
      if (!same)
        this.logger.warn('cannot open the vulnerability database', {
          path: this.path,
          error: this.lastError,
        });
      this.identity = id;
    }
    return this.ready;
  }

  provider(): AdvisoryProvider {
    this.refresh();
    if (!this.db) throw new Error(`the vulnerability database is not loaded: ${this.lastError || this.path}`);
    return this.db;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.identity = undefined;
  }
}
