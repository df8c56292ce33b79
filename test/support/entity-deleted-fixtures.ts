import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../src/config';
import { Client } from 'pg';
import type { PrismaClient } from '../../src/db/client';

/**
 * The destinations of one test's entity-deleted events: a FIFO SNS topic
 * (moto) with a FIFO SQS queue on moto subscribed to it with raw delivery (to
 * read what was published), and a FIFO document-events queue on ElasticMQ.
 */
export interface EventDestinations {
  readonly sns: SNSClient;
  /** SQS client of moto (where the topic's subscriber queue lives). */
  readonly motoSqs: SQSClient;
  /** SQS client of ElasticMQ (the document-events queue). */
  readonly sqs: SQSClient;
  readonly auditTopicArn: string;
  readonly auditSubscriberQueueUrl: string;
  readonly documentEventsQueueUrl: string;
  close(): void;
}

/**
 * Creates fresh destinations with unique names on the test stack. Without
 * `subscribeAuditQueue` the topic has no subscriber (moto then only records
 * what is published, which keeps big runs fast).
 */
export async function createEventDestinations(label: string, options: { subscribeAuditQueue?: boolean } = {}): Promise<EventDestinations> {
  const config = loadConfig(process.env, ['client']);
  const region = config.aws.region;
  const snsEndpoint = config.aws.snsEndpoint ?? '';
  const sns = new SNSClient({ region, endpoint: snsEndpoint });
  const motoSqs = new SQSClient({ region, endpoint: snsEndpoint });
  const sqs = new SQSClient({ region, ...(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {}) });
  const suffix = `${label}-${randomUUID().slice(0, 8)}`;
  const topic = await sns.send(new CreateTopicCommand({ Name: `audit-${suffix}.fifo`, Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' } }));
  const auditTopicArn = topic.TopicArn ?? '';
  const subscriber = await motoSqs.send(new CreateQueueCommand({ QueueName: `audit-sub-${suffix}.fifo`, Attributes: { FifoQueue: 'true' } }));
  const auditSubscriberQueueUrl = subscriber.QueueUrl ?? '';
  const subscriberArn = (await motoSqs.send(new GetQueueAttributesCommand({ QueueUrl: auditSubscriberQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  if (options.subscribeAuditQueue ?? true) await sns.send(new SubscribeCommand({ TopicArn: auditTopicArn, Protocol: 'sqs', Endpoint: subscriberArn, Attributes: { RawMessageDelivery: 'true' } }));
  const documents = await sqs.send(
    new CreateQueueCommand({ QueueName: `document-events-${suffix}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '30' } }),
  );
  return {
    sns,
    motoSqs,
    sqs,
    auditTopicArn,
    auditSubscriberQueueUrl,
    documentEventsQueueUrl: documents.QueueUrl ?? '',
    close() {
      sns.destroy();
      motoSqs.destroy();
      sqs.destroy();
    },
  };
}

/**
 * Receives and deletes every message of a queue until `idleRounds` receives in
 * a row come back empty (FIFO groups unlock once their messages are deleted).
 */
export async function drainQueue(sqs: SQSClient, queueUrl: string, idleRounds = 2): Promise<Message[]> {
  const messages: Message[] = [];
  let idle = 0;
  while (idle < idleRounds) {
    const response = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    const received = response.Messages ?? [];
    if (received.length === 0) {
      idle += 1;
      continue;
    }
    idle = 0;
    messages.push(...received);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: received.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
  }
  return messages;
}

/** Inserts `count` documents of one entity in a single statement; returns their count. */
export async function seedDocuments(prisma: PrismaClient, entityId: string, entityType: string, count: number): Promise<number> {
  return prisma.$executeRaw`INSERT INTO documents (id, entity_id, entity_type, title)
    SELECT gen_random_uuid(), ${entityId}::uuid, ${entityType}, 'Document ' || n FROM generate_series(1, ${count}::int) AS n`;
}

/** An open transaction of its own connection, holding whatever its statement locked until released. */
export interface HeldTransaction {
  /** Rolls the transaction back (releasing its locks) and closes the connection. */
  release(): Promise<void>;
}

/**
 * Opens a real separate PostgreSQL transaction on `databaseUrl`, runs
 * `statement` in it (e.g. `SELECT … FOR UPDATE`, or an uncommitted INSERT)
 * and keeps it open — and its locks held — until `release()`.
 */
export async function holdInTransaction(databaseUrl: string, statement: string, values: readonly unknown[] = []): Promise<HeldTransaction> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(statement, [...values]);
  } catch (error) {
    await client.end();
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('ROLLBACK');
      } finally {
        await client.end();
      }
    },
  };
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** A `cascade worker` child process; `exited` resolves with its signal or exit code, `stderr()` is the tail of its output. */
export function startWorkerProcess(env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<string>; stderr: () => string } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'cascade.js'), 'worker'], { cwd: REPO_ROOT, env: { ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `code ${String(code)}`)));
  return { child, exited, stderr: () => output };
}
