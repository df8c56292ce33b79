import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { EMAIL_ARCHIVE_UNAVAILABLE, type EmailArchiveActivities } from '../../activities/email-archive-activities';
import type { PurgeExpiredInput, TxmaActivities } from '../../activities/txma-activities';
import type { CascadeInput } from '../../src/shared/cascade-input';
import type { EmailArchiveEvent } from '../../src/shared/email-archive';
import type { TxmaEventRecord } from '../../src/shared/txma';
import { auditEventsWorkflow, emailArchiveWorkflow, txmaPurgeWorkflow } from '../../workflows';
import { FAST_RETRIES, runWithWorker, useTemporalTestEnv } from '../support/temporal-test-env';

describe('email-archive and audit-events workflows (Temporal dev server, activities faked)', function () {
  this.timeout(120_000);
  const temporal = useTemporalTestEnv();

  const email: EmailArchiveEvent = {
    messageId: 'm-1',
    sentAt: '2026-11-24T09:30:15.000Z',
    email: { email_subject: 's', email_sender: 'a@b.c', email_timestream: 't', email_content: 'c' },
  };
  const emailInput = (): CascadeInput<EmailArchiveEvent> => ({ route: 'email-archive', eventKey: randomUUID(), event: email, activity: FAST_RETRIES });
  const stored = { bucket: 'b', key: 'emails/2026/11/24/a/m-1_093015.json', bytes: 10, sha256: 'x', created: true };

  it('when an email arrives, then it is archived once and the result names the object', async () => {
    const calls: EmailArchiveEvent[] = [];
    const activities: EmailArchiveActivities = {
      async archiveEmail(input) {
        calls.push(input);
        return stored;
      },
    };
    const input = emailInput();
    const result = await runWithWorker(temporal.env, activities, (taskQueue) => temporal.env.client.workflow.execute(emailArchiveWorkflow, { taskQueue, workflowId: `email-archive/${input.eventKey}`, args: [input] }));
    assert.deepEqual(result, stored);
    assert.deepEqual(calls, [email]);
  });

  it('when S3 fails transiently, then the upload is retried and the cascade completes', async () => {
    let attempts = 0;
    const activities: EmailArchiveActivities = {
      async archiveEmail() {
        attempts += 1;
        if (attempts < 3) throw new Error('socket hang up');
        return stored;
      },
    };
    const input = emailInput();
    const result = await runWithWorker(temporal.env, activities, (taskQueue) => temporal.env.client.workflow.execute(emailArchiveWorkflow, { taskQueue, workflowId: `email-archive/${input.eventKey}`, args: [input] }));
    assert.equal(result.key, stored.key);
    assert.equal(attempts, 3);
  });

  it('when the bucket is missing, then the cascade fails at once with the reason', async () => {
    let attempts = 0;
    const activities: EmailArchiveActivities = {
      async archiveEmail() {
        attempts += 1;
        throw ApplicationFailure.create({ type: EMAIL_ARCHIVE_UNAVAILABLE, message: 'cannot write the archive of message m-1 to s3://gone: NoSuchBucket', nonRetryable: true });
      },
    };
    const input = emailInput();
    await assert.rejects(
      runWithWorker(temporal.env, activities, (taskQueue) => temporal.env.client.workflow.execute(emailArchiveWorkflow, { taskQueue, workflowId: `email-archive/${input.eventKey}`, args: [input] })),
      (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError);
        assert.equal(error.cause?.message, 'archiveEmail failed: cannot write the archive of message m-1 to s3://gone: NoSuchBucket');
        return true;
      },
    );
    assert.equal(attempts, 1);
  });

  const txmaRecord: TxmaEventRecord = { pk: 'SESSION#s', sk: 'TXMA#EVENT_NAME#A#TIMESTAMP#1', event: { event_name: 'A' } };

  function fakeTxma(purgeResults: number[] = []) {
    const stores: TxmaEventRecord[] = [];
    const purges: PurgeExpiredInput[] = [];
    let storeFailures = 0;
    const activities: TxmaActivities = {
      async storeTxmaEvent(input) {
        if (storeFailures > 0) {
          storeFailures -= 1;
          throw new Error('connection terminated');
        }
        stores.push(input);
        return { pk: input.pk, sk: input.sk, expiresAt: '2026-11-24T10:00:00.000Z' };
      },
      async purgeExpiredTxmaEvents(input) {
        purges.push(input);
        const deleted = purgeResults.shift();
        if (deleted === undefined) throw new Error('unexpected extra purge call');
        return { deleted };
      },
    };
    return { stores, purges, activities, failStoreTimes: (n: number) => (storeFailures = n) };
  }

  it('when a TxMA event arrives, then it is stored (after a transient failure, retried) and the result names its keys', async () => {
    const fake = fakeTxma();
    fake.failStoreTimes(1);
    const input: CascadeInput<TxmaEventRecord> = { route: 'audit-events', eventKey: randomUUID(), event: txmaRecord, activity: FAST_RETRIES };
    const result = await runWithWorker(temporal.env, fake.activities, (taskQueue) => temporal.env.client.workflow.execute(auditEventsWorkflow, { taskQueue, workflowId: `audit-events/${input.eventKey}`, args: [input] }));
    assert.deepEqual(result, { pk: 'SESSION#s', sk: txmaRecord.sk, expiresAt: '2026-11-24T10:00:00.000Z' });
    assert.deepEqual(fake.stores, [txmaRecord]);
  });

  it('when storing keeps failing, then the cascade fails naming the step after the configured attempts', async () => {
    const fake = fakeTxma();
    fake.failStoreTimes(100);
    const input: CascadeInput<TxmaEventRecord> = { route: 'audit-events', eventKey: randomUUID(), event: txmaRecord, activity: FAST_RETRIES };
    await assert.rejects(
      runWithWorker(temporal.env, fake.activities, (taskQueue) => temporal.env.client.workflow.execute(auditEventsWorkflow, { taskQueue, workflowId: `audit-events/${input.eventKey}`, args: [input] })),
      (error: unknown) => error instanceof WorkflowFailedError && error.cause?.message === 'storeTxmaEvent failed: connection terminated',
    );
  });

  it('when the purge finds full batches, then it goes on until a batch comes back short', async () => {
    const fake = fakeTxma([100, 100, 37]);
    const result = await runWithWorker(temporal.env, fake.activities, (taskQueue) =>
      temporal.env.client.workflow.execute(txmaPurgeWorkflow, { taskQueue, workflowId: `cascade/txma-purge/${randomUUID()}`, args: [{ activity: FAST_RETRIES, batchSize: 100 }] }),
    );
    assert.deepEqual(result, { deleted: 237, more: false });
    assert.deepEqual(fake.purges, [{ batchSize: 100 }, { batchSize: 100 }, { batchSize: 100 }]);
  });

  it('when expired rows outnumber one run, then the run stops at its round limit and says more remain', async () => {
    const fake = fakeTxma(Array.from({ length: 60 }, () => 10));
    const result = await runWithWorker(temporal.env, fake.activities, (taskQueue) =>
      temporal.env.client.workflow.execute(txmaPurgeWorkflow, { taskQueue, workflowId: `cascade/txma-purge/${randomUUID()}`, args: [{ activity: FAST_RETRIES, batchSize: 10 }] }),
    );
    assert.deepEqual(result, { deleted: 500, more: true });
    assert.equal(fake.purges.length, 50);
  });
});
