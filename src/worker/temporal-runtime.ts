import { DefaultLogger, type LogEntry, type LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

const TO_PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * Routes the Temporal SDK's own logs (worker state changes, the Rust core's
 * connection warnings)
 * into the process logger, at `level` and above. Call once, before the first
 * worker or native connection is created; later calls do nothing.
 */
export function installTemporalRuntime(logger: Logger, level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  const temporalLogger = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry: LogEntry) => {
      temporalLogger[TO_PINO[entry.level]]({ ...entry.meta }, entry.message);
    }),
    // The Rust core logs on its own to stderr unless forwarded; forward it so it obeys LOG_LEVEL and stays JSON.
    telemetryOptions: { logging: { forward: {}, filter: { core: level, other: 'ERROR' } } },
  });
}
