import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { EMAIL_ARCHIVE_UNAVAILABLE } from '../../activities/email-archive-activities';
import { createSqsClient } from '../../src/app/clients';
import { createS3Client, createSnsClient } from '../../src/app/destination-clients';
import { loadConfig } from '../../src/config';
import { RETIRED_GENERATION, type AccountEvent } from '../../src/shared/account-event';
import type { ActivityPolicyInput, CascadeInput } from '../../src/shared/cascade-input';
import type { EmailArchiveEvent } from '../../src/shared/email-archive';
import { startService, stopService } from '../../src/stack';
import type { EntityDeletedInput } from '../../src/shared/entity-deleted';
import { accountEventsWorkflow, emailArchiveWorkflow, entityDeletedWorkflow } from '../../workflows';
import { createEventDestinations, seedDocuments } from '../support/entity-deleted-fixtures';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';
import { runWithWorker, useTemporalTestEnv } from '../support/temporal-test-env';
import { getTestStack } from '../support/test-stack';

/** Retries 200 ms apart at most 1 s: attempts would run out within seconds, the schedule-to-close does not. */
const RETRY = { initialIntervalMs: 200, backoffCoefficient: 2, maximumIntervalMs: 1000 } as const;

/** The old default shape: an attempt limit and no schedule-to-close (as inputs recorded before it existed). */
const ATTEMPTS_ONLY: ActivityPolicyInput = { startToCloseTimeoutMs: 5000, retry: { ...RETRY, maximumAttempts: 5 } };

/** The new default shape: unlimited attempts bounded by a schedule-to-close. */
const UNTIL_SCHEDULE_TO_CLOSE: ActivityPolicyInput = { startToCloseTimeoutMs: 5000, scheduleToCloseTimeoutMs: 120_000, retry: { ...RETRY, maximumAttempts: 0 } };

/** How long PostgreSQL stays down: well past the five attempts of {@link ATTEMPTS_ONLY} (about 4 s). */
const OUTAGE_MS = 12_000;

describe('activity retries through a real outage (Temporal dev server, the worker\'s assembled activities)', function () {
  this.timeout(120_000);
  const temporal = useTemporalTestEnv();
  let database: MigratedDatabase;

  before(async () => {
    database = await createMigratedDatabase('retry_outage');
  });
  after(async () => {
    await database?.drop();
  });

  function workerActivities(env: NodeJS.ProcessEnv = process.env) {
    const config = loadConfig(env, ['client']);
    return createActivities({ db: database.prisma, sqs: createSqsClient(config), s3: createS3Client(config), sns: createSnsClient(config), config });
  }

  async function seedUser(): Promise<string> {
    const email = `${randomUUID()}@api.accounts.firefox.com`;
    await database.prisma.user.create({ data: { email, generation: 3n, clientState: 'aaaa', createdAt: 1n } });
    return email;
  }

  it('when PostgreSQL is down longer than the old attempt budget, then the cascade waits and completes once it returns; the attempts-only policy fails', async () => {
    const { options } = getTestStack();
    const waiting = await seedUser();
    const givingUp = await seedUser();
    const input = (email: string, activity: ActivityPolicyInput): CascadeInput<AccountEvent> => ({ route: 'account-events', eventKey: randomUUID(), event: { type: 'delete', email }, activity });

    await runWithWorker(temporal.env, workerActivities(), async (taskQueue) => {
      const client = temporal.env.client.workflow;
      await database.prisma.$disconnect();
      await stopService('postgres', options);
      let postgresStopped = true;
      try {
        const stoppedAt = Date.now();
        const patient = await client.start(accountEventsWorkflow, { taskQueue, workflowId: `account-events/${randomUUID()}`, args: [input(waiting, UNTIL_SCHEDULE_TO_CLOSE)] });
        const impatient = await client.start(accountEventsWorkflow, { taskQueue, workflowId: `account-events/${randomUUID()}`, args: [input(givingUp, ATTEMPTS_ONLY)] });

        const failure = await impatient.result().then(
          () => assert.fail('the attempts-only cascade should have run out of attempts during the outage'),
          (error: unknown) => error,
        );
        assert.ok(failure instanceof WorkflowFailedError);
        assert.ok(failure.cause instanceof ApplicationFailure);
        assert.match(failure.cause.message, /^retireUser failed: .*Can't reach database server/s);
        assert.ok(Date.now() - stoppedAt < OUTAGE_MS, 'the attempts-only policy gave up while PostgreSQL was still down');

        await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
        const pending = await patient.describe();
        assert.equal(pending.status.name, 'RUNNING', 'the cascade is still waiting for PostgreSQL');
        await startService('postgres', options);
        postgresStopped = false;

        const result = await patient.result();
        assert.deepEqual(result, { type: 'delete', outcome: 'retired', rowsAffected: 1 });
        const [row] = await database.prisma.user.findMany({ where: { email: waiting } });
        assert.equal(row?.generation, RETIRED_GENERATION);
        assert.notEqual(row?.replacedAt, null);
        const history = await patient.fetchHistory();
        // A short step runs as a local activity: its attempts are in the marker recording its result.
        const attempts = (history.events ?? []).flatMap((e) => {
          const marker = e.markerRecordedEventAttributes;
          if (marker?.markerName !== 'core_local_activity') return [];
          const data = marker.details?.['data']?.payloads?.[0]?.data;
          return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { attempt: number }).attempt] : [];
        });
        assert.ok(Math.max(...attempts) > ATTEMPTS_ONLY.retry.maximumAttempts, `retried past the old attempt limit (attempts: ${attempts.join(', ')})`);
      } finally {
        if (postgresStopped) await startService('postgres', options);
      }
    });
  });

  it('when PostgreSQL is down during an entity-deleted cascade, then its local archiving activity waits out the outage and the cascade completes', async () => {
    const { options } = getTestStack();
    const destinations = await createEventDestinations('retry-outage', { subscribeAuditQueue: false });
    const entityId = randomUUID();
    await seedDocuments(database.prisma, entityId, 'deal', 3);
    const activities = workerActivities({ ...process.env, CASCADE_AUDIT_TOPIC_ARN: destinations.auditTopicArn, CASCADE_DOCUMENT_EVENTS_QUEUE_URL: destinations.documentEventsQueueUrl });
    const input: EntityDeletedInput = {
      route: 'entity-deleted',
      eventKey: randomUUID(),
      event: { eventId: randomUUID(), source: 'test', action: 'entity.deleted', entityId, entityType: 'deal', pageSize: 2 },
      activity: UNTIL_SCHEDULE_TO_CLOSE,
    };
    try {
      await runWithWorker(temporal.env, activities, async (taskQueue) => {
        await database.prisma.$disconnect();
        await stopService('postgres', options);
        let postgresStopped = true;
        try {
          const handle = await temporal.env.client.workflow.start(entityDeletedWorkflow, { taskQueue, workflowId: `entity-deleted/${input.eventKey}`, args: [input] });
          await sleep(OUTAGE_MS);
          assert.equal((await handle.describe()).status.name, 'RUNNING', 'the cascade is still waiting for PostgreSQL');
          await startService('postgres', options);
          postgresStopped = false;
          const result = await handle.result();
          assert.equal(result.documentsArchived, 3);
          assert.equal(await database.prisma.document.count({ where: { entityId, archivedAt: null } }), 0, 'no unarchived document of the entity is left');
        } finally {
          if (postgresStopped) await startService('postgres', options);
        }
      });
    } finally {
      destinations.close();
    }
  });

  it('when the S3 bucket is missing, then the email-archive cascade fails at once (one attempt) with the reason', async () => {
    const missing = `missing-${randomUUID().slice(0, 8)}`;
    const activities = workerActivities({ ...process.env, S3_BUCKET_NAME: missing });
    const event: EmailArchiveEvent = { messageId: randomUUID(), sentAt: '2026-11-24T09:30:15.250Z', email: { email_subject: 's', email_sender: 'a@example.com', email_timestream: 1, email_content: 'c' } };
    const input: CascadeInput<EmailArchiveEvent> = { route: 'email-archive', eventKey: randomUUID(), event, activity: UNTIL_SCHEDULE_TO_CLOSE };
    const startedAt = Date.now();
    const error = await runWithWorker(temporal.env, activities, (taskQueue) =>
      temporal.env.client.workflow.execute(emailArchiveWorkflow, { taskQueue, workflowId: `email-archive/${input.eventKey}`, args: [input] }),
    ).then(
      () => assert.fail('the cascade should have failed'),
      (e: unknown) => e,
    );
    assert.ok(Date.now() - startedAt < 30_000, 'failed at once, not after the schedule-to-close');
    assert.ok(error instanceof WorkflowFailedError);
    assert.ok(error.cause instanceof ApplicationFailure);
    assert.match(error.cause.message, new RegExp(`^archiveEmail failed: cannot write the archive of message .* to s3://${missing}: NoSuchBucket: .*\\(check S3_BUCKET_NAME\\)$`));
    const activityFailure = error.cause.cause;
    assert.ok(activityFailure instanceof ActivityFailure);
    assert.ok(activityFailure.cause instanceof ApplicationFailure);
    assert.equal(activityFailure.cause.type, EMAIL_ARCHIVE_UNAVAILABLE);
    assert.equal(activityFailure.cause.nonRetryable, true);
  });
});
