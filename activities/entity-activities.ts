import { setMaxListeners } from 'node:events';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ApplicationFailure, Context, asyncLocalStorage, heartbeat } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import { FAILURE_TYPES } from '../src/shared/failure-types';
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
import { toErrorMessage } from '../src/errors/error-message';

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
  /**
   * Documents this page archived. Fewer than the page size only when the
   * database holds no unarchived document of the entity any more (a short
   * page while some are left, locked by another transaction, throws
   * {@link DocumentsLockedError} instead).
   */
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
  /** Documents of the entity still unarchived (always 0: a summary with some left is an {@link ArchiveIncompleteError}). */
  readonly documentsLeft: number;
  /** Audit and document events of the entity still unpublished (always 0, as `documentsLeft`). */
  readonly eventsUnpublished: number;
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

/**
 * Thrown (retryable) when a page came back short while documents of the
 * entity are still unarchived: another transaction holds them (`FOR UPDATE
 * SKIP LOCKED` passed them over). What the page archived is committed; the
 * retry archives the rest once the lock is released.
 */
export class DocumentsLockedError extends Error {
  readonly entityId: string;
  readonly entityType: EntityType;
  /** Unarchived documents of the entity left after the page. */
  readonly documentsLeft: number;

  constructor(entityId: string, entityType: EntityType, documentsLeft: number) {
    super(`${documentsLeft} document(s) of ${entityType} ${entityId} are locked by another transaction; waiting for them to be archived`);
    this.name = 'DocumentsLockedError';
    this.entityId = entityId;
    this.entityType = entityType;
    this.documentsLeft = documentsLeft;
  }
}

/**
 * Thrown (retryable) by the summary when the database still holds an
 * unarchived document or an unpublished event of the entity: the cascade
 * does not complete until both are none.
 */
export class ArchiveIncompleteError extends Error {
  readonly entityId: string;
  readonly entityType: EntityType;
  readonly documentsLeft: number;
  readonly auditEventsUnpublished: number;
  readonly documentEventsUnpublished: number;

  constructor(entityId: string, entityType: EntityType, left: { documents: number; auditEvents: number; documentEvents: number }) {
    super(
      `the archive of ${entityType} ${entityId} is not complete: ${left.documents} document(s) unarchived, ` +
        `${left.auditEvents} audit event(s) and ${left.documentEvents} document event(s) unpublished`,
    );
    this.name = 'ArchiveIncompleteError';
    this.entityId = entityId;
    this.entityType = entityType;
    this.documentsLeft = left.documents;
    this.auditEventsUnpublished = left.auditEvents;
    this.documentEventsUnpublished = left.documentEvents;
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
     * twice). Three statements, whatever the page size; a short page also
     * counts what is left, and throws {@link DocumentsLockedError} (retryable)
     * when rows were skipped, so a locked document is waited for, never
     * counted as done.
     *
     * The transaction is bounded by the attempt's time (statement, lock-wait
     * and idle-in-transaction timeouts set from it), so an attempt that timed
     * out or stalled is rolled back by PostgreSQL and its row locks do not
     * outlive it; cancelling the activity rolls the transaction back at the
     * next statement.
     */
    async archiveDocumentsPage(input: ArchivePageInput): Promise<ArchivePageResult> {
      assertArchiveInput(input);
      const { workflowId, entityId, entityType, pageSize } = input;
      const context = asyncLocalStorage.getStore();
      const signal = context?.cancellationSignal;
      const { budgetMs, backstopMs } = toAttemptBudget(context, transactionTimeoutMs);
      const deadline = Date.now() + budgetMs;
      let page: { documentsArchived: number; documentsLeft: number };
      try {
        page = await deps.db.$transaction(
          async (tx) => {
            signal?.throwIfAborted();
            const boundMs = String(Math.max(1, deadline - Date.now()));
            await tx.$queryRaw`SELECT set_config('statement_timeout', ${boundMs}, true), set_config('lock_timeout', ${boundMs}, true),
              set_config('idle_in_transaction_session_timeout', ${boundMs}, true)`;
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
            signal?.throwIfAborted();
            // A short page: the rows it passed over (locked elsewhere) are still unarchived; count them.
            let documentsLeft = 0;
            if (archived.length < pageSize) {
              const [left] = await tx.$queryRaw<Array<{ count: bigint }>>`
                SELECT count(*) AS count FROM documents
                WHERE entity_id = ${entityId}::uuid AND entity_type = ${entityType} AND archived_at IS NULL`;
              documentsLeft = Number(left?.count ?? 0);
            }
            const first = archived[0];
            if (first === undefined) return { documentsArchived: 0, documentsLeft };
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
            signal?.throwIfAborted();
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
            signal?.throwIfAborted();
            return { documentsArchived: documentIds.length, documentsLeft };
          },
          { timeout: backstopMs, maxWait: budgetMs },
        );
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        throw new Error(`archiving a page of ${entityType} ${entityId} failed (rolled back): ${toErrorMessage(error)}`, { cause: error });
      }
      // What this page archived is committed; the rows it could not lock are waited for by retrying.
      if (page.documentsLeft > 0) throw new DocumentsLockedError(entityId, entityType, page.documentsLeft);
      return { documentsArchived: page.documentsArchived };
    },

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

    /**
     * What the cascades of this entity have done, read from the database: its
     * documents archived for `entity_deleted`, and their audit and document
     * events published. Exact whatever retries and crashes happened on the
     * way (an attempt whose result was lost is not counted twice or missed).
     * Also the cascade's completion check: while any document of the entity
     * is unarchived or any of its events unpublished, it throws
     * {@link ArchiveIncompleteError} (retryable) instead of a summary.
     */
    async summarizeArchive(input: ArchiveSummaryInput): Promise<ArchiveSummary> {
      assertTarget(input.entityId, input.entityType);
      const [row] = await deps.db.$queryRaw<
        Array<{ documents: bigint; documents_left: bigint; audits: bigint; audits_unpublished: bigint; document_events: bigint; document_events_unpublished: bigint }>
      >`
        WITH d AS (
          SELECT count(*) FILTER (WHERE archive_reason = ${ARCHIVE_REASON}) AS documents, count(*) FILTER (WHERE archived_at IS NULL) AS documents_left
          FROM documents WHERE entity_id = ${input.entityId}::uuid AND entity_type = ${input.entityType}
        ), a AS (
          SELECT count(*) FILTER (WHERE published_at IS NOT NULL) AS audits, count(*) FILTER (WHERE published_at IS NULL) AS audits_unpublished
          FROM audit_events
          WHERE action = ${DOCUMENT_ARCHIVED} AND details->>'source_entity_id' = ${input.entityId} AND details->>'source_entity_type' = ${input.entityType}
        ), e AS (
          SELECT count(*) FILTER (WHERE published_at IS NOT NULL) AS document_events, count(*) FILTER (WHERE published_at IS NULL) AS document_events_unpublished
          FROM document_events
          WHERE event_type = ${DOCUMENT_ARCHIVED} AND payload->>'entity_id' = ${input.entityId} AND payload->>'entity_type' = ${input.entityType}
        )
        SELECT d.documents, d.documents_left, a.audits, a.audits_unpublished, e.document_events, e.document_events_unpublished FROM d, a, e`;
      const documentsLeft = Number(row?.documents_left ?? 0);
      const auditsUnpublished = Number(row?.audits_unpublished ?? 0);
      const documentEventsUnpublished = Number(row?.document_events_unpublished ?? 0);
      if (documentsLeft > 0 || auditsUnpublished > 0 || documentEventsUnpublished > 0) {
        throw new ArchiveIncompleteError(input.entityId, input.entityType, { documents: documentsLeft, auditEvents: auditsUnpublished, documentEvents: documentEventsUnpublished });
      }
      return {
        documentsArchived: Number(row?.documents ?? 0),
        auditEventsPublished: Number(row?.audits ?? 0),
        documentEventsPublished: Number(row?.document_events ?? 0),
        documentsLeft,
        eventsUnpublished: auditsUnpublished + documentEventsUnpublished,
      };
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

/**
 * How long a page's transaction may take: the attempt's start-to-close
 * timeout less a margin (so PostgreSQL rolls it back before the retry
 * starts), at most `capMs` (`capMs` outside an activity); and the client-side
 * backstop, half a margin later, for Prisma's own transaction timeout.
 */
function toAttemptBudget(context: Context | undefined, capMs: number): { budgetMs: number; backstopMs: number } {
  const timeoutMs = context?.info.startToCloseTimeoutMs;
  const usableMs = timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : capMs;
  const marginMs = Math.min(1000, Math.floor(usableMs / 10));
  const budgetMs = Math.max(1, Math.min(capMs, usableMs - marginMs));
  return { budgetMs, backstopMs: budgetMs + Math.floor(marginMs / 2) };
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

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
