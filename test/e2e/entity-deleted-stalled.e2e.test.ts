import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { toArchiveEventId } from '../../activities/entity-event-ids';
import type { EntityDeletedResult } from '../../src/shared/entity-deleted';
import { type E2eContext, createE2eContext, createTestQueues, eventually, startTestCascade } from '../support/e2e-harness';
import { type EventDestinations, createEventDestinations, holdInTransaction, seedDocuments, startWorkerProcess } from '../support/entity-deleted-fixtures';

const DOCUMENTS = 50;
const PAGE_SIZE = 20;
const ACTIVITY_TIMEOUT_MS = 6000;

describe('entity-deleted with a worker frozen (SIGSTOP) inside a page transaction', function () {
  this.timeout(240_000);
  let ctx: E2eContext;
  let destinations: EventDestinations;

  before(async () => {
    ctx = await createE2eContext('entity_stalled');
    destinations = await createEventDestinations('stalled', { subscribeAuditQueue: false });
  });
  after(async () => {
    destinations?.close();
    await ctx?.close();
  });

  /** Sessions of the test database inside a transaction (the frozen worker's, while PostgreSQL keeps it). */
  const openTransactions = async () =>
    Number(
      (
        await ctx.db.prisma.$queryRaw<Array<{ count: bigint }>>`
          SELECT count(*) AS count FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`
      )[0]?.count ?? 0,
    );

  it('when the worker running a page is frozen holding its row locks, then PostgreSQL rolls that transaction back within the attempt time and another worker completes the cascade 50/50', async () => {
    const entityId = randomUUID();
    await seedDocuments(ctx.db.prisma, entityId, 'deal', DOCUMENTS);
    const firstId = (await ctx.db.prisma.document.findFirst({ where: { entityId }, orderBy: { id: 'asc' } }))?.id ?? '';
    const eventId = `stalled-${randomUUID()}`;
    const workflowId = `entity-deleted/${eventId}`;
    // An uncommitted row with the first document's audit event ID: the first page's INSERT waits on it, holding its documents.
    const blocker = await holdInTransaction(
      ctx.db.url,
      `INSERT INTO audit_events (event_id, source, action, entity_id, entity_type, details, occurred_at) VALUES ($1::uuid, 'test', 'blocker', $2, 'document', '{}', now())`,
      [toArchiveEventId(workflowId, firstId, 'audit'), firstId],
    );
    const queues = await createTestQueues(ctx.sqs, 'stalled');
    const env: NodeJS.ProcessEnv = {
      ...ctx.env,
      CASCADE_ROUTES: 'entity-deleted',
      CASCADE_QUEUE_URL_ENTITY_DELETED: queues.queueUrl,
      CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
      CASCADE_AUDIT_TOPIC_ARN: destinations.auditTopicArn,
      CASCADE_DOCUMENT_EVENTS_QUEUE_URL: destinations.documentEventsQueueUrl,
      CASCADE_ARCHIVE_PAGE_SIZE: String(PAGE_SIZE),
      CASCADE_ACTIVITY_TIMEOUT_MS: String(ACTIVITY_TIMEOUT_MS),
    };
    const bridge = await startTestCascade(ctx, { queues, env, roles: { bridge: true, worker: false, http: false } });
    const frozen = startWorkerProcess(env);
    let second: Awaited<ReturnType<typeof startTestCascade>> | undefined;
    try {
      await bridge.send([JSON.stringify({ event_id: eventId, source: 'entity-service', action: 'entity.deleted', entity_id: entityId, entity_type: 'deal' })]);
      await eventually(
        "the first worker's page waits on the blocker",
        async () =>
          Number(
            (
              await ctx.db.prisma.$queryRaw<Array<{ count: bigint }>>`
                SELECT count(*) AS count FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO audit_events%'`
            )[0]?.count ?? 0,
          ) === 1,
        120_000,
      );
      frozen.child.kill('SIGSTOP');
      const frozenAt = Date.now();
      await blocker.release();
      // The frozen worker's INSERT goes through server-side; its transaction then sits idle, locks held, client frozen.
      await eventually('PostgreSQL ends the frozen attempt\'s transaction', async () => (await openTransactions()) === 0, 30_000);
      const rolledBackAfterMs = Date.now() - frozenAt;
      assert.ok(rolledBackAfterMs < ACTIVITY_TIMEOUT_MS + 3000, `rolled back ${rolledBackAfterMs} ms after the freeze (attempt time ${ACTIVITY_TIMEOUT_MS} ms)`);
      assert.equal(await ctx.db.prisma.document.count({ where: { entityId, archivedAt: { not: null } } }), 0, 'nothing of the frozen attempt was committed');

      second = await startTestCascade(ctx, { queues, env, roles: { bridge: false, worker: true, http: false } });
      const result = (await ctx.temporal.workflow.getHandle(workflowId).result()) as EntityDeletedResult;
      const completedAfterMs = Date.now() - frozenAt;

      assert.equal(frozen.child.signalCode, null, 'the first worker is still frozen');
      assert.equal(result.documentsArchived, DOCUMENTS);
      assert.equal(result.documentsLeft, 0);
      assert.equal(result.auditEventsPublished, DOCUMENTS);
      assert.equal(result.documentEventsPublished, DOCUMENTS);
      assert.equal(result.eventsUnpublished, 0);
      const documents = await ctx.db.prisma.document.findMany({ where: { entityId } });
      assert.ok(documents.every((d) => d.archivedAt !== null && d.archiveReason === 'entity_deleted'), `${DOCUMENTS}/${DOCUMENTS} archived`);
      process.stderr.write(`[entity-deleted stalled] frozen transaction rolled back ${rolledBackAfterMs} ms after SIGSTOP; cascade completed ${completedAfterMs} ms after it\n`);
    } catch (error) {
      process.stderr.write(`[entity-deleted stalled] frozen worker output (last lines):\n${frozen.stderr()}\n`);
      throw error;
    } finally {
      await blocker.release();
      frozen.child.kill('SIGKILL');
      await frozen.exited;
      await second?.app.stop();
      await bridge.app.stop();
    }
  });
});
