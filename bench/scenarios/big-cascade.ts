import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { EntityDeletedResult } from '../../src/shared/entity-deleted';
import type { BenchEnv } from '../bench-env';
import { startCascadeProcess } from '../cascade-process';
import type { Measurements } from '../measurements';
import type { BenchSettings } from '../settings';
import { createBenchQueues, createRunIds, preload, waitForCount } from '../workload';

async function seedDocuments(env: BenchEnv, entityId: string, count: number): Promise<void> {
  await env.prisma.$executeRaw`INSERT INTO documents (id, entity_id, entity_type, title)
    SELECT gen_random_uuid(), ${entityId}::uuid, 'deal', 'Document ' || n FROM generate_series(1, ${count}::int) AS n`;
}

async function countWritten(env: BenchEnv, entityId: string): Promise<{ archived: number; audits: number; documentEvents: number }> {
  const [row] = await env.prisma.$queryRaw<Array<{ archived: bigint; audits: bigint; document_events: bigint }>>`
    SELECT
      (SELECT count(*) FROM documents WHERE entity_id = ${entityId}::uuid AND archived_at IS NOT NULL) AS archived,
      (SELECT count(*) FROM audit_events WHERE details->>'source_entity_id' = ${entityId}) AS audits,
      (SELECT count(*) FROM document_events WHERE payload->>'entity_id' = ${entityId}) AS document_events`;
  return { archived: Number(row?.archived ?? 0), audits: Number(row?.audits ?? 0), documentEvents: Number(row?.document_events ?? 0) };
}

/**
 * The ceiling of scenario 6: the same effects for an entity of the same size
 * with bulk SQL in one transaction (archive, then both outboxes with
 * INSERT … SELECT), no workflow, no publishing.
 */
async function runBulkSql(env: BenchEnv, count: number): Promise<number> {
  const entityId = randomUUID();
  await seedDocuments(env, entityId, count);
  const t0 = Date.now();
  await env.prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`UPDATE documents SET archived_at = now(), archive_reason = 'entity_deleted' WHERE entity_id = ${entityId}::uuid AND archived_at IS NULL`;
      await tx.$executeRaw`INSERT INTO audit_events (event_id, source, action, entity_id, entity_type, details, occurred_at)
        SELECT gen_random_uuid(), 'document-vault-service', 'document.archived', d.id::text, 'document',
          jsonb_build_object('archived_at', d.archived_at, 'reason', 'entity_deleted', 'source_entity_id', d.entity_id::text, 'source_entity_type', d.entity_type), d.archived_at
        FROM documents d WHERE d.entity_id = ${entityId}::uuid`;
      await tx.$executeRaw`INSERT INTO document_events (event_id, event_type, payload, occurred_at)
        SELECT gen_random_uuid(), 'document.archived',
          jsonb_build_object('document_id', d.id::text, 'entity_id', d.entity_id::text, 'entity_type', d.entity_type, 'reason', 'entity_deleted'), d.archived_at
        FROM documents d WHERE d.entity_id = ${entityId}::uuid`;
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  return Date.now() - t0;
}

/**
 * 6. Big cascade: an entity with many documents archived through the bridge
 * and the worker (pages, outbox rows, publishing to SNS/SQS, continueAsNew),
 * against the bulk-SQL ceiling; every run's history size is checked.
 */
export async function runBigCascade(env: BenchEnv, settings: BenchSettings, m: Measurements, pageSize: number, key: string): Promise<void> {
  const d = settings.bigDocuments;
  const ids = createRunIds(`big-${pageSize}`);
  const entityId = randomUUID();
  await seedDocuments(env, entityId, d);
  const queues = await createBenchQueues(env.sqs, ids.run);
  // A document-events queue of the run's own, deleted afterwards: nothing reads it here, so the stack's shared one
  // would keep every earlier run's 100,000 messages in ElasticMQ's memory.
  const documentEventsQueueUrl =
    (await env.sqs.send(new CreateQueueCommand({ QueueName: `bench-docs-${ids.run}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }))).QueueUrl ?? '';
  const processEnv: NodeJS.ProcessEnv = {
    ...env.baseEnv,
    TEMPORAL_TASK_QUEUE: ids.taskQueue,
    CASCADE_ROUTES: 'entity-deleted',
    CASCADE_QUEUE_URL_ENTITY_DELETED: queues.queueUrl,
    CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
    CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    CASCADE_ARCHIVE_PAGE_SIZE: String(pageSize),
    CASCADE_DOCUMENT_EVENTS_QUEUE_URL: documentEventsQueueUrl,
  };
  const worker = await startCascadeProcess('worker', processEnv);
  const bridge = await startCascadeProcess('bridge', processEnv);
  try {
    const eventId = `bench-${ids.run}`;
    const t0 = Date.now();
    await preload(env.sqs, queues.queueUrl, [JSON.stringify({ event_id: eventId, source: 'bench', action: 'entity.deleted', entity_id: entityId, entity_type: 'deal' })]);
    const writtenAt = await waitForCount(
      '6. documents archived with their outbox rows',
      async () => {
        const written = await countWritten(env, entityId);
        return Math.min(written.archived, written.audits, written.documentEvents);
      },
      d,
      1_800_000,
      250,
    );
    const workflowId = `entity-deleted/${eventId}`;
    const result = (await env.temporal.workflow.getHandle(workflowId).result()) as EntityDeletedResult;
    const completedAt = Date.now();
    const historySizes: number[] = [];
    let runId: string | undefined = (await env.temporal.workflow.getHandle(workflowId).describe()).runId;
    while (runId) {
      const history = await env.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
      historySizes.push(history.events?.length ?? 0);
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    }
    m.add(`${key}.writtenMs`, writtenAt - t0);
    m.add(`${key}.completeMs`, completedAt - t0);
    m.add(`${key}.maxHistory`, Math.max(...historySizes));
    m.add(`${key}.runs`, historySizes.length);
    const written = await countWritten(env, entityId);
    m.check(`6. (page size ${pageSize}) every document archived once with one audit and one document event`, written.archived === d && written.audits === d && written.documentEvents === d, JSON.stringify(written));
    m.check(`6. (page size ${pageSize}) every event published once`, result.documentsArchived === d && result.auditEventsPublished === d && result.documentEventsPublished === d, JSON.stringify(result));
    const onQueue = Number(
      (await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: documentEventsQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages ?? -1,
    );
    m.check(`6. (page size ${pageSize}) one document event per document on the queue`, onQueue === d, `${onQueue} of ${d}`);
    m.check(`6. (page size ${pageSize}) no run over 10,000 history events`, Math.max(...historySizes) < 10_000, historySizes.join(', '));
  } finally {
    await Promise.all([bridge.stop(), worker.stop()]);
    await env.sqs.send(new DeleteQueueCommand({ QueueUrl: documentEventsQueueUrl }));
  }
  m.add(`${key}.bulkMs`, await runBulkSql(env, d));
}
