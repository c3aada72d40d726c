import fs from 'node:fs';
import { Command } from 'commander';
import { ErrorCodes, KubeguardError } from '../common/index.ts';
import {
  DEFAULT_TRIGGER_URL,
  kubescapeSchedulerBody,
  kubevulnSchedulerBody,
  triggerAction,
} from '../services/index.ts';

interface TriggerOptions {
  url: string;
  bodyFile?: string;
  body?: string;
  kubescapeScan?: boolean;
  vulnScan?: boolean;
  keepLocal?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The request body: exactly one source among the shortcuts, --body, --body-file and stdin. */
async function requestBody(opts: TriggerOptions): Promise<string> {
  const chosen = [
    opts.kubescapeScan,
    opts.vulnScan,
    opts.body !== undefined,
    opts.bodyFile !== undefined,
  ].filter(Boolean);
  if (chosen.length > 1) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      'choose one of --kubescape-scan, --vuln-scan, --body and --body-file',
    );
  }
  if (opts.kubescapeScan) return JSON.stringify(kubescapeSchedulerBody(opts.keepLocal));
  if (opts.vulnScan) return JSON.stringify(kubevulnSchedulerBody());
  if (opts.body !== undefined) return opts.body;
  if (opts.bodyFile !== undefined) {
    try {
      return fs.readFileSync(opts.bodyFile, 'utf8');
    } catch (err) {
      throw new KubeguardError(
        ErrorCodes.invalidInput,
        `cannot read ${opts.bodyFile}: ${(err as Error).message}`,
      );
    }
  }
  if (process.stdin.isTTY) {
    throw new KubeguardError(ErrorCodes.invalidInput, 'no request body', {
      hint: 'pass --body-file request-body.json, --body JSON, pipe it on stdin, or use --kubescape-scan / --vuln-scan',
    });
  }
  return readStdin();
}

/** `kubeguard trigger`: what the scheduler CronJobs do, from a shell. */
export function triggerCommand(): Command {
  return new Command('trigger')
    .description('POST a command request to the operator (what the kubescape/kubevuln scheduler CronJobs do)')
    .option('--url <url>', 'the operator trigger endpoint', DEFAULT_TRIGGER_URL)
    .option('--body-file <file>', 'request body file (e.g. the CronJob ConfigMap request-body.json)')
    .option('--body <json>', 'request body')
    .option('--kubescape-scan', "send the kubescape scheduler's body (a posture scan)")
    .option('--keep-local', 'with --kubescape-scan: the offline body (keepLocal)')
    .option('--vuln-scan', "send the kubevuln scheduler's body (scan all running images)")
    .action(async (opts: TriggerOptions) => {
      const reply = await triggerAction(opts.url, await requestBody(opts));
      process.stdout.write(`${reply.trim()}\n`);
    });
}
