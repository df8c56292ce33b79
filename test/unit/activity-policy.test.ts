import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createTemporalClient } from '../../src/app/clients';
import { toScheduleRunTimeoutSeconds } from '../../src/app/schedule-run-timeout';
import { createScheduleSpecs, ensureSchedules } from '../../src/app/schedules';
import { ConfigError, loadConfig } from '../../src/config';
import type { ActivityPolicyInput } from '../../src/shared/cascade-input';
import type { TxmaPurgeInput } from '../../src/shared/txma';
import { toActivityOptions } from '../../workflows/activity-options';

const RETRY = { initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 60_000 } as const;

describe('activity retry policy', () => {
  it('when nothing is set, then activities retry without an attempt limit until a 24 h schedule-to-close', () => {
    const options = toActivityOptions(loadConfig({}, ['client']).activity);
    assert.equal(options.scheduleToCloseTimeout, 86_400_000);
    assert.equal(options.startToCloseTimeout, 30_000);
    assert.equal(options.retry?.maximumAttempts, undefined, 'unlimited is an absent maximumAttempts (the SDK rejects 0)');
    assert.equal(options.retry?.maximumInterval, 60_000);
  });

  it('when CASCADE_ACTIVITY_MAX_ATTEMPTS is set, then it caps attempts besides the schedule-to-close', () => {
    const config = loadConfig({ CASCADE_ACTIVITY_MAX_ATTEMPTS: '10', CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS: '600000' }, ['client']);
    const options = toActivityOptions(config.activity);
    assert.equal(options.retry?.maximumAttempts, 10);
    assert.equal(options.scheduleToCloseTimeout, 600_000);
  });

  it('when a cascade input was recorded before the schedule-to-close existed, then it keeps its attempt limit and gets no schedule-to-close', () => {
    const recorded = JSON.parse(JSON.stringify({ startToCloseTimeoutMs: 30_000, retry: { ...RETRY, maximumAttempts: 10 } })) as ActivityPolicyInput;
    const options = toActivityOptions(recorded);
    assert.equal(options.retry?.maximumAttempts, 10);
    assert.equal('scheduleToCloseTimeout' in options, false);
  });

  it('when the schedule-to-close is shorter than one attempt, then the configuration is rejected naming the variable', () => {
    assert.throws(
      () => loadConfig({ CASCADE_ACTIVITY_TIMEOUT_MS: '60000', CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS: '30000' }, ['client']),
      (error: unknown) => error instanceof ConfigError && /CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS: must be at least CASCADE_ACTIVITY_TIMEOUT_MS/.test(error.message),
    );
  });
});

describe('schedules (the test stack\'s Temporal server)', function () {
  this.timeout(60_000);

  it('when the schedules are ensured, then each started workflow carries a run and execution timeout of ten intervals, also after an update', async () => {
    const env = { ...process.env, CASCADE_ROUTES: 'audit-events,tasks', CASCADE_TXMA_PURGE_INTERVAL_SECONDS: '120', CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS: '30' };
    const config = loadConfig(env, ['client']);
    const suffix = randomUUID().slice(0, 8);
    const specs = createScheduleSpecs(config).map((spec) => ({ ...spec, scheduleId: `${spec.scheduleId}-${suffix}` }));
    assert.deepEqual(
      specs.map((s) => s.workflowType),
      ['outboxFlushWorkflow', 'txmaPurgeWorkflow'],
    );
    const client = createTemporalClient(config);
    const taskQueue = `schedules-${suffix}`;
    const logger = pino({ level: 'silent' });
    try {
      await ensureSchedules(client, taskQueue, specs, logger);
      await ensureSchedules(client, taskQueue, specs, logger);
      const expected = new Map([
        ['outboxFlushWorkflow', 600_000],
        ['txmaPurgeWorkflow', 1_200_000],
      ]);
      for (const spec of specs) {
        const description = await client.schedule.getHandle(spec.scheduleId).describe();
        assert.equal(description.action.type, 'startWorkflow');
        const timeoutMs = expected.get(spec.workflowType);
        assert.equal(description.action.workflowRunTimeout, timeoutMs, `${spec.scheduleId} run timeout`);
        assert.equal(description.action.workflowExecutionTimeout, timeoutMs, `${spec.scheduleId} execution timeout`);
        assert.equal(description.policies.overlap, 'SKIP');
        const [input] = description.action.args as [TxmaPurgeInput];
        assert.equal(input.activity.scheduleToCloseTimeoutMs, timeoutMs, 'the run\'s activities give up when the run would time out');
      }
    } finally {
      for (const spec of specs) await client.schedule.getHandle(spec.scheduleId).delete().catch(() => undefined);
      await client.connection.close();
    }
  });

  it('when an interval is short, then a run may still take ten minutes', () => {
    assert.equal(toScheduleRunTimeoutSeconds(10), 600);
    assert.equal(toScheduleRunTimeoutSeconds(300), 3000);
  });
});
