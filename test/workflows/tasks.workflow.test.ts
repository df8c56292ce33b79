import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FlushTaskOutboxInput, OutboxActivities } from '../../activities/outbox-activities';
import type { RecordIncentiveEventsInput, TaskActivities } from '../../activities/task-activities';
import type { CascadeInput } from '../../src/shared/cascade-input';
import { NON_RETRYABLE_INPUT_ERROR } from '../../src/shared/cascade-input';
import type { IncentiveEventsTask, OutboxFlushResult } from '../../src/shared/tasks';
import { incentiveEventsWorkflow, outboxFlushWorkflow } from '../../workflows';
import { FAST_RETRIES, runWithWorker, useTemporalTestEnv } from '../support/temporal-test-env';

describe('tasks workflows (Temporal dev server, activities faked)', function () {
  this.timeout(120_000);
  const temporal = useTemporalTestEnv();

  const task: IncentiveEventsTask = { action: 'event', data: [{ userIds: ['a', 'b'], eventName: 'n', eventMeta: { x: 1 } }, { userIds: ['c'], eventName: 'm' }] };

  it('when an event task runs, then its events are recorded once with the workflow ID and the result is returned', async () => {
    const calls: RecordIncentiveEventsInput[] = [];
    const activities: TaskActivities = {
      async recordIncentiveEvents(input) {
        calls.push(input);
        return { events: input.events.length, rows: 3, rowsInserted: 3 };
      },
    };
    const workflowId = `tasks/${randomUUID()}`;
    const input: CascadeInput<IncentiveEventsTask> = { route: 'tasks', eventKey: workflowId.slice(6), event: task, activity: FAST_RETRIES };
    const result = await runWithWorker(temporal.env, activities, (taskQueue) => temporal.env.client.workflow.execute(incentiveEventsWorkflow, { taskQueue, workflowId, args: [input] }));
    assert.deepEqual(result, { events: 2, rows: 3, rowsInserted: 3 });
    assert.deepEqual(calls, [{ workflowId, events: task.data }]);
  });

  it('when recording fails transiently once, then it is retried and the cascade completes', async () => {
    let attempts = 0;
    const activities: TaskActivities = {
      async recordIncentiveEvents(input) {
        attempts += 1;
        if (attempts === 1) throw new Error('connection reset');
        return { events: input.events.length, rows: 3, rowsInserted: 3 };
      },
    };
    const input: CascadeInput<IncentiveEventsTask> = { route: 'tasks', eventKey: randomUUID(), event: task, activity: FAST_RETRIES };
    const result = await runWithWorker(temporal.env, activities, (taskQueue) => temporal.env.client.workflow.execute(incentiveEventsWorkflow, { taskQueue, workflowId: `tasks/${input.eventKey}`, args: [input] }));
    assert.equal(result.rowsInserted, 3);
    assert.equal(attempts, 2);
  });

  it('when recording fails for good, then the cascade fails with a readable reason', async () => {
    let attempts = 0;
    const activities: TaskActivities = {
      async recordIncentiveEvents() {
        attempts += 1;
        throw ApplicationFailure.nonRetryable('events[0].eventName must be a non-empty string', NON_RETRYABLE_INPUT_ERROR);
      },
    };
    const input: CascadeInput<IncentiveEventsTask> = { route: 'tasks', eventKey: randomUUID(), event: task, activity: FAST_RETRIES };
    await assert.rejects(
      runWithWorker(temporal.env, activities, (taskQueue) => temporal.env.client.workflow.execute(incentiveEventsWorkflow, { taskQueue, workflowId: `tasks/${input.eventKey}`, args: [input] })),
      (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError);
        assert.equal(error.cause?.message, 'recordIncentiveEvents failed: events[0].eventName must be a non-empty string');
        return true;
      },
    );
    assert.equal(attempts, 1, 'input errors are not retried');
  });

  function fakeOutbox(results: OutboxFlushResult[]) {
    const calls: FlushTaskOutboxInput[] = [];
    const activities: OutboxActivities = {
      async flushTaskOutbox(input = {}) {
        calls.push(input);
        const next = results.shift();
        if (next === undefined) throw new Error('unexpected extra flush call');
        return next;
      },
    };
    return { calls, activities };
  }

  it('when the outbox holds more than one call re-sends, then the flush goes on until it is empty', async () => {
    const { calls, activities } = fakeOutbox([
      { sent: 2, remaining: 3, failures: [] },
      { sent: 2, remaining: 1, failures: [] },
      { sent: 1, remaining: 0, failures: [] },
    ]);
    const result = await runWithWorker(temporal.env, activities, (taskQueue) =>
      temporal.env.client.workflow.execute(outboxFlushWorkflow, { taskQueue, workflowId: `cascade/outbox-flush/${randomUUID()}`, args: [{ activity: FAST_RETRIES, messagesPerCall: 2 }] }),
    );
    assert.deepEqual(result, { sent: 5, remaining: 0, failures: [] });
    assert.deepEqual(calls, [{ maxMessages: 2 }, { maxMessages: 2 }, { maxMessages: 2 }]);
  });

  it('when a queue fails during the flush, then the run stops and reports it for the next scheduled run', async () => {
    const failures = [{ queueUrl: 'http://q', error: 'SendMessageBatch failed: Error: connect ECONNREFUSED' }];
    const { calls, activities } = fakeOutbox([{ sent: 1, remaining: 4, failures }]);
    const result = await runWithWorker(temporal.env, activities, (taskQueue) =>
      temporal.env.client.workflow.execute(outboxFlushWorkflow, { taskQueue, workflowId: `cascade/outbox-flush/${randomUUID()}`, args: [{ activity: FAST_RETRIES }] }),
    );
    assert.deepEqual(result, { sent: 1, remaining: 4, failures });
    assert.deepEqual(calls, [{}]);
  });
});
