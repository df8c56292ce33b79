import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { createS3Client } from '../../src/app/destination-clients';
import type { EmailArchiveResult } from '../../src/shared/email-archive';
import { type E2eContext, type TestCascade, createE2eContext, createTestQueues, peekQueue, queueDepth, startTestCascade } from '../support/e2e-harness';

describe('email-archive end to end (ElasticMQ → bridge → Temporal → worker → S3 on moto)', function () {
  this.timeout(180_000);
  let ctx: E2eContext;
  let s3: S3Client;
  let bucket: string;

  before(async () => {
    ctx = await createE2eContext('email_archive');
    s3 = createS3Client(ctx.config({}, ['client']));
    bucket = `e2e-emails-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    s3?.destroy();
    await ctx?.close();
  });

  async function startEmailCascade(env: NodeJS.ProcessEnv = {}): Promise<TestCascade> {
    const queues = await createTestQueues(ctx.sqs, 'email');
    return startTestCascade(ctx, { queues, env: { CASCADE_ROUTES: 'email-archive', CASCADE_QUEUE_URL_EMAIL_ARCHIVE: queues.queueUrl, S3_BUCKET_NAME: bucket, ...env } });
  }

  const email = (sender: string, overrides: Record<string, unknown> = {}) => ({
    email_subject: 'Invoice',
    email_sender: sender,
    email_timestream: '2026-11-24T08:00:00Z',
    email_content: 'Dear customer…',
    ...overrides,
  });

  async function readObject(key: string): Promise<unknown> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null');
  }

  it('when emails arrive raw and SNS-wrapped, then each is stored once under its delivery key, and the invalid ones are quarantined', async () => {
    const run = randomUUID().slice(0, 8);
    const alice = email(`Alice.${run}@Example.com`);
    // About 900 KB once wrapped in the SNS envelope (JSON string escaping adds backslashes): near SQS's 1 MiB limit.
    const bob = email(`bob+${run}@example.org`, { email_timestream: 1764000000, email_content: 'Line of a long newsletter, "quoted".\n'.repeat(20_000) });
    const cascade = await startEmailCascade();
    const sentAfter = Date.now() - 1000;
    try {
      await cascade.send([
        JSON.stringify(alice),
        JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify(bob) }),
        JSON.stringify(email('not-an-address')),
        'not json at all',
      ]);
      await cascade.waitForOutcomes(4);
      await cascade.send([JSON.stringify(alice)]);
      const outcomes = await cascade.waitForOutcomes(5);
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['duplicate', 'rejected', 'rejected', 'started', 'started']);

      const started = outcomes.filter((o) => o.outcome === 'started');
      const results = await Promise.all(started.map((o) => ctx.temporal.workflow.getHandle(o.workflowId ?? '').result() as Promise<EmailArchiveResult>));
      for (const [index, result] of results.entries()) {
        const messageId = started[index]?.messageId ?? '';
        const match = new RegExp(`^emails/(\\d{4})/(\\d{2})/(\\d{2})/(alice\\.${run}|bob_${run})/${messageId}_(\\d{2})(\\d{2})(\\d{2})\\.json$`).exec(result.key);
        assert.ok(match, `${result.key} is emails/YYYY/MM/DD/<sender>/<message_id>_<HHMMSS>.json`);
        const [, y, mo, d, , h, mi, s] = match;
        const sentAt = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
        assert.ok(sentAt >= Math.floor(sentAfter / 1000) * 1000 && sentAt <= Date.now(), 'the time is the SQS SentTimestamp, in UTC');
        assert.equal(result.created, true);
        const stored = (await readObject(result.key)) as { message_id: string; email_data: unknown; metadata: { source: string; processor_version: string } };
        assert.equal(stored.message_id, messageId);
        assert.deepEqual(stored.email_data, result.key.includes('alice') ? alice : bob);
        assert.equal(stored.metadata.source, 'email-validation-service');
        assert.match(stored.metadata.processor_version, /^\d+\.\d+\.\d+/);
      }
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'emails/' }));
      const ours = (listed.Contents ?? []).filter((o) => o.Key?.includes(run));
      assert.equal(ours.length, 2, 'the re-sent email was not stored again');

      const quarantined = await peekQueue(ctx.sqs, cascade.queues.quarantineQueueUrl);
      const reasons = quarantined.map((m) => m.MessageAttributes?.['cascade.reason']?.StringValue ?? '').sort();
      assert.equal(reasons.length, 2);
      assert.match(reasons[0] ?? '', /^body is not JSON/);
      assert.match(reasons[1] ?? '', /^email_sender: must be an email address/);
      assert.equal(await queueDepth(ctx.sqs, cascade.queues.queueUrl), 0);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when the bucket does not exist, then the cascade fails at once with a reason naming it, and nothing is retried in a loop', async () => {
    const missing = `missing-${randomUUID().slice(0, 8)}`;
    const cascade = await startEmailCascade({ S3_BUCKET_NAME: missing });
    try {
      await cascade.send([JSON.stringify(email(`carol.${randomUUID().slice(0, 8)}@example.com`))]);
      const [outcome] = await cascade.waitForOutcomes(1);
      assert.equal(outcome?.outcome, 'started', 'the message itself was valid: the cascade holds it now');
      const handle = ctx.temporal.workflow.getHandle(outcome?.workflowId ?? '');
      await assert.rejects(handle.result(), (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError);
        assert.match(error.cause?.message ?? '', new RegExp(`^archiveEmail failed: cannot write the archive of message [0-9a-f-]+ to s3://${missing}: NoSuchBucket.*S3_BUCKET_NAME`));
        return true;
      });
      let activityAttempts = 0;
      for (const event of (await handle.fetchHistory()).events ?? []) if (event.activityTaskStartedEventAttributes) activityAttempts = Math.max(activityAttempts, event.activityTaskStartedEventAttributes.attempt ?? 0);
      assert.equal(activityAttempts, 1, 'a missing bucket is not retried');
    } finally {
      await cascade.app.stop();
    }
  });
});
