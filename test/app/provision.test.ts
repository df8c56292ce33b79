import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { KEPT_QUEUE_MAX_MESSAGE_BYTES, ROUTE_QUEUE_MAX_MESSAGE_BYTES, ensureQueues } from '../../src/app/provision';
import { loadQueueConfig } from '../../src/stack';
import { getTestStack } from '../support/test-stack';

/**
 * `cascade init` against an SQS that keeps every queue attribute (moto's SQS;
 * ElasticMQ does not report MaximumMessageSize).
 */
describe('cascade init: queue message sizes', () => {
  let sqs: SQSClient;
  before(() => {
    const { endpoints } = getTestStack();
    sqs = new SQSClient({ region: endpoints.AWS_REGION, endpoint: endpoints.AWS_ENDPOINT_URL_S3, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  after(() => sqs.destroy());

  it('when the queues are created, then the quarantine and dead-letter queues take 1 MiB and the route queues 256 KiB, so a quarantine copy always has room for its reason', async () => {
    const suffix = randomUUID().slice(0, 8);
    const shipped = loadQueueConfig();
    const config = {
      ...shipped,
      deadLetterQueue: `size-dlq-${suffix}`,
      quarantineQueue: `size-quarantine-${suffix}`,
      routes: { 'account-events': { queue: `size-account-events-${suffix}` } },
      destinations: { ...shipped.destinations, documentEventsQueue: `size-documents-${suffix}.fifo` },
    };
    const ensured = await ensureQueues(sqs, config);
    const sizeOf = async (variable: string): Promise<string | undefined> => {
      const url = ensured.find((q) => q.variable === variable)?.url;
      assert.ok(url, `${variable} was created`);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MaximumMessageSize'] }));
      return Attributes?.MaximumMessageSize;
    };
    assert.equal(await sizeOf('CASCADE_QUARANTINE_QUEUE_URL'), KEPT_QUEUE_MAX_MESSAGE_BYTES);
    assert.equal(await sizeOf('CASCADE_DEAD_LETTER_QUEUE_URL'), KEPT_QUEUE_MAX_MESSAGE_BYTES);
    assert.equal(await sizeOf('CASCADE_QUEUE_URL_ACCOUNT_EVENTS'), ROUTE_QUEUE_MAX_MESSAGE_BYTES);
  });
});
