import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/app/clients';
import { loadConfig } from '../../src/config';
import { InvalidTaskError, MessageTooLargeError, createTaskProducer, flushOutbox, readQueueMaxMessageBytes, toBodyBytes } from '../../src/producer';
import type { IncentiveEventItem } from '../../src/shared/tasks';
import { closedPort } from '../support/closed-port';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';

interface TaskBody {
  action: string;
  data: IncentiveEventItem[];
}

/** Every message of a queue, consumed, in the order received, with its size. */
async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Array<{ body: string; bytes: number }>> {
  const messages: Array<{ body: string; bytes: number }> = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['SentTimestamp'] }));
    if (Messages.length === 0) return messages;
    for (const m of Messages) messages.push({ body: m.Body ?? '', bytes: toBodyBytes(m.Body ?? '') });
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
  }
}


const events = (n: number, users = ['alice', 'bob', 'carol']): IncentiveEventItem[] =>
  Array.from({ length: n }, (_, i) => ({ userIds: [users[i % users.length] ?? 'x'], eventName: `event.${i}`, eventMeta: { i } }));

describe('task producer against ElasticMQ (chunking, batches, outbox fallback and flush)', function () {
  this.timeout(120_000);
  let sqs: SQSClient;
  let db: MigratedDatabase;

  before(async () => {
    sqs = createSqsClient(loadConfig(process.env, ['client']));
    db = await createMigratedDatabase('producer');
  });
  after(async () => {
    sqs?.destroy();
    await db?.drop();
  });

  const freshQueue = async () => (await sqs.send(new CreateQueueCommand({ QueueName: `tasks-producer-${randomUUID().slice(0, 8)}` }))).QueueUrl ?? '';

  for (const [count, expected] of [
    [0, []],
    [1, [1]],
    [500, [500]],
    [501, [500, 1]],
    [1000, [500, 500]],
    [1001, [500, 500, 1]],
  ] as const) {
    it(`when ${count} events are sent, then the queue holds ${expected.length} message(s) of ${JSON.stringify(expected)} events and none is empty`, async () => {
      const queueUrl = await freshQueue();
      const producer = createTaskProducer({ sqs, queueUrl });
      const sent = events(count);
      const result = await producer.sendEvents(sent);
      assert.deepEqual(result, { messages: expected.length, sent: expected.length, outboxed: 0, failed: [] });
      const messages = await drainQueue(sqs, queueUrl);
      const bodies = messages.map((m) => JSON.parse(m.body) as TaskBody);
      assert.deepEqual(bodies.map((b) => b.data.length).sort((a, b) => b - a), [...expected]);
      assert.ok(bodies.every((b) => b.action === 'event'));
      const received = bodies.flatMap((b) => b.data).sort((a, b) => Number(a.eventMeta && (a.eventMeta as { i: number }).i) - Number(b.eventMeta && (b.eventMeta as { i: number }).i));
      assert.deepEqual(received, sent, 'every event arrives exactly once');
    });
  }

  it('when 500 events exceed 256 KiB, then they are split by size, every message fits and the batches keep within the limit', async () => {
    const queueUrl = await freshQueue();
    const calls: number[] = [];
    const counting: Pick<SQSClient, 'send'> = {
      send: (async (command: SendMessageBatchCommand) => {
        calls.push(command.input.Entries?.reduce((sum, e) => sum + toBodyBytes(e.MessageBody ?? ''), 0) ?? 0);
        return sqs.send(command);
      }) as SQSClient['send'],
    };
    const producer = createTaskProducer({ sqs: counting, queueUrl });
    const big = events(1200).map((e) => ({ ...e, eventMeta: { pad: 'x'.repeat(1500) } }));
    const result = await producer.sendEvents(big);
    const messages = await drainQueue(sqs, queueUrl);
    assert.equal(result.sent, messages.length);
    assert.equal(result.outboxed, 0);
    assert.ok(messages.length > 3, `split further than 3 messages by count: ${messages.length}`);
    for (const m of messages) assert.ok(m.bytes <= 262_144, `message of ${m.bytes} bytes`);
    for (const bytes of calls) assert.ok(bytes <= 262_144, `batch of ${bytes} bytes`);
    assert.equal(messages.flatMap((m) => (JSON.parse(m.body) as TaskBody).data).length, 1200);
    console.log(`      1200 events of ~1.5 KB: ${messages.length} messages (largest ${Math.max(...messages.map((m) => m.bytes))} bytes) in ${calls.length} SendMessageBatch calls`);
  });

  it('when a task is sent twice with the same content, then exactly {action, data, task_id} is on the queue each time, with a new task ID per send', async () => {
    const queueUrl = await freshQueue();
    const producer = createTaskProducer({ sqs, queueUrl });
    assert.deepEqual(await producer.sendTask('sendNewsletter', { to: 'u1' }), { messages: 1, sent: 1, outboxed: 0, failed: [] });
    await producer.sendTask('sendNewsletter', { to: 'u1' });
    const bodies = (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.body) as { action: string; data: unknown; task_id: string });
    assert.equal(bodies.length, 2);
    for (const body of bodies) {
      assert.deepEqual(Object.keys(body), ['action', 'data', 'task_id']);
      assert.deepEqual([body.action, body.data], ['sendNewsletter', { to: 'u1' }]);
      assert.match(body.task_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    assert.notEqual(bodies[0]?.task_id, bodies[1]?.task_id);
  });

  it('when data holds text PostgreSQL cannot store, a __proto__ key or nesting deeper than 64, then nothing is sent and the error names the field', async () => {
    const queueUrl = await freshQueue();
    const producer = createTaskProducer({ sqs, queueUrl });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 5000; i++) deep = [deep];
    const rejects = (promise: Promise<unknown>, reason: RegExp) => assert.rejects(promise, (e: unknown) => e instanceof InvalidTaskError && reason.test(e.message));
    await rejects(producer.sendEvents([{ userIds: ['a\u0000'], eventName: 'n' }]), /^invalid events: data\[0\]\.userIds\[0\]: contains a NUL character \(U\+0000\) at index 1, which PostgreSQL cannot store$/);
    await rejects(producer.sendEvents([{ userIds: ['a'], eventName: 'n', eventMeta: { note: 'x\ud800' } }]), /data\[0\]\.eventMeta\.note: contains a lone high surrogate/);
    await rejects(producer.sendEvents([{ userIds: ['a'], eventName: 'n', eventMeta: deep }]), /data\[0\]\.eventMeta(\[0\])+: nests deeper than 64 levels/);
    await rejects(producer.sendTask('event', JSON.parse('[{"userIds":["a"],"eventName":"n","eventMeta":{"__proto__":1}}]')), /data\[0\]\.eventMeta: has a "__proto__" key/);
    assert.deepEqual(await drainQueue(sqs, queueUrl), []);
  });

  it('when input is invalid or too large, then nothing is sent and the error says why', async () => {
    const queueUrl = await freshQueue();
    const producer = createTaskProducer({ sqs, queueUrl });
    await assert.rejects(producer.sendEvents([{ eventName: 'n' }]), (e: unknown) => e instanceof InvalidTaskError && /userIds/.test(e.message));
    await assert.rejects(producer.sendTask('event', [{ userIds: ['a'] }]), (e: unknown) => e instanceof InvalidTaskError && /eventName/.test(e.message));
    await assert.rejects(producer.sendTask('', {}), InvalidTaskError);
    await assert.rejects(producer.sendTask('blob', 'x'.repeat(270_000)), MessageTooLargeError);
    await assert.rejects(producer.sendEvents([{ userIds: ['a'], eventName: 'n', eventMeta: 'x'.repeat(270_000) }]), MessageTooLargeError);
    assert.deepEqual(await drainQueue(sqs, queueUrl), []);
    assert.throws(() => createTaskProducer({ sqs, queueUrl, eventsPerMessage: 0 }), /eventsPerMessage must be a positive integer/);
  });

  it('when SQS refuses some entries once, then they are re-sent; refused as malformed, then they are reported', async () => {
    const queueUrl = await freshQueue();
    let call = 0;
    // Injected fault: ElasticMQ cannot be made to refuse single entries of a valid batch.
    const flaky: Pick<SQSClient, 'send'> = {
      send: (async (command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> => {
        call += 1;
        const entries = command.input.Entries ?? [];
        if (call > 1) return sqs.send(command);
        const refused = entries.filter((e) => e.Id === '1' || e.Id === '3');
        const accepted = await sqs.send(new SendMessageBatchCommand({ ...command.input, Entries: entries.filter((e) => !refused.includes(e)) }));
        return {
          ...accepted,
          Failed: refused.map((e) => ({ Id: e.Id, Code: e.Id === '3' ? 'InvalidMessageContents' : 'InternalError', SenderFault: e.Id === '3', Message: 'injected' })),
        };
      }) as SQSClient['send'],
    };
    const producer = createTaskProducer({ sqs: flaky, queueUrl, outbox: db.prisma, eventsPerMessage: 1, entryRetryDelayMs: 1 });
    const result = await producer.sendEvents(events(5));
    assert.deepEqual(result, { messages: 5, sent: 4, outboxed: 0, failed: [{ index: 3, reason: 'InvalidMessageContents: injected' }] });
    const names = (await drainQueue(sqs, queueUrl)).map((m) => (JSON.parse(m.body) as TaskBody).data[0]?.eventName).sort();
    assert.deepEqual(names, ['event.0', 'event.1', 'event.2', 'event.4']);
    assert.equal(await db.prisma.outboxMessage.count({ where: { queueUrl } }), 0);
  });

  it('when SQS is unreachable, then the messages go to the outbox, and a flush re-sends them in order and removes them', async () => {
    const queueUrl = await freshQueue();
    const unreachable = new SQSClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 2 });
    try {
      const producer = createTaskProducer({ sqs: unreachable, queueUrl, outbox: db.prisma, eventsPerMessage: 100 });
      const result = await producer.sendEvents(events(1001));
      assert.equal(result.messages, 11);
      assert.equal(result.sent, 0);
      assert.equal(result.outboxed, 11);
      assert.deepEqual(result.failed, []);
      assert.match(result.outboxReason ?? '', /SendMessageBatch failed: .*ECONNREFUSED/);
      const second = await producer.sendTask('sendNewsletter', { to: 'u1' });
      assert.deepEqual({ sent: second.sent, outboxed: second.outboxed }, { sent: 0, outboxed: 1 });
    } finally {
      unreachable.destroy();
    }
    const rows = await db.prisma.outboxMessage.findMany({ where: { queueUrl }, orderBy: { id: 'asc' } });
    assert.equal(rows.length, 12);
    assert.ok(rows.every((r) => r.attempts === 1 && /ECONNREFUSED/.test(r.lastError ?? '')));
    const firsts = rows.slice(0, 11).map((r) => (JSON.parse(r.body) as TaskBody).data[0]?.eventName);
    assert.deepEqual(firsts, Array.from({ length: 11 }, (_, i) => `event.${i * 100}`), 'the outbox keeps the messages in order');

    const order: string[] = [];
    const recording: Pick<SQSClient, 'send'> = {
      send: (async (command: SendMessageBatchCommand) => {
        for (const e of command.input.Entries ?? []) order.push(e.MessageBody ?? '');
        return sqs.send(command);
      }) as SQSClient['send'],
    };
    const flushed = await flushOutbox({ db: db.prisma, sqs: recording }, { pageSize: 5 });
    assert.deepEqual(flushed, { sent: 12, remaining: 0, failures: [] });
    assert.deepEqual(order, rows.map((r) => r.body), 're-sent in outbox order (by id)');
    assert.equal(await db.prisma.outboxMessage.count(), 0, 'each sent message is removed');
    const received = await drainQueue(sqs, queueUrl);
    assert.deepEqual(received.map((m) => m.body).sort(), rows.map((r) => r.body).sort());
  });

  it('when a flush meets an unreachable SQS, then the rows stay with the error recorded and a later flush sends them', async () => {
    const queueUrl = await freshQueue();
    const down = new SQSClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1 });
    try {
      assert.equal((await createTaskProducer({ sqs: down, queueUrl, outbox: db.prisma }).sendTask('a', 1)).outboxed, 1);
      const failed = await flushOutbox({ db: db.prisma, sqs: down });
      assert.equal(failed.sent, 0);
      assert.equal(failed.remaining, 1);
      assert.equal(failed.failures[0]?.queueUrl, queueUrl);
      assert.match(failed.failures[0]?.error ?? '', /ECONNREFUSED/);
    } finally {
      down.destroy();
    }
    const [row] = await db.prisma.outboxMessage.findMany({ where: { queueUrl } });
    assert.equal(row?.attempts, 2);
    assert.deepEqual(await flushOutbox({ db: db.prisma, sqs }), { sent: 1, remaining: 0, failures: [] });
    const received = (await drainQueue(sqs, queueUrl)).map((m) => m.body);
    assert.deepEqual(received, [row?.body], 'the outbox re-sends the body as built, its task ID included');
    assert.match(received[0] ?? '', /^\{"action":"a","data":1,"task_id":"[0-9a-f-]{36}"\}$/);
  });

  it('when there is no outbox and SQS is unreachable, then every message is reported as failed', async () => {
    const unreachable = new SQSClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1 });
    try {
      const result = await createTaskProducer({ sqs: unreachable, queueUrl: 'http://127.0.0.1:1/000000000000/none' }).sendEvents(events(3));
      assert.equal(result.sent, 0);
      assert.equal(result.outboxed, 0);
      assert.deepEqual(result.failed.map((f) => f.index), [0]);
      assert.match(result.failed[0]?.reason ?? '', /ECONNREFUSED.*no outbox configured/);
    } finally {
      unreachable.destroy();
    }
  });

  it('when the queue reports its MaximumMessageSize, then the producer can size messages by it; when SQS is unreachable or silent, the default stays', async () => {
    // ElasticMQ does not report MaximumMessageSize (AWS does): its answer is stood in for here, the chunking below runs against ElasticMQ.
    const reporting = { send: async () => ({ Attributes: { MaximumMessageSize: '2048' } }) } as unknown as Pick<SQSClient, 'send'>;
    assert.equal(await readQueueMaxMessageBytes(reporting, 'http://queue'), 2048);
    const queueUrl = await freshQueue();
    assert.equal(await readQueueMaxMessageBytes(sqs, queueUrl), undefined, 'ElasticMQ does not say');
    const producer = createTaskProducer({ sqs, queueUrl, maxMessageBytes: 2048 });
    const result = await producer.sendEvents(events(40));
    const messages = await drainQueue(sqs, queueUrl);
    assert.equal(result.sent, messages.length);
    assert.ok(messages.length > 1 && messages.every((m) => m.bytes <= 2048), `sizes ${messages.map((m) => m.bytes).join(', ')}`);
    assert.equal(messages.flatMap((m) => (JSON.parse(m.body) as TaskBody).data).length, 40);

    const unreachable = new SQSClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1 });
    try {
      assert.equal(await readQueueMaxMessageBytes(unreachable, queueUrl), undefined);
    } finally {
      unreachable.destroy();
    }
  });
});
