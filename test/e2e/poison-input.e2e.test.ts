import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { QUARANTINE_ATTRIBUTES, QuarantineTooLargeError, quarantineMessage } from '../../src/bridge/quarantine';
import { TXMA_PURGE_SCHEDULE_ID } from '../../src/txma/purge-schedule';
import { OUTBOX_FLUSH_SCHEDULE_ID } from '../../src/producer/outbox-schedule';
import { type E2eContext, createE2eContext, createTestQueues, eventually, peekQueue, queueDepth, sendToQueue, startTestCascade } from '../support/e2e-harness';

/** SQS's (and ElasticMQ's strict) largest message on a default queue. */
const MAX_MESSAGE_BYTES = 262_144;

describe('poison input end to end: every message that can never succeed lands in quarantine with its reason, none in the dead-letter queue', function () {
  this.timeout(180_000);
  let ctx: E2eContext;

  before(async () => {
    ctx = await createE2eContext('poison_input');
  });
  after(async () => {
    // The worker created the purge and flush schedules on this file's task queue; leave nothing firing behind.
    await ctx?.temporal.schedule.getHandle(TXMA_PURGE_SCHEDULE_ID).delete().catch(() => undefined);
    await ctx?.temporal.schedule.getHandle(OUTBOX_FLUSH_SCHEDULE_ID).delete().catch(() => undefined);
    await ctx?.close();
  });

  it('when audit events and tasks arrive deeply nested, with NUL or lone surrogates, __proto__ keys, in a garbage SNS envelope or near 256 KiB, then each is quarantined once with a reason naming the problem and nothing is retried', async () => {
    const audit = await createTestQueues(ctx.sqs, 'poison-audit', 2);
    const tasks = await createTestQueues(ctx.sqs, 'poison-tasks', 2);
    const session = randomUUID();
    const event = (extra: Record<string, unknown>) => ({ event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000000, user: { session_id: session }, ...extra });
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const auditEvent = JSON.stringify(event({}));
    const nearLimit = JSON.stringify(event({ event_name: 'AUTH_NOT_ALLOWED', padding: '' }));
    const poison: ReadonlyArray<{ route: 'audit-events' | 'tasks'; body: string; reason: string | RegExp }> = [
      { route: 'audit-events', body: `${auditEvent.slice(0, -1)},"extra":${nested(5000)}}`, reason: 'body nests arrays and objects deeper than 64 levels (the most Cascade accepts)' },
      { route: 'audit-events', body: JSON.stringify(event({ user: { session_id: session, email: 'some\u0000one@example.com' } })), reason: 'user.email: contains a NUL character (U+0000) at index 4, which PostgreSQL cannot store' },
      { route: 'audit-events', body: JSON.stringify(event({ component_id: 'auth\ud800' })), reason: 'component_id: contains a lone high surrogate (U+D800) at index 4, which PostgreSQL cannot store' },
      { route: 'audit-events', body: `${auditEvent.slice(0, -1)},"__proto__":{"isAdmin":true}}`, reason: 'body: has a "__proto__" key, which is not accepted' },
      { route: 'audit-events', body: JSON.stringify({ Type: 'Notification', MessageId: 'n-1', TopicArn: 'arn:aws:sns:eu-west-2:1:t', Message: 'garbage, not JSON' }), reason: 'SNS Notification carries a Message that is not JSON: unexpected character at position 0' },
      {
        route: 'audit-events',
        body: nearLimit.replace('"padding":""', `"padding":"${'p'.repeat(MAX_MESSAGE_BYTES - 300 - nearLimit.length)}"`),
        reason: /^event_name: "AUTH_NOT_ALLOWED" is not an allowed TxMA event/,
      },
      { route: 'tasks', body: JSON.stringify({ action: 'event', data: [{ userIds: ['u-1'], eventName: 'x', eventMeta: { note: 'a\u0000' } }] }), reason: 'data[0].eventMeta.note: contains a NUL character (U+0000) at index 1, which PostgreSQL cannot store' },
      { route: 'tasks', body: JSON.stringify({ action: 'event', data: [{ userIds: ['\udc00'], eventName: 'x' }] }), reason: 'data[0].userIds[0]: contains a lone low surrogate (U+DC00) at index 0, which PostgreSQL cannot store' },
      { route: 'tasks', body: `{"action":"event","data":[{"userIds":["u"],"eventName":"x","eventMeta":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}]}`, reason: 'body nests arrays and objects deeper than 64 levels (the most Cascade accepts)' },
    ];
    const cascade = await startTestCascade(ctx, {
      queues: audit,
      env: { CASCADE_ROUTES: 'audit-events,tasks', CASCADE_QUEUE_URL_AUDIT_EVENTS: audit.queueUrl, CASCADE_QUEUE_URL_TASKS: tasks.queueUrl, CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS: '86400' },
    });
    try {
      const near = poison[5]?.body ?? '';
      assert.ok(Buffer.byteLength(near) === MAX_MESSAGE_BYTES - 300 && Buffer.byteLength(near) <= MAX_MESSAGE_BYTES, `${Buffer.byteLength(near)} bytes`);
      for (const item of poison) await sendToQueue(ctx.sqs, item.route === 'tasks' ? tasks.queueUrl : audit.queueUrl, [item.body]);

      const outcomes = await cascade.waitForOutcomes(poison.length);
      assert.deepEqual(
        outcomes.map((o) => [o.outcome, o.receiveCount]),
        poison.map(() => ['rejected', 1]),
        'each rejected on its first receive, none failed',
      );
      let quarantined: Awaited<ReturnType<typeof peekQueue>> = [];
      await eventually('every poison message is in quarantine', async () => (quarantined = await peekQueue(ctx.sqs, audit.quarantineQueueUrl)).length === poison.length);
      for (const item of poison) {
        const copy = quarantined.find((m) => m.Body === item.body);
        assert.ok(copy, `the body of a ${item.route} message (${item.body.length} characters) is kept unchanged`);
        const reason = copy.MessageAttributes?.[QUARANTINE_ATTRIBUTES.reason]?.StringValue ?? '';
        if (typeof item.reason === 'string') assert.equal(reason, item.reason);
        else assert.match(reason, item.reason);
        assert.equal(copy.MessageAttributes?.[QUARANTINE_ATTRIBUTES.route]?.StringValue, item.route);
        assert.equal(copy.MessageAttributes?.[QUARANTINE_ATTRIBUTES.sourceQueue]?.StringValue, item.route === 'tasks' ? tasks.queueUrl : audit.queueUrl, 'it can be redriven');
      }
      // ElasticMQ takes messages of any size, so the copy near 256 KiB is checked for having been fitted to SQS's limit.
      const nearCopy = quarantined.find((m) => m.Body === near);
      const attributes = Object.entries(nearCopy?.MessageAttributes ?? {});
      const copyBytes = Buffer.byteLength(near) + attributes.reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? ''), 0);
      assert.ok(copyBytes <= MAX_MESSAGE_BYTES, `the copy near the limit is ${copyBytes} bytes`);
      assert.equal(nearCopy?.MessageAttributes?.[QUARANTINE_ATTRIBUTES.rejectedAt], undefined, 'the optional attributes gave way');
      await eventually('the route queues are empty', async () => (await queueDepth(ctx.sqs, audit.queueUrl)) + (await queueDepth(ctx.sqs, tasks.queueUrl)) === 0);
      // Messages that failed would come back after the 1-2 s failure back-off and reach the DLQ on their second receive.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(cascade.outcomes.length, poison.length, 'no message came back');
      assert.equal((await queueDepth(ctx.sqs, audit.deadLetterQueueUrl)) + (await queueDepth(ctx.sqs, tasks.deadLetterQueueUrl)), 0, 'nothing in the dead-letter queues');
      assert.equal(await ctx.db.prisma.txmaEvent.count({ where: { pk: `SESSION#${session}` } }), 0);
      assert.equal(cascade.app.bridge?.health().temporal, true, 'poison says nothing about Temporal');
    } finally {
      await cascade.app.stop();
    }
  });

  it('when a body is within a few bytes of the quarantine queue\'s limit, then it is quarantined unchanged without attributes; when larger than the limit, nothing is sent and the error says what to raise', async () => {
    const queues = await createTestQueues(ctx.sqs, 'poison-full');
    const request = (bytes: number) => ({ message: { MessageId: 'm-full', Body: 'x'.repeat(bytes) }, sourceQueueUrl: queues.queueUrl, route: 'tasks', reason: 'body is not JSON: unexpected character at position 0' });
    assert.deepEqual(await quarantineMessage(ctx.sqs, queues.quarantineQueueUrl, request(MAX_MESSAGE_BYTES - 10)), []);
    const [copy] = await peekQueue(ctx.sqs, queues.quarantineQueueUrl);
    assert.equal(copy?.Body, 'x'.repeat(MAX_MESSAGE_BYTES - 10));
    // ElasticMQ takes bodies of any size and reports no MaximumMessageSize, so the copy is held to the 256 KiB every queue takes.
    await assert.rejects(quarantineMessage(ctx.sqs, queues.quarantineQueueUrl, request(MAX_MESSAGE_BYTES + 1)), (error: unknown) => {
      assert.ok(error instanceof QuarantineTooLargeError);
      assert.equal(error.maxMessageBytes, MAX_MESSAGE_BYTES);
      assert.match(error.message, /raise the quarantine queue's MaximumMessageSize/);
      return true;
    });
    assert.equal(await queueDepth(ctx.sqs, queues.quarantineQueueUrl), 1, 'nothing half-made was sent');
  });
});
