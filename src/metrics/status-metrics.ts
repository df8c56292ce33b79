import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { sleep } from '../sleep';
import type { RouteQueue } from '../config';
import type { DeadLetterQueue } from '../ops/dead-letters';
import { createSourceResolver } from '../ops/message-source';
import type { QueueDepth } from '../ops/queue-depth';
import { type CascadeStatus, isStatusError, readCascadeStatus } from '../ops/queue-status';

/** What {@link startStatusMetrics} reads and how often. */
export interface StatusMetricsOptions {
  readonly registry: Registry;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly client: Client;
  readonly namespace: string;
  readonly routes: readonly RouteQueue[];
  /** The dead-letter and quarantine queues this process knows (from their URL variables). */
  readonly waitingQueues: readonly DeadLetterQueue[];
  readonly logger: Logger;
  /** Time between two reads. */
  readonly intervalMs: number;
  /** Most messages read from each waiting queue for the age of the oldest (each read adds one to their receive count). @default 100 */
  readonly scanLimit?: number;
  /** Most running cascades of each route described to find stuck ones. @default 100 */
  readonly troubleScanLimit?: number;
}

/** A running {@link startStatusMetrics}. */
export interface StatusMetrics {
  /** Stops reading (an SQS read in progress is aborted) and resolves once the loop has ended. */
  stop(): Promise<void>;
}

const QUEUE_STATES = ['visible', 'in_flight', 'delayed'] as const;

/**
 * Publishes what `cascade status` reads as Prometheus gauges, read every
 * `intervalMs` in the background (a scrape never waits on SQS or Temporal):
 * queue depths of the route, dead-letter and quarantine queues, the age of
 * the oldest waiting message, and per route the running, failed, stuck and
 * retrying cascades. A part that cannot be read keeps its last value and
 * counts an error in `cascade_status_read_errors_total`.
 */
export function startStatusMetrics(options: StatusMetricsOptions): StatusMetrics {
  const { registry } = options;
  const routeQueue = new Gauge({
    name: 'cascade_route_queue_messages',
    help: 'Messages on a route queue by state (visible, in_flight, delayed), as SQS approximates them',
    labelNames: ['route', 'state'],
    registers: [registry],
  });
  const waitingQueue = new Gauge({
    name: 'cascade_waiting_queue_messages',
    help: 'Messages on the dead-letter or quarantine queue (queue = dead-letter | quarantine) by state, as SQS approximates them',
    labelNames: ['queue', 'state'],
    registers: [registry],
  });
  const oldestAge = new Gauge({
    name: 'cascade_waiting_queue_oldest_message_age_seconds',
    help: 'Age of the oldest message read on the dead-letter or quarantine queue since it was first sent (0 when none waits)',
    labelNames: ['queue'],
    registers: [registry],
  });
  const cascades = new Gauge({
    name: 'cascade_cascades',
    help: 'Cascades per route by state: running, failed (closed as Failed, TimedOut or Terminated within the namespace retention), stuck (workflow task failing), retrying (a step failed 3 times or more)',
    labelNames: ['route', 'state'],
    registers: [registry],
  });
  const readErrors = new Counter({
    name: 'cascade_status_read_errors_total',
    help: 'Reads of the status gauges that failed, by part (route-queue, waiting-queue, cascades, all)',
    labelNames: ['part'],
    registers: [registry],
  });
  const lastRead = new Gauge({ name: 'cascade_status_last_read_timestamp_seconds', help: 'When the status gauges were last read (Unix time)', registers: [registry] });

  const abort = new AbortController();
  const resolver = createSourceResolver(options.sqs, options.routes, abort.signal);
  const forEachState = (depth: QueueDepth, set: (state: (typeof QUEUE_STATES)[number], value: number) => void) => {
    const values: Record<(typeof QUEUE_STATES)[number], number> = { visible: depth.visible, in_flight: depth.inFlight, delayed: depth.delayed };
    for (const state of QUEUE_STATES) set(state, values[state]);
  };
  const publish = (status: CascadeStatus) => {
    for (const route of status.routes) {
      if (isStatusError(route.queue)) readErrors.inc({ part: 'route-queue' });
      else forEachState(route.queue, (state, value) => routeQueue.set({ route: route.route, state }, value));
      if (isStatusError(route.cascades)) {
        readErrors.inc({ part: 'cascades' });
        continue;
      }
      cascades.set({ route: route.route, state: 'running' }, route.cascades.running);
      cascades.set({ route: route.route, state: 'failed' }, route.cascades.failed);
      if (route.cascades.troubleScanError !== undefined) {
        readErrors.inc({ part: 'cascades' });
        continue;
      }
      cascades.set({ route: route.route, state: 'stuck' }, route.cascades.stuck);
      cascades.set({ route: route.route, state: 'retrying' }, route.cascades.retrying);
    }
    for (const queue of status.waitingQueues) {
      if (isStatusError(queue.depth)) readErrors.inc({ part: 'waiting-queue' });
      else forEachState(queue.depth, (state, value) => waitingQueue.set({ queue: queue.kind, state }, value));
      if (queue.readError !== undefined) {
        readErrors.inc({ part: 'waiting-queue' });
        continue;
      }
      const ages = [queue.unattributed.oldestAgeSeconds, ...status.routes.map((r) => (queue.kind === 'dead-letter' ? r.deadLetters : r.quarantined).oldestAgeSeconds)];
      oldestAge.set({ queue: queue.kind }, Math.max(0, ...ages.filter((age): age is number => age !== undefined)));
    }
    lastRead.set(Date.now() / 1000);
  };
  const readOnce = async () => {
    try {
      publish(
        await readCascadeStatus({
          sqs: options.sqs,
          client: options.client,
          namespace: options.namespace,
          routes: options.routes,
          waitingQueues: options.waitingQueues,
          resolver,
          scanLimit: options.scanLimit ?? 100,
          troubleScanLimit: options.troubleScanLimit ?? 100,
          signal: abort.signal,
        }),
      );
    } catch (error) {
      if (abort.signal.aborted) return;
      readErrors.inc({ part: 'all' });
      options.logger.warn({ err: error }, 'could not read the status gauges');
    }
  };
  const loop = (async () => {
    await readOnce();
    while (!abort.signal.aborted) {
      await sleep(options.intervalMs, abort.signal);
      if (!abort.signal.aborted) await readOnce();
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
