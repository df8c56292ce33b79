import { setMaxListeners } from 'node:events';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client';
import { toErrorMessage } from '../src/errors/error-message';
import { DOCUMENT_ARCHIVED, type EntityType } from '../src/shared/entity-deleted';
import { FAILURE_TYPES } from '../src/shared/failure-types';
import {
  type OutgoingEvent,
  type SendEventsResult,
  createSnsBatchSender,
  createSqsBatchSender,
  isPermanentAwsError,
  sendEventsInBatches,
} from './entity-event-publisher';
import { assertPositiveInteger, assertTarget } from './entity-input-checks';

/** What the publishing activity needs: the outbox tables, SNS and SQS. */
export interface EntityPublishingDeps {
  readonly db: Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  /** SNS topic of the audit events (`CASCADE_AUDIT_TOPIC_ARN`). */
  readonly auditTopicArn: string | undefined;
  /** SQS queue of the document events (`CASCADE_DOCUMENT_EVENTS_QUEUE_URL`). */
  readonly documentEventsQueueUrl: string | undefined;
  /** Batch calls in flight at once per destination. @default 4 */
  readonly publishConcurrency?: number;
}

/** Input of {@link EntityActivities.publishArchiveEvents}. */
export interface PublishArchiveEventsInput {
  readonly entityId: string;
  readonly entityType: EntityType;
  /** Outbox rows read (and sent, then marked) per round. */
  readonly batchSize: number;
  /**
   * Stop after publishing this many events of each kind, so one call stays
   * short while archiving keeps adding rows (`more` then says so).
   * Unset: until no unpublished row is left.
   */
  readonly maxEvents?: number;
}

/** Events sent and marked published by one call. */
export interface PublishArchiveEventsResult {
  readonly auditEventsPublished: number;
  readonly documentEventsPublished: number;
  /** True when the call stopped at `maxEvents`: unpublished rows may be left. */
  readonly more: boolean;
}

/** Error type of the non-retryable failure thrown when the topic or queue is missing, denied, or refuses the events as malformed. */
export const EVENT_DESTINATION_UNAVAILABLE = FAILURE_TYPES.EventDestinationUnavailable;

/** Thrown (retryable) when some events could not be published; the sent ones are already marked. */
export class EventPublishError extends Error {
  readonly destination: string;
  readonly unsentEventIds: readonly string[];

  constructor(destination: string, unsentEventIds: readonly string[], detail: string, cause?: unknown) {
    super(`${unsentEventIds.length} event(s) not published to ${destination}: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'EventPublishError';
    this.destination = destination;
    this.unsentEventIds = unsentEventIds;
  }
}

interface AuditOutboxRow {
  readonly event_id: string;
  readonly source: string;
  readonly action: string;
  readonly entity_id: string;
  readonly entity_type: string;
  readonly details: unknown;
  readonly occurred_at: Date;
}

interface DocumentOutboxRow {
  readonly event_id: string;
  readonly event_type: string;
  readonly payload: unknown;
  readonly occurred_at: Date;
}

/**
 * Publishing activity of the entity-deleted cascade: publish the entity's
 * unpublished outbox rows (idempotent: FIFO deduplication by event ID, and
 * only sent rows are marked).
 */
export function createEntityPublishingActivities(deps: EntityPublishingDeps) {
  const concurrency = deps.publishConcurrency ?? 4;

  return {
    /**
     * Publishes the entity's unpublished outbox rows — audit events to the SNS
     * topic, document events to the SQS queue, ten per call, FIFO-deduplicated
     * by event ID — and marks what was sent as published. Rows a crashed
     * earlier attempt left behind are included, so nothing stays unpublished.
     * Heartbeats after every batch call and, while it reads and marks rows,
     * every quarter of its heartbeat timeout; cancelling it aborts the calls
     * in flight and ends it at once.
     */
    async publishArchiveEvents(input: PublishArchiveEventsInput): Promise<PublishArchiveEventsResult> {
      assertPublishInput(input);
      const topicArn = requireSetting(deps.auditTopicArn, 'CASCADE_AUDIT_TOPIC_ARN');
      const queueUrl = requireSetting(deps.documentEventsQueueUrl, 'CASCADE_DOCUMENT_EVENTS_QUEUE_URL');
      const context = Context.current();
      const signal = context.cancellationSignal;
      // Every batch call and database wait in flight (both destinations) listens on the one cancellation signal.
      setMaxListeners(4 * concurrency + 10, signal);
      const options = { concurrency, signal, onBatch: () => heartbeat() };
      const pulse = <T>(work: PromiseLike<T>): Promise<T> => whileHeartbeating(work, signal, context.info.heartbeatTimeoutMs);
      // Settle both before reporting, so a failure on one side never leaves the other side's marking unfinished.
      const [audit, documents] = await Promise.allSettled([
        drainOutbox(
          `SNS topic ${topicArn}`,
          signal,
          async () => (await pulse(readAuditOutbox(input))).map((row) => toAuditEvent(row, input.entityId)),
          input.maxEvents,
          (events) => sendEventsInBatches(events, createSnsBatchSender(deps.sns, topicArn), options),
          (ids) => pulse(deps.db.$executeRaw`UPDATE audit_events SET published_at = now() WHERE event_id = ANY(${ids}::uuid[]) AND published_at IS NULL`),
        ),
        drainOutbox(
          `SQS queue ${queueUrl}`,
          signal,
          async () => (await pulse(readDocumentOutbox(input))).map((row) => toDocumentEvent(row, input.entityId)),
          input.maxEvents,
          (events) => sendEventsInBatches(events, createSqsBatchSender(deps.sqs, queueUrl), options),
          (ids) => pulse(deps.db.$executeRaw`UPDATE document_events SET published_at = now() WHERE event_id = ANY(${ids}::uuid[]) AND published_at IS NULL`),
        ),
      ]);
      if (signal.aborted) throw signal.reason;
      if (audit.status === 'rejected') throw audit.reason;
      if (documents.status === 'rejected') throw documents.reason;
      return { auditEventsPublished: audit.value.published, documentEventsPublished: documents.value.published, more: audit.value.more || documents.value.more };
    },
  };

  function readAuditOutbox(input: PublishArchiveEventsInput): Promise<AuditOutboxRow[]> {
    return deps.db.$queryRaw<AuditOutboxRow[]>`
      SELECT event_id::text AS event_id, source, action, entity_id, entity_type, details, occurred_at
      FROM audit_events
      WHERE published_at IS NULL
        AND action = ${DOCUMENT_ARCHIVED}
        AND details->>'source_entity_id' = ${input.entityId}
        AND details->>'source_entity_type' = ${input.entityType}
      ORDER BY occurred_at, entity_id
      LIMIT ${input.batchSize}`;
  }

  function readDocumentOutbox(input: PublishArchiveEventsInput): Promise<DocumentOutboxRow[]> {
    return deps.db.$queryRaw<DocumentOutboxRow[]>`
      SELECT event_id::text AS event_id, event_type, payload, occurred_at
      FROM document_events
      WHERE published_at IS NULL
        AND event_type = ${DOCUMENT_ARCHIVED}
        AND payload->>'entity_id' = ${input.entityId}
        AND payload->>'entity_type' = ${input.entityType}
      ORDER BY occurred_at, payload->>'document_id'
      LIMIT ${input.batchSize}`;
  }

  /**
   * Reads, sends and marks rows round after round until none are left (or
   * `maxEvents` were published: `more`). The sent rows are marked even when
   * some failed; then the failure is thrown (retryable, unless the
   * destination itself is missing or denied).
   */
  async function drainOutbox(
    destination: string,
    signal: AbortSignal,
    read: () => Promise<OutgoingEvent[]>,
    maxEvents: number | undefined,
    send: (events: OutgoingEvent[]) => Promise<SendEventsResult>,
    markPublished: (eventIds: string[]) => Promise<number>,
  ): Promise<{ published: number; more: boolean }> {
    let published = 0;
    for (;;) {
      signal.throwIfAborted();
      if (maxEvents !== undefined && published >= maxEvents) return { published, more: true };
      const events = await read();
      if (events.length === 0) return { published, more: false };
      const result = await send(events);
      if (result.sent.length > 0) published += await markPublished(result.sent);
      signal.throwIfAborted();
      heartbeat();
      if (result.error !== undefined) {
        const sent = new Set(result.sent);
        const unsent = events.filter((e) => !sent.has(e.eventId)).map((e) => e.eventId);
        const failure = new EventPublishError(destination, unsent, toErrorMessage(result.error), result.error);
        if (isPermanentAwsError(result.error)) throw ApplicationFailure.nonRetryable(failure.message, EVENT_DESTINATION_UNAVAILABLE);
        throw failure;
      }
      if (result.failed.length > 0) {
        const detail = result.failed.slice(0, 3).map((f) => `${f.eventId}: ${f.code} ${f.message}`.trim()).join('; ');
        const failure = new EventPublishError(destination, result.failed.map((f) => f.eventId), `entries refused (${detail})`);
        if (result.failed.every((f) => f.senderFault)) throw ApplicationFailure.nonRetryable(failure.message, EVENT_DESTINATION_UNAVAILABLE);
        throw failure;
      }
    }
  }
}

/** The publishing activity, as registered with the worker. */
export type EntityPublishingActivities = ReturnType<typeof createEntityPublishingActivities>;

/** The audit event body published to SNS. */
export function toAuditEvent(row: AuditOutboxRow, groupId: string): OutgoingEvent {
  const body = {
    event_id: row.event_id,
    source: row.source,
    action: row.action,
    actor_id: null,
    actor_type: 'system',
    entity_id: row.entity_id,
    entity_type: row.entity_type,
    details: row.details,
    occurred_at: row.occurred_at.toISOString(),
  };
  return { eventId: row.event_id, body: JSON.stringify(body), groupId };
}

/** The document event body sent to SQS. */
export function toDocumentEvent(row: DocumentOutboxRow, groupId: string): OutgoingEvent {
  const body = { event_type: row.event_type, occurred_at: row.occurred_at.toISOString(), payload: row.payload };
  return { eventId: row.event_id, body: JSON.stringify(body), groupId };
}

/**
 * Waits for `work`, heartbeating every quarter of the heartbeat timeout
 * meanwhile (a slow query is not a lost attempt), and rejects with the
 * cancellation as soon as the activity is cancelled (the work's own outcome is
 * then ignored: it only marks rows that were sent).
 */
function whileHeartbeating<T>(work: PromiseLike<T>, signal: AbortSignal, heartbeatTimeoutMs: number | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(toError(signal.reason));
      return;
    }
    const pulse = heartbeatTimeoutMs === undefined ? undefined : setInterval(() => heartbeat(), Math.max(10, Math.floor(heartbeatTimeoutMs / 4)));
    const settle = (): void => {
      clearInterval(pulse);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      settle();
      reject(toError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(toError(error));
      },
    );
  });
}

function assertPublishInput(input: PublishArchiveEventsInput): void {
  assertTarget(input.entityId, input.entityType);
  assertPositiveInteger('batchSize', input.batchSize);
  if (input.maxEvents !== undefined) assertPositiveInteger('maxEvents', input.maxEvents);
}

function requireSetting(value: string | undefined, variable: string): string {
  if (value === undefined || value === '') {
    throw ApplicationFailure.nonRetryable(`${variable} is not set: the worker cannot publish entity-deleted events`, EVENT_DESTINATION_UNAVAILABLE);
  }
  return value;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
