import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ErrorCodes, KubeguardError, messageOf, streamLogger } from '../common/index.ts';
import { DirectoryLayerCache, SBOM_OUTPUT_FORMATS, generateSbom, renderSbom } from '../sbom/index.ts';
import type { GenerateOptions, GeneratedSbom, SbomOutputFormat, SbomProgress } from '../sbom/index.ts';

/** Exit code when the SBOM is written but incomplete or too large (1 is for errors). */
export const EXIT_INCOMPLETE = 2;

const MAX_ISSUES_SHOWN = 10;

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
};

/** "512Mi", "1G", "200MB", "1048576" -> bytes. */
export function parseSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m ? UNITS[(m[2] as string).toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new InvalidArgumentError(`"${value}" is not a size (e.g. 512Mi, 1G, 200MB)`);
  return Math.round(Number(m[1]) * unit);
}

/** "5m", "30s", "1500ms", "1h", "90" (seconds) -> milliseconds. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`"${value}" is not a duration (e.g. 30s, 5m)`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * factor);
}

function credentials(value: string): { username: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError('expected user:password');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

function readFileOption(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new KubeguardError(ErrorCodes.notFound, `cannot read ${what} ${file}: ${messageOf(err)}`);
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** One self-overwriting status line on a terminal's stderr, at most ten updates a second. */
function progressLine(stream: NodeJS.WriteStream): { update(e: SbomProgress): void; clear(): void } {
  let last = 0;
  let shown = false;
  const write = (text: string, force = false): void => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    shown = true;
    stream.write(`\r\x1b[K${text.slice(0, Math.max(20, (stream.columns || 80) - 1))}`);
  };
  return {
    update(e) {
      if (e.phase === 'read') {
        if (e.stage === 'resolving') write('resolving the image…', true);
        else if (e.layer !== undefined) {
          const layer = `layer ${e.layer + 1}/${e.layers}${e.pass === 2 ? ' (link targets)' : ''}`;
          const size = e.layerSize ? ` of ${mb(e.layerSize)}` : '';
          const bytes = e.compressedBytes !== undefined ? ` ${mb(e.compressedBytes)}${size}` : '';
          write(
            `reading ${layer}${bytes}${e.cached ? ' (cached)' : ''}, ${mb(e.totalUncompressedBytes)} inflated`,
          );
        }
      } else if (e.phase === 'catalogue') {
        write(`cataloguing: ${e.cataloguer} (${e.done + 1}/${e.total})`, true);
      }
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

interface SbomCliOptions extends ImageSourceOptions {
  output: SbomOutputFormat;
  file?: string;
  catalogers?: string[];
  maxImageSize?: number;
  maxSbomSize?: number;
  timeout?: number;
  quiet?: boolean;
  verbose?: boolean;
}

function created(): Date {
  // Reproducible builds' convention: a fixed creation time makes the output byte-identical.
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

function report(doc: GeneratedSbom, source: string, seconds: number): void {
  const issues = doc.issues;
  process.stderr.write(
    `${doc.packages.length} packages in ${source} (${seconds.toFixed(2)} s)${doc.status === 'ready' ? '' : `, status ${doc.status}`}\n`,
  );
  if (issues.length === 0) return;
  process.stderr.write(`${issues.length} problem(s) while reading and cataloguing:\n`);
  for (const i of issues.slice(0, MAX_ISSUES_SHOWN)) {
    const where = [i.cataloguer, i.path, i.layer?.slice(0, 19)].filter(Boolean).join(' ');
    process.stderr.write(`  ${where ? `${where}: ` : ''}${i.reason}\n`);
  }
  if (issues.length > MAX_ISSUES_SHOWN)
    process.stderr.write(`  … and ${issues.length - MAX_ISSUES_SHOWN} more\n`);
}

export interface ImageSourceOptions {
  layerCache?: string;
  platform?: string;
  registryAuth?: { username: string; password: string };
  dockerConfig?: string;
  plainHttp?: boolean;
  registryCa?: string;
  insecureSkipTlsVerify?: boolean;
}

/** The flags that say how to reach an image (shared by `sbom` and `vuln`). */
export function addImageSourceOptions(command: Command): Command {
  return command
    .option(
      '--layer-cache <dir>',
      'cache what was read from each layer (by diffID) here, so shared base layers are read once',
    )
    .option('--platform <os/arch>', 'platform to pick from a multi-platform image, e.g. linux/arm64/v8')
    .option('--registry-auth <user:password>', 'registry credentials (basic or token flow)', credentials)
    .option(
      '--docker-config <file>',
      'credentials from a Docker config.json or .dockerconfigjson pull secret',
    )
    .option('--plain-http', 'talk HTTP, not HTTPS, to the registry')
    .option('--registry-ca <file>', 'extra CA certificate(s) (PEM) to trust for the registry')
    .option('--insecure-skip-tls-verify', 'do not verify the registry certificate (testing only)');
}

/** Those flags as options of the image reader. */
export function imageSourceOptions(opts: ImageSourceOptions): GenerateOptions {
  return {
    ...(opts.layerCache ? { cache: new DirectoryLayerCache(opts.layerCache) } : {}),
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.registryAuth ? { credentials: opts.registryAuth } : {}),
    ...(opts.dockerConfig ? { dockerConfig: readFileOption(opts.dockerConfig, 'Docker config') } : {}),
    ...(opts.plainHttp ? { plainHttp: true } : {}),
    ...(opts.registryCa ? { ca: readFileOption(opts.registryCa, 'CA file') } : {}),
    ...(opts.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
  };
}

/** Generates and writes one SBOM; returns the exit code (0 ready, EXIT_INCOMPLETE otherwise). */
export async function runSbom(source: string, opts: SbomCliOptions): Promise<number> {
  const started = Date.now();
  const tty = process.stderr.isTTY && !opts.quiet;
  const progress = tty ? progressLine(process.stderr) : undefined;
  const options: GenerateOptions = {
    ...imageSourceOptions(opts),
    ...(opts.catalogers ? { catalogers: opts.catalogers } : {}),
    ...(opts.maxSbomSize !== undefined ? { maxSbomBytes: opts.maxSbomSize } : {}),
    limits: {
      ...(opts.maxImageSize !== undefined ? { maxImageSize: opts.maxImageSize } : {}),
      ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
    },
    ...(opts.timeout !== undefined ? { signal: AbortSignal.timeout(opts.timeout) } : {}),
    ...(opts.verbose ? { logger: streamLogger({ level: 'debug', prefix: 'sbom' }) } : {}),
    ...(progress ? { onProgress: (e: SbomProgress) => progress.update(e) } : {}),
  };
  let doc: GeneratedSbom;
  try {
    doc = await generateSbom(source, options);
  } finally {
    progress?.clear();
  }
  const text = renderSbom(doc, opts.output, { created: created() });
  if (opts.file) fs.writeFileSync(opts.file, text);
  else process.stdout.write(text);
  if (!opts.quiet) report(doc, source, (Date.now() - started) / 1000);
  if (doc.status === 'ready') return 0;
  // Said even when quiet: it is why the exit code is not 0.
  const why = opts.quiet ? `: ${doc.issues.at(-1)?.reason ?? 'see the problems reported'}` : '';
  process.stderr.write(
    `warning: the SBOM is ${doc.status}${doc.statusReason ? ` (${doc.statusReason})` : ''}${why}; it was written anyway\n`,
  );
  return EXIT_INCOMPLETE;
}

function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function sbomCommand(): Command {
  return addImageSourceOptions(new Command('sbom'))
    .description('catalogue the packages of a container image or directory into an SBOM')
    .argument(
      '<source>',
      'image reference (registry), docker-archive:FILE, oci-archive:FILE, oci-dir:DIR[:tag] or dir:DIR',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices([...SBOM_OUTPUT_FORMATS]).default('table'),
    )
    .option('--file <path>', 'write the SBOM to this file instead of standard output')
    .option(
      '--catalogers <list>',
      'cataloguer names or tags to run; +name adds, -name removes (repeatable)',
      collectList,
    )
    .option(
      '--max-image-size <size>',
      'status too-large above this many layer bytes (default 512Mi)',
      parseSize,
    )
    .option(
      '--max-sbom-size <size>',
      'status too-large when the syft JSON exceeds this (e.g. 20Mi)',
      parseSize,
    )
    .option(
      '--timeout <duration>',
      'give up reading after this long with status incomplete (default 5m)',
      parseDuration,
    )
    .option('-q, --quiet', 'no progress line or summary on standard error')
    .option('-v, --verbose', 'debug logs on standard error')
    .action(async (source: string, opts: SbomCliOptions) => {
      const code = await runSbom(source, opts);
      // Commander errors carry the exit code through main() without another message.
      if (code !== 0) throw new CommanderError(code, 'kubeguard.sbom.incomplete', `SBOM is not complete`);
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 the SBOM is complete; 1 an error (nothing written); ${EXIT_INCOMPLETE} written, but incomplete or too large.
SOURCE_DATE_EPOCH=<seconds> fixes the creation time, for byte-identical output.

Examples:
  kubeguard sbom 127.0.0.1:5000/test/debian:12-minbase --plain-http
  kubeguard sbom oci-dir:./layout:1.0 -o spdx-json --file sbom.spdx.json
  kubeguard sbom docker-archive:image.tar -o syft-json --catalogers os
  kubeguard sbom registry.example.com/app:1 --docker-config ~/.docker/config.json --platform linux/arm64
`,
    );
}
