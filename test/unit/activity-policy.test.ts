import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config';
import type { ActivityPolicyInput } from '../../src/shared/cascade-input';
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
