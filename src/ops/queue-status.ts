import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { type DedupHorizonReport, readDedupHorizon } from '../bridge/dedup-horizon';
import type { RouteQueue } from '../config';
import { toVisibilityQuery } from './cascade-filters';
import { listCascadeTroubles } from './cascade-trouble';
import { type DeadLetter, type DeadLetterQueue, type DeadLetterQueueKind, toDeadLetter } from './dead-letters';
import type { SourceResolver } from './message-source';
import { type QueueDepth, readQueueDepth, toTotalDepth } from './queue-depth';
import { peekMessages } from './queue-peek';
import { toErrorMessage } from '../errors/error-message';

/** Messages of one route waiting in the dead-letter or quarantine queue. */
export interface WaitingMessages {
  readonly count: number;
  /** Since the oldest was first sent (`SentTimestamp`); undefined when none waits. */
  readonly oldestAgeSeconds: number | undefined;
}

/** A part of the status that could not be read, and why. */
export interface StatusError {
  readonly error: string;
}

/** Everything `cascade status` reports about one route. */
export interface RouteStatus {
  readonly route: string;
  readonly queueUrl: string;
  /** The route queue's depth; its oldest message's age is not read (see {@link ROUTE_QUEUE_AGE_NOTE}). */
  readonly queue: QueueDepth | StatusError;
  readonly deadLetters: WaitingMessages;
  readonly quarantined: WaitingMessages;
  /** Cascades of the route now running, and closed as Failed, TimedOut or Terminated (within the namespace retention, or since `failedSince`). */
  readonly cascades: CascadeCounts | StatusError;
}

/** Cascade counts of one route. */
export interface CascadeCounts {
  readonly running: number;
  readonly failed: number;
  /** Running cascades whose workflow task fails on every attempt (non-determinism, an undecodable payload): they never finish on their own. */
  readonly stuck: number;
  /** Running cascades whose current step (activity) has failed 3 times or more (`RETRYING_AFTER_FAILURES`) and is still retried. */
  readonly retrying: number;
  /** How many running cascades were described to find the stuck and retrying ones, and whether that was all of them. */
  readonly scanned: number;
  readonly scanComplete: boolean;
  /** Why the running cascades could not be described (stuck and retrying then read 0, `scanComplete` false). */
  readonly troubleScanError?: string;
}

/** The dead-letter or quarantine queue as a whole. */
export interface WaitingQueueStatus {
  readonly kind: DeadLetterQueueKind;
  readonly queueUrl: string;
  readonly depth: QueueDepth | StatusError;
  /** How many of its messages were read to attribute them to routes (up to the scan limit). */
  readonly read: number;
  /** True when every message was read (none hidden by the scan limit or an error). */
  readonly complete: boolean;
  /** Read messages that belong to no configured route (unknown source, or a route not configured here). */
  readonly unattributed: WaitingMessages;
  readonly readError?: string;
}

/** The whole of `cascade status`. */
export interface CascadeStatus {
  readonly generatedAt: string;
  readonly namespace: string;
  readonly failedSince: string | undefined;
  readonly routes: readonly RouteStatus[];
  readonly waitingQueues: readonly WaitingQueueStatus[];
  readonly dedupHorizon: DedupHorizonReport;
  readonly notes: readonly string[];
}

/** Why route queues show no age of their oldest message. */
export const ROUTE_QUEUE_AGE_NOTE =
  "Route queues show no age of their oldest message: SQS tells a message's age only by receiving it, and every receive from a route queue counts toward its redrive policy's maxReceiveCount, so looking could push a message to the dead-letter queue. On AWS, CloudWatch's ApproximateAgeOfOldestMessage metric has it. Ages of waiting messages are read from the dead-letter and quarantine queues, which have no redrive policy.";

/** Options of {@link readCascadeStatus}. */
export interface CascadeStatusOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly client: Client;
  readonly namespace: string;
  readonly routes: readonly RouteQueue[];
  readonly waitingQueues: readonly DeadLetterQueue[];
  readonly resolver: SourceResolver;
  /** Most messages read from each waiting queue to attribute them to routes. @default 1000 */
  readonly scanLimit?: number;
  /** Count failed cascades closed since then only. */
  readonly failedSince?: Date;
  /** Most running cascades of each route described to find stuck and retrying ones. @default 1000 */
  readonly troubleScanLimit?: number;
  /** Longest wait for each Temporal count. @default 10000 */
  readonly temporalTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called once per waiting queue with how many messages will likely be read, then with every page read (progress). */
  readonly onExpect?: (count: number) => void;
  readonly onPage?: (read: number) => void;
}

/**
 * Reads the state of every configured route: queue depths, waiting messages
 * per route (read without consuming them), running and failed cascade counts
 * from Temporal visibility, and the dedup horizon. Never throws for one part
 * that cannot be read: that part carries its error.
 */
export async function readCascadeStatus(options: CascadeStatusOptions): Promise<CascadeStatus> {
  const scanLimit = options.scanLimit ?? 1000;
  const routeNames: ReadonlySet<string> = new Set(options.routes.map((r) => r.route));
  const horizon = readDedupHorizon({
    client: options.client,
    sqs: options.sqs,
    namespace: options.namespace,
    queueUrls: [...options.routes.map((r) => r.queueUrl), ...options.waitingQueues.map((q) => q.queueUrl)],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const counts = new Map(options.routes.map(({ route }) => [route, countCascades(options, route).catch(toStatusError)]));
  const waiting = await Promise.all(options.waitingQueues.map((queue) => readWaitingQueue(queue, scanLimit, options)));
  const routes = await Promise.all(
    options.routes.map(async ({ route, queueUrl }): Promise<RouteStatus> => {
      const queue = await readQueueDepth(options.sqs, queueUrl, options.signal).catch(toStatusError);
      const cascades = (await counts.get(route)) ?? { error: 'not counted' };
      const of = (kind: DeadLetterQueueKind) => toWaitingMessages(waiting.find((w) => w.queue.kind === kind)?.letters.filter((l) => l.route === route) ?? []);
      return { route, queueUrl, queue, deadLetters: of('dead-letter'), quarantined: of('quarantine'), cascades };
    }),
  );
  const dedupHorizon = await horizon;
  return {
    generatedAt: new Date().toISOString(),
    namespace: options.namespace,
    failedSince: options.failedSince?.toISOString(),
    routes,
    waitingQueues: waiting.map(({ queue, depth, letters, complete, readError }) => ({
      kind: queue.kind,
      queueUrl: queue.queueUrl,
      depth,
      read: letters.length,
      complete,
      unattributed: toWaitingMessages(letters.filter((l) => l.route === undefined || !routeNames.has(l.route))),
      ...(readError === undefined ? {} : { readError }),
    })),
    dedupHorizon,
    notes: [ROUTE_QUEUE_AGE_NOTE],
  };
}

interface WaitingRead {
  readonly queue: DeadLetterQueue;
  readonly depth: QueueDepth | StatusError;
  readonly letters: readonly DeadLetter[];
  readonly complete: boolean;
  readonly readError: string | undefined;
}

async function readWaitingQueue(queue: DeadLetterQueue, scanLimit: number, options: CascadeStatusOptions): Promise<WaitingRead> {
  const depth = await readQueueDepth(options.sqs, queue.queueUrl, options.signal).catch(toStatusError);
  const total = isStatusError(depth) ? Number.POSITIVE_INFINITY : toTotalDepth(depth);
  if (Number.isFinite(total)) options.onExpect?.(Math.min(total, scanLimit));
  try {
    const { messages } = await peekMessages(options.sqs, queue.queueUrl, {
      limit: scanLimit,
      ...(options.signal ? { signal: options.signal } : {}),
      onPage: (page) => options.onPage?.(page.length),
    });
    const now = new Date();
    const letters = await Promise.all(messages.map((m) => toDeadLetter(m, queue.kind, options.resolver, now)));
    return { queue, depth, letters, complete: letters.length >= total, readError: undefined };
  } catch (error) {
    return { queue, depth, letters: [], complete: false, readError: toStatusError(error).error };
  }
}

async function countCascades(options: CascadeStatusOptions, route: string): Promise<CascadeCounts> {
  const withDeadline = <T>(call: () => Promise<T>) => options.client.connection.withDeadline(Date.now() + (options.temporalTimeoutMs ?? 10_000), call);
  const count = (query: string) => withDeadline(() => options.client.workflow.count(query));
  const [running, failed, scan] = await Promise.all([
    count(toVisibilityQuery({ route }, ['Running'])),
    count(toVisibilityQuery({ route, ...(options.failedSince ? { since: options.failedSince } : {}) })),
    withDeadline(() => listCascadeTroubles(options.client, { filters: { route }, scanLimit: options.troubleScanLimit ?? 1000, toUiUrl: (id) => id })).catch(toStatusError),
  ]);
  if (isStatusError(scan)) return { running: running.count, failed: failed.count, stuck: 0, retrying: 0, scanned: 0, scanComplete: false, troubleScanError: scan.error };
  const troubled = (kind: string) => new Set(scan.troubles.filter((t) => t.kind === kind).map((t) => t.workflowId)).size;
  return {
    running: running.count,
    failed: failed.count,
    stuck: troubled('workflow-task-failing'),
    retrying: troubled('step-retrying'),
    scanned: scan.scanned,
    scanComplete: scan.complete,
  };
}

function toWaitingMessages(letters: readonly DeadLetter[]): WaitingMessages {
  const ages = letters.flatMap((l) => (l.ageSeconds === undefined ? [] : [l.ageSeconds]));
  return { count: letters.length, oldestAgeSeconds: ages.length === 0 ? undefined : Math.max(...ages) };
}

function toStatusError(error: unknown): StatusError {
  return { error: toErrorMessage(error) };
}

/** True when a part of the status carries an error instead of data. */
export function isStatusError(value: object): value is StatusError {
  return 'error' in value;
}
