import type { Message } from '@aws-sdk/client-sqs';
import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, defaultTextMapGetter, propagation, trace } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';

const tracer = trace.getTracer('cascade-bridge');
const xray = new AWSXRayPropagator();

/** Where the bridge got one message. */
export interface MessageOrigin {
  readonly route: string;
  readonly queueUrl: string;
}

/**
 * The producer's trace context a message carries: its string message
 * attributes read by the configured propagators (W3C `traceparent` and
 * `tracestate` by default), else the `AWSTraceHeader` system attribute
 * (AWS X-Ray, set by SQS when the producer was traced by X-Ray). Without
 * either, the root context (the message starts a trace of its own).
 */
export function toProducerContext(message: Message): Context {
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) carrier[name.toLowerCase()] = value.StringValue;
  }
  const propagated = propagation.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  if (trace.getSpanContext(propagated) !== undefined) return propagated;
  const awsTraceHeader = message.Attributes?.AWSTraceHeader;
  return awsTraceHeader ? xray.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': awsTraceHeader }, defaultTextMapGetter) : ROOT_CONTEXT;
}

/**
 * Runs the bridge's handling of one message in a `process <route>` consumer
 * span, child of the producer's context ({@link toProducerContext}); the
 * workflow start inside it carries the trace on to the workflow. The span
 * names the queue and the message ID, never the body. Without tracing
 * installed this is OpenTelemetry's no-op.
 */
export function inMessageSpan<T>(origin: MessageOrigin, message: Message, handle: () => Promise<T>): Promise<T> {
  const attributes = {
    'messaging.system': 'aws_sqs',
    'messaging.operation': 'process',
    'messaging.destination.name': origin.queueUrl.slice(origin.queueUrl.lastIndexOf('/') + 1),
    'messaging.message.id': message.MessageId ?? 'unknown',
    'cascade.route': origin.route,
  };
  return tracer.startActiveSpan(`process ${origin.route}`, { kind: SpanKind.CONSUMER, attributes }, toProducerContext(message), async (span: Span) => {
    try {
      return await handle();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks the span of the message being handled (if any) with how it ended and, when started, its workflow ID (which holds no PII). */
export function recordMessageOutcome(outcome: string, workflowId: string | undefined): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('cascade.outcome', outcome);
  if (workflowId !== undefined) span.setAttribute('cascade.workflow_id', workflowId);
  if (outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: 'message left on the queue for redelivery' });
}
