/**
 * The operator REST API (components.md §3.1): `POST /v1/triggerAction` accepts `{commands: [...]}`,
 * answers `200 ok` at once and runs each command as a job in the pool; a body that does not decode
 * is `500` with the error (as the operator answers), any other method `405`. Liveness and
 * readiness probes answer on the same port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { decodeCommands } from './decode.ts';
import type { Command } from './types.ts';

export const TRIGGER_PATH = '/v1/triggerAction';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface OperatorServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Queues one command; called once per command of an accepted request. */
  submit: (command: Command) => void;
  ready: () => boolean;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new KubeguardError(ErrorCodes.tooLarge, `request body exceeds ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export async function startOperatorServer(
  options: OperatorServerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/v1/liveness' || path === '/livez') return reply(res, 200, 'ok');
    if (path === '/v1/readiness' || path === '/readyz')
      return reply(res, options.ready() ? 200 : 503, options.ready() ? 'ok' : 'not ready');
    if (path !== TRIGGER_PATH) return reply(res, 404, `not found: ${path}`);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return reply(res, 405, `${req.method ?? ''} not allowed; use POST`);
    }
    readBody(req)
      .then((text) => {
        const { commands } = decodeCommands(text);
        for (const command of commands) options.submit(command);
        options.logger.info('accepted trigger request', {
          commands: commands.map((c) => c.commandName).join(','),
        });
        reply(res, 200, 'ok');
      })
      .catch((err: unknown) => {
        options.logger.warn('refused trigger request', { error: messageOf(err) });
        reply(res, 500, messageOf(err));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new KubeguardError(ErrorCodes.portInUse, `${options.host}:${options.port} is already in use`, {
              hint: 'choose another with --port',
            })
          : err,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
