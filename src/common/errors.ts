/**
 * One error type for the whole code base. `code` is stable and machine-readable (KG_ERR_*), the
 * message names the input that failed, and `hint` tells the user what to do next.
 */
export const ErrorCodes = {
  invalidInput: 'KG_ERR_INVALID_INPUT',
  notFound: 'KG_ERR_NOT_FOUND',
  conflict: 'KG_ERR_CONFLICT',
  alreadyExists: 'KG_ERR_ALREADY_EXISTS',
  gone: 'KG_ERR_GONE',
  tooLarge: 'KG_ERR_TOO_LARGE',
  forbidden: 'KG_ERR_FORBIDDEN',
  prerequisite: 'KG_ERR_PREREQUISITE',
  portInUse: 'KG_ERR_PORT_IN_USE',
  timeout: 'KG_ERR_TIMEOUT',
  processFailed: 'KG_ERR_PROCESS_FAILED',
  unauthorized: 'KG_ERR_UNAUTHORIZED',
  remote: 'KG_ERR_REMOTE',
  integrity: 'KG_ERR_INTEGRITY',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface KubeguardErrorOptions {
  cause?: unknown;
  /** What the user should do next, in one sentence. */
  hint?: string;
}

export class KubeguardError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: KubeguardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeguardError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isKubeguardError(err: unknown, code?: ErrorCode): err is KubeguardError {
  return err instanceof KubeguardError && (code === undefined || err.code === code);
}

/** The message of any thrown value, for wrapping foreign errors. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
