import { setMaxListeners } from 'node:events';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import { ARCHIVE_REASON, AUDIT_EVENT_SOURCE, DOCUMENT_ARCHIVED, type EntityType, isEntityType } from '../src/shared/entity-deleted';
import { toArchiveEventId } from './entity-event-ids';
import {
  type OutgoingEvent,
  type SendEventsResult,
  createSnsBatchSender,
  createSqsBatchSender,
  isPermanentAwsError,
  sendEventsInBatches,
} from './entity-event-publisher';

/** What the entity activities need: the documents and outbox tables, SNS and SQS. */
export interface EntityActivityDeps {
  readonly db: Pick<PrismaClient, '$transaction' | '$queryRaw' | '$executeRaw'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  /** SNS topic of the audit events (`CASCADE_AUDIT_TOPIC_ARN`). */
  readonly auditTopicArn: string | undefined;
  /** SQS queue of the document events (`CASCADE_DOCUMENT_EVENTS_QUEUE_URL`). */
  readonly documentEventsQueueUrl: string | undefined;
  /** Longest a page's transaction may run. @default 30000 */
  readonly transactionTimeoutMs?: number;
  /** Batch calls in flight at once per destination. @default 4 */
  readonly publishConcurrency?: number;
}

/** Input of {@link EntityActivities.archiveDocumentsPage}. */
export interface ArchivePageInput {
  /** The cascade's workflow ID: with the document ID it determines the event IDs. */
  readonly workflowId: string;
  readonly entityId: string;
  readonly entityType: EntityType;
  /** Most documents archived by this page. */
  readonly pageSize: number;
}

/** What one page archived. */
export interface ArchivePageResult {
  /** Documents this page archived (fewer than the page size: the entity has no more). */
  readonly documentsArchived: number;
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

/** Input of {@link EntityActivities.summarizeArchive}. */
export interface ArchiveSummaryInput {
  readonly entityId: string;
  readonly entityType: EntityType;
}

/** The entity's archived documents and published events, counted in the database. */
export interface ArchiveSummary {
  readonly documentsArchived: number;
  readonly auditEventsPublished: number;
  readonly documentEventsPublished: number;
}

/** Error type of the non-retryable failure thrown when the topic or queue is missing, denied, or refuses the events as malformed. */
export const EVENT_DESTINATION_UNAVAILABLE = 'EventDestinationUnavailable';

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

interface ArchivedRow {
  readonly id: string;
  readonly archived_at: Date;
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
 * Activities of the entity-deleted cascade: archive one page of an entity's
 * documents together with their outbox rows (one transaction), and publish the
 * entity's unpublished outbox rows. Both are idempotent.
 */
export function createEntityActivities(deps: EntityActivityDeps) {
  const transactionTimeoutMs = deps.transactionTimeoutMs ?? 30_000;
  const concurrency = deps.publishConcurrency ?? 4;

  return {
    /**
     * One transaction: archives up to `pageSize` not-yet-archived documents of
     * the entity (in id order, skipping rows another transaction holds) and
     * writes one audit event and one document event per archived document,
     * with deterministic IDs and `ON CONFLICT DO NOTHING` (nothing is written
     * twice). Three statements, whatever the page size.
     */
    async archiveDocumentsPage(input: ArchivePageInput): Promise<ArchivePageResult> {
      assertArchiveInput(input);
      const { workflowId, entityId, entityType, pageSize } = input;
      try {
        return await deps.db.$transaction(
          async (tx) => {
            const archived = await tx.$queryRaw<ArchivedRow[]>`
              UPDATE documents AS d
              SET archived_at = now(), archive_reason = ${ARCHIVE_REASON}
              FROM (
                SELECT id FROM documents
                WHERE entity_id = ${entityId}::uuid AND entity_type = ${entityType} AND archived_at IS NULL
                ORDER BY id
                LIMIT ${pageSize}
                FOR UPDATE SKIP LOCKED
              ) AS page
              WHERE d.id = page.id
              RETURNING d.id::text AS id, d.archived_at`;
            const first = archived[0];
            if (first === undefined) return { documentsArchived: 0 };
            const documentIds = archived.map((row) => row.id).sort();
            const archivedAt = first.archived_at.toISOString();
            const auditIds = documentIds.map((id) => toArchiveEventId(workflowId, id, 'audit'));
            const documentEventIds = documentIds.map((id) => toArchiveEventId(workflowId, id, 'document'));
            await tx.$executeRaw`
              INSERT INTO audit_events (event_id, source, action, entity_id, entity_type, details, occurred_at)
              SELECT e.event_id, ${AUDIT_EVENT_SOURCE}, ${DOCUMENT_ARCHIVED}, e.document_id, 'document',
                jsonb_build_object(
                  'archived_at', ${archivedAt}::text,
                  'reason', ${ARCHIVE_REASON}::text,
                  'source_entity_id', ${entityId}::text,
                  'source_entity_type', ${entityType}::text),
                ${archivedAt}::timestamptz
              FROM unnest(${auditIds}::uuid[], ${documentIds}::text[]) AS e(event_id, document_id)
              ON CONFLICT (event_id) DO NOTHING`;
            await tx.$executeRaw`
              INSERT INTO document_events (event_id, event_type, payload, occurred_at)
              SELECT e.event_id, ${DOCUMENT_ARCHIVED},
                jsonb_build_object(
                  'document_id', e.document_id,
                  'entity_id', ${entityId}::text,
                  'entity_type', ${entityType}::text,
                  'reason', ${ARCHIVE_REASON}::text),
                ${archivedAt}::timestamptz
              FROM unnest(${documentEventIds}::uuid[], ${documentIds}::text[]) AS e(event_id, document_id)
              ON CONFLICT (event_id) DO NOTHING`;
            return { documentsArchived: documentIds.length };
          },
          { timeout: transactionTimeoutMs, maxWait: transactionTimeoutMs },
        );
      } catch (error) {
        throw new Error(`archiving a page of ${entityType} ${entityId} failed: ${errorMessage(error)}`, { cause: error });
      }
    },

    /**
     * Publishes the entity's unpublished outbox rows — audit events to the SNS
     * topic, document events to the SQS queue, ten per call, FIFO-deduplicated
     * by event ID — and marks what was sent as published. Rows a crashed
     * earlier attempt left behind are included, so nothing stays unpublished.
     * Heartbeats after every call.
     */
    async publishArchiveEvents(input: PublishArchiveEventsInput): Promise<PublishArchiveEventsResult> {
      assertPublishInput(input);
      const topicArn = requireSetting(deps.auditTopicArn, 'CASCADE_AUDIT_TOPIC_ARN');
      const queueUrl = requireSetting(deps.documentEventsQueueUrl, 'CASCADE_DOCUMENT_EVENTS_QUEUE_URL');
      const signal = cancellationSignal();
      // Every batch call in flight (both destinations, `concurrency` each) listens on the one cancellation signal.
      setMaxListeners(4 * concurrency + 10, signal);
      const options = { concurrency, signal, onBatch: () => heartbeat() };
      // Settle both before reporting, so a failure on one side never leaves the other side's marking unfinished.
      const [audit, documents] = await Promise.allSettled([
        drainOutbox(
          `SNS topic ${topicArn}`,
          async () => (await readAuditOutbox(input)).map((row) => toAuditEvent(row, input.entityId)),
          input.maxEvents,
          (events) => sendEventsInBatches(events, createSnsBatchSender(deps.sns, topicArn), options),
          (ids) => deps.db.$executeRaw`UPDATE audit_events SET published_at = now() WHERE event_id = ANY(${ids}::uuid[]) AND published_at IS NULL`,
        ),
        drainOutbox(
          `SQS queue ${queueUrl}`,
          async () => (await readDocumentOutbox(input)).map((row) => toDocumentEvent(row, input.entityId)),
          input.maxEvents,
          (events) => sendEventsInBatches(events, createSqsBatchSender(deps.sqs, queueUrl), options),
          (ids) => deps.db.$executeRaw`UPDATE document_events SET published_at = now() WHERE event_id = ANY(${ids}::uuid[]) AND published_at IS NULL`,
        ),
      ]);
      if (audit.status === 'rejected') throw audit.reason;
      if (documents.status === 'rejected') throw documents.reason;
      return { auditEventsPublished: audit.value.published, documentEventsPublished: documents.value.published, more: audit.value.more || documents.value.more };
    },

    /**
     * What the cascades of this entity have done, read from the database: its
     * documents archived for `entity_deleted`, and their audit and document
     * events published. Exact whatever retries and crashes happened on the
     * way (an attempt whose result was lost is not counted twice or missed).
     */
    async summarizeArchive(input: ArchiveSummaryInput): Promise<ArchiveSummary> {
      assertTarget(input.entityId, input.entityType);
      const [row] = await deps.db.$queryRaw<Array<{ documents: bigint; audits: bigint; document_events: bigint }>>`
        SELECT
          (SELECT count(*) FROM documents
            WHERE entity_id = ${input.entityId}::uuid AND entity_type = ${input.entityType} AND archive_reason = ${ARCHIVE_REASON}) AS documents,
          (SELECT count(*) FROM audit_events
            WHERE action = ${DOCUMENT_ARCHIVED} AND published_at IS NOT NULL
              AND details->>'source_entity_id' = ${input.entityId} AND details->>'source_entity_type' = ${input.entityType}) AS audits,
          (SELECT count(*) FROM document_events
            WHERE event_type = ${DOCUMENT_ARCHIVED} AND published_at IS NOT NULL
              AND payload->>'entity_id' = ${input.entityId} AND payload->>'entity_type' = ${input.entityType}) AS document_events`;
      return { documentsArchived: Number(row?.documents ?? 0), auditEventsPublished: Number(row?.audits ?? 0), documentEventsPublished: Number(row?.document_events ?? 0) };
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
    read: () => Promise<OutgoingEvent[]>,
    maxEvents: number | undefined,
    send: (events: OutgoingEvent[]) => Promise<SendEventsResult>,
    markPublished: (eventIds: string[]) => Promise<number>,
  ): Promise<{ published: number; more: boolean }> {
    let published = 0;
    for (;;) {
      if (maxEvents !== undefined && published >= maxEvents) return { published, more: true };
      const events = await read();
      if (events.length === 0) return { published, more: false };
      const result = await send(events);
      if (result.sent.length > 0) published += await markPublished(result.sent);
      heartbeat();
      if (result.error !== undefined) {
        const sent = new Set(result.sent);
        const unsent = events.filter((e) => !sent.has(e.eventId)).map((e) => e.eventId);
        const failure = new EventPublishError(destination, unsent, errorMessage(result.error), result.error);
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

/** The entity activities, as registered with the worker. */
export type EntityActivities = ReturnType<typeof createEntityActivities>;

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

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertTarget(entityId: string, entityType: string): void {
  if (typeof entityId !== 'string' || !UUID_PATTERN.test(entityId)) {
    throw ApplicationFailure.nonRetryable(`entityId must be a lower-case UUID, got ${JSON.stringify(entityId)}`, NON_RETRYABLE_INPUT_ERROR);
  }
  if (typeof entityType !== 'string' || !isEntityType(entityType)) {
    throw ApplicationFailure.nonRetryable(`entityType ${JSON.stringify(entityType)} is not an entity type with documents`, NON_RETRYABLE_INPUT_ERROR);
  }
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw ApplicationFailure.nonRetryable(`${name} must be a positive integer, got ${String(value)}`, NON_RETRYABLE_INPUT_ERROR);
  }
}

function assertArchiveInput(input: ArchivePageInput): void {
  assertTarget(input.entityId, input.entityType);
  assertPositiveInteger('pageSize', input.pageSize);
  if (typeof input.workflowId !== 'string' || input.workflowId.length === 0) {
    throw ApplicationFailure.nonRetryable('workflowId is required (it determines the event IDs)', NON_RETRYABLE_INPUT_ERROR);
  }
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

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
