import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { type RecordIncentiveEventsInput, createTaskActivities, toIncentiveEventId } from '../../activities/task-activities';
import { NON_RETRYABLE_INPUT_ERROR } from '../../src/shared/cascade-input';
import type { IncentiveEventItem } from '../../src/shared/tasks';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';

/** An activity context whose logger stays quiet about expected failures. */
const mockEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

describe('task activities (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: MigratedDatabase;

  before(async () => {
    db = await createMigratedDatabase('task-activities');
  });
  after(async () => {
    await db?.drop();
  });

  const rowsOf = (workflowId: string) =>
    db.prisma.incentiveEvent.findMany({ where: { workflowId }, orderBy: [{ eventName: 'asc' }, { userId: 'asc' }], select: { id: true, userId: true, eventName: true, eventMeta: true, workflowId: true } });

  it('when events are recorded, then there is one row per user per event with deterministic IDs and the meta as JSON', async () => {
    const activities = createTaskActivities({ db: db.prisma });
    const workflowId = `tasks/${randomUUID()}`;
    const events: IncentiveEventItem[] = [
      { userIds: ['alice', 'bob'], eventName: 'profile.completed', eventMeta: { source: 'web', tags: ['a', "it's \"quoted\""] } },
      { userIds: ['alice'], eventName: 'referral.sent', eventMeta: null },
      { userIds: ['carol', 'carol'], eventName: 'course.finished' },
    ];
    const result = await mockEnvironment().run((input: RecordIncentiveEventsInput) => activities.recordIncentiveEvents(input), { workflowId, events });
    assert.deepEqual(result, { events: 3, rows: 4, rowsInserted: 4 });
    assert.deepEqual(await rowsOf(workflowId), [
      { id: toIncentiveEventId(workflowId, 2, 'carol'), userId: 'carol', eventName: 'course.finished', eventMeta: null, workflowId },
      { id: toIncentiveEventId(workflowId, 0, 'alice'), userId: 'alice', eventName: 'profile.completed', eventMeta: { source: 'web', tags: ['a', "it's \"quoted\""] }, workflowId },
      { id: toIncentiveEventId(workflowId, 0, 'bob'), userId: 'bob', eventName: 'profile.completed', eventMeta: { source: 'web', tags: ['a', "it's \"quoted\""] }, workflowId },
      { id: toIncentiveEventId(workflowId, 1, 'alice'), userId: 'alice', eventName: 'referral.sent', eventMeta: null, workflowId },
    ]);
  });

  it('when the same task is recorded again (redelivery, retry), then nothing is written twice', async () => {
    const activities = createTaskActivities({ db: db.prisma });
    const workflowId = `tasks/${randomUUID()}`;
    const events: IncentiveEventItem[] = Array.from({ length: 500 }, (_, i) => ({ userIds: ['u1', 'u2', 'u3'], eventName: `e${i % 7}`, eventMeta: { i } }));
    const env = mockEnvironment();
    assert.deepEqual(await env.run((input: RecordIncentiveEventsInput) => activities.recordIncentiveEvents(input), { workflowId, events }), { events: 500, rows: 1500, rowsInserted: 1500 });
    const before = await rowsOf(workflowId);
    assert.deepEqual(await env.run((input: RecordIncentiveEventsInput) => activities.recordIncentiveEvents(input), { workflowId, events }), { events: 500, rows: 1500, rowsInserted: 0 });
    assert.deepEqual(await rowsOf(workflowId), before);
    assert.equal(await db.prisma.incentiveEvent.count({ where: { workflowId } }), 1500);
  });

  it('when two cascades carry equal events, then each records its own rows (the IDs include the workflow ID)', async () => {
    const activities = createTaskActivities({ db: db.prisma });
    const events: IncentiveEventItem[] = [{ userIds: ['dave'], eventName: 'login' }];
    const [a, b] = [`tasks/${randomUUID()}`, `tasks/${randomUUID()}`];
    await mockEnvironment().run((input: RecordIncentiveEventsInput) => activities.recordIncentiveEvents(input), { workflowId: a, events });
    await mockEnvironment().run((input: RecordIncentiveEventsInput) => activities.recordIncentiveEvents(input), { workflowId: b, events });
    assert.equal((await rowsOf(a)).length + (await rowsOf(b)).length, 2);
    assert.notEqual(toIncentiveEventId(a, 0, 'dave'), toIncentiveEventId(b, 0, 'dave'));
  });

  it('when the input is invalid, then the failure is non-retryable and names the item', async () => {
    const activities = createTaskActivities({ db: db.prisma });
    await assert.rejects(
      mockEnvironment().run((input: RecordIncentiveEventsInput) => activities.recordIncentiveEvents(input), { workflowId: 'tasks/x', events: [{ userIds: ['a'], eventName: 'ok' }, { userIds: [], eventName: 'n' }] }),
      (error: unknown) => error instanceof ApplicationFailure && error.nonRetryable && error.type === NON_RETRYABLE_INPUT_ERROR && /events\[1\]\.userIds/.test(error.message),
    );
  });

  it('when IDs are derived, then they are RFC 4122 version 5 UUIDs', () => {
    assert.match(toIncentiveEventId('tasks/k', 0, 'u'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(toIncentiveEventId('tasks/k', 0, 'u'), toIncentiveEventId('tasks/k', 0, 'u'));
    assert.notEqual(toIncentiveEventId('tasks/k', 0, 'u'), toIncentiveEventId('tasks/k', 1, 'u'));
  });
});
