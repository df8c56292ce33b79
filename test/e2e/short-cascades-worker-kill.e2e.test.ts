import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { toIncentiveEventId } from '../../activities/task-activities';
import { OUTBOX_FLUSH_SCHEDULE_ID } from '../../src/producer/outbox-schedule';
import { type AccountEventResult, RETIRED_GENERATION } from '../../src/shared/account-event';
import type { IncentiveEventsResult } from '../../src/shared/tasks';
import { toTxmaPartitionKey, toTxmaSortKey } from '../../src/shared/txma';
import { TXMA_PURGE_SCHEDULE_ID } from '../../src/txma/purge-schedule';
import { type E2eContext, type TestCascade, type TestQueues, createE2eContext, createTestQueues, eventually, sendToQueue, startTestCascade } from '../support/e2e-harness';
import { type HeldTransaction, holdInTransaction, startWorkerProcess } from '../support/entity-deleted-fixtures';

const ISS = 'api.accounts.firefox.com';

describe('short cascades with their worker killed (SIGKILL) inside the local activity', function () {
  this.timeout(240_000);
  let ctx: E2eContext;

  before(async () => {
    ctx = await createE2eContext('short_kill');
  });
  after(async () => {
    // The workers created the routes' schedules on this file's task queue; leave nothing firing behind.
    for (const id of [TXMA_PURGE_SCHEDULE_ID, OUTBOX_FLUSH_SCHEDULE_ID]) await ctx?.temporal.schedule.getHandle(id).delete().catch(() => undefined);
    await ctx?.close();
  });

  /** Statements of the test database waiting for a row lock (the short steps blocked behind the held transactions). */
  const lockWaiters = async () =>
    Number(
      (
        await ctx.db.prisma.$queryRaw<Array<{ count: bigint }>>`
          SELECT count(*) AS count FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`
      )[0]?.count ?? 0,
    );

  const historyOf = async (workflowId: string) => (await ctx.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];

  it('when the worker is killed while every short step waits on a held row lock, then another worker completes the cascades and each effect exists exactly once', async () => {
    const retiree = `u${randomUUID().replace(/-/g, '')}`;
    const resetter = `u${randomUUID().replace(/-/g, '')}`;
    await ctx.db.prisma.user.create({ data: { email: `${retiree}@${ISS}`, generation: 10n, clientState: 'cs', createdAt: 1n } });
    await ctx.db.prisma.user.create({ data: { email: `${resetter}@${ISS}`, generation: 5n, clientState: 'cs', createdAt: 1n } });
    const session = randomUUID();
    const login = { event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000000, user: { session_id: session }, component_id: 'auth' };
    const incentiveUsers = [`user-${randomUUID()}`, `user-${randomUUID()}`, `user-${randomUUID()}`];

    const account = await createTestQueues(ctx.sqs, 'short-account');
    const audit = await createTestQueues(ctx.sqs, 'short-audit');
    const tasks = await createTestQueues(ctx.sqs, 'short-tasks');
    const env: NodeJS.ProcessEnv = {
      ...ctx.env,
      CASCADE_ROUTES: 'account-events,audit-events,tasks',
      CASCADE_QUEUE_URL_ACCOUNT_EVENTS: account.queueUrl,
      CASCADE_QUEUE_URL_AUDIT_EVENTS: audit.queueUrl,
      CASCADE_QUEUE_URL_TASKS: tasks.queueUrl,
      CASCADE_QUARANTINE_QUEUE_URL: account.quarantineQueueUrl,
      CASCADE_DEAD_LETTER_QUEUE_URL: account.deadLetterQueueUrl,
      CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS: '86400',
    };
    const queues: TestQueues = account;
    // The bridge alone first: the cascades are started and wait for a worker, so the test knows their IDs before any step runs.
    const bridge = await startTestCascade(ctx, { queues, env, roles: { bridge: true, worker: false, http: false } });
    const held: HeldTransaction[] = [];
    let killed: ReturnType<typeof startWorkerProcess> | undefined;
    let second: TestCascade | undefined;
    try {
      await sendToQueue(ctx.sqs, account.queueUrl, [
        JSON.stringify({ event: 'delete', uid: retiree, iss: ISS, ts: 1 }),
        JSON.stringify({ event: 'reset', uid: resetter, iss: ISS, generation: 100 }),
      ]);
      await sendToQueue(ctx.sqs, audit.queueUrl, [JSON.stringify(login)]);
      await sendToQueue(ctx.sqs, tasks.queueUrl, [JSON.stringify({ action: 'event', data: [{ userIds: incentiveUsers, eventName: 'quiz.passed', eventMeta: { score: 9 } }] })]);
      const started = await bridge.waitForOutcomes(4, (o) => o.outcome === 'started');
      const idOf = (route: string, nth = 0) => started.filter((o) => o.route === route).map((o) => o.workflowId ?? '')[nth] ?? '';
      const workflowIds = [idOf('account-events', 0), idOf('account-events', 1), idOf('audit-events'), idOf('tasks')];
      const tasksId = idOf('tasks');

      // Each short step's statement will wait on a row another transaction holds: the users rows, the TxMA key, one incentive row ID.
      const pk = toTxmaPartitionKey(session);
      const sk = toTxmaSortKey(login.event_name, login.timestamp);
      held.push(await holdInTransaction(ctx.db.url, 'SELECT uid FROM users WHERE email = ANY($1::text[]) FOR UPDATE', [[`${retiree}@${ISS}`, `${resetter}@${ISS}`]]));
      held.push(await holdInTransaction(ctx.db.url, `INSERT INTO txma_events (pk, sk, event, expires_at) VALUES ($1, $2, '{}'::jsonb, now())`, [pk, sk]));
      held.push(
        await holdInTransaction(ctx.db.url, `INSERT INTO incentive_events (id, user_id, event_name, workflow_id) VALUES ($1::uuid, $2, 'blocker', 'blocker')`, [
          toIncentiveEventId(tasksId, 0, incentiveUsers[0] ?? ''),
          incentiveUsers[0],
        ]),
      );

      killed = startWorkerProcess(env);
      await eventually("all four short steps are blocked inside the first worker's local activities", async () => (await lockWaiters()) === 4, 120_000);
      for (const workflowId of workflowIds) {
        const events = await historyOf(workflowId);
        assert.ok(!events.some((e) => e.activityTaskScheduledEventAttributes), `${workflowId}: no regular activity was scheduled`);
        assert.ok(!events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity'), `${workflowId}: the local activity has not completed`);
      }
      killed.child.kill('SIGKILL');
      assert.equal(await killed.exited, 'SIGKILL');

      // The killed worker's statements are still queued server-side: released, they commit (their client is gone).
      for (const h of held) await h.release();
      await eventually('the killed worker\'s statements went through', async () => (await lockWaiters()) === 0, 30_000);
      const retiredRows = await ctx.db.prisma.user.findMany({ where: { email: `${retiree}@${ISS}` } });
      assert.equal(retiredRows.length, 1);
      assert.equal(retiredRows[0]?.generation, RETIRED_GENERATION, 'retired by the killed worker');
      const replacedAtByKilledWorker = retiredRows[0]?.replacedAt;
      assert.notEqual(replacedAtByKilledWorker, null);
      assert.equal(await ctx.db.prisma.incentiveEvent.count({ where: { workflowId: tasksId } }), 3, 'recorded by the killed worker');

      second = await startTestCascade(ctx, { queues, env, roles: { bridge: false, worker: true, http: false } });
      const results = await Promise.all(workflowIds.map((id) => ctx.temporal.workflow.getHandle(id).result()));

      const retiredAfter = await ctx.db.prisma.user.findMany({ where: { email: `${retiree}@${ISS}` } });
      assert.deepEqual(retiredAfter.map((r) => [r.generation, r.replacedAt]), [[RETIRED_GENERATION, replacedAtByKilledWorker]], 'the re-run changed nothing');
      assert.deepEqual((await ctx.db.prisma.user.findMany({ where: { email: `${resetter}@${ISS}` } })).map((r) => r.generation), [99n]);
      const txma = await ctx.db.prisma.txmaEvent.findMany({ where: { pk } });
      assert.deepEqual(txma.map((r) => [r.sk, r.event]), [[sk, login]]);
      const incentives = await ctx.db.prisma.incentiveEvent.findMany({ where: { workflowId: tasksId } });
      assert.deepEqual(incentives.map((r) => r.userId).sort(), [...incentiveUsers].sort());
      const retireResult = results.slice(0, 2).map((r) => r as AccountEventResult).find((r) => r.type === 'delete');
      assert.equal(retireResult?.rowsAffected, 0, 'the re-run of retireUser found the user retired');
      assert.deepEqual(results[3] as IncentiveEventsResult, { events: 1, rows: 3, rowsInserted: 0 }, 'the re-run of recordIncentiveEvents inserted nothing');

      for (const workflowId of workflowIds) {
        const events = await historyOf(workflowId);
        assert.ok(events.some((e) => e.workflowTaskTimedOutEventAttributes), `${workflowId}: the killed worker's workflow task timed out`);
        assert.equal(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length, 1, `${workflowId}: one local-activity result recorded`);
        assert.ok(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'), `${workflowId}: runs the patched (local-activity) path`);
        assert.ok(!events.some((e) => e.activityTaskScheduledEventAttributes), `${workflowId}: no regular activity`);
      }
    } catch (error) {
      if (killed) process.stderr.write(`[short cascades] killed worker output (last lines):\n${killed.stderr()}\n`);
      throw error;
    } finally {
      for (const h of held) await h.release();
      if (killed && killed.child.exitCode === null && killed.child.signalCode === null) killed.child.kill('SIGKILL');
      await killed?.exited;
      await second?.app.stop();
      await bridge.app.stop();
    }
  });
});
