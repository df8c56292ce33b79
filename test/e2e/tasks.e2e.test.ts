import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QUARANTINE_ATTRIBUTES } from '../../src/bridge/quarantine';
import { createTaskProducer } from '../../src/producer';
import { OUTBOX_FLUSH_SCHEDULE_ID } from '../../src/producer/outbox-schedule';
import type { IncentiveEventItem, OutboxFlushInput, OutboxFlushResult } from '../../src/shared/tasks';
import { closedPort } from '../support/closed-port';
import { type E2eContext, type TestCascade, createE2eContext, createTestQueues, eventually, peekQueue, queueDepth, startTestCascade } from '../support/e2e-harness';


describe('tasks end to end (producer → ElasticMQ → bridge → Temporal → worker → PostgreSQL)', function () {
  this.timeout(180_000);
  let ctx: E2eContext;

  before(async () => {
    ctx = await createE2eContext('tasks');
    await ctx.temporal.schedule.getHandle(OUTBOX_FLUSH_SCHEDULE_ID).delete().catch(() => undefined);
  });
  after(async () => {
    // The worker created the outbox flush schedule on this file's task queue; leave nothing firing behind.
    await ctx?.temporal.schedule.getHandle(OUTBOX_FLUSH_SCHEDULE_ID).delete().catch(() => undefined);
    await ctx?.close();
  });

  /** Bridge + worker serving only the tasks route, on fresh queues; the flush schedule is set far apart so tests drive the flush themselves. */
  async function startTasksCascade(): Promise<TestCascade> {
    const queues = await createTestQueues(ctx.sqs, 'tasks');
    return startTestCascade(ctx, { queues, env: { CASCADE_ROUTES: 'tasks', CASCADE_QUEUE_URL_TASKS: queues.queueUrl, CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS: '86400' } });
  }

  /** Rows of these users as sorted "user|event|meta" lines. */
  async function rowsOf(users: readonly string[]): Promise<string[]> {
    const rows = await ctx.db.prisma.incentiveEvent.findMany({ where: { userId: { in: [...users] } } });
    return rows.map((r) => `${r.userId}|${r.eventName}|${JSON.stringify(r.eventMeta)}`).sort();
  }
  const expectedRows = (events: readonly IncentiveEventItem[]) =>
    events.flatMap((e) => [...new Set(e.userIds)].map((u) => `${u}|${e.eventName}|${JSON.stringify(e.eventMeta ?? null)}`)).sort();

  async function settle(cascade: TestCascade, count: number) {
    const outcomes = await cascade.waitForOutcomes(count);
    await Promise.all(outcomes.filter((o) => o.outcome === 'started').map((o) => ctx.temporal.workflow.getHandle(o.workflowId ?? '').result()));
    return outcomes;
  }

  it('when 1,200 events over a few users are sent with the producer, then exactly the expected incentive_events rows exist', async () => {
    const run = randomUUID().slice(0, 8);
    const users = ['ana', 'ben', 'cai', 'dee'].map((u) => `${u}-${run}`);
    const events: IncentiveEventItem[] = Array.from({ length: 1200 }, (_, i) => ({
      userIds: i % 5 === 0 ? [users[i % 4] ?? '', users[(i + 1) % 4] ?? ''] : [users[i % 4] ?? ''],
      eventName: `lesson.${i % 9}`,
      ...(i % 3 === 0 ? {} : { eventMeta: { n: i } }),
    }));
    const cascade = await startTasksCascade();
    try {
      const producer = createTaskProducer({ sqs: ctx.sqs, queueUrl: cascade.queues.queueUrl, outbox: ctx.db.prisma });
      assert.deepEqual(await producer.sendEvents(events), { messages: 3, sent: 3, outboxed: 0, failed: [] });
      const outcomes = await settle(cascade, 3);
      assert.deepEqual(outcomes.map((o) => o.outcome), ['started', 'started', 'started']);
      assert.ok(outcomes.every((o) => o.workflowId?.startsWith('tasks/')));
      const rows = await rowsOf(users);
      assert.equal(rows.length, 1440, '1200 events, one in five for two users');
      assert.deepEqual(rows, expectedRows(events));
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, cascade.queues.queueUrl)) === 0);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when the same message is delivered twice, then its rows are written once and the second is a duplicate', async () => {
    const user = `eve-${randomUUID().slice(0, 8)}`;
    const events: IncentiveEventItem[] = [{ userIds: [user], eventName: 'quiz.passed', eventMeta: { score: 9 } }, { userIds: [user], eventName: 'quiz.passed', eventMeta: { score: 9 } }];
    const body = JSON.stringify({ action: 'event', data: events });
    const cascade = await startTasksCascade();
    try {
      await cascade.send([body]);
      await settle(cascade, 1);
      assert.equal((await rowsOf([user])).length, 2, 'two events (even equal ones) are two rows');
      await cascade.send([JSON.stringify({ data: events, action: 'event' })]);
      const outcomes = await settle(cascade, 2);
      assert.deepEqual(outcomes.map((o) => o.outcome), ['started', 'duplicate']);
      assert.equal(outcomes[0]?.workflowId, outcomes[1]?.workflowId);
      assert.deepEqual(await rowsOf([user]), expectedRows(events));
    } finally {
      await cascade.app.stop();
    }
  });

  it('when the producer sends the same events in two separate calls, then they are two cascades; a re-send of one message (same task_id) is a duplicate', async () => {
    const user = `fay-${randomUUID().slice(0, 8)}`;
    const events: IncentiveEventItem[] = [{ userIds: [user], eventName: 'course.finished', eventMeta: { course: 7 } }];
    const cascade = await startTasksCascade();
    try {
      const producer = createTaskProducer({ sqs: ctx.sqs, queueUrl: cascade.queues.queueUrl, outbox: ctx.db.prisma });
      await producer.sendEvents(events);
      await producer.sendEvents(events);
      const first = await settle(cascade, 2);
      assert.deepEqual(first.map((o) => o.outcome), ['started', 'started'], 'identical content, separate sends: two tasks');
      const ids = first.map((o) => o.workflowId ?? '');
      assert.notEqual(ids[0], ids[1]);
      for (const id of ids) assert.match(id, /^tasks\/task-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(await rowsOf([user]), [...expectedRows(events), ...expectedRows(events)].sort(), 'each send recorded its event');

      // A retry or outbox re-send carries the same body, task_id included (field order does not matter).
      const taskId = (ids[0] ?? '').slice('tasks/task-'.length);
      await cascade.send([JSON.stringify({ task_id: taskId, data: events, action: 'event' })]);
      const all = await settle(cascade, 3);
      assert.equal(all[2]?.outcome, 'duplicate');
      assert.equal(all[2]?.workflowId, ids[0]);
      assert.equal((await rowsOf([user])).length, 2, 'no third row');
    } finally {
      await cascade.app.stop();
    }
  });

  it('when a task has an action without a handler, then it lands in quarantine with that reason', async () => {
    const cascade = await startTasksCascade();
    try {
      await cascade.send([JSON.stringify({ action: 'sendNewsletter', data: { to: 'u1' } })]);
      const [outcome] = await cascade.waitForOutcomes(1);
      assert.equal(outcome?.outcome, 'rejected');
      let quarantined: Awaited<ReturnType<typeof peekQueue>> = [];
      await eventually('the task is in quarantine', async () => (quarantined = await peekQueue(ctx.sqs, cascade.queues.quarantineQueueUrl)).length === 1);
      const [message] = quarantined;
      assert.equal(message?.Body, JSON.stringify({ action: 'sendNewsletter', data: { to: 'u1' } }));
      assert.equal(message?.MessageAttributes?.[QUARANTINE_ATTRIBUTES.reason]?.StringValue, 'action "sendNewsletter" has no handler (handled: event); redrive the message once a handler exists');
      assert.equal(message?.MessageAttributes?.[QUARANTINE_ATTRIBUTES.route]?.StringValue, 'tasks');
    } finally {
      await cascade.app.stop();
    }
  });

  it('when SQS was unreachable for the producer, then the outbox flush workflow re-sends the messages and their rows arrive', async () => {
    const user = `fay-${randomUUID().slice(0, 8)}`;
    const events: IncentiveEventItem[] = Array.from({ length: 7 }, (_, i) => ({ userIds: [user], eventName: `step.${i}` }));
    const cascade = await startTasksCascade();
    const unreachable = new SQSClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 2 });
    try {
      const producer = createTaskProducer({ sqs: unreachable, queueUrl: cascade.queues.queueUrl, outbox: ctx.db.prisma, eventsPerMessage: 3 });
      const result = await producer.sendEvents(events);
      assert.deepEqual({ sent: result.sent, outboxed: result.outboxed }, { sent: 0, outboxed: 3 });
      assert.equal(await ctx.db.prisma.outboxMessage.count(), 3);

      const input: OutboxFlushInput = { activity: ctx.config().activity };
      const flushed = await ctx.temporal.workflow.execute<(input: OutboxFlushInput) => Promise<OutboxFlushResult>>('outboxFlushWorkflow', {
        taskQueue: ctx.taskQueue,
        workflowId: `cascade/outbox-flush/test-${randomUUID()}`,
        args: [input],
      });
      assert.deepEqual(flushed, { sent: 3, remaining: 0, failures: [] });
      assert.equal(await ctx.db.prisma.outboxMessage.count(), 0);
      await settle(cascade, 3);
      assert.deepEqual(await rowsOf([user]), expectedRows(events));
    } finally {
      unreachable.destroy();
      await cascade.app.stop();
    }
  });
});
