import pino, { type Logger } from 'pino';

/** How logs are written. */
export interface LoggerOptions {
  /** @default 'info' */
  level?: string;
  /** Pretty, coloured lines for people instead of JSON. @default false */
  human?: boolean;
  /** Extra fields on every line, e.g. `{ component: 'bridge' }`. */
  base?: Record<string, unknown>;
}

/** Creates the process logger: JSON on stdout, or pino-pretty when `human`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const base = { ...options.base };
  if (options.human) {
    return pino({
      level,
      base,
      transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, base });
}

export type { Logger };
