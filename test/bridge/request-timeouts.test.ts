import assert from 'node:assert/strict';
import net from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import pino from 'pino';
import { DEFAULT_AWS_REQUEST_TIMEOUTS } from '../../src/app/aws-request-handler';
import { createSqsClient } from '../../src/app/clients';
import { createS3Client, createSnsClient } from '../../src/app/destination-clients';
import { BatchDeleter } from '../../src/bridge/batch-deleter';
import { type CascadeConfig, loadConfig } from '../../src/config';

describe('AWS request timeouts against a peer that never answers', function () {
  this.timeout(60_000);
  let hung: net.Server;
  const sockets = new Set<net.Socket>();
  let config: CascadeConfig;
  let queueUrl: string;

  before(async () => {
    // Accepts the TCP connection, reads the request, never answers: a hung AWS endpoint or proxy.
    hung = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}`;
    config = loadConfig({ ...process.env, AWS_ENDPOINT_URL_SQS: endpoint, AWS_ENDPOINT_URL_S3: endpoint, AWS_ENDPOINT_URL_SNS: endpoint }, ['client']);
    queueUrl = `${endpoint}/000000000000/hung`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hung.close(resolve));
  });

  /** Runs `call`, expects it to reject, and returns how long it took. */
  async function timeFailure(call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
    const started = Date.now();
    try {
      await call();
    } catch (error) {
      return { ms: Date.now() - started, error };
    }
    assert.fail('the call against a hung peer should have failed');
  }

  it("when an SQS, S3 or SNS client's peer never answers, then each call fails with a timeout (3 attempts of the request timeout) instead of hanging", async () => {
    assert.ok(DEFAULT_AWS_REQUEST_TIMEOUTS.requestTimeoutMs > 20_000, 'the default outlasts SQS’s longest long poll (20 s)');
    const timeouts = { requestTimeoutMs: 1000 };
    const sqs = createSqsClient(config, timeouts);
    const s3 = createS3Client(config, timeouts);
    const sns = createSnsClient(config, timeouts);
    try {
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['SQS GetQueueAttributes', () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))],
        ['S3 PutObject', () => s3.send(new PutObjectCommand({ Bucket: 'hung-bucket', Key: 'k', Body: '{}' }))],
        ['SNS Publish', () => sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:hung', Message: '{}' }))],
      ];
      const results = await Promise.all(calls.map(async ([name, call]) => ({ name, ...(await timeFailure(call)) })));
      for (const { name, ms, error } of results) {
        assert.equal((error as Error).name, 'TimeoutError', `${name}: ${String(error)}`);
        assert.ok(ms >= 1000 && ms < 8000, `${name} failed after ${ms} ms`);
      }
    } finally {
      sqs.destroy();
      s3.destroy();
      sns.destroy();
    }
  });

  it("when a long poll's peer never answers, then the receive fails after its wait plus margin, not before the wait is over", async () => {
    const sqs = createSqsClient(config);
    try {
      const { ms, error } = await timeFailure(() =>
        sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }), { requestTimeout: 1000 + 1000 }),
      );
      assert.equal((error as Error).name, 'TimeoutError', String(error));
      assert.ok(ms >= 2000 && ms < 12_000, `failed after ${ms} ms`);
    } finally {
      sqs.destroy();
    }
  });

  it("when the bridge's delete batch meets a hung SQS with the default settings, then it gives up within 3 × 5 s and reports the messages as not deleted", async () => {
    const sqs = createSqsClient(config);
    const failures: string[][] = [];
    const deleter = new BatchDeleter({ sqs, queueUrl, logger: pino({ level: 'silent' }), onFailure: (ids) => failures.push([...ids]) });
    try {
      const started = Date.now();
      await deleter.delete('m-1', 'receipt-1');
      const ms = Date.now() - started;
      assert.deepEqual(failures, [['m-1']]);
      assert.ok(ms >= 5000 && ms < 25_000, `gave up after ${ms} ms`);
    } finally {
      sqs.destroy();
    }
  });
});
