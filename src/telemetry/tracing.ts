import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource, detectResourcesSync, envDetectorSync, hostDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type ActiveTracing, getActiveTracing, setActiveTracing } from './tracing-state';

/** `service.name` when `OTEL_SERVICE_NAME` (or `OTEL_RESOURCE_ATTRIBUTES`) names none. */
export const DEFAULT_SERVICE_NAME = 'cascade';

/**
 * Installs OpenTelemetry tracing for this process, configured by the
 * standard `OTEL_*` variables the SDK reads itself: the OTLP/HTTP exporter
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `_HEADERS`, `_TIMEOUT`…), the sampler
 * (`OTEL_TRACES_SAMPLER`, `_ARG`), propagators (`OTEL_PROPAGATORS`), the
 * resource (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`) and the batch
 * processor (`OTEL_BSP_*`). Traces PostgreSQL queries (statements only: their
 * parameters never become attributes, and only inside a traced operation) and
 * AWS SDK calls. Must run before `pg` and the AWS SDK are loaded (bin/cascade.js
 * runs it first); a second call returns the first installation.
 */
export function startTracing(): ActiveTracing {
  const existing = getActiveTracing();
  if (existing) return existing;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': DEFAULT_SERVICE_NAME }))
    .merge(detectResourcesSync({ detectors: [envDetectorSync, hostDetectorSync] }));
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // No statement parameters (`enhancedDatabaseReporting`): they hold emails and session IDs. No root spans from pool health checks.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
  });
  const tracing: ActiveTracing = {
    spanProcessor,
    resource,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
  setActiveTracing(tracing);
  return tracing;
}
