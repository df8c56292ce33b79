import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * Runs `call` without tracing it or the calls it makes. For what happens
 * every few seconds whatever the traffic (the bridge's long polls, readiness
 * probes), which would otherwise each be a trace of its own.
 */
export function untraced<T>(call: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), call);
}
