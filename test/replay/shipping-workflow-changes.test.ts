import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createS3Client, createSnsClient } from '../../src/app/destination-clients';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';
import type { CascadeDetails } from '../../src/ops/cascade-details';
import type { FailedCascade } from '../../src/ops/failed-cascades';
import type { RecordedHistory } from '../../src/ops/history-recorder';
import type { CascadeStatus } from '../../src/ops/queue-status';
import type { EntityDeletedInput, EntityDeletedResult } from '../../src/shared/entity-deleted';
import { installTemporalRuntime } from '../../src/worker/temporal-runtime';
import { defaultWorkflowBundlePath } from '../../src/worker/workflow-source';
import { PROGRESS_MEMO_PATCH } from '../../workflows/entity-deleted';
import { runCli } from '../support/cli-runner';
import { closedPort } from '../support/closed-port';
import { type E2eContext, createE2eContext, createTestLogger, eventually } from '../support/e2e-harness';
import { type EventDestinations, createEventDestinations, seedDocuments } from '../support/entity-deleted-fixtures';
import { readRecordedHistories } from './replay-histories';

/** Workflow code a worker runs: the previous release, the current one, or the current one changed without patched(). */
type WorkflowCode = { readonly code: string } | { readonly codePath: string };

describe('shipping workflow changes while cascades are in flight (real workers, Temporal, PostgreSQL, SNS/SQS)', function () {
  this.timeout(240_000);
  let ctx: E2eContext;
  let destinations: EventDestinations;
  let connection: NativeConnection;
  let previousRelease: WorkflowCode;
  let forgotPatched: WorkflowCode;
  const current: WorkflowCode = { codePath: defaultWorkflowBundlePath() };
  const closers: Array<() => Promise<void> | void> = [];

  before(async () => {
    installTemporalRuntime(createTestLogger());
    ctx = await createE2eContext('shipping');
    destinations = await createEventDestinations('shipping', { subscribeAuditQueue: false });
    connection = await NativeConnection.connect({ address: ctx.config({}, ['client']).temporal.address });
    const bundle = async (dir: string): Promise<WorkflowCode> => ({ code: (await bundleWorkflowCode({ workflowsPath: require.resolve(dir), logger: new DefaultLogger('WARN') })).code });
    previousRelease = await bundle('./previous-release');
    forgotPatched = await bundle('./nondeterministic');
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await connection?.close();
    destinations?.close();
    await ctx?.close();
  });

  /** A real worker on `taskQueue` with the real activities; `sqsEndpoint` points its SQS client elsewhere (a broken destination). */
  async function startWorker(taskQueue: string, workflows: WorkflowCode, sqsEndpoint?: string): Promise<{ stop(): Promise<void> }> {
    const config = ctx.config({ CASCADE_ROUTES: 'entity-deleted', CASCADE_AUDIT_TOPIC_ARN: destinations.auditTopicArn, CASCADE_DOCUMENT_EVENTS_QUEUE_URL: destinations.documentEventsQueueUrl }, ['worker']);
    const sqs = new SQSClient({ region: config.aws.region, endpoint: sqsEndpoint ?? config.aws.sqsEndpoint, maxAttempts: 1 });
    const s3 = createS3Client(config);
    const sns = createSnsClient(config);
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      workflowBundle: workflows,
      activities: createActivities({ db: ctx.db.prisma, sqs, s3, sns, config }),
      shutdownGraceTime: '2s',
    });
    const running = worker.run();
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      worker.shutdown();
      await running;
      sqs.destroy();
      s3.destroy();
      sns.destroy();
    };
    closers.push(stop);
    return { stop };
  }

  /** Starts an entity-deleted cascade of `documents` documents, one per page, continuing as new every `pagesPerRun` pages. */
  async function startCascade(taskQueue: string, documents: number, pagesPerRun: number, retry = { initialIntervalMs: 200, backoffCoefficient: 2, maximumIntervalMs: 1000, maximumAttempts: 5 }) {
    const entityId = randomUUID();
    await seedDocuments(ctx.db.prisma, entityId, 'deal', documents);
    const eventId = `evt-shipping-${randomUUID()}`;
    const input: EntityDeletedInput = {
      route: 'entity-deleted',
      eventKey: eventId,
      event: { eventId, source: 'entity-service', action: 'entity.deleted', entityId, entityType: 'deal', pageSize: 1 },
      activity: { startToCloseTimeoutMs: 10_000, retry },
      pagesPerRun,
    };
    const started = await ctx.temporal.workflow.start('entityDeletedWorkflow', {
      workflowId: `entity-deleted/${eventId}`,
      taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.CascadeRoute, value: 'entity-deleted' },
        { key: SEARCH_ATTRIBUTE_KEYS.EventKey, value: eventId },
        { key: SEARCH_ATTRIBUTE_KEYS.EntityId, value: entityId },
        { key: SEARCH_ATTRIBUTE_KEYS.EntityType, value: 'deal' },
      ],
    });
    // Not pinned to the first run: describe, result and terminate act on the latest run of the chain.
    return ctx.temporal.workflow.getHandle(started.workflowId);
  }

  /** Waits until the cascade is in its second run or later and that run has completed a workflow task: a continued run with carried progress, in flight. */
  async function untilContinuedRunInFlight(handle: WorkflowHandle): Promise<void> {
    await eventually('the cascade is in a continued run with a completed workflow task', async () => {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return false;
      const events = (await ctx.temporal.workflow.getHandle(handle.workflowId, description.runId).fetchHistory()).events ?? [];
      return Boolean(events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId) && events.some((e) => e.workflowTaskCompletedEventAttributes);
    });
  }

  /**
   * Runs `workflows` on `taskQueue` and stops that worker while the cascade's latest run is a continued run
   * it has begun (a completed workflow task). The worker may continue as new between the check and its
   * shutdown, leaving a fresh run it never touched; then it is started again and the switch retried.
   */
  async function stopWorkerMidRun(taskQueue: string, workflows: WorkflowCode, handle: WorkflowHandle) {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const old = await startWorker(taskQueue, workflows);
      await untilContinuedRunInFlight(handle);
      await old.stop();
      const description = await handle.describe();
      assert.equal(description.status.name, 'RUNNING', 'still in flight when the old worker stopped');
      const events = (await ctx.temporal.workflow.getHandle(handle.workflowId, description.runId).fetchHistory()).events ?? [];
      if (events.some((e) => e.workflowTaskCompletedEventAttributes)) return description;
    }
    assert.fail('the worker continued as new just before every one of 5 shutdowns');
  }

  /** Every run of a cascade, oldest first, with whether its history carries the patch marker. */
  async function listRuns(workflowId: string): Promise<Array<{ runId: string; continued: boolean; patched: boolean }>> {
    const runs: Array<{ runId: string; continued: boolean; patched: boolean; start: number }> = [];
    for await (const execution of ctx.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await ctx.temporal.workflow.getHandle(workflowId, execution.runId).fetchHistory();
      const events = history.events ?? [];
      runs.push({
        runId: execution.runId,
        continued: Boolean(events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId),
        patched: events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
        start: execution.startTime.getTime(),
      });
    }
    return runs.sort((a, b) => a.start - b.start).map(({ runId, continued, patched }) => ({ runId, continued, patched }));
  }

  it('when a patched() change ships while cascades are in flight, then the in-flight runs finish on the old path and every later run takes the new one', async () => {
    const taskQueue = `shipping-${randomUUID().slice(0, 8)}`;
    const inFlight = await startCascade(taskQueue, 60, 5);
    const switchedAt = await stopWorkerMidRun(taskQueue, previousRelease, inFlight);

    await startWorker(taskQueue, current);
    const later = await startCascade(taskQueue, 12, 5);
    const [inFlightResult, laterResult] = (await Promise.all([inFlight.result(), later.result()])) as EntityDeletedResult[];
    assert.equal(inFlightResult?.documentsArchived, 60);
    assert.equal(inFlightResult?.documentEventsPublished, 60);
    assert.equal(laterResult?.documentsArchived, 12);

    const inFlightRuns = await listRuns(inFlight.workflowId);
    const interrupted = inFlightRuns.find((r) => r.runId === switchedAt.runId);
    assert.ok(interrupted, 'the run in flight at the switch');
    assert.equal(interrupted.patched, false, 'the run begun by the old code was resumed by the new worker on the old path (no patch marker, no memo command)');
    const afterSwitch = inFlightRuns.slice(inFlightRuns.indexOf(interrupted) + 1);
    assert.ok(afterSwitch.every((r) => r.patched), `every run begun by the new code takes the new path: ${JSON.stringify(inFlightRuns)}`);
    const laterRuns = await listRuns(later.workflowId);
    assert.ok(laterRuns.length >= 3 && laterRuns.filter((r) => r.continued).every((r) => r.patched), `new cascades take the new path: ${JSON.stringify(laterRuns)}`);
    const memo = (await later.describe()).memo as { progress?: { pages: number } } | undefined;
    assert.ok((memo?.progress?.pages ?? 0) >= 10, `a continued run shows its carried progress in the memo: ${JSON.stringify(memo)}`);
    assert.equal(PROGRESS_MEMO_PATCH, 'entity-deleted-progress-memo');

    // This release's histories, recorded by the CLI, replay against its code (as test/replay/histories does in npm test).
    const out = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cascade-histories-'));
    try {
      const recorded = await runCli(['history', 'record', '--out', out, '--workflow-type', 'entityDeletedWorkflow', '--workflow-id', inFlight.workflowId, later.workflowId, '--json'], ctx.env);
      assert.equal(recorded.code, 0, recorded.stderr);
      const written = JSON.parse(recorded.stdout) as RecordedHistory[];
      assert.equal(written.length, inFlightRuns.length + laterRuns.length, 'every run of both cascades');
      const histories = readRecordedHistories(out);
      const failures: string[] = [];
      for await (const result of Worker.runReplayHistories({ workflowBundle: current }, histories.map((h) => ({ workflowId: h.file, history: h.history })))) {
        if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
      }
      assert.deepEqual(failures, []);
      const none = await runCli(['history', 'record', '--out', out, '--workflow-type', 'noSuchWorkflow'], ctx.env);
      assert.equal(none.code, 0, none.stderr);
      assert.match(none.stdout, /no workflow run matches: nothing recorded/);
    } finally {
      await fs.promises.rm(out, { recursive: true, force: true });
    }
  });

  it('when a worker runs code that no longer replays a cascade in flight, then `cascade failed`, `status` and `show` report it stuck with the non-determinism, and a worker with replayable code frees it', async () => {
    const taskQueue = `stuck-${randomUUID().slice(0, 8)}`;
    const cascade = await startCascade(taskQueue, 40, 4);
    const stuckRun = (await stopWorkerMidRun(taskQueue, current, cascade)).runId;
    const broken = await startWorker(taskQueue, forgotPatched);
    await eventually('the workflow task has failed twice', async () => ((await cascade.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2, 90_000);

    const failed = await runCli(['failed', '--route', 'entity-deleted', '--json'], ctx.env);
    assert.equal(failed.code, 0, failed.stderr);
    const listed = (JSON.parse(failed.stdout) as FailedCascade[]).find((f) => f.workflowId === cascade.workflowId);
    assert.ok(listed, `cascade failed lists the stuck cascade: ${failed.stdout}`);
    assert.equal(listed.status, 'RUNNING');
    assert.equal(listed.runId, stuckRun);
    assert.ok((listed.stuck?.attempt ?? 0) >= 2);
    assert.match(listed.reason, /^stuck: workflow task failing \(attempt \d+\): NON_DETERMINISTIC_ERROR: .*Nondeterminism/);
    const failedText = await runCli(['failed', '--route', 'entity-deleted'], ctx.env);
    assert.match(failedText.stdout, /running since .*entity-deleted .*RUNNING {2}stuck: workflow task failing/);
    assert.match(failedText.stdout, /1 stuck cascade\(s\)|\d+ stuck cascade\(s\)/);

    const show = await runCli(['show', cascade.workflowId, '--json'], ctx.env);
    const details = JSON.parse(show.stdout) as CascadeDetails;
    assert.deepEqual(details.troubles.map((t) => t.kind), ['workflow-task-failing']);
    assert.match(details.troubles[0]?.lastFailure ?? '', /Nondeterminism/);
    assert.match((await runCli(['show', cascade.workflowId], ctx.env)).stdout, /STUCK: +workflow task failing, attempt \d+ .*Nondeterminism/);

    const status = await runCli(['status', '--json'], ctx.env);
    const route = (JSON.parse(status.stdout) as CascadeStatus).routes.find((r) => r.route === 'entity-deleted');
    assert.ok(route && !('error' in route.cascades) && route.cascades.stuck >= 1, `status counts it stuck: ${JSON.stringify(route?.cascades)}`);

    await broken.stop();
    await startWorker(taskQueue, current);
    const result = (await cascade.result()) as EntityDeletedResult;
    assert.equal(result.documentsArchived, 40, 'once a worker can replay it, the stuck cascade goes on by itself');
  });

  it('when a step keeps failing on a real unreachable destination, then `status` counts the cascade as retrying and `show` gives the step, attempt and last failure', async () => {
    const taskQueue = `retrying-${randomUUID().slice(0, 8)}`;
    await startWorker(taskQueue, current, `http://127.0.0.1:${await closedPort()}`);
    const cascade = await startCascade(taskQueue, 2, 10, { initialIntervalMs: 100, backoffCoefficient: 1, maximumIntervalMs: 100, maximumAttempts: 1000 });
    await eventually(
      'the publishing step has failed 3 times',
      async () => ((await cascade.describe()).raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'publishArchiveEvents' && (a.attempt ?? 0) >= 4),
      60_000,
    );

    const status = await runCli(['status', '--json'], ctx.env);
    assert.equal(status.code, 0, status.stderr);
    const route = (JSON.parse(status.stdout) as CascadeStatus).routes.find((r) => r.route === 'entity-deleted');
    assert.ok(route && !('error' in route.cascades) && route.cascades.retrying >= 1, `status counts it retrying: ${JSON.stringify(route?.cascades)}`);

    const details = JSON.parse((await runCli(['show', cascade.workflowId, '--json'], ctx.env)).stdout) as CascadeDetails;
    const retrying = details.troubles.find((t) => t.kind === 'step-retrying');
    assert.equal(retrying?.step, 'publishArchiveEvents');
    assert.ok((retrying?.attempt ?? 0) >= 4);
    assert.match(retrying?.lastFailure ?? '', /ECONNREFUSED|connect/i);
    const pending = details.activities.find((a) => a.activityType === 'publishArchiveEvents' && a.state !== 'completed');
    assert.ok(pending && pending.attempts >= 4 && /ECONNREFUSED|connect/i.test(pending.lastFailure ?? ''), JSON.stringify(details.activities));
    assert.match((await runCli(['show', cascade.workflowId], ctx.env)).stdout, /RETRYING: +step publishArchiveEvents, attempt \d+: last failure: .*(ECONNREFUSED|connect)/i);
    await cascade.terminate('test over');
  });
});
