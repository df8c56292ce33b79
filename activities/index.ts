import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CascadeConfig } from '../src/config';
import type { PrismaClient } from '../src/db/client';
import { readPackageVersion } from '../src/package-version';
import { createAccountActivities } from './account-activities';
import { withErrorClassification } from './classified-activities';
import { createEmailArchiveActivities } from './email-archive-activities';
import { createEntityActivities } from './entity-activities';
import { createOutboxActivities } from './outbox-activities';
import { createTaskActivities } from './task-activities';
import { createTxmaActivities } from './txma-activities';

/** Every client the activities of all routes use, built once by the worker. */
export interface ActivityDeps {
  readonly db: PrismaClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly config: CascadeConfig;
}

/**
 * All activities of all routes, as registered with the worker; each factory
 * gets only what it needs. Every activity's errors are classified once here
 * (`withErrorClassification`): permanent ones fail at once, non-retryable,
 * transient ones are retried until the activity's schedule-to-close.
 */
export function createActivities(deps: ActivityDeps) {
  const { config } = deps;
  return withErrorClassification({
    ...createAccountActivities({ db: deps.db }),
    ...createEntityActivities({
      db: deps.db,
      sns: deps.sns,
      sqs: deps.sqs,
      auditTopicArn: config.entityDeleted.auditTopicArn,
      documentEventsQueueUrl: config.entityDeleted.documentEventsQueueUrl,
    }),
    ...createEmailArchiveActivities({
      s3: deps.s3,
      bucket: config.emailArchive.bucket,
      keyPrefix: config.emailArchive.keyPrefix,
      sse: config.emailArchive.sse,
      kmsKeyId: config.emailArchive.kmsKeyId,
      processorVersion: readPackageVersion(),
    }),
    ...createTxmaActivities({ db: deps.db, ttlSeconds: config.txma.ttlSeconds }),
    ...createTaskActivities({ db: deps.db }),
    ...createOutboxActivities({ db: deps.db, sqs: deps.sqs }),
  });
}

/** Every activity the worker registers. */
export type Activities = ReturnType<typeof createActivities>;
