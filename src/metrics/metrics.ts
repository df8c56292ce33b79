import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How one message ended. */
export const MESSAGE_OUTCOMES = ['started', 'duplicate', 'ignored', 'rejected', 'failed'] as const;
/** One of {@link MESSAGE_OUTCOMES}. */
export type MessageOutcome = (typeof MESSAGE_OUTCOMES)[number];

/** Prometheus metrics of one Cascade process, on their own registry. */
export interface CascadeMetrics {
  readonly registry: Registry;
  readonly messages: Counter<'route' | 'outcome'>;
  readonly workflowStartSeconds: Histogram<'route'>;
  readonly inFlight: Gauge;
  readonly sqsErrors: Counter<'operation'>;
  readonly temporalErrors: Counter<'operation'>;
  readonly deleteFailures: Counter<'route'>;
  /** Messages each ReceiveMessage call returned (empty long polls included): the batching efficiency. */
  readonly receiveBatchSize: Histogram<'route'>;
  /** 1 while the bridge has stopped receiving because Temporal is unavailable, else 0. */
  readonly intakePaused: Gauge;
  /** Times the bridge paused intake because Temporal was unavailable. */
  readonly intakePauses: Counter;
  /** Probes of Temporal made while intake was paused, by result (answered, unavailable). */
  readonly temporalProbes: Counter<'result'>;
}

/** Creates the metrics on a fresh registry (plus Node's default process metrics). */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): CascadeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'cascade_' });
  return {
    registry,
    messages: new Counter({
      name: 'cascade_messages_total',
      help: 'SQS messages by route and outcome (started, duplicate, ignored, rejected, failed)',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
    workflowStartSeconds: new Histogram({
      name: 'cascade_workflow_start_seconds',
      help: 'Time to start one workflow (including duplicate answers)',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'cascade_bridge_in_flight', help: 'Messages received and not yet acknowledged or released', registers: [registry] }),
    sqsErrors: new Counter({ name: 'cascade_sqs_errors_total', help: 'Failed SQS calls by operation', labelNames: ['operation'], registers: [registry] }),
    temporalErrors: new Counter({ name: 'cascade_temporal_errors_total', help: 'Failed Temporal calls by operation', labelNames: ['operation'], registers: [registry] }),
    deleteFailures: new Counter({ name: 'cascade_delete_failures_total', help: 'Messages whose delete failed (they will be redelivered and answered as duplicates)', labelNames: ['route'], registers: [registry] }),
    receiveBatchSize: new Histogram({
      name: 'cascade_sqs_receive_batch_size',
      help: 'Messages returned by one ReceiveMessage call',
      labelNames: ['route'],
      buckets: [0, 1, 2, 5, 9, 10],
      registers: [registry],
    }),
    intakePaused: new Gauge({ name: 'cascade_bridge_intake_paused', help: '1 while the bridge has stopped receiving because Temporal is unavailable', registers: [registry] }),
    intakePauses: new Counter({ name: 'cascade_bridge_intake_pauses_total', help: 'Times the bridge paused intake because Temporal was unavailable', registers: [registry] }),
    temporalProbes: new Counter({
      name: 'cascade_bridge_temporal_probes_total',
      help: 'Probes of Temporal while intake was paused, by result (answered, unavailable)',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
