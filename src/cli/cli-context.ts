import { type CascadeConfig, type ProcessRole, loadConfig } from '../config';
import { type Logger, createLogger } from '../logger';
import { escapeControlCharacters, escapeJsonControlCharacters } from './text-format';

/** Options every command accepts. */
export interface GlobalOptions {
  humanLogs?: boolean;
  logLevel?: string;
}

/** Loads the configuration for `roles` and the logger the global options ask for. */
export function createCliContext(global: GlobalOptions, roles: readonly ProcessRole[], env: NodeJS.ProcessEnv = process.env): { config: CascadeConfig; logger: Logger } {
  const config = loadConfig(env, roles);
  // Services (roles bridge/worker/http) log to stdout; one-shot commands keep stdout for their data.
  const service = roles.includes('bridge') || roles.includes('http');
  const logger = createLogger({
    level: global.logLevel ?? config.log.level,
    human: global.humanLogs ?? config.log.human,
    stream: service ? 'stdout' : 'stderr',
    logMessageBodies: config.log.messageBodies,
  });
  return { config, logger };
}

/**
 * Prints `value` as JSON or through `toText`. Text has its control characters
 * escaped (bodies and reasons come from whoever sent the message); so has
 * JSON, where `JSON.stringify` leaves DEL, C1 and bidi overrides raw.
 */
export function printResult<T>(value: T, json: boolean | undefined, toText: (value: T) => string): void {
  process.stdout.write(json ? `${toJsonText(value, 2)}\n` : `${escapeControlCharacters(toText(value))}\n`);
}

/** `value` as JSON for a terminal: bigints as decimal strings, every terminal control escaped. */
export function toJsonText(value: unknown, indent?: number): string {
  return escapeJsonControlCharacters(JSON.stringify(value, toJsonValue, indent));
}

/** JSON.stringify replacer: bigints as decimal strings. */
export function toJsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
