import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { EntityDeletedResult } from '../../src/shared/entity-deleted';
import { type E2eContext, createE2eContext, createTestQueues, eventually, startTestCascade } from '../support/e2e-harness';
import { type EventDestinations, createEventDestinations, drainQueue, seedDocuments, startWorkerProcess } from '../support/entity-deleted-fixtures';

const DOCUMENTS = 20_000;
const PAGE_SIZE = 100;
const HISTORY_LIMIT = 10_000;

const seconds = (ms: number) => (ms / 1000).toFixed(1);

describe('entity-deleted big cascade (20,000 documents, worker killed with SIGKILL mid-cascade)', function () {
  this.timeout(300_000);
  let ctx: E2eContext;
  let destinations: EventDestinations;

  before(async () => {
    ctx = await createE2eContext('entity_big');
    destinations = await createEventDestinations('big', { subscribeAuditQueue: false });
  });
  after(async () => {
    destinations?.close();
    await ctx?.close();
  });

  it('when the worker is killed during a 20,000-document cascade, then a new worker finishes it: every document archived once, every event published once, small histories', async () => {
    const started = Date.now();
    const entityId = randomUUID();
    assert.equal(await seedDocuments(ctx.db.prisma, entityId, 'deal', DOCUMENTS), DOCUMENTS);
    const queues = await createTestQueues(ctx.sqs, 'big');
    const env: NodeJS.ProcessEnv = {
      ...ctx.env,
      CASCADE_ROUTES: 'entity-deleted',
      CASCADE_QUEUE_URL_ENTITY_DELETED: queues.queueUrl,
      CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
      CASCADE_AUDIT_TOPIC_ARN: destinations.auditTopicArn,
      CASCADE_DOCUMENT_EVENTS_QUEUE_URL: destinations.documentEventsQueueUrl,
      CASCADE_ARCHIVE_PAGE_SIZE: String(PAGE_SIZE),
      // A lost attempt of the killed worker is retried after this long (the publish activity's heartbeat timeout is shorter).
      CASCADE_ACTIVITY_TIMEOUT_MS: '10000',
    };
    const bridge = await startTestCascade(ctx, { queues, env, roles: { bridge: true, worker: false, http: false } });
    const first = startWorkerProcess(env);
    let second: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      const eventId = `big-${randomUUID()}`;
      await bridge.send([JSON.stringify({ event_id: eventId, source: 'entity-service', action: 'entity.deleted', entity_id: entityId, entity_type: 'deal' })]);
      const [outcome] = await bridge.waitForOutcomes(1);
      assert.equal(outcome?.outcome, 'started');
      const workflowId = `entity-deleted/${eventId}`;

      const archivedCount = () => ctx.db.prisma.document.count({ where: { entityId, archivedAt: { not: null } } });
      await eventually('a quarter of the documents are archived', async () => (await archivedCount()) >= DOCUMENTS / 4, 120_000);
      const killedAt = Date.now();
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');
      const archivedAtKill = await archivedCount();
      assert.ok(archivedAtKill < DOCUMENTS, `the worker was killed mid-cascade (${archivedAtKill} archived)`);

      second = startWorkerProcess(env);
      const result = (await ctx.temporal.workflow.getHandle(workflowId).result()) as EntityDeletedResult;
      const finishedAt = Date.now();

      assert.equal(result.documentsArchived, DOCUMENTS);
      assert.ok(result.runs >= 2, `the cascade continued as new (${result.runs} runs)`);
      const [counts] = await ctx.db.prisma.$queryRaw<Array<{ archived: bigint; audits: bigint; audited_documents: bigint; audits_published: bigint; document_events: bigint; document_events_published: bigint }>>`
        SELECT
          (SELECT count(*) FROM documents WHERE entity_id = ${entityId}::uuid AND archived_at IS NOT NULL AND archive_reason = 'entity_deleted') AS archived,
          (SELECT count(*) FROM audit_events WHERE details->>'source_entity_id' = ${entityId}) AS audits,
          (SELECT count(DISTINCT entity_id) FROM audit_events WHERE details->>'source_entity_id' = ${entityId}) AS audited_documents,
          (SELECT count(*) FROM audit_events WHERE details->>'source_entity_id' = ${entityId} AND published_at IS NOT NULL) AS audits_published,
          (SELECT count(*) FROM document_events WHERE payload->>'entity_id' = ${entityId}) AS document_events,
          (SELECT count(*) FROM document_events WHERE payload->>'entity_id' = ${entityId} AND published_at IS NOT NULL) AS document_events_published`;
      const total = BigInt(DOCUMENTS);
      assert.deepEqual(counts, { archived: total, audits: total, audited_documents: total, audits_published: total, document_events: total, document_events_published: total });

      const received = await drainQueue(ctx.sqs, destinations.documentEventsQueueUrl);
      const drainedAt = Date.now();
      const eventIds = received.map((m) => m.MessageAttributes?.event_id?.StringValue ?? '');
      assert.equal(new Set(eventIds).size, DOCUMENTS, 'every document event arrived');
      assert.equal(received.length, DOCUMENTS, 'and none twice');

      // Walk the run chain backwards from the latest run; every run's history stays small.
      const historySizes: number[] = [];
      let runId: string | undefined = (await ctx.temporal.workflow.getHandle(workflowId).describe()).runId;
      while (runId) {
        const history = await ctx.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
        historySizes.push(history.events?.length ?? 0);
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      }
      assert.equal(historySizes.length, result.runs);
      const largest = Math.max(...historySizes);
      assert.ok(largest < HISTORY_LIMIT, `largest history ${largest} events`);
      process.stderr.write(
        `[entity-deleted big] ${DOCUMENTS} documents, page size ${PAGE_SIZE}: ${seconds(Date.now() - started)} s in all ` +
          `(seed + first worker until the kill ${seconds(killedAt - started)} s, second worker to completion ${seconds(finishedAt - killedAt)} s, reading the queue ${seconds(drainedAt - finishedAt)} s); ` +
          `worker SIGKILLed at ${archivedAtKill} archived; ${historySizes.length} runs, history sizes ${historySizes.reverse().join(', ')} (largest ${largest} events)\n`,
      );
    } catch (error) {
      process.stderr.write(`[entity-deleted big] worker stderr (last lines):\n${second?.stderr() ?? first.stderr()}\n`);
      throw error;
    } finally {
      for (const worker of [first, second]) {
        if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
          worker.child.kill('SIGTERM');
          await worker.exited;
        }
      }
      await bridge.app.stop();
    }
  });
});
