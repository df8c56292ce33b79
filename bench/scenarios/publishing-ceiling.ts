import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { toAuditEvent, toDocumentEvent } from '../../activities/entity-activities';
import { createSqsBatchSender, createSnsBatchSender, sendEventsInBatches, type OutgoingEvent } from '../../activities/entity-event-publisher';
import { createSnsClient } from '../../src/app/destination-clients';
import type { BenchEnv } from '../bench-env';
import type { Measurements } from '../measurements';
import type { BenchSettings } from '../settings';
import { createRunIds } from '../workload';

/** Audit and document events shaped like the big cascade's (same body builders), `count` of each. */
function toEvents(entityId: string, count: number): { audits: OutgoingEvent[]; documents: OutgoingEvent[] } {
  const audits: OutgoingEvent[] = [];
  const documents: OutgoingEvent[] = [];
  const occurredAt = new Date();
  for (let i = 0; i < count; i++) {
    const documentId = randomUUID();
    audits.push(
      toAuditEvent(
        {
          event_id: randomUUID(),
          source: 'document-vault-service',
          action: 'document.archived',
          entity_id: documentId,
          entity_type: 'document',
          details: { archived_at: occurredAt.toISOString(), reason: 'entity_deleted', source_entity_id: entityId, source_entity_type: 'deal' },
          occurred_at: occurredAt,
        },
        entityId,
      ),
    );
    documents.push(
      toDocumentEvent(
        { event_id: randomUUID(), event_type: 'document.archived', payload: { document_id: documentId, entity_id: entityId, entity_type: 'deal', reason: 'entity_deleted' }, occurred_at: occurredAt },
        entityId,
      ),
    );
  }
  return { audits, documents };
}

/**
 * Publishing ceiling of scenario 6: as many audit events (SNS `PublishBatch`
 * to the stack's audit topic) and document events (SQS `SendMessageBatch` to
 * a FIFO queue of its own) as the big cascade publishes, sent alone — no
 * database, no workflow — with the worker's batch sender, ten per call and
 * `settings.publishConcurrency` calls in flight per destination, both at once
 * as the publishing activity does. What moto and ElasticMQ can take.
 */
export async function runPublishingCeiling(env: BenchEnv, settings: BenchSettings, m: Measurements): Promise<void> {
  const d = settings.bigDocuments;
  const ids = createRunIds('publish');
  const queueUrl = (await env.sqs.send(new CreateQueueCommand({ QueueName: `bench-publish-${ids.run}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }))).QueueUrl ?? '';
  const sns = createSnsClient(env.config);
  try {
    const { audits, documents } = toEvents(randomUUID(), d);
    const options = { concurrency: settings.publishConcurrency };
    const t0 = Date.now();
    const [audit, document] = await Promise.all([
      sendEventsInBatches(audits, createSnsBatchSender(sns, env.endpoints.CASCADE_AUDIT_TOPIC_ARN), options),
      sendEventsInBatches(documents, createSqsBatchSender(env.sqs, queueUrl), options),
    ]);
    m.add('publish.ms', Date.now() - t0);
    const failures = [audit, document].flatMap((r) => [...r.failed.map((f) => `${f.eventId}: ${f.code}`), ...(r.error === undefined ? [] : [r.error instanceof Error ? r.error.message : 'a batch call failed'])]);
    m.check('6. publishing ceiling: every event sent', audit.sent.length === d && document.sent.length === d && failures.length === 0, `${audit.sent.length} + ${document.sent.length} of ${d} + ${d}; ${failures.slice(0, 3).join('; ')}`);
    const onQueue = Number((await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages ?? -1);
    m.check('6. publishing ceiling: one document event per document on the queue', onQueue === d, `${onQueue} of ${d}`);
  } finally {
    sns.destroy();
    await env.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  }
}
