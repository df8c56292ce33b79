import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/app/destination-clients';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';
import type { CascadeDetails } from '../../src/ops/cascade-details';
import type { FailedCascade } from '../../src/ops/failed-cascades';
import type { RerunOutcome } from '../../src/ops/rerun';
import type { ResetOutcome } from '../../src/ops/reset';
import { runCli } from '../support/cli-runner';
import { type E2eContext, type TestCascade, countRuns, createE2eContext, createTestQueues, startTestCascade } from '../support/e2e-harness';

describe('operating cascades from the CLI: failed, show, rerun, reset (real CLI, Temporal, ElasticMQ, moto)', function () {
  this.timeout(240_000);
  let ctx: E2eContext;
  let s3: S3Client;
  const startedAt = new Date(Date.now() - 1000).toISOString();
  const run = randomUUID().slice(0, 8);
  /** The email bucket the cascades write to: missing at first (the broken dependency), created as "the fix". */
  const bucket = `ops-emails-${run}`;
  let cascade: TestCascade;
  let failedIds: string[] = [];

  const env = () => ({ ...ctx.env });
  const email = (n: number) => JSON.stringify({ email_subject: `Report ${n}`, email_sender: `ops.${run}.${n}@example.com`, email_timestream: '2026-11-24T08:00:00Z', email_content: `Body ${n}` });
  const ourObjects = async (target = bucket) => ((await s3.send(new ListObjectsV2Command({ Bucket: target, Prefix: 'emails/' }))).Contents ?? []).map((o) => o.Key ?? '').filter((key) => key.includes(run));

  async function failEmails(target: TestCascade, bodies: string[]): Promise<string[]> {
    const before = target.outcomes.length;
    await target.send(bodies);
    const outcomes = (await target.waitForOutcomes(before + bodies.length)).slice(before);
    const ids = outcomes.map((o) => o.workflowId ?? '');
    await Promise.all(ids.map((id) => ctx.temporal.workflow.getHandle(id).result().then(() => assert.fail(`${id} should fail`), () => undefined)));
    return ids;
  }

  before(async () => {
    ctx = await createE2eContext('operations');
    s3 = createS3Client(ctx.config({}, ['client']));
    const queues = await createTestQueues(ctx.sqs, 'ops');
    cascade = await startTestCascade(ctx, { queues, env: { CASCADE_ROUTES: 'email-archive', CASCADE_QUEUE_URL_EMAIL_ARCHIVE: queues.queueUrl, S3_BUCKET_NAME: bucket } });
    failedIds = await failEmails(cascade, [email(1), email(2), email(3)]);
  });
  after(async () => {
    await cascade?.app.stop();
    s3?.destroy();
    await ctx?.close();
  });

  it('when a dependency is broken, then `cascade failed` lists each failed cascade with route, key, time, reason and a Web UI link', async () => {
    const { code, stdout, stderr } = await runCli(['failed', '--route', 'email-archive', '--since', startedAt, '--json'], env());
    assert.equal(code, 0, stderr);
    const listed = (JSON.parse(stdout) as FailedCascade[]).filter((f) => failedIds.includes(f.workflowId));
    assert.deepEqual(listed.map((f) => f.workflowId).sort(), [...failedIds].sort());
    for (const f of listed) {
      assert.equal(f.route, 'email-archive');
      assert.equal(f.status, 'FAILED');
      assert.equal(`email-archive/${f.eventKey}`, f.workflowId);
      assert.match(f.reason, new RegExp(`^archiveEmail failed: cannot write the archive of message [0-9a-f-]+ to s3://${bucket}: NoSuchBucket`));
      assert.ok(Date.parse(f.closeTime) >= Date.parse(startedAt));
      assert.equal(f.uiUrl, `${ctx.env.TEMPORAL_UI_URL ?? ''}/namespaces/default/workflows/${encodeURIComponent(f.workflowId)}`);
    }
    const text = await runCli(['failed', '--route', 'email-archive', '--since', '1h'], env());
    assert.equal(text.code, 0, text.stderr);
    for (const id of failedIds) assert.match(text.stdout, new RegExp(`email-archive  ${id.slice('email-archive/'.length, 'email-archive/'.length + 19)}…  FAILED  archiveEmail failed: .*NoSuchBucket.*  http://`));
    const anyRoute = JSON.parse((await runCli(['failed', '--since', startedAt, '--json'], env())).stdout) as FailedCascade[];
    assert.ok(failedIds.every((id) => anyRoute.some((f) => f.workflowId === id)), 'without --route: every route');
    const otherRoute = JSON.parse((await runCli(['failed', '--route', 'tasks', '--since', startedAt, '--json'], env())).stdout) as FailedCascade[];
    assert.ok(!otherRoute.some((f) => failedIds.includes(f.workflowId)), '--route filters');
    const bad = await runCli(['failed', '--since', 'yesterday'], env());
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--since: "yesterday" is neither a duration/);
  });

  it('when `cascade show` is asked about a failed cascade, then it shows the decoded input, the activity with its attempts and failure, and the reason', async () => {
    const id = failedIds[0] ?? '';
    const { code, stdout, stderr } = await runCli(['show', id, '--json'], env());
    assert.equal(code, 0, stderr);
    const details = JSON.parse(stdout) as CascadeDetails & { input: { event: { email: { email_sender: string } } } };
    assert.equal(details.status, 'FAILED');
    assert.equal(details.route, 'email-archive');
    assert.equal(details.taskQueue, ctx.taskQueue);
    assert.match(details.input.event.email.email_sender, new RegExp(`^ops\\.${run}\\.\\d@example\\.com$`));
    assert.deepEqual(details.activities.map((a) => [a.activityType, a.state, a.attempts]), [['archiveEmail', 'failed', 1]]);
    assert.match(details.activities[0]?.lastFailure ?? '', /NoSuchBucket/);
    assert.match(details.failure ?? '', /^archiveEmail failed: /);
    assert.ok(typeof details.memo.sqsMessageId === 'string' && details.memo.queueUrl === cascade.queues.queueUrl, 'the memo names the SQS delivery');
    const text = await runCli(['show', id], env());
    assert.match(text.stdout, /status: +FAILED/);
    assert.match(text.stdout, /archiveEmail #1: failed, 1 attempt\(s\); last failure: .*NoSuchBucket/);
    assert.match(text.stdout, /Web UI: +http:\/\//);
    const missing = await runCli(['show', 'email-archive/no-such-cascade'], env());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no cascade with workflow ID email-archive\/no-such-cascade/);
  });

  it('when re-running is not confirmed (no terminal, no --yes) or only a dry run, then nothing starts', async () => {
    const refused = await runCli(['rerun', '--failed', '--route', 'email-archive', '--since', startedAt], env());
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refusing to re-run \d+ cascade\(s\) without a terminal to confirm on\nPass --yes/);
    const dry = await runCli(['rerun', ...failedIds, '--dry-run', '--json'], env());
    assert.equal(dry.code, 0, dry.stderr);
    const outcomes = (JSON.parse(dry.stdout) as { outcomes: RerunOutcome[] }).outcomes;
    assert.deepEqual(outcomes.map((o) => o.outcome), ['would-rerun', 'would-rerun', 'would-rerun']);
    for (const id of failedIds) assert.equal(await countRuns(ctx.temporal, id), 1, 'nothing was started');
    const both = await runCli(['rerun', failedIds[0] ?? '', '--failed', '--yes'], env());
    assert.equal(both.code, 1);
    assert.match(both.stderr, /name workflow IDs or pass --failed, not both/);
  });

  it('when the dependency is fixed, then `rerun --failed` completes every failed cascade once, they leave `failed`, and a completed one is never re-run', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { code, stdout, stderr } = await runCli(['rerun', '--failed', '--route', 'email-archive', '--since', startedAt, '--concurrency', '2', '--rate', '20', '--yes', '--json'], env());
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { outcomes: RerunOutcome[]; summary: string };
    const ours = result.outcomes.filter((o) => failedIds.includes(o.workflowId));
    assert.deepEqual(ours.map((o) => o.outcome), ['rerun', 'rerun', 'rerun']);
    assert.match(result.summary, /^re-run \d+; skipped 0 .*errors 0$/);
    assert.match(stderr, /re-run \[.*\] \d+\/\d+/, 'a progress bar on stderr');
    for (const id of failedIds) await ctx.temporal.workflow.getHandle(id).result();
    assert.equal((await ourObjects()).length, 3, 'each email stored exactly once');

    const after = JSON.parse((await runCli(['failed', '--route', 'email-archive', '--since', startedAt, '--json'], env())).stdout) as FailedCascade[];
    assert.ok(!after.some((f) => failedIds.includes(f.workflowId)), 're-run cascades are no longer listed as failed');

    const again = await runCli(['rerun', failedIds[0] ?? '', '--yes', '--json'], env());
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { outcomes: RerunOutcome[] }).outcomes, [{ workflowId: failedIds[0], outcome: 'skipped', reason: 'completed', status: 'COMPLETED' }]);
    assert.equal(await countRuns(ctx.temporal, failedIds[0] ?? ''), 2);
    assert.equal((await ourObjects()).length, 3);
  });

  it('when a cascade is still running, then rerun skips it; once terminated it is listed as failed with the reason', async () => {
    const workflowId = `account-events/ops-running-${run}`;
    await ctx.temporal.workflow.start('accountEventsWorkflow', {
      workflowId,
      taskQueue: `nobody-polls-${run}`,
      args: [{ route: 'account-events', eventKey: `ops-running-${run}`, event: { type: 'delete', email: 'x@y' }, activity: { startToCloseTimeoutMs: 1000, retry: { initialIntervalMs: 100, backoffCoefficient: 2, maximumIntervalMs: 100, maximumAttempts: 1 } } }],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.CascadeRoute, value: 'account-events' },
        { key: SEARCH_ATTRIBUTE_KEYS.EventKey, value: `ops-running-${run}` },
      ],
    });
    const running = await runCli(['rerun', workflowId, '--yes', '--json'], env());
    assert.deepEqual((JSON.parse(running.stdout) as { outcomes: RerunOutcome[] }).outcomes.map((o) => [o.outcome, 'reason' in o ? o.reason : '']), [['skipped', 'running']]);
    await ctx.temporal.workflow.getHandle(workflowId).terminate('operator test');
    const listed = JSON.parse((await runCli(['failed', '--route', 'account-events', '--since', startedAt, '--json'], env())).stdout) as FailedCascade[];
    const terminated = listed.find((f) => f.workflowId === workflowId);
    assert.equal(terminated?.status, 'TERMINATED');
    assert.equal(terminated?.reason, 'terminated: operator test');
  });

  it('when a failed cascade is reset to its last failure after the fix, then the new run keeps the history before it and completes once', async () => {
    const otherBucket = `ops-reset-${run}`;
    const queues = await createTestQueues(ctx.sqs, 'ops-reset');
    const resetCascade = await startTestCascade(ctx, {
      queues,
      env: { CASCADE_ROUTES: 'email-archive', CASCADE_QUEUE_URL_EMAIL_ARCHIVE: queues.queueUrl, S3_BUCKET_NAME: otherBucket, TEMPORAL_TASK_QUEUE: `${ctx.taskQueue}-reset` },
    });
    try {
      const [id = ''] = await failEmails(resetCascade, [email(9)]);
      const dry = await runCli(['reset', id, '--to', 'first-task', '--dry-run', '--json'], env());
      assert.equal(dry.code, 0, dry.stderr);
      const planned = (JSON.parse(dry.stdout) as { outcomes: ResetOutcome[] }).outcomes[0];
      assert.ok(planned?.outcome === 'would-reset' && planned.eventId > 0, JSON.stringify(planned));

      await s3.send(new CreateBucketCommand({ Bucket: otherBucket }));
      const { code, stdout, stderr } = await runCli(['reset', id, '--to', 'last-failure', '--reason', 'bucket created', '--yes', '--json'], env());
      assert.equal(code, 0, stderr);
      const [outcome] = (JSON.parse(stdout) as { outcomes: ResetOutcome[] }).outcomes;
      assert.ok(outcome?.outcome === 'reset', JSON.stringify(outcome));
      const result = (await ctx.temporal.workflow.getHandle(id).result()) as { key: string; created: boolean };
      assert.equal(result.created, true);
      assert.deepEqual(await ourObjects(otherBucket), [result.key]);
      const history = await ctx.temporal.workflow.getHandle(id, outcome.runId).fetchHistory();
      const kept = (history.events ?? []).filter((e) => Number(e.eventId) <= outcome.eventId);
      assert.equal(kept.length, outcome.eventId, 'the new run starts with the old history up to the reset point');
      assert.ok((history.events ?? []).some((e) => e.workflowTaskFailedEventAttributes?.baseRunId === outcome.previousRunId), 'and records the reset from the failed run');

      const nothing = await runCli(['reset', id, '--yes', '--json'], env());
      assert.deepEqual((JSON.parse(nothing.stdout) as { outcomes: ResetOutcome[] }).outcomes.map((o) => o.outcome), ['skipped'], 'a completed cascade is not reset');
    } finally {
      await resetCascade.app.stop();
    }
  });
});
