import type { Status, StatusCause } from '../../api/index.ts';
import { ErrorCodes, isKubeguardError, messageOf } from '../../common/index.ts';

/** An API error, carried to the response as a metav1.Status with the matching HTTP code. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export interface ResourceRef {
  group: string;
  kind: string;
  plural: string;
  name?: string;
}

const qualified = (ref: ResourceRef) => `${ref.plural}.${ref.group}`;

export const errors = {
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  unauthorized: (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message),
  forbidden: (message: string, ref?: ResourceRef) =>
    new StatusError(
      403,
      'Forbidden',
      message,
      ref ? { name: ref.name, group: ref.group, kind: ref.plural } : undefined,
    ),
  notFound: (ref: ResourceRef) =>
    new StatusError(404, 'NotFound', `${qualified(ref)} "${ref.name ?? ''}" not found`, {
      name: ref.name,
      group: ref.group,
      kind: ref.plural,
    }),
  pathNotFound: (path: string) =>
    new StatusError(404, 'NotFound', `the server could not find the requested resource (${path})`),
  methodNotAllowed: (message: string) => new StatusError(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => new StatusError(406, 'NotAcceptable', message),
  alreadyExists: (ref: ResourceRef) =>
    new StatusError(409, 'AlreadyExists', `${qualified(ref)} "${ref.name ?? ''}" already exists`, {
      name: ref.name,
      group: ref.group,
      kind: ref.plural,
    }),
  conflict: (ref: ResourceRef, why: string) =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name ?? ''}": ${why}`,
      { name: ref.name, group: ref.group, kind: ref.plural },
    ),
  gone: (message: string) => new StatusError(410, 'Expired', message),
  tooLarge: (message: string) => new StatusError(413, 'RequestEntityTooLarge', message),
  unsupportedMediaType: (message: string) => new StatusError(415, 'UnsupportedMediaType', message),
  invalid: (ref: ResourceRef, causes: StatusCause[]) =>
    new StatusError(
      422,
      'Invalid',
      `${ref.kind}.${ref.group} "${ref.name ?? ''}" is invalid: ${causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message}`).join(', ')}`,
      { name: ref.name, group: ref.group, kind: ref.kind, causes },
    ),
  unprocessable: (message: string) => new StatusError(422, 'Invalid', message),
  internal: (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`),
};

/** Any thrown value as a StatusError (KubeguardErrors from the store map to their HTTP meaning). */
export function toStatusError(err: unknown, ref?: ResourceRef): StatusError {
  if (err instanceof StatusError) return err;
  if (isKubeguardError(err) && ref) {
    switch (err.code) {
      case ErrorCodes.notFound:
        return errors.notFound(ref);
      case ErrorCodes.alreadyExists:
        return errors.alreadyExists(ref);
      case ErrorCodes.conflict:
        return errors.conflict(
          ref,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      case ErrorCodes.gone:
        return errors.gone(err.message);
      case ErrorCodes.invalidInput:
        return errors.badRequest(err.message);
      case ErrorCodes.tooLarge:
        return errors.tooLarge(err.message);
      default:
        break;
    }
  }
  if (isKubeguardError(err, ErrorCodes.invalidInput)) return errors.badRequest(err.message);
  if (isKubeguardError(err, ErrorCodes.gone)) return errors.gone(err.message);
  return errors.internal(messageOf(err));
}
