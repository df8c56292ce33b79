import assert from 'node:assert/strict';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/app/clients';
import pino from 'pino';
import { toFailureBackoffSeconds } from '../../src/bridge/backoff';
import { BatchDeleter } from '../../src/bridge/batch-deleter';
import { InFlightLimiter } from '../../src/bridge/in-flight-limiter';
import { loadConfig } from '../../src/config';
import { createTestQueues, queueDepth } from '../support/e2e-harness';

describe('bridge parts', () => {
  it('when receives fail repeatedly, then the visibility back-off doubles up to its cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 10].map((n) => toFailureBackoffSeconds(n, 5, 60)), [5, 10, 20, 40, 60, 60]);
    assert.equal(toFailureBackoffSeconds(1000, 5, 100_000), 43_200, 'never beyond SQS’s 12 hours');
  });

  it('when the limiter is full, then reserve waits for a release and never exceeds capacity', async () => {
    const limiter = new InFlightLimiter(3);
    const signal = new AbortController().signal;
    assert.equal(await limiter.reserve(10, signal), 3);
    let second: number | undefined;
    const waiting = limiter.reserve(10, signal).then((n) => (second = n));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(second, undefined, 'still waiting while full');
    limiter.release(2);
    await waiting;
    assert.equal(second, 2);
    assert.equal(limiter.size, 3);
  });

  it('when the limiter is full and slots come back one by one, then reserve lingers to gather a batch; with room enough it takes it at once', async () => {
    const limiter = new InFlightLimiter(10);
    const signal = new AbortController().signal;
    assert.equal(await limiter.reserve(10, signal, 1000), 10);
    const gathered = limiter.reserve(10, signal, 1000);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 5));
      limiter.release();
    }
    assert.equal(await gathered, 10, 'one receive of ten instead of ten receives of one');

    const quick = new InFlightLimiter(20);
    const started = Date.now();
    assert.equal(await quick.reserve(10, signal, 10_000), 10, 'enough free slots: no linger');
    assert.ok(Date.now() - started < 1000);

    const short = new InFlightLimiter(10);
    await short.reserve(10, signal);
    const partial = short.reserve(10, signal, 30);
    short.release(3);
    assert.equal(await partial, 3, 'after the linger it takes what is free');
  });

  it('when the limiter is full and polling stops, then reserve returns 0 at once', async () => {
    const limiter = new InFlightLimiter(1);
    const controller = new AbortController();
    await limiter.reserve(1, controller.signal);
    const waiting = limiter.reserve(1, controller.signal);
    controller.abort();
    assert.equal(await waiting, 0);
  });

  it('when a delete batch has a bad receipt, then the good ones are deleted and the bad one is reported (ElasticMQ)', async function () {
    this.timeout(30_000);
    const config = loadConfig(process.env, ['client']);
    const sqs = createSqsClient(config);
    try {
      const { queueUrl } = await createTestQueues(sqs, 'deleter');
      for (const body of ['a', 'b']) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      assert.equal(received.Messages?.length, 2);
      const failures: string[][] = [];
      const deleter = new BatchDeleter({ sqs, queueUrl, logger: pino({ level: 'silent' }), onFailure: (ids) => failures.push([...ids]) });
      await Promise.all([
        ...(received.Messages ?? []).map((m) => deleter.delete(m.MessageId ?? '', m.ReceiptHandle ?? '')),
        deleter.delete('bogus', 'not-a-receipt-handle'),
      ]);
      assert.deepEqual(failures, [['bogus']]);
      assert.equal(await queueDepth(sqs, queueUrl), 0);
    } finally {
      sqs.destroy();
    }
  });
});
