import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCodes, KubeguardError, streamLogger } from '../common/index.ts';
import type { DbInfo, ImportStats, SourceSpec, UpdateResult } from '../vuln/index.ts';
import {
  buildDatabase,
  defaultDbPath,
  defaultSources,
  defaultSourcesConfigPath,
  describeAge,
  loadSourcesConfig,
  openAdvisoryDb,
  parseSourceSpec,
  updateDatabase,
  writeBundle,
} from '../vuln/index.ts';

const dbOption = () => new Option('--db <path>', 'database file').default(defaultDbPath());
const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function statusOf(info: DbInfo) {
  return { ...info, age: describeAge(info.built) };
}

/** The text of `db status`: one fact per line, then sources, skipped counts and warnings. */
export function formatStatus(info: DbInfo, now: Date = new Date()): string {
  const age = describeAge(info.built, now);
  const skipped = Object.entries(info.skipped).filter(([, n]) => n > 0);
  const lines = [
    `database    ${info.path} (${size(info.bytes)})`,
    `schema      ${info.schemaVersion}`,
    `built       ${info.built || 'unknown'} (${age.ago}${age.stale ? ' — consider `kubeguard db update`' : ''})`,
    `checksum    ${info.checksum}`,
    `advisories  ${info.counts.advisories} (${info.counts.affected} package entries)`,
    `ecosystems  ${
      Object.entries(info.ecosystems)
        .map(([e, n]) => `${e} ${n}`)
        .join(', ') || 'none'
    }`,
    'sources',
    ...(info.sources.length === 0
      ? ['  none']
      : info.sources.map(
          (s) =>
            `  ${s.name.padEnd(12)} ${String(s.records).padStart(7)} records  updated ${s.updated || 'unknown'}` +
            `${s.skipped ? `  skipped ${s.skipped}` : ''}${s.url ? `  ${s.url}` : ''}`,
        )),
    `skipped     ${info.counts.skipped}${skipped.length ? ` (${skipped.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
  ];
  if (info.warnings.length > 0) {
    lines.push(
      `warnings    first ${info.warnings.length} of ${info.counts.skipped}`,
      ...info.warnings.map((w) => `  ${w.reason}: ${w.input}: ${w.message}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

function importSummary(imports: ImportStats[]): string {
  return imports
    .map(
      (s) =>
        `  ${s.source}: ${s.records} records${s.superseded ? `, ${s.superseded} already present (same or newer)` : ''}` +
        `${s.skippedTotal ? `, ${s.skippedTotal} skipped` : ''} from ${s.input}`,
    )
    .join('\n');
}

function collect(value: string, previous: SourceSpec[] = []): SourceSpec[] {
  try {
    return [...previous, parseSourceSpec(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  return n;
}

/** Sources for `db update`: --source flags, else --config, else the default config file, else OSV. */
function chooseSources(opts: { source?: SourceSpec[]; config?: string }): {
  sources: readonly SourceSpec[];
  from: string;
} {
  if (opts.source && opts.source.length > 0) return { sources: opts.source, from: '--source' };
  if (opts.config) return { sources: loadSourcesConfig(opts.config), from: opts.config };
  const fallback = defaultSourcesConfigPath();
  if (fs.existsSync(fallback)) return { sources: loadSourcesConfig(fallback), from: fallback };
  return { sources: defaultSources, from: 'the OSV defaults' };
}

function formatUpdate(result: UpdateResult): string {
  const lines = result.sources.map(
    (s) =>
      `  ${s.name.padEnd(12)} ${s.status.padEnd(12)} ${size(s.bytes).padStart(10)}  sha256:${s.sha256.slice(0, 16)}…`,
  );
  lines.unshift('sources');
  if (result.rebuilt) {
    lines.push(
      `database rebuilt: ${result.info.counts.advisories} advisories, ${result.info.counts.skipped} skipped`,
      importSummary(result.imports),
      `  ${result.info.path}`,
    );
  } else {
    lines.push(`database is up to date (${describeAge(result.info.built).text}): ${result.info.path}`);
  }
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

export function dbCommand(): Command {
  const db = new Command('db').description(
    'the offline vulnerability database (OSV): update, import, bundle for air gaps, status',
  );

  db.command('status')
    .description('show path, schema, build time and age, sources, record and skipped counts, warnings')
    .addOption(dbOption())
    .addOption(outputOption())
    .action((opts: { db: string; output: string }) => {
      const handle = openAdvisoryDb(opts.db);
      try {
        const info = handle.info();
        if (opts.output === 'json') json(statusOf(info));
        else process.stdout.write(formatStatus(info));
      } finally {
        handle.close();
      }
    });

  db.command('update')
    .description(
      'download the sources (conditional requests, optional sha256), rebuild beside the old database and swap it in atomically',
    )
    .addOption(dbOption())
    .option(
      '--source <name=url>',
      'a source: NAME=URL[#sha256=HEX] of an OSV all.zip or a bundle (repeatable)',
      collect,
    )
    .option(
      '--config <file>',
      `sources file {"sources":[{"name","url","sha256"?}]} (default ${defaultSourcesConfigPath()} if present)`,
    )
    .option('--force', 'rebuild even when no source changed')
    .option('--timeout <seconds>', 'network timeout for headers and between body chunks', seconds, 60)
    .addOption(outputOption())
    .action(
      async (opts: {
        db: string;
        source?: SourceSpec[];
        config?: string;
        force?: boolean;
        timeout: number;
        output: string;
      }) => {
        const { sources, from } = chooseSources(opts);
        const logger = streamLogger({ prefix: 'db' });
        logger.info(`updating ${opts.db} from ${sources.length} sources (${from})`);
        const result = await updateDatabase({
          db: opts.db,
          sources,
          logger,
          force: opts.force,
          timeoutMs: opts.timeout * 1000,
        });
        if (opts.output === 'json')
          json({ rebuilt: result.rebuilt, sources: result.sources, status: statusOf(result.info) });
        else process.stdout.write(formatUpdate(result));
      },
    );

  db.command('import')
    .description('import OSV JSON files, folders, all.zip archives or a bundle (air-gapped use), atomically')
    .argument('<path...>', 'OSV JSON file, folder, OSV all.zip, or a file written by `kubeguard db bundle`')
    .addOption(dbOption())
    .option('--replace', 'replace the database with these inputs (default: add to the current database)')
    .option('--name <name>', 'source name to record (one input only; default: the file or folder name)')
    .addOption(outputOption())
    .action(
      async (inputs: string[], opts: { db: string; replace?: boolean; name?: string; output: string }) => {
        if (opts.name && inputs.length > 1)
          throw new KubeguardError(
            ErrorCodes.invalidInput,
            '--name applies to one input; import the others separately',
          );
        for (const input of inputs) {
          if (!fs.existsSync(input))
            throw new KubeguardError(ErrorCodes.notFound, `no such file or folder: ${input}`);
        }
        const result = await buildDatabase({
          output: opts.db,
          inputs: inputs.map((p) => ({ path: path.resolve(p), ...(opts.name ? { name: opts.name } : {}) })),
          merge: !opts.replace,
          logger: streamLogger({ prefix: 'db' }),
        });
        if (opts.output === 'json') {
          json({ imports: result.imports, status: statusOf(result.info) });
          return;
        }
        const summary = importSummary(result.imports);
        process.stdout.write(
          `${result.info.path}: ${result.info.counts.advisories} advisories, ${result.info.counts.skipped} skipped in all\n` +
            (summary
              ? `${summary}\n`
              : `  installed from the bundle (${describeAge(result.info.built).text})\n`),
        );
      },
    );

  db.command('bundle')
    .description(
      'write the database as one file that `kubeguard db import FILE` accepts on another installation',
    )
    .requiredOption('--output <file>', 'bundle file to write')
    .addOption(dbOption())
    .action(async (opts: { db: string; output: string }) => {
      const manifest = await writeBundle(opts.db, opts.output);
      const bytes = fs.statSync(opts.output).size;
      process.stdout.write(
        `${opts.output}: ${size(bytes)} (database ${size(manifest.dbBytes)}), ${manifest.counts.advisories} advisories, ` +
          `built ${manifest.built}, ${manifest.checksum}\n`,
      );
    });

  db.command('find')
    .description(
      'list the advisories recorded for a package, e.g. `db find Debian:12 glibc` or `db find PyPI Jinja2`',
    )
    .argument('<ecosystem>', 'OSV ecosystem, e.g. npm, PyPI, Debian:12, Alpine:v3.20')
    .argument('<package>', 'package name (Debian/Alpine: the source package)')
    .addOption(dbOption())
    .addOption(outputOption())
    .action((ecosystem: string, name: string, opts: { db: string; output: string }) => {
      const handle = openAdvisoryDb(opts.db);
      try {
        const found = handle.find({ ecosystem, name });
        if (opts.output === 'json') json(found);
        else if (found.length === 0) process.stdout.write(`no advisories for ${ecosystem} ${name}\n`);
        else
          for (const a of found)
            process.stdout.write(
              `${a.id.padEnd(24)} ${a.modified.slice(0, 10)}${a.withdrawn ? ' (withdrawn)' : ''}  ${a.summary ?? [...a.aliases, ...a.upstream].join(', ')}\n`,
            );
      } finally {
        handle.close();
      }
    });
  return db;
}
