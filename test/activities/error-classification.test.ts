import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ApplicationFailure } from '@temporalio/common';
import { Client } from 'pg';
import { toActivityFailure, withErrorClassification } from '../../activities/classified-activities';
import { createSqsClient } from '../../src/app/clients';
import { createS3Client, createSnsClient } from '../../src/app/destination-clients';
import { type CascadeConfig, loadConfig } from '../../src/config';
import { createPrismaClient } from '../../src/db/client';
import { type ErrorClassification, UNCLASSIFIED_ERROR, classifyActivityError } from '../../src/errors';
import { closedPort } from '../support/closed-port';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';

/** What `promise` rejected with; fails the test when it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the call should have failed'),
    (error: unknown) => error,
  );
}

function assertClassified(error: unknown, expected: { retryable: boolean; type: string; reason?: RegExp }): ErrorClassification {
  const found = classifyActivityError(error);
  assert.equal(found.retryable, expected.retryable, `retryable of ${found.type}: ${found.reason}`);
  assert.equal(found.type, expected.type, found.reason);
  if (expected.reason) assert.match(found.reason, expected.reason);
  return found;
}

describe('error classification: PostgreSQL and Prisma (real errors from the test database)', function () {
  this.timeout(60_000);
  let database: MigratedDatabase;
  const auditEvent = (eventId: string) => ({
    eventId,
    source: 'test',
    action: 'archived',
    entityId: 'e1',
    entityType: 'case',
    details: {},
    occurredAt: new Date(),
  });

  before(async () => {
    database = await createMigratedDatabase('classification');
  });
  after(async () => {
    await database?.drop();
  });

  it('when Prisma inserts a duplicate key, then it is a permanent constraint violation naming P2002 and SQLSTATE 23505', async () => {
    const eventId = randomUUID();
    await database.prisma.auditEvent.create({ data: auditEvent(eventId) });
    const error = await rejectionOf(database.prisma.auditEvent.create({ data: auditEvent(eventId) }));
    assertClassified(error, { retryable: false, type: 'DatabaseConstraintViolation', reason: /Prisma P2002, SQLSTATE 23505/ });
  });

  it('when a query casts invalid text, then it is permanent invalid data (SQLSTATE 22P02)', async () => {
    const error = await rejectionOf(database.prisma.$queryRawUnsafe(`SELECT 'not a number'::int`));
    assertClassified(error, { retryable: false, type: 'DatabaseInvalidData', reason: /SQLSTATE 22P02/ });
  });

  it('when a query divides by zero, then the generic adapter error (kind postgres) is permanent invalid data by its SQLSTATE class 22', async () => {
    const error = await rejectionOf(database.prisma.$queryRawUnsafe('SELECT 1/0'));
    assertClassified(error, { retryable: false, type: 'DatabaseInvalidData', reason: /SQLSTATE 22012/ });
  });

  it('when a query names a missing table, then it is a permanent schema mismatch', async () => {
    const error = await rejectionOf(database.prisma.$queryRawUnsafe('SELECT * FROM no_such_table'));
    assertClassified(error, { retryable: false, type: 'DatabaseSchemaMismatch', reason: /42P01/ });
  });

  it('when node-postgres itself reports a unique violation, then its SQLSTATE decides (permanent)', async () => {
    const client = new Client({ connectionString: database.url.replace(/\?.*$/, '') });
    await client.connect();
    try {
      const eventId = randomUUID();
      const insert = `INSERT INTO audit_events (event_id, source, action, entity_id, entity_type, details, occurred_at) VALUES ($1, 's', 'a', 'e', 't', '{}', now())`;
      await client.query(insert, [eventId]);
      const error = await rejectionOf(client.query(insert, [eventId]));
      assertClassified(error, { retryable: false, type: 'DatabaseConstraintViolation', reason: /SQLSTATE 23505/ });
    } finally {
      await client.end();
    }
  });

  it('when a row lock is held by another transaction past lock_timeout, then it is a transient lock timeout (55P03)', async () => {
    const eventId = randomUUID();
    await database.prisma.auditEvent.create({ data: auditEvent(eventId) });
    const holder = new Client({ connectionString: database.url.replace(/\?.*$/, '') });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM audit_events WHERE event_id = $1 FOR UPDATE', [eventId]);
      const error = await rejectionOf(
        database.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '200ms'`);
          await tx.$executeRawUnsafe(`UPDATE audit_events SET published_at = now() WHERE event_id = '${eventId}'`);
        }),
      );
      assertClassified(error, { retryable: true, type: 'DatabaseLockTimeout', reason: /55P03/ });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('when two transactions wait on each other, then the deadlock is transient (40P01)', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await database.prisma.auditEvent.createMany({ data: [auditEvent(a), auditEvent(b)] });
    const other = new Client({ connectionString: database.url.replace(/\?.*$/, '') });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`UPDATE audit_events SET source = 'other' WHERE event_id = $1`, [b]);
      let otherStep: Promise<unknown> | undefined;
      const outcome = await database.prisma
        .$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`UPDATE audit_events SET source = 'prisma' WHERE event_id = '${a}'`);
          otherStep = other.query(`UPDATE audit_events SET source = 'other' WHERE event_id = $1`, [a]).catch((error: unknown) => error);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.$executeRawUnsafe(`UPDATE audit_events SET source = 'prisma' WHERE event_id = '${b}'`);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      const otherOutcome = await otherStep;
      const deadlocked = [outcome, otherOutcome].find((e) => e instanceof Error);
      assert.ok(deadlocked, 'one of the two transactions must have been chosen as the deadlock victim');
      assertClassified(deadlocked, { retryable: true, type: 'DatabaseDeadlock', reason: /40P01/ });
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  });

  it('when the database port refuses connections, then Prisma P1001 is transient', async () => {
    const port = await closedPort();
    const prisma = createPrismaClient(`postgresql://cascade:cascade@127.0.0.1:${port}/cascade`);
    try {
      const error = await rejectionOf(prisma.user.count());
      assertClassified(error, { retryable: true, type: 'DatabaseUnavailable', reason: /P1001/ });
    } finally {
      await prisma.$disconnect();
    }
  });

  it('when node-postgres connects to a closed port, then ECONNREFUSED is transient', async () => {
    const client = new Client({ connectionString: `postgresql://cascade:cascade@127.0.0.1:${await closedPort()}/cascade` });
    const error = await rejectionOf(client.connect());
    assertClassified(error, { retryable: true, type: 'NetworkUnavailable', reason: /ECONNREFUSED/ });
  });

  it('when a wrapped activity hits a unique violation, then it throws a non-retryable ApplicationFailure with the type and reason', async () => {
    const eventId = randomUUID();
    await database.prisma.auditEvent.create({ data: auditEvent(eventId) });
    const activities = withErrorClassification({
      async insertAuditEvent(id: string): Promise<void> {
        await database.prisma.auditEvent.create({ data: auditEvent(id) });
      },
    });
    const error = await rejectionOf(activities.insertAuditEvent(eventId));
    assert.ok(error instanceof ApplicationFailure);
    assert.equal(error.nonRetryable, true);
    assert.equal(error.type, 'DatabaseConstraintViolation');
    assert.match(error.message, /Unique constraint/);
    assert.ok(error.cause instanceof Error, 'the original error is kept as the cause');
  });

  it('when a wrapped activity cannot reach the database, then the original error is rethrown for Temporal to retry', async () => {
    const prisma = createPrismaClient(`postgresql://cascade:cascade@127.0.0.1:${await closedPort()}/cascade`);
    try {
      const activities = withErrorClassification({ countUsers: () => prisma.user.count() });
      const error = await rejectionOf(activities.countUsers());
      assert.ok(!(error instanceof ApplicationFailure), 'a transient error is not turned into a failure');
      assert.equal((error as { code?: string }).code, 'P1001');
    } finally {
      await prisma.$disconnect();
    }
  });
});

describe('error classification: AWS SDK (real errors from moto and ElasticMQ)', function () {
  this.timeout(60_000);
  let config: CascadeConfig;
  let s3: S3Client;
  let sns: SNSClient;
  let sqs: SQSClient;

  before(() => {
    config = loadConfig(process.env, ['client']);
    s3 = createS3Client(config);
    sns = createSnsClient(config);
    sqs = createSqsClient(config);
  });
  after(() => {
    s3?.destroy();
    sns?.destroy();
    sqs?.destroy();
  });

  it('when an object is written to a missing bucket, then NoSuchBucket is a permanent missing resource', async () => {
    const error = await rejectionOf(s3.send(new PutObjectCommand({ Bucket: `missing-${randomUUID().slice(0, 8)}`, Key: 'k', Body: 'x' })));
    assertClassified(error, { retryable: false, type: 'AwsResourceMissing', reason: /NoSuchBucket \(HTTP 404\)/ });
  });

  it('when a message is published to a missing SNS topic, then NotFound is a permanent missing resource', async () => {
    const topicArn = `arn:aws:sns:${config.aws.region}:123456789012:missing-${randomUUID().slice(0, 8)}`;
    const error = await rejectionOf(sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' })));
    assertClassified(error, { retryable: false, type: 'AwsResourceMissing', reason: /NotFound/ });
  });

  it('when a message is sent to a missing SQS queue, then QueueDoesNotExist is a permanent missing resource', async () => {
    const existing = process.env.CASCADE_QUARANTINE_QUEUE_URL ?? '';
    assert.ok(existing.length > 0, 'the test stack publishes the quarantine queue URL');
    const missing = existing.replace(/[^/]+$/, `missing-${randomUUID().slice(0, 8)}`);
    const error = await rejectionOf(sqs.send(new SendMessageCommand({ QueueUrl: missing, MessageBody: 'x' })));
    assertClassified(error, { retryable: false, type: 'AwsResourceMissing' });
  });

  it('when S3 refuses the connection (closed port), then the socket error is transient', async () => {
    const closed = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${await closedPort()}`, forcePathStyle: true, maxAttempts: 1 });
    try {
      const error = await rejectionOf(closed.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' })));
      assertClassified(error, { retryable: true, type: 'NetworkUnavailable', reason: /ECONNREFUSED/ });
    } finally {
      closed.destroy();
    }
  });

  // The emulators cannot throttle or skew a clock on demand: these service exceptions are built as the SDK builds them.
  const metadata = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1, totalRetryDelay: 0 });

  it('when S3 answers 403 RequestTimeTooSkewed, then it is transient (a clock skew, not a denial)', () => {
    const error = new S3ServiceException({ name: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.', $fault: 'client', $metadata: metadata(403) });
    assertClassified(error, { retryable: true, type: 'AwsClockSkew' });
  });

  it('when S3 answers 403 AccessDenied, then it is permanent', () => {
    const error = new S3ServiceException({ name: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: metadata(403) });
    assertClassified(error, { retryable: false, type: 'AwsAccessDenied', reason: /AccessDenied \(HTTP 403\): Access Denied/ });
  });

  it('when S3 answers 503 SlowDown, then it is transient throttling', () => {
    const error = new S3ServiceException({ name: 'SlowDown', message: 'Please reduce your request rate.', $fault: 'server', $metadata: metadata(503) });
    assertClassified(error, { retryable: true, type: 'AwsThrottled' });
  });

  it('when SNS throttles (ThrottledException), then it is transient', () => {
    const error = new ThrottledException({ message: 'Rate exceeded', $metadata: metadata(400) });
    assertClassified(error, { retryable: true, type: 'AwsThrottled' });
  });

  it('when an unknown AWS error is a server fault or marked $retryable, then it is transient; an unknown client fault is permanent', () => {
    assertClassified(new S3ServiceException({ name: 'SomethingNew', message: 'x', $fault: 'server', $metadata: metadata(500) }), { retryable: true, type: 'AwsUnavailable' });
    const marked = new S3ServiceException({ name: 'SomethingElse', message: 'x', $fault: 'client', $metadata: metadata(400) });
    Object.assign(marked, { $retryable: { throttling: true } });
    assertClassified(marked, { retryable: true, type: 'AwsThrottled' });
    assertClassified(new S3ServiceException({ name: 'SomethingWrong', message: 'x', $fault: 'client', $metadata: metadata(400) }), { retryable: false, type: 'AwsRequestRefused' });
  });

  it('when a missing bucket is wrapped in an activity error, then the cause chain decides and the reason keeps both messages', () => {
    const aws = new S3ServiceException({ name: 'NoSuchBucket', message: 'The specified bucket does not exist', $fault: 'client', $metadata: metadata(404) });
    const wrapped = new Error('writing the archive failed', { cause: aws });
    const found = assertClassified(wrapped, { retryable: false, type: 'AwsResourceMissing' });
    assert.equal(found.reason, 'writing the archive failed (AWS NoSuchBucket (HTTP 404): The specified bucket does not exist)');
    const failure = toActivityFailure(wrapped);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nonRetryable, true);
  });
});

describe('error classification: anything else', () => {
  it('when an error no table knows is thrown, then it is retryable with its own message', () => {
    assertClassified(new Error('something odd'), { retryable: true, type: UNCLASSIFIED_ERROR, reason: /^something odd$/ });
  });

  it('when an activity chose its own ApplicationFailure, then the wrapper keeps it unchanged', () => {
    const own = ApplicationFailure.nonRetryable('bad input', 'InvalidCascadeInput');
    assert.equal(toActivityFailure(own), own);
  });

  it('when an error has a property named like an Object prototype member, then no table matches it', () => {
    const error = Object.assign(new Error('odd code'), { code: 'constructor' });
    assertClassified(error, { retryable: true, type: UNCLASSIFIED_ERROR });
  });
});
