import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AccountActivities, RaiseGenerationInput, RetireUserInput } from '../../activities/account-activities';
import type { AccountEvent } from '../../src/shared/account-event';
import type { CascadeInput } from '../../src/shared/cascade-input';
import { NON_RETRYABLE_INPUT_ERROR } from '../../src/shared/cascade-input';
import { accountEventsWorkflow } from '../../workflows';
import { FAST_RETRIES, runWithWorker, useTemporalTestEnv } from '../support/temporal-test-env';

describe('accountEventsWorkflow (Temporal dev server, activities faked)', function () {
  this.timeout(120_000);
  const temporal = useTemporalTestEnv();

  async function run(event: AccountEvent, activities: AccountActivities, policy = FAST_RETRIES) {
    const input: CascadeInput<AccountEvent> = { route: 'account-events', eventKey: randomUUID(), event, activity: policy };
    return runWithWorker(temporal.env, activities, (taskQueue) =>
      temporal.env.client.workflow.execute(accountEventsWorkflow, { taskQueue, workflowId: `account-events/${input.eventKey}`, args: [input] }),
    );
  }

  function recordingActivities(rows: number) {
    const calls: Array<{ name: string; input: RetireUserInput | RaiseGenerationInput }> = [];
    const activities: AccountActivities = {
      async retireUser(input) {
        calls.push({ name: 'retireUser', input });
        return { rowsAffected: rows };
      },
      async raiseGeneration(input) {
        calls.push({ name: 'raiseGeneration', input });
        return { rowsAffected: rows };
      },
    };
    return { calls, activities };
  }

  it('when a delete arrives, then the user is retired and the result says so', async () => {
    const { calls, activities } = recordingActivities(2);
    const result = await run({ type: 'delete', email: 'u@example.com' }, activities);
    assert.deepEqual(result, { type: 'delete', outcome: 'retired', rowsAffected: 2 });
    assert.deepEqual(calls, [{ name: 'retireUser', input: { email: 'u@example.com' } }]);
  });

  it('when a delete runs, then its step is a local activity and the whole cascade takes one workflow task', async () => {
    const { activities } = recordingActivities(1);
    const input: CascadeInput<AccountEvent> = { route: 'account-events', eventKey: randomUUID(), event: { type: 'delete', email: 'u@example.com' }, activity: FAST_RETRIES };
    const workflowId = `account-events/${input.eventKey}`;
    await runWithWorker(temporal.env, activities, (taskQueue) => temporal.env.client.workflow.execute(accountEventsWorkflow, { taskQueue, workflowId, args: [input] }));
    const events = (await temporal.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.workflowTaskCompletedEventAttributes).length, 1);
    assert.deepEqual(events.flatMap((e) => (e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes.markerName] : [])), ['core_patch', 'core_local_activity']);
    assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0);
  });

  it('when a reset arrives, then the generation is raised with the event generation', async () => {
    const { calls, activities } = recordingActivities(1);
    const result = await run({ type: 'reset', email: 'u@example.com', generation: 42 }, activities);
    assert.deepEqual(result, { type: 'reset', outcome: 'generation-raised', rowsAffected: 1 });
    assert.deepEqual(calls, [{ name: 'raiseGeneration', input: { email: 'u@example.com', generation: 42 } }]);
  });

  it('when no row changes (unknown user), then the cascade completes with no-change', async () => {
    const { activities } = recordingActivities(0);
    const result = await run({ type: 'passwordChange', email: 'nobody@example.com', generation: 3 }, activities);
    assert.deepEqual(result, { type: 'passwordChange', outcome: 'no-change', rowsAffected: 0 });
  });

  it('when an activity fails transiently once, then it is retried and the cascade completes', async () => {
    let attempts = 0;
    const { activities } = recordingActivities(1);
    const result = await run({ type: 'delete', email: 'u@example.com' }, {
      ...activities,
      async retireUser(input) {
        attempts += 1;
        if (attempts === 1) throw new Error('connection reset');
        return activities.retireUser(input);
      },
    });
    assert.equal(attempts, 2);
    assert.equal(result.outcome, 'retired');
  });

  it('when retries run out, then the workflow fails with a readable reason naming the step', async () => {
    let attempts = 0;
    const { activities } = recordingActivities(1);
    const failing: AccountActivities = {
      ...activities,
      async raiseGeneration() {
        attempts += 1;
        throw new Error('database is unreachable');
      },
    };
    const error = await run({ type: 'reset', email: 'u@example.com', generation: 9 }, failing).then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.ok(error.cause instanceof ApplicationFailure);
    assert.equal(error.cause.type, 'CascadeStepFailed');
    assert.equal(error.cause.message, 'raiseGeneration failed: database is unreachable');
    // A local activity's failure arrives as the activity's own failure (a regular activity's inside an ActivityFailure).
    assert.ok(error.cause.cause instanceof ApplicationFailure);
    assert.equal(error.cause.cause.message, 'database is unreachable');
    assert.equal(attempts, FAST_RETRIES.retry.maximumAttempts);
  });

  it('when an activity reports invalid input, then it is not retried', async () => {
    let attempts = 0;
    const { activities } = recordingActivities(1);
    const error = await run({ type: 'delete', email: 'u@example.com' }, {
      ...activities,
      async retireUser() {
        attempts += 1;
        throw ApplicationFailure.nonRetryable('email must identify the user', NON_RETRYABLE_INPUT_ERROR);
      },
    }).then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.equal(attempts, 1);
    assert.match(String(error.cause?.message), /^retireUser failed: email must identify the user/);
  });
});
