import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { EMAIL_ARCHIVE_UNAVAILABLE, type EmailArchiveActivityDeps, createEmailArchiveActivities } from '../../activities/email-archive-activities';
import { createS3Client } from '../../src/app/destination-clients';
import { loadConfig } from '../../src/config';
import { NON_RETRYABLE_INPUT_ERROR } from '../../src/shared/cascade-input';
import type { EmailArchiveEvent, EmailArchiveResult } from '../../src/shared/email-archive';

const mockEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

describe('email-archive activities (moto S3)', function () {
  this.timeout(60_000);
  let s3: S3Client;
  let bucket: string;

  before(async () => {
    s3 = createS3Client(loadConfig(process.env, ['client']));
    bucket = `emails-test-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s3?.destroy());

  const deps = (overrides: Partial<EmailArchiveActivityDeps> = {}): EmailArchiveActivityDeps => ({
    s3,
    bucket,
    keyPrefix: 'emails',
    sse: 'AES256',
    kmsKeyId: undefined,
    processorVersion: '9.8.7',
    now: () => new Date('2026-11-24T10:00:00.000Z'),
    ...overrides,
  });
  const event = (overrides: Partial<EmailArchiveEvent['email']> = {}): EmailArchiveEvent => ({
    messageId: randomUUID(),
    sentAt: '2026-11-24T09:30:15.250Z',
    email: { email_subject: 'Hi "there"', email_sender: 'Alice.Smith+Tag@Example.com', email_timestream: 1764000000, email_content: 'Line 1\nLine 2 ✓', ...overrides },
  });
  const archive = (input: EmailArchiveEvent, overrides: Partial<EmailArchiveActivityDeps> = {}): Promise<EmailArchiveResult> =>
    mockEnvironment().run((i: EmailArchiveEvent) => createEmailArchiveActivities(deps(overrides)).archiveEmail(i), input);

  it('when an email is archived, then one JSON object exists at the derived key with the body, encryption and SHA-256 checksum', async () => {
    const input = event();
    const result = await archive(input);
    const key = `emails/2026/11/24/alice.smith_tag/${input.messageId}_093015.json`;
    assert.equal(result.key, key);
    assert.equal(result.bucket, bucket);
    assert.equal(result.created, true);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    const text = (await object.Body?.transformToString('utf8')) ?? '';
    assert.deepEqual(JSON.parse(text), {
      message_id: input.messageId,
      processed_at: '2026-11-24T10:00:00.000Z',
      email_data: input.email,
      metadata: { processor_version: '9.8.7', source: 'email-validation-service' },
    });
    assert.equal(object.ContentType, 'application/json');
    assert.equal(object.ServerSideEncryption, 'AES256');
    const sha256 = createHash('sha256').update(text, 'utf8').digest('base64');
    assert.equal(object.ChecksumSHA256, sha256);
    assert.equal(result.sha256, sha256);
    assert.equal(result.bytes, Buffer.byteLength(text, 'utf8'));
  });

  it('when the activity runs again for the same message (a retry after success), then the object is not overwritten', async () => {
    const input = event();
    const first = await archive(input);
    const second = await archive(input, { now: () => new Date('2026-11-24T11:00:00.000Z') });
    assert.equal(second.key, first.key);
    assert.equal(second.created, false);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: first.key }));
    const stored = JSON.parse((await object.Body?.transformToString('utf8')) ?? '{}') as { processed_at: string };
    assert.equal(stored.processed_at, '2026-11-24T10:00:00.000Z', 'the first write stands');
  });

  it('when SSE is aws:kms with a key ID, then the object is encrypted with that key', async () => {
    const result = await archive(event(), { sse: 'aws:kms', kmsKeyId: 'alias/cascade-emails' });
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: result.key }));
    assert.equal(object.ServerSideEncryption, 'aws:kms');
    assert.equal(object.SSEKMSKeyId, 'alias/cascade-emails');
  });

  it('when the bucket does not exist, then it fails non-retryably naming the bucket', async () => {
    const missing = `missing-${randomUUID().slice(0, 8)}`;
    await assert.rejects(archive(event(), { bucket: missing }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.type, EMAIL_ARCHIVE_UNAVAILABLE);
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, new RegExp(`^cannot write the archive of message ${'[0-9a-f-]+'} to s3://${missing}: NoSuchBucket: .*\\(check S3_BUCKET_NAME\\)$`));
      assert.ok(!error.message.includes('alice'), 'the message names no part of the sender (failures are not encrypted)');
      return true;
    });
  });

  it('when no bucket is configured, then it fails non-retryably saying what to set', async () => {
    await assert.rejects(archive(event(), { bucket: undefined }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /S3_BUCKET_NAME is not set/);
      return true;
    });
  });

  it('when S3 cannot be reached, then the failure is retryable', async () => {
    const unreachable = createS3Client(loadConfig({ ...process.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' }, ['client']));
    try {
      await assert.rejects(
        mockEnvironment().run((i: EmailArchiveEvent) => createEmailArchiveActivities(deps({ s3: unreachable })).archiveEmail(i), event()),
        (error: unknown) => {
          assert.ok(!(error instanceof ApplicationFailure) || error.nonRetryable !== true, 'retryable');
          assert.match(String(error), /writing the archive of message [0-9a-f-]+ to s3:\/\/emails-test-[0-9a-f]+ failed/);
          return true;
        },
      );
    } finally {
      unreachable.destroy();
    }
  });

  it('when the input is malformed, then it fails as invalid input', async () => {
    await assert.rejects(archive({ messageId: '', sentAt: 'soon', email: { email_sender: 'nobody' } } as unknown as EmailArchiveEvent), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, NON_RETRYABLE_INPUT_ERROR);
      assert.match(error.message, /messageId .*; sentAt .*; email\.email_sender/);
      return true;
    });
  });
});
