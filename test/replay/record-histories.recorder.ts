/*
 * Records the replay tests' histories from real cascades on the test stack.
 * Not part of `npm test` (its name does not end in .test): run it when
 * workflow code changes ship, and commit what it writes:
 *
 *   npm run build && npx mocha dist/test/replay/record-histories.recorder.js
 *
 * It drives one cascade of every route through the bridge, a multi-run
 * entity-deleted cascade (small pages, continueAsNew every 2 pages, local
 * activity markers), a failed email-archive cascade reset after the fix, and
 * one run of each schedule's workflow, then calls `cascade history record`
 * into test/replay/histories (CASCADE_HISTORY_OUT overrides).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/app/destination-clients';
import type { RecordedHistory } from '../../src/ops/history-recorder';
import type { ResetOutcome } from '../../src/ops/reset';
import { OUTBOX_FLUSH_SCHEDULE_ID } from '../../src/producer/outbox-schedule';
import type { EntityDeletedInput, EntityDeletedResult } from '../../src/shared/entity-deleted';
import { TXMA_PURGE_SCHEDULE_ID } from '../../src/txma/purge-schedule';
import { runCli } from '../support/cli-runner';
import { type E2eContext, type TestCascade, createE2eContext, createTestQueues, eventually, sendToQueue, startTestCascade } from '../support/e2e-harness';
import { type EventDestinations, createEventDestinations, seedDocuments } from '../support/entity-deleted-fixtures';
import { HISTORIES_DIR } from './replay-histories';

describe('recording replay histories from real cascades (test stack)', function () {
  this.timeout(300_000);
  let ctx: E2eContext;
  let destinations: EventDestinations;
  let s3: S3Client;
  let cascade: TestCascade;
  const run = randomUUID().slice(0, 8);
  const bucket = `replay-emails-${run}`;
  const startedAt = new Date(Date.now() - 1000).toISOString();
  const queueUrls = new Map<string, string>();

  before(async () => {
    ctx = await createE2eContext('replay_record');
    destinations = await createEventDestinations('replay');
    s3 = createS3Client(ctx.config({}, ['client']));
    const routes = ['account-events', 'entity-deleted', 'email-archive', 'audit-events', 'tasks'];
    for (const route of routes) queueUrls.set(route, (await createTestQueues(ctx.sqs, route.split('-')[0] ?? route)).queueUrl);
    const queueEnv = Object.fromEntries(routes.map((route) => [`CASCADE_QUEUE_URL_${route.toUpperCase().replace(/-/g, '_')}`, queueUrls.get(route) ?? '']));
    cascade = await startTestCascade(ctx, {
      env: {
        ...queueEnv,
        CASCADE_ROUTES: routes.join(','),
        CASCADE_AUDIT_TOPIC_ARN: destinations.auditTopicArn,
        CASCADE_DOCUMENT_EVENTS_QUEUE_URL: destinations.documentEventsQueueUrl,
        CASCADE_ARCHIVE_PAGE_SIZE: '2',
        CASCADE_EVENTS_API_TOKEN: 'replay-recorder-token',
        S3_BUCKET_NAME: bucket,
      },
    });
  });
  after(async () => {
    await cascade?.app.stop();
    for (const id of [TXMA_PURGE_SCHEDULE_ID, OUTBOX_FLUSH_SCHEDULE_ID]) await ctx?.temporal.schedule.getHandle(id).delete().catch(() => undefined);
    s3?.destroy();
    destinations?.close();
    await ctx?.close();
  });

  const send = (route: string, body: unknown) => sendToQueue(ctx.sqs, queueUrls.get(route) ?? '', [JSON.stringify(body)]);
  const resultOf = (workflowId: string) => ctx.temporal.workflow.getHandle(workflowId).result();

  it('when every workflow type has run for real, then `cascade history record` writes their histories as JSON', async () => {
    const entity = randomUUID();
    await seedDocuments(ctx.db.prisma, entity, 'deal', 7);
    const session = randomUUID();

    // The failing email first: its bucket is created (the fix) once it failed, then it is reset.
    await send('email-archive', { email_subject: 'Replay', email_sender: `replay.${run}@example.com`, email_timestream: '2026-11-24T08:00:00Z', email_content: 'Body' });
    const [emailOutcome] = await cascade.waitForOutcomes(1, (o) => o.outcome === 'started');
    const emailId = emailOutcome?.workflowId ?? '';
    await assert.rejects(resultOf(emailId));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const reset = await runCli(['reset', emailId, '--to', 'last-failure', '--yes', '--json'], ctx.env);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((JSON.parse(reset.stdout) as { outcomes: ResetOutcome[] }).outcomes[0]?.outcome, 'reset');

    await send('account-events', { event: 'delete', uid: `replay-${run}`, iss: 'api.accounts.firefox.com', ts: 1 });
    await send('account-events', { event: 'reset', uid: `replay-${run}`, iss: 'api.accounts.firefox.com', generation: 100 });
    await send('entity-deleted', { event_id: `evt-${randomUUID()}`, source: 'entity-service', action: 'entity.deleted', entity_id: randomUUID(), entity_type: 'issuer' });
    await send('audit-events', { event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000000, user: { session_id: session }, component_id: 'auth' });
    await send('tasks', { action: 'event', data: [{ userIds: [`replay-${run}`], eventName: 'quiz.passed', eventMeta: { score: 9 } }] });
    const started = await cascade.waitForOutcomes(6, (o) => o.outcome === 'started');
    await Promise.all(started.map((o) => resultOf(o.workflowId ?? '')));

    const multiRunId = `entity-deleted/evt-replay-multirun-${run}`;
    const input: EntityDeletedInput = {
      route: 'entity-deleted',
      eventKey: `evt-replay-multirun-${run}`,
      event: { eventId: `evt-replay-multirun-${run}`, source: 'entity-service', action: 'entity.deleted', entityId: entity, entityType: 'deal', pageSize: 2 },
      activity: { startToCloseTimeoutMs: 10_000, retry: { initialIntervalMs: 200, backoffCoefficient: 2, maximumIntervalMs: 1000, maximumAttempts: 5 } },
      pagesPerRun: 2,
    };
    const handle = await ctx.temporal.workflow.start('entityDeletedWorkflow', { workflowId: multiRunId, taskQueue: ctx.taskQueue, args: [input] });
    const multiRun = (await handle.result()) as EntityDeletedResult;
    assert.equal(multiRun.documentsArchived, 7);
    assert.ok(multiRun.runs >= 2, `continued as new: ${JSON.stringify(multiRun)}`);

    for (const scheduleId of [TXMA_PURGE_SCHEDULE_ID, OUTBOX_FLUSH_SCHEDULE_ID]) await ctx.temporal.schedule.getHandle(scheduleId).trigger();
    for (const type of ['txmaPurgeWorkflow', 'outboxFlushWorkflow']) {
      await eventually(`a ${type} run completed`, async () => (await ctx.temporal.workflow.count(`WorkflowType = '${type}' AND ExecutionStatus = 'Completed' AND StartTime >= '${startedAt}'`)).count > 0);
    }

    const out = process.env.CASCADE_HISTORY_OUT ?? HISTORIES_DIR;
    const recorded = await runCli(['history', 'record', '--out', out, '--since', startedAt, '--limit', '100', '--json'], ctx.env);
    assert.equal(recorded.code, 0, recorded.stderr);
    const histories = JSON.parse(recorded.stdout) as RecordedHistory[];
    const types = new Set(histories.map((h) => h.workflowType));
    for (const type of ['accountEventsWorkflow', 'auditEventsWorkflow', 'emailArchiveWorkflow', 'entityDeletedWorkflow', 'incentiveEventsWorkflow', 'txmaPurgeWorkflow', 'outboxFlushWorkflow']) {
      assert.ok(types.has(type), `${type} recorded: ${[...types].join(', ')}`);
    }
    assert.ok(histories.filter((h) => h.workflowId === multiRunId).length >= 2, 'every run of the continueAsNew chain');
    assert.equal(histories.filter((h) => h.workflowId === emailId).length, 2, 'the failed run and its reset');
  });
});
