import assert from 'node:assert/strict';
import { SqsOperationError } from '../../src/errors';
import { sleep } from '../../src/sleep';
import { CASCADE_SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';

describe('helpers shared by the bridge, the worker and the CLI', () => {
  it('when sleeping, then it resolves after the time, or at once when the signal aborts (already or meanwhile)', async () => {
    const started = Date.now();
    await sleep(50);
    assert.ok(Date.now() - started >= 45, 'waited the time');
    const aborted = AbortSignal.abort();
    const early = Date.now();
    await sleep(10_000, aborted);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await sleep(10_000, controller.signal);
    assert.ok(Date.now() - early < 2_000, 'an abort ends the sleep early, without error');
  });

  it('when a search attribute is registered, then it has a typed key of the same name and type', () => {
    assert.deepEqual(Object.keys(SEARCH_ATTRIBUTE_KEYS).sort(), Object.keys(CASCADE_SEARCH_ATTRIBUTES).sort());
    for (const [name, key] of Object.entries(SEARCH_ATTRIBUTE_KEYS)) {
      assert.equal(key.name, name);
      assert.equal(key.type, 'KEYWORD');
      assert.equal(CASCADE_SEARCH_ATTRIBUTES[name as keyof typeof CASCADE_SEARCH_ATTRIBUTES], 'Keyword');
    }
  });

  it('when an SQS call fails, then the error names the operation, the queue and the messages, with the cause', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:9324');
    const error = new SqsOperationError('DeleteMessageBatch', 'http://queue/a', ['m-1', 'm-2'], cause);
    assert.equal(error.message, 'SQS DeleteMessageBatch on http://queue/a failed: connect ECONNREFUSED 127.0.0.1:9324');
    assert.equal(error.name, 'SqsOperationError');
    assert.deepEqual(error.messageIds, ['m-1', 'm-2']);
    assert.equal(error.cause, cause);
  });
});
