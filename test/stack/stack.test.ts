import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import {
  AUDIT_TOPIC_ARN_ENV,
  CASCADE_SEARCH_ATTRIBUTES,
  DEAD_LETTER_QUEUE_URL_ENV,
  DOCUMENT_EVENTS_QUEUE_URL_ENV,
  EMAIL_ARCHIVE_BUCKET_ENV,
  QUARANTINE_QUEUE_URL_ENV,
  StackError,
  findFreePort,
  getStackStatus,
  loadQueueConfig,
  startService,
  startStack,
  stopService,
  toEnvLines,
  toUiCodecEndpoint,
} from '../../src/stack';
import { toQueueUrlVariable } from '../../src/routes/route-names';
import { getTestStack } from '../support/test-stack';

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

function createSqsClient(): SQSClient {
  const { endpoints } = getTestStack();
  return new SQSClient({
    region: endpoints.AWS_REGION,
    endpoint: endpoints.AWS_ENDPOINT_URL_SQS,
    credentials: { accessKeyId: endpoints.AWS_ACCESS_KEY_ID, secretAccessKey: endpoints.AWS_SECRET_ACCESS_KEY },
  });
}

async function withTemporal<T>(fn: (client: Client, connection: Connection) => Promise<T>): Promise<T> {
  const { endpoints } = getTestStack();
  const connection = await Connection.connect({ address: endpoints.TEMPORAL_ADDRESS });
  try {
    return await fn(new Client({ connection, namespace: endpoints.TEMPORAL_NAMESPACE }), connection);
  } finally {
    await connection.close();
  }
}

describe('local stack', () => {
  it('when startStack is called again on the running stack, then it returns the same endpoints and keeps the same processes', async () => {
    const { endpoints, options } = getTestStack();
    const before = await getStackStatus(options);

    const again = await startStack(options);

    assert.deepEqual(again, endpoints);
    const after = await getStackStatus(options);
    assert.deepEqual(after.map((s) => [s.service, s.running, s.pid]), before.map((s) => [s.service, s.running, s.pid]));
    assert.ok(after.every((s) => s.running), JSON.stringify(after));
  });

  it('when the endpoints are turned into env lines, then every documented variable is there, sorted', () => {
    const { endpoints } = getTestStack();
    const lines = toEnvLines(endpoints);
    const names = lines.map((line) => line.slice(0, line.indexOf('=')));

    for (const name of [
      'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_UI_URL', 'TEMPORAL_METRICS_URL', 'AWS_REGION',
      'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SNS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
      'CASCADE_HTTP_URL', 'CASCADE_QUEUE_URL_ACCOUNT_EVENTS', QUARANTINE_QUEUE_URL_ENV, DEAD_LETTER_QUEUE_URL_ENV,
      DOCUMENT_EVENTS_QUEUE_URL_ENV, AUDIT_TOPIC_ARN_ENV, EMAIL_ARCHIVE_BUCKET_ENV,
    ]) {
      assert.ok(names.includes(name), `${name} missing from ${lines.join('\n')}`);
    }
    assert.deepEqual(names, [...names].sort());
    assert.ok(lines.every((line) => /^[A-Z0-9_]+=\S+$/.test(line)), lines.join('\n'));
  });

  it('when the stack is up, then the configured queues exist and route queues redrive to the dead-letter queue', async () => {
    const { endpoints } = getTestStack();
    const config = loadQueueConfig();
    const sqs = createSqsClient();
    try {
      const urlOf = async (queueName: string): Promise<string> => (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl ?? '';
      assert.equal(await urlOf(config.quarantineQueue), endpoints[QUARANTINE_QUEUE_URL_ENV]);
      assert.equal(await urlOf(config.deadLetterQueue), endpoints[DEAD_LETTER_QUEUE_URL_ENV]);
      for (const [route, entry] of Object.entries(config.routes)) {
        const queueUrl = await urlOf(entry.queue);
        assert.equal(queueUrl, endpoints[toQueueUrlVariable(route)]);
        const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
        const redrive = JSON.parse(Attributes.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: string | number };
        assert.ok(redrive.deadLetterTargetArn?.endsWith(`:${config.deadLetterQueue}`), `RedrivePolicy of ${entry.queue}: ${Attributes.RedrivePolicy}`);
        assert.equal(Number(redrive.maxReceiveCount), entry.maxReceiveCount ?? config.maxReceiveCount);
        assert.equal(Number(Attributes.VisibilityTimeout), entry.visibilityTimeoutSeconds ?? config.visibilityTimeoutSeconds);
      }
    } finally {
      sqs.destroy();
    }
  });

  it("when the stack is up, then Cascade's search attributes are registered as keywords", async () => {
    const { endpoints } = getTestStack();
    const { customAttributes } = await withTemporal((_client, connection) =>
      connection.operatorService.listSearchAttributes({ namespace: endpoints.TEMPORAL_NAMESPACE }),
    );
    for (const name of Object.keys(CASCADE_SEARCH_ATTRIBUTES)) {
      assert.equal(customAttributes?.[name], KEYWORD, `${name} in ${JSON.stringify(customAttributes)}`);
    }
  });

  it("when the stack is up, then the Web UI is told to decode payloads through Cascade's codec endpoint on the stack's HTTP port", async () => {
    const { endpoints, options } = getTestStack();
    const response = await fetch(`${endpoints.TEMPORAL_UI_URL}/api/v1/settings`);
    assert.equal(response.status, 200);
    const settings = (await response.json()) as { Codec?: { Endpoint?: string } };
    assert.equal(settings.Codec?.Endpoint, toUiCodecEndpoint(options.ports.http));
    assert.equal(settings.Codec?.Endpoint, `${endpoints.CASCADE_HTTP_URL}/codec`);
  });

  it("when the stack is up, then the Temporal server's own metrics answer at TEMPORAL_METRICS_URL with its request latencies", async () => {
    const { endpoints } = getTestStack();
    const response = await fetch(endpoints.TEMPORAL_METRICS_URL);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /^service_latency_count\{.*operation="DescribeNamespace".*\} \d+/m, 'the health check\'s DescribeNamespace calls are counted');
  });

  it('when the stack is up, then DATABASE_URL reaches the cascade database', async () => {
    const client = new PgClient({ connectionString: getTestStack().endpoints.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
      assert.equal(rows[0]?.db, 'cascade');
    } finally {
      await client.end();
    }
  });

  it("when the stack is up, and again after moto restarted, then the routes' topic, bucket and FIFO document-events queue exist", async function () {
    this.timeout(120_000);
    const { endpoints, options } = getTestStack();
    const config = loadQueueConfig();
    const credentials = { accessKeyId: endpoints.AWS_ACCESS_KEY_ID, secretAccessKey: endpoints.AWS_SECRET_ACCESS_KEY };
    const s3 = new S3Client({ region: endpoints.AWS_REGION, endpoint: endpoints.AWS_ENDPOINT_URL_S3, forcePathStyle: true, credentials });
    const sns = new SNSClient({ region: endpoints.AWS_REGION, endpoint: endpoints.AWS_ENDPOINT_URL_SNS, credentials });
    const sqs = createSqsClient();
    const assertDestinations = async () => {
      await s3.send(new HeadBucketCommand({ Bucket: endpoints[EMAIL_ARCHIVE_BUCKET_ENV] }));
      const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: endpoints[AUDIT_TOPIC_ARN_ENV] }));
      assert.equal(Attributes?.FifoTopic, 'true');
    };
    try {
      assert.equal(endpoints[EMAIL_ARCHIVE_BUCKET_ENV], config.destinations.emailArchiveBucket);
      assert.ok(endpoints[AUDIT_TOPIC_ARN_ENV]?.endsWith(`:${config.destinations.auditTopic}`));
      await assertDestinations();
      const documents = await sqs.send(new GetQueueUrlCommand({ QueueName: config.destinations.documentEventsQueue }));
      assert.equal(documents.QueueUrl, endpoints[DOCUMENT_EVENTS_QUEUE_URL_ENV]);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: documents.QueueUrl, AttributeNames: ['FifoQueue'] }));
      assert.equal(Attributes?.FifoQueue, 'true');

      // moto keeps its state in memory: a restart loses the topic and bucket, and starting it again brings them back.
      await stopService('moto', options);
      await startService('moto', options);
      await assertDestinations();
    } finally {
      s3.destroy();
      sns.destroy();
      sqs.destroy();
    }
  });

  it('when the stack is up, then the S3 endpoint stores buckets', async () => {
    const { endpoints } = getTestStack();
    const s3 = new S3Client({
      region: endpoints.AWS_REGION,
      endpoint: endpoints.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: endpoints.AWS_ACCESS_KEY_ID, secretAccessKey: endpoints.AWS_SECRET_ACCESS_KEY },
    });
    try {
      const bucket = `stack-test-${Date.now()}`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
      assert.ok(Buckets.some((b) => b.Name === bucket));
    } finally {
      s3.destroy();
    }
  });

  it('when Temporal is stopped and started again, then it is healthy and still knows its workflows', async function () {
    this.timeout(180_000);
    const { options, endpoints } = getTestStack();
    const workflowId = `stack-test/restart-${Date.now()}`;
    const taskQueue = `stack-test-${Date.now()}`;
    await withTemporal((client) => client.workflow.start('stackRestartProbe', { workflowId, taskQueue }));

    await stopService('temporal', options);
    const stopped = (await getStackStatus(options)).find((s) => s.service === 'temporal');
    assert.equal(stopped?.running, false);
    await startService('temporal', options);

    await withTemporal(async (client, connection) => {
      const handle = client.workflow.getHandle(workflowId);
      const description = await handle.describe();
      assert.equal(description.status.name, 'RUNNING');
      assert.equal(description.taskQueue, taskQueue);
      await handle.terminate('stack test done');
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: endpoints.TEMPORAL_NAMESPACE });
      assert.equal(customAttributes?.CascadeRoute, KEYWORD);
    });
  });

  it('when a service port is taken by another process, then startService fails with a StackError naming the port', async () => {
    const { options } = getTestStack();
    const port = await findFreePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-port-test-'));
    try {
      await assert.rejects(
        startService('moto', { ...options, stateDir, ports: { ...options.ports, moto: port } }),
        (error: unknown) => {
          assert.ok(error instanceof StackError, String(error));
          assert.equal(error.service, 'moto');
          assert.match(error.message, new RegExp(`port ${port} is already in use`));
          return true;
        },
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('when a service that is not running is stopped, then stopService succeeds and changes nothing', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-stop-test-'));
    try {
      await stopService('elasticmq', { stateDir, logger: getTestStack().options.logger });
      const status = await getStackStatus({ stateDir });
      assert.ok(status.every((s) => !s.running && s.detail === 'not started'));
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
