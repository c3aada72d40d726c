import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCodes, KubeguardError, messageOf } from '../common/index.ts';

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A background process we started, tracked by a PID file. */
export interface Daemon {
  /** Short name for messages, e.g. "etcd". */
  name: string;
  pidFile: string;
  logFile: string;
}

export interface PidStatus {
  state: 'running' | 'stopped' | 'stale';
  pid?: number;
  /** Why a PID file is stale. */
  reason?: string;
}

function processCommandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * Reads a PID file and checks that the process is still the one we started (its command line
 * contains `expect`): a PID that was reused by another program must never be signalled.
 */
export function pidStatus(daemon: Daemon, expect: string): PidStatus {
  let text: string;
  try {
    text = fs.readFileSync(daemon.pidFile, 'utf8').trim();
  } catch {
    return { state: 'stopped' };
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 1) {
    return { state: 'stale', reason: `PID file ${daemon.pidFile} does not hold a process ID ("${text}")` };
  }
  const cmdline = processCommandLine(pid);
  if (cmdline === undefined || isZombie(pid)) {
    return { state: 'stale', pid, reason: `process ${pid} from ${daemon.pidFile} is gone` };
  }
  if (!cmdline.includes(expect)) {
    return {
      state: 'stale',
      pid,
      reason: `process ${pid} from ${daemon.pidFile} is now another program (${cmdline.slice(0, 80)})`,
    };
  }
  return { state: 'running', pid };
}

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Fails with a clear message if something already listens on host:port. A port whose process died
 * a moment ago can stay busy with its closing connections for a little while, so a port that
 * nobody listens on is retried for a few seconds first.
 */
export async function assertPortFree(host: string, port: number, what: string, flag: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const err = await tryListen(host, port);
    if (!err) return;
    if (err.code !== 'EADDRINUSE') {
      throw new KubeguardError(
        ErrorCodes.portInUse,
        `cannot listen on ${host}:${port} for ${what}: ${err.message}`,
        {
          hint: `choose another port with ${flag}`,
        },
      );
    }
    const owner = await portOwner(port);
    if (owner !== undefined || Date.now() > deadline) {
      throw new KubeguardError(
        ErrorCodes.portInUse,
        `port ${host}:${port} for ${what} is already in use${owner ? ` by ${owner}` : ''}`,
        { hint: `stop that process, or choose another port with ${flag}` },
      );
    }
    await sleep(200);
  }
}

/** Who listens on the port: "name (pid N)", "another process" if ss cannot tell, undefined if nobody. */
async function portOwner(port: number): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('ss', ['-Hltnp', `sport = :${port}`]);
    if (stdout.trim() === '') return undefined;
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
    return match ? `${match[1]} (pid ${match[2]})` : 'another process';
  } catch {
    return 'another process';
  }
}

/** Returns a port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts `command` detached from us, with output appended to the daemon's log file. */
export function startDaemon(
  daemon: Daemon,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): number {
  fs.mkdirSync(path.dirname(daemon.pidFile), { recursive: true });
  fs.mkdirSync(path.dirname(daemon.logFile), { recursive: true });
  const log = fs.openSync(daemon.logFile, 'a');
  try {
    fs.writeSync(log, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    if (child.pid === undefined) {
      throw new KubeguardError(ErrorCodes.processFailed, `could not start ${daemon.name} (${command})`);
    }
    child.on('error', () => {});
    child.unref();
    fs.writeFileSync(daemon.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    fs.closeSync(log);
  }
}

/** Stops the process named by the PID file (only if it is still ours), waiting for it to exit. */
export async function stopDaemon(
  daemon: Daemon,
  expect: string,
  options: { graceMs?: number } = {},
): Promise<'stopped' | 'not-running' | 'stale'> {
  const status = pidStatus(daemon, expect);
  if (status.state !== 'running' || status.pid === undefined) {
    fs.rmSync(daemon.pidFile, { force: true });
    return status.state === 'stale' ? 'stale' : 'not-running';
  }
  const pid = status.pid;
  const alive = () => processCommandLine(pid) !== undefined && !isZombie(pid);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* exited meanwhile */
  }
  const deadline = Date.now() + (options.graceMs ?? 10_000);
  while (alive() && Date.now() < deadline) await sleep(50);
  if (alive()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
    while (alive()) await sleep(20);
  }
  fs.rmSync(daemon.pidFile, { force: true });
  return 'stopped';
}

/** The last lines of a log file, for error messages. */
export function tailFile(file: string, lines = 15): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Polls `probe` until it returns true. Fails early if the daemon died, quoting its log, and on
 * timeout says which log to read.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; daemon?: Daemon; expect?: string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = messageOf(err);
    }
    if (options.daemon && options.expect && pidStatus(options.daemon, options.expect).state !== 'running') {
      throw new KubeguardError(
        ErrorCodes.processFailed,
        `${options.daemon.name} exited while starting; last lines of ${options.daemon.logFile}:\n${tailFile(options.daemon.logFile)}`,
        { hint: `read ${options.daemon.logFile}` },
      );
    }
    if (Date.now() > deadline) {
      throw new KubeguardError(
        ErrorCodes.timeout,
        `${what} was not ready after ${Math.round(options.timeoutMs / 1000)} s${lastError ? ` (last error: ${lastError})` : ''}`,
        { hint: options.daemon ? `read ${options.daemon.logFile}` : undefined },
      );
    }
    await sleep(options.intervalMs ?? 200);
  }
}

/** Runs a program to completion; a failure quotes its stderr. */
export async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; maxBuffer?: number } = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: options.env,
      maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new KubeguardError(ErrorCodes.prerequisite, `${command} is not installed (not found on PATH)`, {
        hint: 'run the README set-up (npm run setup), which installs the packages the dev environment needs',
      });
    }
    throw new KubeguardError(
      ErrorCodes.processFailed,
      `${command} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim().slice(-2000)}`,
      { cause: err },
    );
  }
}

/** Finds a program on PATH (or in the extra directories), without running it. */
export function which(program: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}
