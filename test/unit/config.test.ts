import assert from 'node:assert/strict';
import { ConfigError, listConfigVariables, loadConfig } from '../../src/config';

const QUEUE = 'http://127.0.0.1:9324/000000000000/cascade-account-events';
const QUARANTINE = 'http://127.0.0.1:9324/000000000000/cascade-quarantine';

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.issues.map((i) => `${i.variable}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('when nothing is set, then a client gets every default', () => {
    const config = loadConfig({}, ['client']);
    assert.equal(config.temporal.address, 'localhost:7233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.taskQueue, 'cascade');
    assert.equal(config.bridge.waitTimeSeconds, 20);
    assert.equal(config.bridge.batchSize, 10);
    assert.deepEqual(config.activity.retry, { initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 0 });
    assert.equal(config.activity.scheduleToCloseTimeoutMs, 86_400_000);
    assert.deepEqual(config.routes, []);
  });

  it('when a route queue URL is set, then that route is served', () => {
    const config = loadConfig({ CASCADE_QUEUE_URL_ACCOUNT_EVENTS: QUEUE, CASCADE_QUARANTINE_QUEUE_URL: QUARANTINE }, ['bridge']);
    assert.deepEqual(config.routes, [{ route: 'account-events', queueUrl: QUEUE }]);
  });

  it('when the worker has no DATABASE_URL, then the error says what to set', () => {
    const issues = issuesOf(() => loadConfig({}, ['worker']));
    assert.equal(issues.length, 1);
    assert.match(issues[0] ?? '', /^DATABASE_URL: is required by the worker/);
  });

  it('when the bridge has no queue and no quarantine, then both problems are reported at once', () => {
    const issues = issuesOf(() => loadConfig({}, ['bridge']));
    assert.equal(issues.length, 2);
    assert.ok(issues.some((i) => i.includes('CASCADE_QUEUE_URL_ACCOUNT_EVENTS') && i.includes('at least one route')));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_QUARANTINE_QUEUE_URL: is required by the bridge')));
  });

  it('when values are malformed, then each names its variable and the expected form', () => {
    const issues = issuesOf(() =>
      loadConfig({ TEMPORAL_ADDRESS: 'nohostport', CASCADE_BATCH_SIZE: '11', CASCADE_WAIT_TIME_SECONDS: 'soon', DATABASE_URL: 'mysql://x', CASCADE_HUMAN_LOGS: 'maybe' }),
    );
    assert.ok(issues.some((i) => i.startsWith('TEMPORAL_ADDRESS: must be host:port')));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_BATCH_SIZE:')));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_WAIT_TIME_SECONDS:')));
    assert.ok(issues.some((i) => i.startsWith('DATABASE_URL: must be a postgresql://')));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_HUMAN_LOGS: must be one of')));
  });

  it('when CASCADE_ROUTES names an unknown route or one without a queue, then both are reported', () => {
    const issues = issuesOf(() => loadConfig({ CASCADE_ROUTES: 'account-events,nope' }, ['client']));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_ROUTES: unknown route "nope"')));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_QUEUE_URL_ACCOUNT_EVENTS: route account-events is selected')));
  });

  it('when a route queue URL is not a URL, then it is rejected', () => {
    const issues = issuesOf(() => loadConfig({ CASCADE_QUEUE_URL_ACCOUNT_EVENTS: 'queue' }, ['client']));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_QUEUE_URL_ACCOUNT_EVENTS: must be an absolute URL')));
  });

  it('when the retry interval bounds contradict each other, then it is rejected', () => {
    const issues = issuesOf(() => loadConfig({ CASCADE_ACTIVITY_INITIAL_INTERVAL_MS: '5000', CASCADE_ACTIVITY_MAX_INTERVAL_MS: '1000' }));
    assert.ok(issues.some((i) => i.startsWith('CASCADE_ACTIVITY_MAX_INTERVAL_MS: must be at least')));
  });

  it('when the variables are listed, then route queue variables are included', () => {
    const names = listConfigVariables();
    assert.ok(names.includes('DATABASE_URL'));
    assert.ok(names.includes('CASCADE_QUEUE_URL_ACCOUNT_EVENTS'));
  });
});
