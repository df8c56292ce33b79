import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/app/clients';
import { quarantineMessage } from '../../src/bridge/quarantine';
import { loadConfig } from '../../src/config';
import { findDeadLetter, listDeadLetters } from '../../src/ops/dead-letters';
import { createSourceResolver } from '../../src/ops/message-source';
import { readQueueDepth } from '../../src/ops/queue-depth';
import { isUnsafePeekError, peekMessages } from '../../src/ops/queue-peek';
import { redriveDeadLetters } from '../../src/ops/redrive';
import { createTestQueues, peekQueue } from '../support/e2e-harness';

/** Copies `count` rejected messages of `sourceQueueUrl` to `quarantineQueueUrl` the way the bridge does. */
async function quarantine(sqs: SQSClient, quarantineQueueUrl: string, sourceQueueUrl: string, bodies: readonly string[], attributes: Record<string, MessageAttributeValue> = {}): Promise<void> {
  for (const [index, body] of bodies.entries()) {
    const message: Message = { MessageId: `source-${index}-${randomUUID()}`, Body: body, MessageAttributes: attributes };
    await quarantineMessage(sqs, quarantineQueueUrl, { message, sourceQueueUrl, route: 'account-events', reason: `reason ${index}` });
  }
}

/** Receives with visibility 0 until the redrive policy (maxReceiveCount 1) moved the message to the dead-letter queue. */
async function pushToDeadLetterQueue(sqs: SQSClient, queueUrl: string, deadLetterQueueUrl: string): Promise<void> {
  for (let round = 0; round < 20; round++) {
    if ((await readQueueDepth(sqs, deadLetterQueueUrl)).visible > 0) return;
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  }
  throw new Error('the message never reached the dead-letter queue');
}

describe('waiting queues: peeking and redriving without losing or consuming messages', function () {
  this.timeout(60_000);
  let sqs: SQSClient;

  before(() => {
    sqs = createSqsClient(loadConfig(process.env, ['client']));
  });
  after(() => sqs?.destroy());

  it('when a quarantine queue holding more than one page is listed, then every message shows its reason and source, and all are still there and visible afterwards', async () => {
    const queues = await createTestQueues(sqs, 'peek');
    const resolver = createSourceResolver(sqs, [{ route: 'account-events', queueUrl: queues.queueUrl }]);
    await quarantine(sqs, queues.quarantineQueueUrl, queues.queueUrl, Array.from({ length: 23 }, (_, i) => `{"n":${i}}`));

    const [listing] = await listDeadLetters({ sqs, queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }], resolver, limit: 100 });
    assert.equal(listing?.messages.length, 23);
    assert.equal(listing?.truncated, false);
    assert.deepEqual(new Set(listing?.messages.map((m) => m.reason)), new Set(Array.from({ length: 23 }, (_, i) => `reason ${i}`)));
    for (const message of listing?.messages ?? []) {
      assert.deepEqual(message.source, { known: true, queueUrl: queues.queueUrl, route: 'account-events', evidence: 'cascade.source-queue' });
      assert.equal(message.route, 'account-events');
      assert.ok((message.ageSeconds ?? -1) >= 0 && (message.ageSeconds ?? 99) < 60);
    }
    assert.deepEqual(await readQueueDepth(sqs, queues.quarantineQueueUrl), { visible: 23, inFlight: 0, delayed: 0 }, 'all visible again at once');

    const limited = await listDeadLetters({ sqs, queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }], resolver, limit: 5 });
    assert.equal(limited[0]?.messages.length, 5);
    assert.equal(limited[0]?.truncated, true);
  });

  it('when a queue has a redrive policy, then peeking refuses before receiving anything', async () => {
    const queues = await createTestQueues(sqs, 'unsafe', 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'precious' }));
    await assert.rejects(peekMessages(sqs, queues.queueUrl), (error: unknown) => isUnsafePeekError(error) && /redrive policy/.test(error.message));
    const [message] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages ?? [];
    assert.equal(message?.Attributes?.ApproximateReceiveCount, '1', 'this is its first receive: the refused peek received nothing');
  });

  it('when SQS moved a message to the dead-letter queue, then its source is the route queue, read from DeadLetterQueueSourceArn', async () => {
    const queues = await createTestQueues(sqs, 'moved', 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{"event":"reset"}' }));
    await pushToDeadLetterQueue(sqs, queues.queueUrl, queues.deadLetterQueueUrl);
    const resolver = createSourceResolver(sqs, [{ route: 'account-events', queueUrl: queues.queueUrl }]);

    const [listing] = await listDeadLetters({ sqs, queues: [{ kind: 'dead-letter', queueUrl: queues.deadLetterQueueUrl }], resolver, limit: 10 });
    const [letter] = listing?.messages ?? [];
    assert.deepEqual(letter?.source, { known: true, queueUrl: queues.queueUrl, route: 'account-events', evidence: 'DeadLetterQueueSourceArn' });
    assert.match(letter?.reason ?? '', /delivery failed maxReceiveCount times/);
    assert.ok((letter?.receiveCount ?? 0) >= 2, `ElasticMQ keeps the receives on the source queue (${letter?.receiveCount ?? 0})`);

    const unconfigured = await listDeadLetters({ sqs, queues: [{ kind: 'dead-letter', queueUrl: queues.deadLetterQueueUrl }], resolver: createSourceResolver(sqs, []), limit: 10 });
    assert.deepEqual(unconfigured[0]?.messages[0]?.source, { known: true, queueUrl: queues.queueUrl, route: undefined, evidence: 'DeadLetterQueueSourceArn' }, 'found by name when no route queue matches');

    const detail = await findDeadLetter({ sqs, queues: [{ kind: 'dead-letter', queueUrl: queues.deadLetterQueueUrl }], resolver, messageId: letter?.messageId ?? '' });
    assert.equal(detail.body, '{"event":"reset"}');
    assert.match(detail.systemAttributes.DeadLetterQueueSourceArn ?? '', /:events-moved-/);
    assert.equal((await readQueueDepth(sqs, queues.deadLetterQueueUrl)).visible, 1, 'still there, visible');
  });

  it('when quarantined messages are redriven, then body and attributes return to their source without the cascade.* annotations, in batches, each deleted after its send', async () => {
    const queues = await createTestQueues(sqs, 'redrive');
    const resolver = createSourceResolver(sqs, [{ route: 'account-events', queueUrl: queues.queueUrl }]);
    const attributes: Record<string, MessageAttributeValue> = {
      producer: { DataType: 'String', StringValue: 'portal' },
      attempt: { DataType: 'Number', StringValue: '3' },
      signature: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 254, 255]) },
    };
    const bodies = Array.from({ length: 23 }, (_, i) => `{"n":${i}}`);
    await quarantine(sqs, queues.quarantineQueueUrl, queues.queueUrl, bodies, attributes);

    const summary = await redriveDeadLetters({ sqs, queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }], resolver });
    assert.deepEqual([summary.redriven, summary.skipped, summary.failed], [23, 0, 0]);
    assert.ok(summary.entries.every((e) => e.destination?.route === 'account-events' && e.newMessageId));
    const back = await peekQueue(sqs, queues.queueUrl);
    assert.deepEqual(back.map((m) => m.Body).sort(), [...bodies].sort());
    for (const message of back) {
      assert.deepEqual(Object.keys(message.MessageAttributes ?? {}).sort(), ['attempt', 'producer', 'signature']);
      assert.equal(message.MessageAttributes?.attempt?.StringValue, '3');
      assert.deepEqual([...(message.MessageAttributes?.signature?.BinaryValue ?? [])], [0, 1, 254, 255]);
    }
    assert.deepEqual(await readQueueDepth(sqs, queues.quarantineQueueUrl), { visible: 0, inFlight: 0, delayed: 0 });
  });

  it('when a copy cannot be sent or the source is unknown, then that message stays waiting with the reason while the others move', async () => {
    const queues = await createTestQueues(sqs, 'partial');
    const gone = (await sqs.send(new CreateQueueCommand({ QueueName: `gone-${randomUUID().slice(0, 8)}` }))).QueueUrl ?? '';
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone }));
    // The tasks route is configured with a queue that no longer exists: sending there fails.
    const resolver = createSourceResolver(sqs, [
      { route: 'account-events', queueUrl: queues.queueUrl },
      { route: 'tasks', queueUrl: gone },
    ]);
    await quarantine(sqs, queues.quarantineQueueUrl, queues.queueUrl, ['{"ok":1}', '{"ok":2}']);
    await quarantine(sqs, queues.quarantineQueueUrl, gone, ['{"lost":1}']);
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.quarantineQueueUrl, MessageBody: '{"anonymous":1}' }));

    const summary = await redriveDeadLetters({ sqs, queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }], resolver });
    assert.deepEqual([summary.redriven, summary.skipped, summary.failed], [2, 1, 1]);
    assert.match(summary.entries.find((e) => e.outcome === 'failed')?.reason ?? '', /SendMessageBatch on .*gone-/);
    assert.match(summary.entries.find((e) => e.outcome === 'skipped')?.reason ?? '', /source queue unknown .*--to <route>/);
    assert.deepEqual((await peekQueue(sqs, queues.quarantineQueueUrl)).map((m) => m.Body).sort(), ['{"anonymous":1}', '{"lost":1}']);
    assert.deepEqual((await peekQueue(sqs, queues.queueUrl)).map((m) => m.Body).sort(), ['{"ok":1}', '{"ok":2}']);

    const fallback = { queueUrl: queues.queueUrl, route: 'account-events' };
    const dryRun = await redriveDeadLetters({ sqs, queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }], resolver, fallback, dryRun: true });
    assert.deepEqual([dryRun.wouldRedrive, dryRun.redriven, dryRun.failed], [2, 0, 0], 'the unknown one would go to the fallback; the lost one to its (missing) source');
    assert.equal((await readQueueDepth(sqs, queues.quarantineQueueUrl)).visible, 2, 'a dry run moves nothing');
  });

  it('when the run is interrupted after the first batch, then the rest stay waiting and visible', async () => {
    const queues = await createTestQueues(sqs, 'abort');
    const resolver = createSourceResolver(sqs, [{ route: 'account-events', queueUrl: queues.queueUrl }]);
    for (let i = 0; i < 25; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queues.quarantineQueueUrl,
          Entries: Array.from({ length: Math.min(10, 25 - i) }, (_, j) => ({
            Id: String(j),
            MessageBody: `{"n":${i + j}}`,
            MessageAttributes: { 'cascade.source-queue': { DataType: 'String', StringValue: queues.queueUrl } },
          })),
        }),
      );
    }
    const controller = new AbortController();
    const summary = await redriveDeadLetters({
      sqs,
      queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }],
      resolver,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    assert.equal(summary.interrupted, true);
    assert.equal(summary.redriven, 10);
    assert.deepEqual(await readQueueDepth(sqs, queues.quarantineQueueUrl), { visible: 15, inFlight: 0, delayed: 0 });
    assert.equal((await readQueueDepth(sqs, queues.queueUrl)).visible, 10);
  });

  it('when cascade.source-queue names a queue that is not a configured route queue, then redrive refuses to send there and says why', async () => {
    const queues = await createTestQueues(sqs, 'foreign');
    const foreign = (await sqs.send(new CreateQueueCommand({ QueueName: `foreign-${randomUUID().slice(0, 8)}` }))).QueueUrl ?? '';
    const resolver = createSourceResolver(sqs, [{ route: 'account-events', queueUrl: queues.queueUrl }]);
    await quarantine(sqs, queues.quarantineQueueUrl, foreign, ['{"forged":1}']);
    await quarantine(sqs, queues.quarantineQueueUrl, queues.queueUrl, ['{"ok":1}']);

    const summary = await redriveDeadLetters({ sqs, queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }], resolver });
    assert.deepEqual([summary.redriven, summary.skipped, summary.failed], [1, 1, 0]);
    const refused = summary.entries.find((e) => e.outcome === 'skipped');
    assert.match(refused?.reason ?? '', /its source .*foreign-.* \(from cascade\.source-queue\) is not a route queue of this configuration/);
    assert.deepEqual(await peekQueue(sqs, foreign), [], 'nothing was sent to the foreign queue');
    assert.deepEqual((await peekQueue(sqs, queues.quarantineQueueUrl)).map((m) => m.Body), ['{"forged":1}'], 'the refused message stays waiting');

    const fallback = { queueUrl: queues.queueUrl, route: 'account-events' };
    const withTo = await redriveDeadLetters({ sqs, queues: [{ kind: 'quarantine', queueUrl: queues.quarantineQueueUrl }], resolver, fallback });
    assert.equal(withTo.redriven, 1, '--to <route> sends it to the configured queue instead');
    assert.deepEqual(await peekQueue(sqs, foreign), []);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: foreign }));
  });
});
