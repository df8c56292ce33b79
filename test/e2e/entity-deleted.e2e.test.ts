import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';
import { describeCascade } from '../../src/ops/cascade-details';
import { QUARANTINE_ATTRIBUTES } from '../../src/bridge/quarantine';
import type { EntityDeletedResult } from '../../src/shared/entity-deleted';
import { type E2eContext, createE2eContext, createTestQueues, eventually, peekQueue, queueDepth, startTestCascade } from '../support/e2e-harness';
import { type EventDestinations, createEventDestinations, drainQueue, holdInTransaction, seedDocuments } from '../support/entity-deleted-fixtures';

describe('entity-deleted end to end (ElasticMQ → bridge → Temporal → worker → PostgreSQL → SNS/SQS)', function () {
  this.timeout(180_000);
  let ctx: E2eContext;
  let destinations: EventDestinations;

  before(async () => {
    ctx = await createE2eContext('entity_deleted');
    destinations = await createEventDestinations('e2e');
  });
  after(async () => {
    destinations?.close();
    await ctx?.close();
  });

  const event = (fields: Record<string, unknown>) => ({ event_id: `evt-${randomUUID()}`, source: 'entity-service', action: 'entity.deleted', ...fields });

  async function startCascade(pageSize = 3) {
    const queues = await createTestQueues(ctx.sqs, 'entity');
    return startTestCascade(ctx, {
      queues,
      env: {
        CASCADE_ROUTES: 'entity-deleted',
        CASCADE_QUEUE_URL_ENTITY_DELETED: queues.queueUrl,
        CASCADE_AUDIT_TOPIC_ARN: destinations.auditTopicArn,
        CASCADE_DOCUMENT_EVENTS_QUEUE_URL: destinations.documentEventsQueueUrl,
        CASCADE_ARCHIVE_PAGE_SIZE: String(pageSize),
      },
    });
  }

  it('when entity events arrive, then documents are archived, events published to SNS and SQS, and the rest ignored or quarantined', async () => {
    const deal = randomUUID();
    const issuer = randomUUID();
    const bystander = randomUUID();
    await seedDocuments(ctx.db.prisma, deal, 'deal', 7);
    await seedDocuments(ctx.db.prisma, bystander, 'deal', 2);
    const dealDeleted = event({ entity_id: deal, entity_type: 'deal' });
    const cascade = await startCascade();
    try {
      await cascade.send([
        JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify(dealDeleted) }),
        JSON.stringify(event({ entity_id: issuer, entity_type: 'issuer' })),
        JSON.stringify(event({ action: 'entity.updated', entity_id: deal, entity_type: 'deal' })),
        JSON.stringify(event({ entity_id: randomUUID(), entity_type: 'widget' })),
        JSON.stringify(event({ entity_id: 'deal-42', entity_type: 'deal' })),
      ]);
      const outcomes = await cascade.waitForOutcomes(5);
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['ignored', 'ignored', 'rejected', 'started', 'started']);

      const dealWorkflowId = `entity-deleted/${dealDeleted.event_id}`;
      const dealHandle = ctx.temporal.workflow.getHandle(dealWorkflowId);
      const dealResult = (await dealHandle.result()) as EntityDeletedResult;
      assert.deepEqual(dealResult, {
        entityId: deal,
        entityType: 'deal',
        documentsArchived: 7,
        auditEventsPublished: 7,
        documentEventsPublished: 7,
        documentsLeft: 0,
        eventsUnpublished: 0,
        pages: 3,
        runs: 1,
      });
      const issuerOutcome = outcomes.find((o) => o.outcome === 'started' && o.workflowId !== dealWorkflowId);
      const issuerResult = (await ctx.temporal.workflow.getHandle(issuerOutcome?.workflowId ?? '').result()) as EntityDeletedResult;
      assert.equal(issuerResult.documentsArchived, 0);
      assert.equal(issuerResult.auditEventsPublished, 0);

      const details = await describeCascade(ctx.temporal, dealWorkflowId, (id) => id);
      const pages = details.activities.filter((a) => a.activityType === 'archiveDocumentsPage');
      assert.equal(pages.length, 3, `cascade show lists the three pages: ${JSON.stringify(details.activities)}`);
      assert.ok(pages.every((a) => a.local === true && a.state === 'completed' && a.attempts === 1));
      assert.ok(details.activities.some((a) => a.activityType === 'summarizeArchive' && a.local === true));
      assert.ok(details.activities.some((a) => a.activityType === 'publishArchiveEvents' && a.local === undefined && a.state === 'completed'));

      const description = await dealHandle.describe();
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EntityId), deal);
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EntityType), 'deal');

      const documents = await ctx.db.prisma.document.findMany({ where: { entityId: { in: [deal, bystander] } } });
      assert.equal(documents.filter((d) => d.entityId === deal && d.archivedAt !== null && d.archiveReason === 'entity_deleted').length, 7);
      assert.ok(documents.filter((d) => d.entityId === bystander).every((d) => d.archivedAt === null), 'another entity is untouched');
      const audits = await ctx.db.prisma.auditEvent.findMany({ where: { details: { path: ['source_entity_id'], equals: deal } } });
      const documentEvents = await ctx.db.prisma.documentEvent.findMany({ where: { payload: { path: ['entity_id'], equals: deal } } });
      assert.equal(audits.length, 7);
      assert.equal(documentEvents.length, 7);
      assert.ok([...audits, ...documentEvents].every((r) => r.publishedAt !== null), 'every outbox row is published');

      const published = await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl);
      const auditBodies = published.map((m) => JSON.parse(m.Body ?? '{}') as { event_id: string; action: string; actor_type: string; details: { source_entity_id: string } });
      assert.deepEqual(auditBodies.map((b) => b.event_id).sort(), audits.map((a) => a.eventId).sort());
      assert.ok(auditBodies.every((b) => b.action === 'document.archived' && b.actor_type === 'system' && b.details.source_entity_id === deal));

      const sent = await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
      assert.deepEqual(sent.map((m) => m.MessageAttributes?.event_id?.StringValue).sort(), documentEvents.map((d) => d.eventId).sort());
      const bodies = sent.map((m) => JSON.parse(m.Body ?? '{}') as { event_type: string; payload: { entity_id: string; document_id: string; reason: string } });
      assert.ok(bodies.every((b) => b.event_type === 'document.archived' && b.payload.entity_id === deal && b.payload.reason === 'entity_deleted'));
      assert.deepEqual(new Set(bodies.map((b) => b.payload.document_id)), new Set(documents.filter((d) => d.entityId === deal).map((d) => d.id)));

      const quarantined = await peekQueue(ctx.sqs, cascade.queues.quarantineQueueUrl);
      assert.equal(quarantined.length, 1);
      assert.match(quarantined[0]?.MessageAttributes?.[QUARANTINE_ATTRIBUTES.reason]?.StringValue ?? '', /^entity_id: must be a UUID/);
      const ignoredReasons = outcomes.filter((o) => o.outcome === 'ignored').map((o) => o.reason ?? '').sort();
      assert.match(ignoredReasons[0] ?? '', /^action "entity.updated" is not handled/);
      assert.match(ignoredReasons[1] ?? '', /^entity_type "widget" has no documents to archive/);
      await eventually('the route queue is empty', async () => (await queueDepth(ctx.sqs, cascade.queues.queueUrl)) === 0);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when another transaction holds one of 50 documents during the cascade, then the cascade waits for it (page retries) and completes with 50/50 archived and every event published', async () => {
    const entity = randomUUID();
    await seedDocuments(ctx.db.prisma, entity, 'investor', 50);
    const documents = await ctx.db.prisma.document.findMany({ where: { entityId: entity }, orderBy: { id: 'asc' } });
    const lockedId = documents[23]?.id ?? '';
    const lock = await holdInTransaction(ctx.db.url, 'SELECT id FROM documents WHERE id = $1::uuid FOR UPDATE', [lockedId]);
    const cascade = await startCascade(10);
    try {
      const deleted = event({ entity_id: entity, entity_type: 'investor' });
      await cascade.send([JSON.stringify(deleted)]);
      const [outcome] = await cascade.waitForOutcomes(1);
      assert.equal(outcome?.outcome, 'started');
      const workflowId = `entity-deleted/${deleted.event_id}`;
      const handle = ctx.temporal.workflow.getHandle(workflowId);
      const archived = () => ctx.db.prisma.document.count({ where: { entityId: entity, archivedAt: { not: null } } });

      await eventually('the 49 unlocked documents are archived', async () => (await archived()) === 49);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'the cascade waits for the locked document instead of completing');
      assert.equal(await archived(), 49);
      await lock.release();

      const result = (await handle.result()) as EntityDeletedResult;
      assert.deepEqual(result, {
        entityId: entity,
        entityType: 'investor',
        documentsArchived: 50,
        auditEventsPublished: 50,
        documentEventsPublished: 50,
        documentsLeft: 0,
        eventsUnpublished: 0,
        pages: 5,
        runs: 1,
      });
      const rows = await ctx.db.prisma.document.findMany({ where: { entityId: entity } });
      assert.ok(rows.every((d) => d.archivedAt !== null && d.archiveReason === 'entity_deleted'), '50/50 archived');
      const audits = await ctx.db.prisma.auditEvent.findMany({ where: { details: { path: ['source_entity_id'], equals: entity } } });
      const documentEvents = await ctx.db.prisma.documentEvent.findMany({ where: { payload: { path: ['entity_id'], equals: entity } } });
      assert.equal(audits.length, 50);
      assert.equal(documentEvents.length, 50);
      assert.ok([...audits, ...documentEvents].every((r) => r.publishedAt !== null), 'every outbox row is published');
      const sent = await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl);
      assert.equal(new Set(sent.map((m) => m.MessageAttributes?.event_id?.StringValue)).size, 50);
      assert.equal((await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl)).length, 50);

      const details = await describeCascade(ctx.temporal, workflowId, (id) => id);
      const pages = details.activities.filter((a) => a.activityType === 'archiveDocumentsPage');
      assert.ok(
        pages.some((a) => a.state === 'completed' && a.attempts > 1),
        `the wait shows as retries of the last page: ${JSON.stringify(pages.map((a) => [a.state, a.attempts]))}`,
      );
    } finally {
      await lock.release();
      await cascade.app.stop();
    }
  });

  it('when the same event is re-sent after its cascade finished, then it is a duplicate and nothing is archived or published twice', async () => {
    const entity = randomUUID();
    await seedDocuments(ctx.db.prisma, entity, 'token', 4);
    const body = JSON.stringify(event({ entity_id: entity, entity_type: 'token' }));
    const cascade = await startCascade();
    try {
      await cascade.send([body]);
      const [first] = await cascade.waitForOutcomes(1);
      await ctx.temporal.workflow.getHandle(first?.workflowId ?? '').result();
      await cascade.send([body]);
      const outcomes = await cascade.waitForOutcomes(2);
      assert.deepEqual(outcomes.map((o) => o.outcome), ['started', 'duplicate']);
      assert.equal(await ctx.db.prisma.auditEvent.count({ where: { details: { path: ['source_entity_id'], equals: entity } } }), 4);
      assert.equal((await drainQueue(destinations.sqs, destinations.documentEventsQueueUrl)).length, 4);
      assert.equal((await drainQueue(destinations.motoSqs, destinations.auditSubscriberQueueUrl)).length, 4);
    } finally {
      await cascade.app.stop();
    }
  });
});
