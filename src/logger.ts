import pino, { type Logger } from 'pino';

/** How logs are written. */
export interface LoggerOptions {
  /** @default 'info' */
  level?: string;
  /** Pretty, coloured lines for people instead of JSON. @default false */
  human?: boolean;
  /** Extra fields on every line, e.g. `{ component: 'bridge' }`. */
  base?: Record<string, unknown>;
  /** Where lines go: services log to stdout; commands whose stdout is data log to stderr. @default 'stdout' */
  stream?: 'stdout' | 'stderr';
}

/** Creates the process logger: JSON on stdout, or pino-pretty when `human`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const base = { ...options.base };
  const fd = options.stream === 'stderr' ? 2 : 1;
  if (options.human) {
    const tty = fd === 2 ? process.stderr.isTTY : process.stdout.isTTY;
    return pino({
      level,
      base,
      transport: { target: 'pino-pretty', options: { destination: fd, colorize: tty, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, base }, pino.destination(fd));
}

export type { Logger };
