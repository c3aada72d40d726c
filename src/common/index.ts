export { ErrorCodes, KubeguardError, isKubeguardError, messageOf } from './errors.ts';
export type { ErrorCode, KubeguardErrorOptions } from './errors.ts';
export { silentLogger, streamLogger } from './logger.ts';
export type { LogFields, LogLevel, Logger } from './logger.ts';
