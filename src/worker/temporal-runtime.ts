import { DefaultLogger, type LogEntry, type LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;
let installedMetricsAddress: string | undefined;

const TO_PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** How {@link installTemporalRuntime} sets up the SDK's telemetry. */
export interface TemporalRuntimeOptions {
  /** Level of the SDK's logs forwarded to the process logger. @default WARN */
  readonly level?: LogLevel;
  /**
   * `host:port` where the SDK's Rust core serves its own Prometheus metrics
   * (`temporal_*`: task slots, schedule-to-start latencies, sticky cache…,
   * labelled `namespace`, `task_queue` and so on). Unset: the SDK keeps no metrics.
   */
  readonly metricsBindAddress?: string;
}

/**
 * Routes the Temporal SDK's own logs (worker state changes, the Rust core's
 * connection warnings) into the process logger, and serves the SDK's metrics
 * when asked. Call once, before the first worker or native connection is
 * created; later calls do nothing. Returns where the SDK's metrics are served
 * (`host:port`), which is undefined when the Runtime was installed without them.
 */
export function installTemporalRuntime(logger: Logger, options: TemporalRuntimeOptions = {}): string | undefined {
  if (installed) return installedMetricsAddress;
  installed = true;
  const { level = 'WARN', metricsBindAddress } = options;
  const temporalLogger = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry: LogEntry) => {
      temporalLogger[TO_PINO[entry.level]]({ ...entry.meta }, entry.message);
    }),
    telemetryOptions: {
      // The Rust core logs on its own to stderr unless forwarded; forward it so it obeys LOG_LEVEL and stays JSON.
      logging: { forward: {}, filter: { core: level, other: 'ERROR' } },
      // Durations in seconds, as Prometheus names them everywhere else (Cascade's own histograms included).
      ...(metricsBindAddress ? { metrics: { prometheus: { bindAddress: metricsBindAddress, useSecondsForDurations: true } } } : {}),
    },
  });
  installedMetricsAddress = metricsBindAddress;
  return metricsBindAddress;
}
