import { Command, CommanderError } from 'commander';
import { isKubeguardError, messageOf } from '../common/index.ts';
import { dbCommand } from './db.ts';
import { devCommand } from './dev.ts';
import { kubevulnCommand } from './kubevuln.ts';
import { operatorCommand } from './operator.ts';
import { postureServiceCommand } from './posture-service.ts';
import { sbomCommand } from './sbom.ts';
import { scanCommand } from './scan.ts';
import { storageCommand } from './storage.ts';
import { triggerCommand } from './trigger.ts';
import { vulnCommand } from './vuln.ts';

export function buildProgram(): Command {
  const program = new Command('kubeguard')
    .description(
      'Kubernetes security posture: controls, image SBOMs and vulnerabilities, Kubescape-compatible',
    )
    .version('0.1.0')
    .showHelpAfterError()
    // Options belong to the command they follow (`scan framework nsa -f json` gives -f to `framework`).
    .enablePositionalOptions()
    .exitOverride();
  program.addCommand(devCommand());
  program.addCommand(storageCommand());
  program.addCommand(dbCommand());
  program.addCommand(sbomCommand());
  program.addCommand(vulnCommand());
  program.addCommand(scanCommand());
  program.addCommand(postureServiceCommand());
  program.addCommand(kubevulnCommand());
  program.addCommand(operatorCommand());
  program.addCommand(triggerCommand());
  return program;
}

/** Prints an error the way every command does: what failed, then what to do next. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (isKubeguardError(err)) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
    return 1;
  }
  process.stderr.write(`error: ${messageOf(err)}\n`);
  if (process.env.KUBEGUARD_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  // `kubeguard scan -f json | head`: a reader that stops early is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // Commands report non-error outcomes (e.g. "not ready" = 3) through process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
