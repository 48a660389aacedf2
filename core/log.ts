import type { LogLevel } from './config.ts';

/** Structured JSON logs, one line per record, on stdout. Never pass tokens or secrets in `fields`. */
export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(fields: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>, fields: Record<string, unknown>, msg: string) => {
    if (RANK[at] < RANK[level]) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: at, msg, ...base };
    for (const [key, value] of Object.entries(fields)) {
      record[key] =
        value instanceof Error
          ? { name: value.name, message: value.message, code: (value as { code?: unknown }).code }
          : value;
    }
    write(JSON.stringify(record));
  };
  return {
    debug: (fields, msg) => emit('debug', fields, msg),
    info: (fields, msg) => emit('info', fields, msg),
    warn: (fields, msg) => emit('warn', fields, msg),
    error: (fields, msg) => emit('error', fields, msg),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

export const silentLogger: Logger = createLogger('silent');
