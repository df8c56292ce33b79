import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  ArchiveIncompleteError,
  DocumentsLockedError,
  type EntityActivityDeps,
  EventPublishError,
  createEntityActivities,
} from '../../activities/entity-activities';
import { toArchiveEventId } from '../../activities/entity-event-ids';
import type { EntityType } from '../../src/shared/entity-deleted';
import { type EventDestinations, type HeldTransaction, createEventDestinations, drainQueue, holdInTransaction, seedDocuments } from '../support/entity-deleted-fixtures';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';

interface DocumentRow {
  id: string;
  archived_at: Date | null;
  archive_reason: string | null;
}

describe('entity activities (PostgreSQL, moto SNS, ElasticMQ SQS)', function () {
  this.timeout(60_000);
  let db: MigratedDatabase;
  let destinations: EventDestinations;

  before(async () => {
    db = await createMigratedDatabase('entity_activities');
    destinations = await createEventDestinations('activities');
  });
  after(async () => {
    destinations?.close();
    await db?.drop();
  });

  function activities(overrides: Partial<EntityActivityDeps> = {}) {
    return createEntityActivities({
      db: db.prisma,
      sns: destinations.sns,
      sqs: destinations.sqs,
      auditTopicArn: destinations.auditTopicArn,
      documentEventsQueueUrl: destinations.documentEventsQueueUrl,
      ...overrides,
    });
  }

  /** Runs an activity in an activity context; counts its heartbeats. */
  async function inActivity<T>(run: () => Promise<T>): Promise<{ value: T; heartbeats: number }> {
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    let heartbeats = 0;
    env.on('heartbeat', () => {
      heartbeats += 1;
    });
    const value = await env.run<[], T, () => Promise<T>>(run);
    return { value, heartbeats };
  }

  async function eventuallyTrue(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function newEntity(count: number, entityType: EntityType = 'deal') {
    const entityId = randomUUID();
    await seedDocuments(db.prisma, entityId, entityType, count);
    return { entityId, entityType, workflowId: `entity-deleted/test-${randomUUID()}` };
  }

  const documentsOf = (entityId: string) =>
    db.prisma.$queryRaw<DocumentRow[]>`SELECT id::text AS id, archived_at, archive_reason FROM documents WHERE entity_id = ${entityId}::uuid ORDER BY id`;
  const auditRowsOf = (entityId: string) =>
    db.prisma.auditEvent.findMany({ where: { details: { path: ['source_entity_id'], equals: entityId } }, orderBy: { entityId: 'asc' } });
  const documentEventRowsOf = (entityId: string) =>
    db.prisma.documentEvent.findMany({ where: { payload: { path: ['entity_id'], equals: entityId } }, orderBy: { eventId: 'asc' } });

  it('when a page runs, then the first pageSize documents in id order are archived with one audit and one document event each', async () => {
    const { entityId, entityType, workflowId } = await newEntity(7);
    const before = await documentsOf(entityId);

    const result = await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 5 });

    assert.deepEqual(result, { documentsArchived: 5 });
    const after = await documentsOf(entityId);
    const archivedIds = after.filter((d) => d.archived_at !== null).map((d) => d.id);
    assert.deepEqual(archivedIds, before.slice(0, 5).map((d) => d.id), 'the five smallest ids');
    assert.ok(after.slice(0, 5).every((d) => d.archive_reason === 'entity_deleted'));
    assert.ok(after.slice(5).every((d) => d.archived_at === null && d.archive_reason === null));

    const archivedAt = after[0]?.archived_at?.toISOString();
    const audits = await auditRowsOf(entityId);
    assert.deepEqual(audits.map((a) => a.entityId).sort(), [...archivedIds].sort());
    for (const audit of audits) {
      assert.equal(audit.eventId, toArchiveEventId(workflowId, audit.entityId, 'audit'));
      assert.equal(audit.source, 'document-vault-service');
      assert.equal(audit.action, 'document.archived');
      assert.equal(audit.entityType, 'document');
      assert.deepEqual(audit.details, { archived_at: archivedAt, reason: 'entity_deleted', source_entity_id: entityId, source_entity_type: entityType });
      assert.equal(audit.occurredAt.toISOString(), archivedAt);
      assert.equal(audit.publishedAt, null);
    }
    const events = await documentEventRowsOf(entityId);
    assert.equal(events.length, 5);
    for (const event of events) {
      const payload = event.payload as { document_id: string };
      assert.equal(event.eventId, toArchiveEventId(workflowId, payload.document_id, 'document'));
      assert.equal(event.eventType, 'document.archived');
      assert.deepEqual(event.payload, { document_id: payload.document_id, entity_id: entityId, entity_type: entityType, reason: 'entity_deleted' });
      assert.equal(event.publishedAt, null);
    }
  });

  it('when pages run until a short one, then every document is archived exactly once and the last page says fewer than pageSize', async () => {
    const { entityId, entityType, workflowId } = await newEntity(12, 'investor');
    const a = activities();
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push((await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 5 })).documentsArchived);
    assert.deepEqual(counts, [5, 5, 2, 0]);
    assert.ok((await documentsOf(entityId)).every((d) => d.archived_at !== null));
    assert.equal((await auditRowsOf(entityId)).length, 12);
    assert.equal((await documentEventRowsOf(entityId)).length, 12);
  });

  describe('when another PostgreSQL transaction holds rows', () => {
    const held: HeldTransaction[] = [];
    afterEach(async () => {
      for (const h of held.splice(0)) await h.release();
    });
    const hold = async (statement: string, values: readonly unknown[]) => {
      const h = await holdInTransaction(db.url, statement, values);
      held.push(h);
      return h;
    };

    it('when a document is locked by another transaction, then the short page commits the rest and throws a retryable DocumentsLockedError; after the lock is released the next page archives it', async () => {
      const { entityId, entityType, workflowId } = await newEntity(50);
      const ids = (await documentsOf(entityId)).map((d) => d.id);
      const lockedId = ids[20];
      const lock = await hold('SELECT id FROM documents WHERE id = $1::uuid FOR UPDATE', [lockedId]);
      const a = activities();

      assert.deepEqual(await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 30 }), { documentsArchived: 30 }, 'a full page skips the locked row');
      await assert.rejects(a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 30 }), (e: unknown) => {
        assert.ok(e instanceof DocumentsLockedError, String(e));
        assert.ok(!(e instanceof ApplicationFailure), 'a plain error: retried by the step policy');
        assert.equal(e.documentsLeft, 1);
        assert.equal(e.message, `1 document(s) of deal ${entityId} are locked by another transaction; waiting for them to be archived`);
        return true;
      });
      const afterShortPage = await documentsOf(entityId);
      assert.deepEqual(afterShortPage.filter((d) => d.archived_at === null).map((d) => d.id), [lockedId], 'the 49 others are archived and committed');
      await assert.rejects(a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 30 }), DocumentsLockedError, 'still locked: still waiting');

      await lock.release();
      assert.deepEqual(await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 30 }), { documentsArchived: 1 });
      assert.ok((await documentsOf(entityId)).every((d) => d.archived_at !== null && d.archive_reason === 'entity_deleted'));
      assert.equal((await auditRowsOf(entityId)).length, 50);
      assert.equal((await documentEventRowsOf(entityId)).length, 50);
    });

    it('when an attempt stalls on a lock past its start-to-close time, then PostgreSQL rolls its transaction back and its documents are free for the retry', async () => {
      const { entityId, entityType, workflowId } = await newEntity(5);
      const ids = (await documentsOf(entityId)).map((d) => d.id);
      // An uncommitted row with the first document's audit event ID: the page's INSERT waits on it, its documents locked.
      const blocker = await hold(
        `INSERT INTO audit_events (event_id, source, action, entity_id, entity_type, details, occurred_at) VALUES ($1::uuid, 'test', 'blocker', $2, 'document', '{}', now())`,
        [toArchiveEventId(workflowId, ids[0] ?? '', 'audit'), ids[0]],
      );
      const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 1500 }, { logger: new DefaultLogger('ERROR') });
      const started = Date.now();
      await assert.rejects(
        env.run(() => activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 })),
        (e: unknown) => {
          assert.match(String(e), /archiving a page of deal .* failed \(rolled back\): .*(lock timeout|statement timeout)/s);
          return true;
        },
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 3000, `the stalled attempt ended within its time (${elapsed} ms)`);

      // Another transaction can lock every document at once: the stalled attempt holds nothing.
      const free = await holdInTransaction(db.url, 'SELECT id FROM documents WHERE entity_id = $1::uuid FOR UPDATE NOWAIT', [entityId]);
      await free.release();
      assert.ok((await documentsOf(entityId)).every((d) => d.archived_at === null), 'nothing of the stalled attempt was committed');

      await blocker.release();
      assert.deepEqual(await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 }), { documentsArchived: 5 });
    });

    it('when marking rows published waits on a lock, then publishing heartbeats throughout, and a cancellation ends it at once', async () => {
      const { entityId, entityType, workflowId } = await newEntity(3);
      const a = activities();
      await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 });
      const lock = await hold(`SELECT event_id FROM audit_events WHERE details->>'source_entity_id' = $1 FOR UPDATE`, [entityId]);

      const heartbeatTimeoutMs = 400;
      const env = new MockActivityEnvironment({ heartbeatTimeoutMs, startToCloseTimeoutMs: 60_000 }, { logger: new DefaultLogger('ERROR') });
      const beats: number[] = [];
      env.on('heartbeat', () => beats.push(Date.now()));
      const started = Date.now();
      const publishing = env.run(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10 }));
      const outcome = publishing.then(
        () => 'completed',
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const cancelledAt = Date.now();
      env.cancel();
      const error = await outcome;
      const endedAt = Date.now();

      assert.ok(error instanceof CancelledFailure, `cancelled, got ${String(error)}`);
      assert.ok(endedAt - cancelledAt < 200, `ended ${endedAt - cancelledAt} ms after the cancellation`);
      const gaps = [...beats, cancelledAt].map((t, i, all) => t - (i === 0 ? started : (all[i - 1] ?? started)));
      assert.ok(beats.length >= 5, `heartbeats while blocked (${beats.length})`);
      assert.ok(Math.max(...gaps) < heartbeatTimeoutMs, `longest silence ${Math.max(...gaps)} ms < heartbeat timeout ${heartbeatTimeoutMs} ms`);

      await lock.release();
      await eventuallyTrue('the cancelled call\'s marking went through once the lock was released', async () => (await auditRowsOf(entityId)).every((r) => r.publishedAt !== null));
      const rest = await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10 }));
      assert.deepEqual(rest.value, { auditEventsPublished: 0, documentEventsPublished: 0, more: false }, 'the cancelled call had sent both kinds');
      await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
      await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
    });
  });

  it('when a committed page is run again over the same documents, then no event is written twice', async () => {
    const { entityId, entityType, workflowId } = await newEntity(4, 'token');
    await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 });
    const firstAudits = await auditRowsOf(entityId);
    // The same documents become archivable again (as if the page's work were replayed): the event IDs are the same.
    await db.prisma.$executeRaw`UPDATE documents SET archived_at = NULL, archive_reason = NULL WHERE entity_id = ${entityId}::uuid`;

    const again = await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 });

    assert.deepEqual(again, { documentsArchived: 4 });
    const audits = await auditRowsOf(entityId);
    assert.equal(audits.length, 4);
    assert.deepEqual(audits.map((a) => [a.eventId, a.occurredAt.getTime()]), firstAudits.map((a) => [a.eventId, a.occurredAt.getTime()]), 'the first rows are kept');
    assert.equal((await documentEventRowsOf(entityId)).length, 4);
  });

  it('when a page is retried after its result was lost, then it archives the next documents and no document gets two events', async () => {
    const { entityId, entityType, workflowId } = await newEntity(6, 'compliance');
    await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 4 });
    await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 4 });
    const audits = await auditRowsOf(entityId);
    assert.equal(audits.length, 6);
    assert.equal(new Set(audits.map((a) => a.entityId)).size, 6);
  });

  it('when the entity has no documents, then a page archives nothing and writes nothing', async () => {
    const { entityId, entityType, workflowId } = await newEntity(0, 'issuer');
    assert.deepEqual(await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 500 }), { documentsArchived: 0 });
    assert.equal((await auditRowsOf(entityId)).length, 0);
    const published = await inActivity(() => activities().publishArchiveEvents({ entityId, entityType, batchSize: 500 }));
    assert.deepEqual(published.value, { auditEventsPublished: 0, documentEventsPublished: 0, more: false });
  });

  it('when documents were archived earlier or belong to another entity or type, then they are left alone', async () => {
    const { entityId, entityType, workflowId } = await newEntity(2);
    await db.prisma.$executeRaw`UPDATE documents SET archived_at = '2020-01-01Z', archive_reason = 'retention' WHERE id = (SELECT id FROM documents WHERE entity_id = ${entityId}::uuid ORDER BY id LIMIT 1)`;
    await seedDocuments(db.prisma, entityId, 'issuer', 1);
    const other = await newEntity(3);

    assert.deepEqual(await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 }), { documentsArchived: 1 });

    const rows = await db.prisma.$queryRaw<Array<{ entity_type: string; archive_reason: string | null }>>`
      SELECT entity_type, archive_reason FROM documents WHERE entity_id = ${entityId}::uuid ORDER BY entity_type, archive_reason`;
    assert.deepEqual(rows, [{ entity_type: 'deal', archive_reason: 'entity_deleted' }, { entity_type: 'deal', archive_reason: 'retention' }, { entity_type: 'issuer', archive_reason: null }]);
    assert.ok((await documentsOf(other.entityId)).every((d) => d.archived_at === null));
  });

  it('when the input is invalid, then a non-retryable failure is thrown', async () => {
    const a = activities();
    const nonRetryable = (e: unknown) => e instanceof ApplicationFailure && e.nonRetryable;
    await assert.rejects(a.archiveDocumentsPage({ workflowId: 'w', entityId: 'nope', entityType: 'deal', pageSize: 5 }), nonRetryable);
    await assert.rejects(a.archiveDocumentsPage({ workflowId: 'w', entityId: randomUUID(), entityType: 'widget' as EntityType, pageSize: 5 }), nonRetryable);
    await assert.rejects(a.archiveDocumentsPage({ workflowId: 'w', entityId: randomUUID(), entityType: 'deal', pageSize: 0 }), nonRetryable);
    await assert.rejects(a.archiveDocumentsPage({ workflowId: '', entityId: randomUUID(), entityType: 'deal', pageSize: 5 }), nonRetryable);
  });

  it('when a publishing call is bounded by maxEvents, then it stops there saying more are left, and the next call sends the rest', async () => {
    const { entityId, entityType, workflowId } = await newEntity(23);
    const a = activities();
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 30 });
    const first = await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10, maxEvents: 10 }));
    assert.deepEqual(first.value, { auditEventsPublished: 10, documentEventsPublished: 10, more: true });
    const rest = await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10, maxEvents: 20 }));
    assert.deepEqual(rest.value, { auditEventsPublished: 13, documentEventsPublished: 13, more: false });
    assert.equal((await auditRowsOf(entityId)).filter((row) => row.publishedAt === null).length, 0);
    assert.equal((await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl)).length, 23, 'each audit event sent once over both calls');
    assert.equal((await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl)).length, 23, 'each document event sent once over both calls');
  });

  it('when the archive is summarized before it is complete, then it refuses (retryable) saying what is left; once complete, the counts are the database rows of this entity', async () => {
    const { entityId, entityType, workflowId } = await newEntity(12);
    const other = await newEntity(4);
    const a = activities();
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 5 });
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 5 });
    await a.archiveDocumentsPage({ workflowId: other.workflowId, entityId: other.entityId, entityType: other.entityType, pageSize: 5 });
    await assert.rejects(a.summarizeArchive({ entityId, entityType }), (e: unknown) => {
      assert.ok(e instanceof ArchiveIncompleteError, String(e));
      assert.deepEqual([e.documentsLeft, e.auditEventsUnpublished, e.documentEventsUnpublished], [2, 10, 10]);
      assert.equal(e.message, `the archive of deal ${entityId} is not complete: 2 document(s) unarchived, 10 audit event(s) and 10 document event(s) unpublished`);
      assert.ok(!(e instanceof ApplicationFailure), 'a plain error: retried');
      return true;
    });
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 5 });
    await assert.rejects(a.summarizeArchive({ entityId, entityType }), (e: unknown) => e instanceof ArchiveIncompleteError && e.documentsLeft === 0 && e.auditEventsUnpublished === 12);
    await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10 }));
    assert.deepEqual(await a.summarizeArchive({ entityId, entityType }), {
      documentsArchived: 12,
      auditEventsPublished: 12,
      documentEventsPublished: 12,
      documentsLeft: 0,
      eventsUnpublished: 0,
    });
    await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
    await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
  });

  it('when events are published, then SNS and SQS receive each once with FIFO group and deduplication IDs, and the rows are marked', async () => {
    const { entityId, entityType, workflowId } = await newEntity(23);
    const a = activities();
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 30 });

    const { value, heartbeats } = await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 30 }));

    assert.deepEqual(value, { auditEventsPublished: 23, documentEventsPublished: 23, more: false });
    assert.ok(heartbeats >= 6, `heartbeats after every batch call (got ${heartbeats})`);
    const audits = await auditRowsOf(entityId);
    const documentEvents = await documentEventRowsOf(entityId);
    assert.ok(audits.every((r) => r.publishedAt !== null));
    assert.ok(documentEvents.every((r) => r.publishedAt !== null));

    const snsMessages = await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
    const auditBodies = snsMessages.map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
    assert.deepEqual(auditBodies.map((b) => b.event_id).sort(), audits.map((r) => r.eventId).sort());
    const audit = audits[0];
    assert.ok(audit);
    assert.deepEqual(
      auditBodies.find((b) => b.event_id === audit.eventId),
      {
        event_id: audit.eventId,
        source: 'document-vault-service',
        action: 'document.archived',
        actor_id: null,
        actor_type: 'system',
        entity_id: audit.entityId,
        entity_type: 'document',
        details: { archived_at: audit.occurredAt.toISOString(), reason: 'entity_deleted', source_entity_id: entityId, source_entity_type: entityType },
        occurred_at: audit.occurredAt.toISOString(),
      },
    );

    const sqsMessages = await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
    assert.equal(sqsMessages.length, 23);
    const byEventId = new Map(sqsMessages.map((m) => [m.MessageAttributes?.event_id?.StringValue ?? '', m]));
    assert.deepEqual([...byEventId.keys()].sort(), documentEvents.map((r) => r.eventId).sort());
    const event = documentEvents[0];
    assert.ok(event);
    const message = byEventId.get(event.eventId);
    assert.equal(message?.Attributes?.MessageGroupId, entityId);
    assert.equal(message?.Attributes?.MessageDeduplicationId, event.eventId);
    assert.deepEqual(JSON.parse(message?.Body ?? '{}'), { event_type: 'document.archived', occurred_at: event.occurredAt.toISOString(), payload: event.payload });
  });

  it('when publishing runs again, then nothing is re-sent', async () => {
    const { entityId, entityType, workflowId } = await newEntity(3);
    const a = activities();
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 });
    await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10 }));
    const again = await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10 }));
    assert.deepEqual(again.value, { auditEventsPublished: 0, documentEventsPublished: 0, more: false });
    assert.equal((await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl)).length, 3);
    assert.equal((await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl)).length, 3);
  });

  it('when a crash left earlier rows unpublished, then the next publish sends them too, and a re-sent row is dropped by the FIFO queue', async () => {
    const { entityId, entityType, workflowId } = await newEntity(8);
    const a = activities();
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 4 });
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 4 });
    await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 4 }));
    // A crash between sending and marking: two rows look unpublished although they were sent.
    await db.prisma.$executeRaw`UPDATE document_events SET published_at = NULL
      WHERE event_id IN (SELECT event_id FROM document_events WHERE payload->>'entity_id' = ${entityId} ORDER BY event_id LIMIT 2)`;
    const again = await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 4 }));
    assert.deepEqual(again.value, { auditEventsPublished: 0, documentEventsPublished: 2, more: false });
    const received = await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
    assert.equal(received.length, 8, 'the re-sent messages were deduplicated by the queue');
    assert.equal(new Set(received.map((m) => m.MessageAttributes?.event_id?.StringValue)).size, 8);
    await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
  });

  /** An SQS client that refuses the first entry of the first `failingCalls` batch calls, as SQS does per entry. */
  function refusingFirstEntry(failingCalls: number, senderFault = false): { client: Pick<SQSClient, 'send'>; refused: string[] } {
    const refused: string[] = [];
    let calls = 0;
    const client = {
      send: async (command: SendMessageBatchCommand) => {
        calls += 1;
        if (!(command instanceof SendMessageBatchCommand) || calls > failingCalls) return destinations.sqs.send(command);
        const [first, ...rest] = command.input.Entries ?? [];
        const response = rest.length > 0 ? await destinations.sqs.send(new SendMessageBatchCommand({ ...command.input, Entries: rest })) : { Successful: [], Failed: [] };
        refused.push(first?.Id ?? '');
        return { ...response, Failed: [...(response.Failed ?? []), { Id: first?.Id, Code: 'InternalError', Message: 'simulated', SenderFault: senderFault }] };
      },
    } as Pick<SQSClient, 'send'>;
    return { client, refused };
  }

  it('when a batch entry is refused once, then it is re-sent and every row is marked', async () => {
    const { entityId, entityType, workflowId } = await newEntity(5);
    const { client, refused } = refusingFirstEntry(1);
    const a = activities({ sqs: client });
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 });

    const { value } = await inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10 }));

    assert.equal(refused.length, 1);
    assert.deepEqual(value, { auditEventsPublished: 5, documentEventsPublished: 5, more: false });
    const received = await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
    assert.equal(received.length, 5);
    assert.ok(received.some((m) => m.MessageAttributes?.event_id?.StringValue === refused[0]));
    assert.ok((await documentEventRowsOf(entityId)).every((r) => r.publishedAt !== null));
    await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
  });

  it('when an entry keeps being refused, then the sent rows are marked, the refused one is not, and the failure names it', async () => {
    const { entityId, entityType, workflowId } = await newEntity(5);
    const { client, refused } = refusingFirstEntry(3);
    const a = activities({ sqs: client });
    await a.archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 });

    await assert.rejects(inActivity(() => a.publishArchiveEvents({ entityId, entityType, batchSize: 10 })), (e: unknown) => {
      assert.ok(e instanceof EventPublishError);
      assert.deepEqual(e.unsentEventIds, [refused[0]]);
      assert.match(e.message, /1 event\(s\) not published to SQS queue .*: entries refused \(.*InternalError simulated\)/);
      return true;
    });
    const rows = await documentEventRowsOf(entityId);
    assert.deepEqual(rows.filter((r) => r.publishedAt === null).map((r) => r.eventId), [refused[0]]);
    assert.ok((await auditRowsOf(entityId)).every((r) => r.publishedAt !== null), 'the audit events went out regardless');

    const retried = await inActivity(() => activities().publishArchiveEvents({ entityId, entityType, batchSize: 10 }));
    assert.deepEqual(retried.value, { auditEventsPublished: 0, documentEventsPublished: 1, more: false });
    assert.equal((await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl)).length, 5);
    await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
  });

  it('when the queue does not exist or is not configured, then publishing fails for good with a readable reason', async () => {
    const { entityId, entityType, workflowId } = await newEntity(1);
    await activities().archiveDocumentsPage({ workflowId, entityId, entityType, pageSize: 10 });
    const missing = `${destinations.documentEventsQueueUrl.replace(/document-events-[^/]*$/, '')}does-not-exist.fifo`;
    await assert.rejects(inActivity(() => activities({ documentEventsQueueUrl: missing }).publishArchiveEvents({ entityId, entityType, batchSize: 10 })), (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure && e.nonRetryable, String(e));
      assert.match(e.message, /1 event\(s\) not published to SQS queue .*does-not-exist\.fifo/);
      return true;
    });
    await assert.rejects(inActivity(() => activities({ auditTopicArn: undefined }).publishArchiveEvents({ entityId, entityType, batchSize: 10 })), (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure && e.nonRetryable);
      assert.match(e.message, /CASCADE_AUDIT_TOPIC_ARN is not set/);
      return true;
    });
    await inActivity(() => activities().publishArchiveEvents({ entityId, entityType, batchSize: 10 }));
    await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
    await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
  });
});
