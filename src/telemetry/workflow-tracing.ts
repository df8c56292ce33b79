import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { ActiveTracing } from './tracing-state';

/**
 * The OpenTelemetry workflow interceptors: every workflow bundle carries them
 * (the prebuilt one and one made at start-up), so workers with and without
 * tracing run the same workflow code. They continue the start's trace inside
 * the workflow and pass it on to every activity the workflow schedules; their
 * spans leave the sandbox through the `exporter` sink ({@link toWorkflowSpanSinks}).
 */
export const WORKFLOW_TRACING_INTERCEPTORS_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/**
 * The sink that takes the workflow sandbox's spans: to the process's span
 * processor when tracing is on, dropped otherwise. Every worker running the
 * Cascade bundle registers it.
 */
export function toWorkflowSpanSinks(tracing: ActiveTracing | undefined): InjectedSinks<OpenTelemetrySinks> {
  return { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) };
}

/** Activity interceptors that run each activity in a span, child of the workflow's; none without tracing. */
export function toActivityTracingInterceptors(tracing: ActiveTracing | undefined): ActivityInterceptorsFactory[] {
  if (!tracing) return [];
  return [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })];
}
