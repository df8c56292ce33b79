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
  /**
   * Logs message bodies (the bridge's `message body` debug line) instead of
   * redacting them; `CASCADE_LOG_MESSAGE_BODIES`. Bodies hold emails and
   * session IDs: turn it on only to debug, never in production.
   * @default false
   */
  logMessageBodies?: boolean;
  /** Writes JSON lines here instead of `stream` (tests). */
  destination?: pino.DestinationStream;
}

/** What a redacted message body reads as: it says how to see it. */
export const REDACTED_BODY = '[redacted: set CASCADE_LOG_MESSAGE_BODIES=true to log message bodies]';
/** What other redacted values (emails, credentials) read as. */
export const REDACTED = '[redacted]';

/** Fields that hold message bodies, at the top level or one level down (e.g. `{ message: { body } }`). */
const BODY_PATHS = ['body', 'Body', '*.body', '*.Body'];

/** Fields that hold emails or credentials: never logged. */
const SECRET_PATHS = [
  'email',
  '*.email',
  'emails',
  '*.emails',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'password',
  '*.password',
];

/**
 * pino `redact` options: emails, authorization headers, API keys and tokens
 * are always censored; message bodies unless `logMessageBodies`.
 */
export function toRedaction(logMessageBodies: boolean): { paths: string[]; censor: (value: unknown, path: string[]) => string } {
  const bodyFields = new Set(['body', 'Body']);
  return {
    paths: [...SECRET_PATHS, ...(logMessageBodies ? [] : BODY_PATHS)],
    censor: (_value, path) => (bodyFields.has(path.at(-1) ?? '') ? REDACTED_BODY : REDACTED),
  };
}

/** Creates the process logger: JSON on stdout, or pino-pretty when `human`; secrets and bodies redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const base = { ...options.base };
  const fd = options.stream === 'stderr' ? 2 : 1;
  const redact = toRedaction(options.logMessageBodies ?? false);
  if (options.human) {
    const tty = fd === 2 ? process.stderr.isTTY : process.stdout.isTTY;
    return pino({
      level,
      base,
      redact,
      transport: { target: 'pino-pretty', options: { destination: fd, colorize: tty, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, base, redact }, options.destination ?? pino.destination(fd));
}

export type { Logger };
