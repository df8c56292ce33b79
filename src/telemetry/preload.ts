import type * as TracingModule from './tracing';
import { isTracingRequested } from './tracing-env';

/** The commands that run Cascade's long-lived processes; only they are traced. */
const TRACED_COMMANDS = new Set(['start', 'bridge', 'worker']);

/**
 * Installs tracing for `cascade start|bridge|worker` when the `OTEL_*`
 * variables ask for it ({@link isTracingRequested}), before the rest of the
 * CLI loads `pg` and the AWS SDK, so their calls are traced. Without an OTLP
 * endpoint nothing of OpenTelemetry's SDK is loaded. Called by bin/cascade.js.
 */
export function startTracingForCommand(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const command = argv.slice(2).find((arg, i, args) => !arg.startsWith('-') && args[i - 1] !== '--log-level');
  if (command === undefined || !TRACED_COMMANDS.has(command) || !isTracingRequested(env)) return false;
  // Loaded only here: a process without an OTLP endpoint never loads the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./tracing') as typeof TracingModule;
  startTracing();
  return true;
}
