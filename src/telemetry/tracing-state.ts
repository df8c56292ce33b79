import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The process's OpenTelemetry tracing, once {@link setActiveTracing} installed it. */
export interface ActiveTracing {
  /** Where every span ends, the workflow sandbox's included (exported over OTLP in batches). */
  readonly spanProcessor: SpanProcessor;
  /** `service.name` and the rest of `OTEL_RESOURCE_ATTRIBUTES`, for spans made in the workflow sandbox. */
  readonly resource: Resource;
  /** Exports what is still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

let active: ActiveTracing | undefined;

/** Records the installed tracing (called once by `startTracing`). */
export function setActiveTracing(tracing: ActiveTracing): void {
  active = tracing;
}

/** The installed tracing, or undefined when `OTEL_EXPORTER_OTLP_ENDPOINT` was not set (nothing is traced then). */
export function getActiveTracing(): ActiveTracing | undefined {
  return active;
}

/** Flushes and stops the installed tracing; does nothing without one. Safe to call twice. */
export async function shutdownTracing(): Promise<void> {
  const tracing = active;
  active = undefined;
  if (tracing) await tracing.shutdown();
}
