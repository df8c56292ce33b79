import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { ApplicationFailure, cancellationSignal } from '@temporalio/activity';
import { classifyAwsError } from '../src/errors';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import { FAILURE_TYPES } from '../src/shared/failure-types';
import { EMAIL_ARCHIVE_SOURCE, type EmailArchiveEvent, type EmailArchiveResult, toEmailArchiveKey } from '../src/shared/email-archive';
import { toErrorMessage } from '../src/errors/error-message';

/** What the email-archive activity needs: S3 and where to write. */
export interface EmailArchiveActivityDeps {
  readonly s3: Pick<S3Client, 'send'>;
  /** `S3_BUCKET_NAME`; unset fails every cascade with a non-retryable reason. */
  readonly bucket: string | undefined;
  /** `CASCADE_EMAIL_KEY_PREFIX`, without leading or trailing slash. */
  readonly keyPrefix: string;
  /** `CASCADE_EMAIL_SSE`. */
  readonly sse: 'AES256' | 'aws:kms';
  /** `CASCADE_EMAIL_KMS_KEY_ID`, used with `aws:kms`. */
  readonly kmsKeyId: string | undefined;
  /** `metadata.processor_version` of the stored objects (Cascade's version). */
  readonly processorVersion: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** Error type of the non-retryable failure thrown when the bucket is missing, denied or cannot encrypt. */
export const EMAIL_ARCHIVE_UNAVAILABLE = FAILURE_TYPES.EmailArchiveUnavailable;

/**
 * The email-archive activity: stores one message as JSON in S3, write-once
 * (`If-None-Match: *`), so a retry after a successful attempt changes nothing.
 */
export function createEmailArchiveActivities(deps: EmailArchiveActivityDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    /**
     * Writes `{message_id, processed_at, email_data, metadata}` to
     * `<prefix>/YYYY/MM/DD/<sender>/<message_id>_<HHMMSS>.json` with server-side
     * encryption and a SHA-256 checksum S3 verifies. When the object exists
     * already (an earlier attempt wrote it), reports `created: false`.
     */
    async archiveEmail(input: EmailArchiveEvent): Promise<EmailArchiveResult> {
      assertInput(input);
      const bucket = deps.bucket;
      if (bucket === undefined || bucket === '') {
        throw ApplicationFailure.nonRetryable('S3_BUCKET_NAME is not set: the worker cannot archive emails', EMAIL_ARCHIVE_UNAVAILABLE);
      }
      const key = toEmailArchiveKey(deps.keyPrefix, input);
      const body = JSON.stringify({
        message_id: input.messageId,
        processed_at: now().toISOString(),
        email_data: {
          email_subject: input.email.email_subject,
          email_sender: input.email.email_sender,
          email_timestream: input.email.email_timestream,
          email_content: input.email.email_content,
        },
        metadata: { processor_version: deps.processorVersion, source: EMAIL_ARCHIVE_SOURCE },
      });
      const sha256 = createHash('sha256').update(body, 'utf8').digest('base64');
      const encryption: { ServerSideEncryption: ServerSideEncryption; SSEKMSKeyId?: string } =
        deps.sse === 'aws:kms' ? { ServerSideEncryption: 'aws:kms', ...(deps.kmsKeyId ? { SSEKMSKeyId: deps.kmsKeyId } : {}) } : { ServerSideEncryption: 'AES256' };
      const result = { bucket, key, bytes: Buffer.byteLength(body, 'utf8'), sha256 };
      try {
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: sha256,
            IfNoneMatch: '*',
            ...encryption,
          }),
          { abortSignal: cancellationSignal() },
        );
        return { ...result, created: true };
      } catch (error) {
        if (isAwsError(error, 'PreconditionFailed', 412)) return { ...result, created: false };
        const name = error instanceof Error ? error.name : 'Error';
        const detail = toErrorMessage(error);
        if (classifyAwsError(error)?.retryable === false) {
          throw ApplicationFailure.create({
            type: EMAIL_ARCHIVE_UNAVAILABLE,
            message: `cannot write the archive of message ${input.messageId} to s3://${bucket}: ${name}: ${detail}${name === 'NoSuchBucket' ? ' (check S3_BUCKET_NAME)' : ''}`,
            nonRetryable: true,
            cause: error instanceof Error ? error : undefined,
          });
        }
        throw new Error(`writing the archive of message ${input.messageId} to s3://${bucket} failed: ${name}: ${detail}`, { cause: error });
      }
    },
  };
}

/** The email-archive activities, as registered with the worker. */
export type EmailArchiveActivities = ReturnType<typeof createEmailArchiveActivities>;

function isAwsError(error: unknown, name: string, status: number): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === name || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === status;
}

function assertInput(input: EmailArchiveEvent): void {
  const problems: string[] = [];
  if (typeof input?.messageId !== 'string' || input.messageId.length === 0) problems.push('messageId must be a non-empty string');
  if (typeof input?.sentAt !== 'string' || Number.isNaN(Date.parse(input.sentAt))) problems.push('sentAt must be an ISO date');
  if (typeof input?.email?.email_sender !== 'string' || !input.email.email_sender.includes('@')) problems.push('email.email_sender must be an email address');
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`invalid email-archive input: ${problems.join('; ')}`, NON_RETRYABLE_INPUT_ERROR);
}
