import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ArchivePageInput, EntityActivities, PublishArchiveEventsInput } from '../../activities/entity-activities';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';
import type { EntityDeletedEvent, EntityDeletedInput } from '../../src/shared/entity-deleted';
import { entityDeletedWorkflow } from '../../workflows';
import { FAST_RETRIES, runWithWorker, useTemporalTestEnv } from '../support/temporal-test-env';

/** Fake activities over an in-memory entity with `documents` documents. */
function fakeEntity(documents: number) {
  let remaining = documents;
  let unpublished = 0;
  const archiveCalls: ArchivePageInput[] = [];
  const publishCalls: PublishArchiveEventsInput[] = [];
  const activities: EntityActivities = {
    async archiveDocumentsPage(input) {
      archiveCalls.push(input);
      const archived = Math.min(input.pageSize, remaining);
      remaining -= archived;
      unpublished += archived;
      return { documentsArchived: archived };
    },
    async publishArchiveEvents(input) {
      publishCalls.push(input);
      const published = Math.min(unpublished, input.maxEvents ?? unpublished);
      unpublished -= published;
      return { auditEventsPublished: published, documentEventsPublished: published, more: unpublished > 0 };
    },
    async summarizeArchive() {
      const archived = documents - remaining;
      return { documentsArchived: archived, auditEventsPublished: archived - unpublished, documentEventsPublished: archived - unpublished, documentsLeft: remaining, eventsUnpublished: 2 * unpublished };
    },
  };
  return { activities, archiveCalls, publishCalls, remaining: () => remaining, unpublished: () => unpublished };
}

describe('entityDeletedWorkflow (Temporal dev server, activities faked)', function () {
  this.timeout(120_000);
  const temporal = useTemporalTestEnv();

  function event(pageSize: number, overrides: Partial<EntityDeletedEvent> = {}): EntityDeletedEvent {
    return { eventId: `evt-${randomUUID()}`, source: 'entity-service', action: 'entity.deleted', entityId: randomUUID(), entityType: 'deal', pageSize, ...overrides };
  }

  async function run(input: Omit<EntityDeletedInput, 'route' | 'eventKey' | 'activity'>, activities: EntityActivities, policy = FAST_RETRIES) {
    const full: EntityDeletedInput = { route: 'entity-deleted', eventKey: input.event.eventId, activity: policy, ...input };
    const workflowId = `entity-deleted/${full.eventKey}`;
    return runWithWorker(temporal.env, activities, async (taskQueue) => {
      const handle = await temporal.env.client.workflow.start(entityDeletedWorkflow, {
        taskQueue,
        workflowId,
        args: [full],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTE_KEYS.EntityId, value: full.event.entityId },
          { key: SEARCH_ATTRIBUTE_KEYS.EntityType, value: full.event.entityType },
        ],
      });
      const result = await handle.result();
      return { result, workflowId, firstRunId: handle.firstExecutionRunId };
    });
  }

  it('when the entity has more documents than a run handles, then it continues as new and the totals are carried to the result', async () => {
    const fake = fakeEntity(23);
    const e = event(5);

    const { result, workflowId, firstRunId } = await run({ event: e, pagesPerRun: 2 }, fake.activities);

    assert.deepEqual(result, {
      entityId: e.entityId,
      entityType: 'deal',
      documentsArchived: 23,
      auditEventsPublished: 23,
      documentEventsPublished: 23,
      documentsLeft: 0,
      eventsUnpublished: 0,
      pages: 5,
      runs: 3,
    });
    assert.equal(fake.remaining(), 0);
    assert.deepEqual(fake.archiveCalls.map((c) => c.pageSize), [5, 5, 5, 5, 5]);
    assert.ok(fake.archiveCalls.every((c) => c.workflowId === workflowId && c.entityId === e.entityId && c.entityType === 'deal'), 'every run derives event IDs from the same workflow ID');
    assert.ok(fake.publishCalls.length >= 3, 'publishing went on beside the archiving, and at the end');
    assert.ok(fake.publishCalls.every((c) => c.entityId === e.entityId && c.entityType === 'deal' && c.batchSize === 5 && c.maxEvents === 20), 'each call is bounded');
    assert.equal(fake.unpublished(), 0, 'nothing is left unpublished');

    const first = await temporal.env.client.workflow.getHandle(workflowId, firstRunId).describe();
    assert.equal(first.status.name, 'CONTINUED_AS_NEW');
    const firstHistory = await temporal.env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
    const continued = firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    assert.ok(continued, 'the first run ended by continuing as new');
    const latest = await temporal.env.client.workflow.getHandle(workflowId).describe();
    assert.notEqual(latest.runId, firstRunId);
    assert.deepEqual(latest.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EntityId), e.entityId, 'search attributes survive continue-as-new');
  });

  it('when the last page is exactly full, then one more (empty) page ends the cascade', async () => {
    const fake = fakeEntity(10);
    const { result } = await run({ event: event(5) }, fake.activities);
    assert.equal(result.documentsArchived, 10);
    assert.equal(result.pages, 3);
    assert.equal(result.runs, 1);
  });

  it('when the entity has no documents, then the cascade completes with zero after one page', async () => {
    const fake = fakeEntity(0);
    const e = event(500, { entityType: 'issuer' });
    const { result } = await run({ event: e }, fake.activities);
    assert.deepEqual(result, {
      entityId: e.entityId,
      entityType: 'issuer',
      documentsArchived: 0,
      auditEventsPublished: 0,
      documentEventsPublished: 0,
      documentsLeft: 0,
      eventsUnpublished: 0,
      pages: 1,
      runs: 1,
    });
    assert.equal(fake.archiveCalls.length, 1);
    assert.equal(fake.publishCalls.length, 1);
  });

  it('when a run starts with carried progress, then pages and runs add to it and the counts are those the database holds', async () => {
    const fake = fakeEntity(3);
    const progress = { documentsArchived: 100, auditEventsPublished: 100, documentEventsPublished: 99, pages: 20, runs: 4 };
    const { result } = await run({ event: event(10), progress }, fake.activities);
    assert.equal(result.pages, 21);
    assert.equal(result.runs, 5);
    assert.equal(result.documentsArchived, 3, 'summarizeArchive counted the documents, not the running total');
    assert.equal(result.documentEventsPublished, 3);
  });

  it('when publishing fails transiently once, then it is retried and the cascade completes', async () => {
    const fake = fakeEntity(4);
    let attempts = 0;
    const { result } = await run({ event: event(10) }, {
      ...fake.activities,
      async publishArchiveEvents(input) {
        attempts += 1;
        if (attempts === 1) throw new Error('SNS throttled');
        return fake.activities.publishArchiveEvents(input);
      },
    });
    assert.equal(attempts, 2);
    assert.equal(result.auditEventsPublished, 4);
  });

  it('when retries run out, then the workflow fails with a readable reason naming the step', async () => {
    const fake = fakeEntity(4);
    let attempts = 0;
    const error = await run({ event: event(10) }, {
      ...fake.activities,
      async archiveDocumentsPage() {
        attempts += 1;
        throw new Error('database is unreachable');
      },
    }).then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.ok(error.cause instanceof ApplicationFailure);
    assert.equal(error.cause.type, 'CascadeStepFailed');
    assert.equal(error.cause.message, 'archiveDocumentsPage failed: database is unreachable');
    assert.equal(attempts, FAST_RETRIES.retry.maximumAttempts);
  });

  it('when the destination is missing (non-retryable), then the cascade fails at once naming the step', async () => {
    const fake = fakeEntity(4);
    let attempts = 0;
    const error = await run({ event: event(10) }, {
      ...fake.activities,
      async publishArchiveEvents() {
        attempts += 1;
        throw ApplicationFailure.nonRetryable('4 event(s) not published to SQS queue q.fifo: queue does not exist', 'EventDestinationUnavailable');
      },
    }).then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.equal(attempts, 1);
    assert.ok(error instanceof WorkflowFailedError);
    assert.match(String(error.cause?.message), /^publishArchiveEvents failed: 4 event\(s\) not published to SQS queue q\.fifo/);
  });

  it('when publishing fails for good while pages are still being archived, then the cascade fails naming the step', async () => {
    const fake = fakeEntity(40);
    const error = await run({ event: event(5) }, {
      ...fake.activities,
      async publishArchiveEvents() {
        throw ApplicationFailure.nonRetryable('topic does not exist', 'EventDestinationUnavailable');
      },
    }).then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.match(String(error.cause?.message), /^publishArchiveEvents failed: topic does not exist/);
  });

  it('when the page size is not a positive integer, then the cascade fails without running an activity', async () => {
    const fake = fakeEntity(4);
    const error = await run({ event: event(0) }, fake.activities).then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.match(String(error.cause?.message), /event\.pageSize must be a positive integer, got 0/);
    assert.equal(fake.archiveCalls.length, 0);
  });
});
