import { ApplicationFailure, type Context, asyncLocalStorage } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client';
import { toErrorMessage } from '../src/errors/error-message';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import { ARCHIVE_REASON, AUDIT_EVENT_SOURCE, DOCUMENT_ARCHIVED, type EntityType } from '../src/shared/entity-deleted';
import { toArchiveEventId } from './entity-event-ids';
import { assertPositiveInteger, assertTarget } from './entity-input-checks';

/** What the archiving activities need: the documents and outbox tables. */
export interface EntityArchivingDeps {
  readonly db: Pick<PrismaClient, '$transaction' | '$queryRaw' | '$executeRaw'>;
  /** Longest a page's transaction may run. @default 30000 */
  readonly transactionTimeoutMs?: number;
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

/**
 * Archiving activities of the entity-deleted cascade: archive one page of an
 * entity's documents together with their outbox rows (one transaction), and
 * count what the cascade did (its completion check). Both are idempotent.
 */
export function createEntityArchivingActivities(deps: EntityArchivingDeps) {
  const transactionTimeoutMs = deps.transactionTimeoutMs ?? 30_000;

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
}

/** The archiving activities, as registered with the worker. */
export type EntityArchivingActivities = ReturnType<typeof createEntityArchivingActivities>;

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

function assertArchiveInput(input: ArchivePageInput): void {
  assertTarget(input.entityId, input.entityType);
  assertPositiveInteger('pageSize', input.pageSize);
  if (typeof input.workflowId !== 'string' || input.workflowId.length === 0) {
    throw ApplicationFailure.nonRetryable('workflowId is required (it determines the event IDs)', NON_RETRYABLE_INPUT_ERROR);
  }
}
