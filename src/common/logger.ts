/** Libraries take a Logger and are silent by default; the CLI and services decide where logs go. */
export type LogFields = Record<string, unknown>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

function formatFields(fields: LogFields | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/** Human-readable lines (`level message k=v`) or JSON lines, written to a stream (stderr by default). */
export function streamLogger(
  options: { level?: LogLevel; json?: boolean; stream?: NodeJS.WritableStream; prefix?: string } = {},
): Logger {
  const min = levelRank[options.level ?? 'info'];
  const stream = options.stream ?? process.stderr;
  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    if (levelRank[level] < min) return;
    if (options.json) {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
    } else {
      const prefix = options.prefix ? `[${options.prefix}] ` : '';
      const tag = level === 'info' ? '' : `${level}: `;
      stream.write(`${prefix}${tag}${message}${formatFields(fields)}\n`);
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
