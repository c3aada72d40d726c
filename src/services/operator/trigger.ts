/**
 * What the http-request CronJob container does (components.md §2.2): POST a request body to the
 * operator's `/v1/triggerAction` with `Content-Type: application/json`. The chart's default bodies
 * are here so `kubeguard trigger --kubescape-scan / --vuln-scan` send exactly what the schedulers do.
 */
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import { httpRequest } from './http-client.ts';

export const DEFAULT_TRIGGER_URL = 'http://127.0.0.1:4002/v1/triggerAction';

/** The kubescape-scheduler body (offline installs add `keepLocal: true`). */
export function kubescapeSchedulerBody(keepLocal = false): object {
  return {
    commands: [{ CommandName: 'kubescapeScan', args: { scanV1: keepLocal ? { keepLocal: true } : {} } }],
  };
}

/** The kubevuln-scheduler body. */
export function kubevulnSchedulerBody(): object {
  return {
    commands: [{ commandName: 'scan', designators: [{ designatorType: 'Attributes', attributes: {} }] }],
  };
}

/** POSTs the body; resolves with the reply text, rejects with the server's message on non-2xx. */
export async function triggerAction(url: string, body: string): Promise<string> {
  let reply;
  try {
    reply = await httpRequest({ method: 'POST', url, body, headers: { 'Content-Type': 'application/json' } });
  } catch (err) {
    throw new KubeguardError(ErrorCodes.remote, `POST ${url}: ${messageOf(err)}`, {
      cause: err,
      hint: 'is the operator running? start it with `kubeguard operator`',
    });
  }
  if (reply.status < 200 || reply.status > 299) {
    throw new KubeguardError(ErrorCodes.remote, `POST ${url} answered ${reply.status}: ${reply.text.trim()}`);
  }
  return reply.text;
}
