import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createTemporalClient } from '../../src/app/clients';
import { toScheduleRunTimeoutSeconds } from '../../src/app/schedule-run-timeout';
import { createScheduleSpecs, ensureSchedules } from '../../src/app/schedules';
import { loadConfig } from '../../src/config';
import type { TxmaPurgeInput } from '../../src/shared/txma';

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
